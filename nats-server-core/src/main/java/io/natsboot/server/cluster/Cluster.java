package io.natsboot.server.cluster;

import io.natsboot.server.config.ClusterOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.PeerDialing;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.protocol.ServerId;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.CountDownLatch;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import reactor.netty.resources.LoopResources;

/**
 * The cluster side of one server: the route listener, dialling of configured and gossiped routes with
 * retries, the registry of routes by peer id (duplicate resolution), interest propagation of local
 * subscriptions (RS+/RS- with nats-server's reference counting and queue weights), gossip of new peers,
 * cluster name negotiation and the {@code connect_urls} clients are told.
 *
 * <p>One lock ({@link #lock}) orders registration and interest changes, so a route that registers gets
 * either a subscription in its initial RS+ burst or as a later RS+, never both and never neither.
 */
public final class Cluster implements ServerContext.LocalInterestListener {
    /** nats-server: 1 s between route dials, plus up to 100 ms of jitter. */
    private static final long RECONNECT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerContext server;
    private final ClusterOptions options;
    private final ServerLog log;
    private final LoopResources loops;
    private volatile String name;
    private volatile boolean dynamic;
    private volatile Channel listener;
    /** Configured routes whose first dial has not ended yet (registered, refused or closed). */
    private final Set<URI> firstDials = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch firstDialsDone = new CountDownLatch(0);
    private volatile int boundPort;
    private volatile boolean shuttingDown;
    /** Client side TLS for dialled routes; null without cluster TLS. */
    private volatile SslContext clientTls;

    private final Object lock = new Object();
    /** Registered routes by peer server id (guarded by lock). */
    private final Map<String, RouteConnection> routes = new LinkedHashMap<>();
    /** Each registered route's peer INFO as it registered: the leaf and websocket URLs it added (guarded by lock). */
    private final Map<RouteConnection, PeerInfo> urlsAtRegistration = new java.util.IdentityHashMap<>();
    /** Local plain interest: subscriptions per subject (guarded by lock). */
    private final Map<String, int[]> plainCounts = new HashMap<>();
    /** Local queue interest: members per "subject queue" (guarded by lock). */
    private final Map<String, int[]> queueCounts = new HashMap<>();
    /** Every open route connection, registered or not (for shutdown). */
    private final Set<RouteConnection> open = ConcurrentHashMap.newKeySet();
    /** Route URLs being dialled or connected, to avoid dialling one peer twice from gossip. */
    private final Set<String> dialling = ConcurrentHashMap.newKeySet();
    private volatile List<String> ownClientUrls = List.of();
    /** A route registered once: clients are told our URLs from then on (guarded by lock). */
    private boolean everRouted;

    public final LongAdder slowConsumerRoutes = new LongAdder();
    /** Traffic of routes that closed (in msgs, in bytes, out msgs, out bytes); guarded by {@code lock}. */
    private final long[] closedRouteTraffic = new long[4];
    /** Times a route stopped reading for a moment because a local receiver was behind (RoutePressure). */
    public final LongAdder routePressurePauses = new LongAdder();

    /**
     * Creates the cluster and starts counting local interest at once: call before clients can connect, and
     * {@link #start()} once the client listener is bound.
     */
    public Cluster(ServerContext server, ClusterOptions options, LoopResources loops) {
        this.server = server;
        this.options = options;
        this.log = server.log();
        this.loops = loops;
        this.dynamic = options.name() == null;
        this.name = dynamic ? ServerId.nuid() : options.name();
        server.clusterName(name);
        server.interestListener(this);
    }

    // ---- Start and stop --------------------------------------------------------------------

    /** Binds the route listener and starts dialling the configured routes. */
    public void start() {
        if (dynamic) {
            log.warn("Cluster name was dynamically generated, consider setting one");
        }
        ownClientUrls = computeOwnClientUrls();
        TlsOptions tls = options.tls();
        SslContext stapling = tls == null ? null : server.staplingTls(tls); // ocsp: stapled route certificate
        SslContext serverTls = tls == null ? null : stapling != null ? stapling : TlsContexts.server(tls);
        clientTls = tls == null ? null : TlsContexts.routeClient(tls);
        // Plain Netty, as the client listener: Reactor's TcpServer/TcpClient would load their reactive
        // machinery (and a DNS resolver) on the start path, which delays the first routes (formation timing,
        // docs/architecture.md "Start-up").
        listener = PeerDialing.listener(loops)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (serverTls != null) {
                            // Routes: the TLS handshake comes first, before INFO (reference §4.2).
                            SslHandler h = serverTls.newHandler(ch.alloc());
                            h.setHandshakeTimeoutMillis(tls.timeout().toMillis());
                            ch.pipeline().addLast("nats-route-tls", h);
                        }
                        ch.pipeline().addLast("nats-route", new RouteConnection(Cluster.this, false, null, false));
                    }
                })
                .bind(options.host(), options.port())
                .syncUninterruptibly().channel();
        boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("Cluster name is " + name);
        log.info("Listening for route connections on " + hostPort(options.host(), boundPort));
        firstDials.addAll(options.routes());
        firstDialsDone = new CountDownLatch(firstDials.size());
        for (URI route : options.routes()) {
            dial(route, true, 1, true);
        }
    }

    /**
     * Waits until every configured route's first dial has ended (the peer registered, or the dial failed or
     * closed), at most {@code max}: the server opens its client port after that, so a client (or a harness
     * starting nodes one after another) finds the mesh and the gossiped connect_urls complete (engineering
     * guide §2b). A seed that is not up refuses at once, so this rarely waits long.
     */
    public void awaitFirstDials(Duration max) {
        try {
            firstDialsDone.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void firstDialEnded(URI url) {
        if (url != null && firstDials.remove(url)) {
            firstDialsDone.countDown();
        }
    }

    /** cluster.tls pinned_certs (lower-case hex key ids); empty = any key the CA vouches for. */
    public java.util.List<String> pinnedCerts() {
        return options.tls() == null ? java.util.List.of() : options.tls().pinnedCerts();
    }

    /** Closes the listener and every route. */
    public void shutdown() {
        shuttingDown = true;
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
        firstDials.clear();
        while (firstDialsDone.getCount() > 0) {
            firstDialsDone.countDown();
        }
        for (RouteConnection r : new ArrayList<>(open)) {
            r.closeForReason("Server Shutdown");
        }
    }

    /** Sends one protocol line (e.g. gateway gossip INFO) to every registered route. */
    public void sendToRoutes(byte[] line) {
        for (RouteConnection r : registered()) {
            r.enqueue(line);
        }
    }

    /** Lame duck: tell the peers (route INFO with ldm), so they stop advertising our client URLs. */
    public void enterLameDuckMode() {
        byte[] info = RouteInfoWriter.info(server, this, null, true);
        for (RouteConnection r : registered()) {
            r.enqueue(info);
        }
    }

    // ---- Dialling --------------------------------------------------------------------------

    /** {@code first}: dials before this route was ever connected (connect_error_reports, not reconnect_...). */
    private void dial(URI url, boolean configured, int attempt, boolean first) {
        if (shuttingDown) {
            return;
        }
        String key = url.getHost() + ":" + url.getPort();
        if (attempt == 1 && !configured && !dialling.add(key)) {
            return;
        }
        if (log.isDebug()) {
            log.debug("Trying to connect to route on " + key + " (" + PeerDialing.resolved(url) + ")");
        }
        PeerDialing.dialer(loops)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslContext ctx = clientTls;
                        if (ctx != null) {
                            SslHandler h = ctx.newHandler(ch.alloc(), url.getHost(), url.getPort());
                            if (!options.tls().insecure()) {
                                // Check the peer's certificate names the host we dialled, as Go's TLS client does.
                                PeerDialing.checkHostname(h);
                            }
                            h.setHandshakeTimeoutMillis(options.tls().timeout().toMillis());
                            ch.pipeline().addLast("nats-route-tls", h);
                        }
                        ch.pipeline().addLast("nats-route", new RouteConnection(Cluster.this, true, url, configured));
                    }
                })
                .connect(url.getHost(), url.getPort())
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        dialFailed(url, configured, attempt, first, f.cause());
                    }
                });
    }

    private void dialFailed(URI url, boolean configured, int attempt, boolean first, Throwable err) {
        if (configured) {
            firstDialEnded(url);
        }
        String key = url.getHost() + ":" + url.getPort();
        String text = "Error trying to connect to route (attempt " + attempt + "): dial tcp "
                + PeerDialing.resolved(url) + ": " + PeerDialing.dialError(err);
        if (reportDialError(first, attempt)) {
            log.error(text);
        } else if (log.isDebug()) {
            log.debug(text);
        }
        // Explicit routes are retried forever; implicit ones connect_retries times (reference §4.8).
        if (shuttingDown || (!configured && attempt > options.connectRetries())) {
            dialling.remove(key);
            return;
        }
        scheduleDial(url, configured, attempt + 1, first);
    }

    /**
     * nats-server's shouldReportConnectErr: the first failed dial, then every connect_error_reports-th (3600) while
     * the route never connected, every reconnect_error_reports-th (1) after it was lost. (A 0 there makes Go divide
     * by zero; here it reports the first attempt only.)
     */
    private boolean reportDialError(boolean first, int attempt) {
        io.natsboot.server.config.ServerOptions o = server.options();
        int every = first ? o.connectErrorReports() : o.reconnectErrorReports();
        return attempt == 1 || (every != 0 && attempt % every == 0);
    }

    private void scheduleDial(URI url, boolean configured, int attempt, boolean first) {
        long delay = RECONNECT_NANOS + ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(100));
        loops.onServer(true).next().schedule(() -> dial(url, configured, attempt, first), delay,
                TimeUnit.NANOSECONDS);
    }

    // ---- Route lifecycle -------------------------------------------------------------------

    long nextRid() {
        return server.nextConnectionId(); // one counter for cid and rid, as nats-server
    }

    void track(RouteConnection r) {
        open.add(r);
        if (shuttingDown) {
            r.closeForReason("Server Shutdown");
        }
    }

    /**
     * Registers a route whose peer INFO arrived (reference §4.1 step 3): false for a duplicate (the first one
     * registered wins, §4.9). Sends our interest, forwards the peer to the other routes (gossip) and updates
     * the connect URLs clients are told.
     */
    boolean register(RouteConnection r) {
        if (r.solicited && r.configured) {
            firstDialEnded(r.url);
        }
        PeerInfo peer = r.peer();
        List<RouteConnection> others;
        synchronized (lock) {
            RouteConnection existing = routes.get(peer.serverId());
            if (existing != null && existing != r) {
                if (r.solicited && r.configured) {
                    existing.configured = true; // keep redialling this peer if the survivor drops
                }
                return false;
            }
            others = new ArrayList<>(routes.values());
            routes.put(peer.serverId(), r);
            urlsAtRegistration.put(r, peer);
            if (log.isDebug()) {
                log.debug(r.logPrefix() + "Registering remote route \"" + peer.serverId() + "\"");
            }
            r.enqueue(initialInterest());
        }
        if (peer.gatewayUrl() != null) {
            server.peerGatewayUrl(peer.gatewayUrl(), true);
        }
        server.peerLeafUrls().update(peer.leafUrls(), true);
        if (!options.noAdvertise()) {
            server.peerWebSocketUrls().update(peer.webSocketUrls(), true); // clients' URLs: not with no_advertise
        }
        if (log.isDebug()) {
            log.debug(r.logPrefix() + "Sent local subscriptions to route");
        }
        if (!others.isEmpty()) {
            byte[] forward = peer.forwardLine(peer.ip() != null && !peer.ip().isEmpty() ? peer.ip()
                    : "nats-route://" + hostForUrl(r.host()) + ":" + peer.port() + "/");
            for (RouteConnection o : others) {
                o.enqueue(forward);
            }
        }
        updateConnectUrls();
        return true;
    }

    /** A route closed: forget it, and redial it if it was configured. */
    void closed(RouteConnection r, boolean wasRegistered) {
        open.remove(r);
        if (r.solicited && r.configured) {
            firstDialEnded(r.url);
        }
        PeerInfo peer = r.peer();
        boolean stillConnected = false;
        PeerInfo left = null;
        if (peer != null) {
            synchronized (lock) {
                if (wasRegistered && routes.get(peer.serverId()) == r) {
                    routes.remove(peer.serverId());
                    if (peer.gatewayUrl() != null) {
                        server.peerGatewayUrl(peer.gatewayUrl(), false);
                    }
                    left = urlsAtRegistration.remove(r);
                    // Kept under the lock that guards the registry, so the totals never dip or count twice.
                    closedRouteTraffic[0] += r.inMsgs();
                    closedRouteTraffic[1] += r.inBytes();
                    closedRouteTraffic[2] += r.outMsgs();
                    closedRouteTraffic[3] += r.outBytes();
                }
                stillConnected = routes.containsKey(peer.serverId());
            }
        }
        if (left != null && !shuttingDown) {
            // outside the lock: the listeners send INFO to leafs and websocket clients
            server.peerLeafUrls().update(left.leafUrls(), false);
            if (!options.noAdvertise()) {
                server.peerWebSocketUrls().update(left.webSocketUrls(), false);
            }
        }
        if (wasRegistered) {
            updateConnectUrls();
        }
        if (!r.solicited || r.url == null) {
            if (r.configured && peer != null && !stillConnected && !shuttingDown) {
                // An accepted route that replaced our configured dial: redial the configured URL.
                URI configuredUrl = configuredUrlFor(peer);
                if (configuredUrl != null) {
                    scheduleDial(configuredUrl, true, 1, false);
                }
            }
            return;
        }
        String key = r.url.getHost() + ":" + r.url.getPort();
        if (shuttingDown) {
            return;
        }
        if (r.configured) {
            if (stillConnected) {
                if (log.isDebug()) {
                    log.debug("Not attempting reconnect for solicited route, already connected to \""
                            + peer.serverId() + "\"");
                }
                return;
            }
            // One decision line per closed solicited route, as nats-server logs it (tests wait on it).
            if (log.isDebug()) {
                log.debug("Attempting reconnect for solicited route \"" + r.url + "\"");
            }
            scheduleDial(r.url, true, 1, false);
        } else {
            // A configured URL whose route is no longer configured: it led to this server itself.
            if (options.routes().contains(r.url) && log.isDebug()) {
                log.debug("Detected route to self, ignoring \"" + r.url + "\""); // nats-server's decision line
            }
            dialling.remove(key);
        }
    }

    private URI configuredUrlFor(PeerInfo peer) {
        for (URI u : options.routes()) {
            if (u.getPort() == peer.port()) {
                return u;
            }
        }
        return null;
    }

    /** A re-sent INFO of a registered peer: its connect URLs or lame-duck state may have changed. */
    void peerUpdated(RouteConnection r) {
        updateConnectUrls();
    }

    /**
     * A forwarded INFO about another server (reference §4.8): dial it unless it is us, already connected,
     * or one of our configured routes.
     */
    void gossip(RouteConnection from, PeerInfo info) {
        if (info.serverId().equals(server.serverId()) || shuttingDown) {
            return;
        }
        synchronized (lock) {
            if (routes.containsKey(info.serverId())) {
                return;
            }
        }
        String target = info.routeUrl(from.host());
        URI url;
        try {
            url = new URI(target);
        } catch (java.net.URISyntaxException e) {
            log.error(from.logPrefix() + "Error parsing route url " + target);
            return;
        }
        for (URI configured : options.routes()) {
            if (sameHostPort(configured, url)) {
                return;
            }
        }
        dial(url, false, 1, true);
    }

    private static boolean sameHostPort(URI a, URI b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        try {
            return InetAddress.getByName(a.getHost()).equals(InetAddress.getByName(b.getHost()));
        } catch (java.io.IOException e) {
            return a.getHost().equalsIgnoreCase(b.getHost());
        }
    }

    /**
     * Cluster name negotiation (reference §4.10): true if {@code theirs} is acceptable, adopting it when our
     * name was generated and theirs was not, or sorts higher. Adopting closes the other routes to reconnect.
     */
    boolean acceptClusterName(RouteConnection r, String theirs, boolean theirsDynamic) {
        if (theirs.equals(name)) {
            return true;
        }
        if (!dynamic) {
            return false;
        }
        if (theirsDynamic && theirs.compareTo(name) <= 0) {
            return false;
        }
        name = theirs;
        dynamic = theirsDynamic;
        server.clusterName(theirs);
        log.info("Cluster name updated to " + theirs);
        for (RouteConnection o : new ArrayList<>(open)) {
            if (o != r) {
                o.closeForReason("Cluster Name Conflict");
            }
        }
        return true;
    }

    // ---- Interest propagation --------------------------------------------------------------

    /** Every local interest as one RS+ burst for a new route (caller holds the lock). */
    private byte[] initialInterest() {
        StringBuilder b = new StringBuilder();
        for (String key : plainCounts.keySet()) {
            b.append("RS+ ").append(key).append("\r\n");
        }
        for (Map.Entry<String, int[]> e : queueCounts.entrySet()) {
            b.append("RS+ ").append(e.getKey()).append(' ').append(e.getValue()[0]).append("\r\n");
        }
        // Answers to requests this node imports from another account come back under _R_.<id>.> (fixed at start).
        for (io.natsboot.server.connection.Account a : server.accounts()) {
            String w = a.responseWildcard();
            if (w != null) {
                b.append("RS+ ").append(a.name()).append(' ').append(w).append("\r\n");
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Cluster import permission: we only ask routes for (send RS+ for) what we may import. */
    private boolean importable(String subject) {
        io.natsboot.server.auth.Permissions p = options.permissions();
        return p == null || !p.checksPublish() || p.canPublish(subject);
    }

    /** Cluster export permission: a route's RS+ for something we may not export is ignored. */
    boolean exportable(String subject) {
        io.natsboot.server.auth.Permissions p = options.permissions();
        return p == null || p.canSubscribe(subject);
    }

    @Override
    public void localAdded(Subscription s) {
        if (!importable(s.subject())) {
            return;
        }
        synchronized (lock) {
            if (s.queue() == null) {
                String key = s.account().name() + " " + s.subject();
                int[] c = plainCounts.computeIfAbsent(key, k -> new int[1]);
                if (++c[0] == 1) {
                    broadcastLocked("RS+ " + key + "\r\n");
                }
            } else {
                String key = s.account().name() + " " + s.subject() + " " + s.queue();
                int[] c = queueCounts.computeIfAbsent(key, k -> new int[1]);
                c[0]++;
                broadcastLocked("RS+ " + key + " " + c[0] + "\r\n"); // every count change: the new weight
            }
        }
    }

    @Override
    public void localRemoved(Subscription s) {
        if (!importable(s.subject())) {
            return;
        }
        synchronized (lock) {
            if (s.queue() == null) {
                String key = s.account().name() + " " + s.subject();
                int[] c = plainCounts.get(key);
                if (c != null && --c[0] <= 0) {
                    plainCounts.remove(key);
                    broadcastLocked("RS- " + key + "\r\n");
                }
            } else {
                String key = s.account().name() + " " + s.subject() + " " + s.queue();
                int[] c = queueCounts.get(key);
                if (c == null) {
                    return;
                }
                if (--c[0] <= 0) {
                    queueCounts.remove(key);
                    broadcastLocked("RS- " + key + "\r\n");
                } else {
                    broadcastLocked("RS+ " + key + " " + c[0] + "\r\n");
                }
            }
        }
    }

    private void broadcastLocked(String line) {
        if (routes.isEmpty()) {
            return;
        }
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        for (RouteConnection r : routes.values()) {
            r.enqueue(bytes);
        }
    }

    // ---- Connect URLs ----------------------------------------------------------------------

    /**
     * Recomputes the {@code connect_urls} of client INFO: ours first, then each registered peer's (not a
     * peer in lame duck), and sends the new INFO to clients when the list changed (reference §3.11).
     */
    private void updateConnectUrls() {
        // While shutting down, the routes close before the clients: an INFO without the peers' URLs would
        // make clients drop the very servers they are about to fail over to (nats.go prunes gossiped URLs
        // missing from a new INFO). nats-server sends no client INFO once it is shutting down.
        if (options.noAdvertise() || shuttingDown) {
            return;
        }
        List<String> next;
        synchronized (lock) {
            if (!routes.isEmpty()) {
                everRouted = true;
            }
            // nats-server starts listing URLs with the first route, and keeps its own after the last one left.
            LinkedHashSet<String> urls = new LinkedHashSet<>();
            if (everRouted) {
                if (!server.lameDuck()) {
                    urls.addAll(ownClientUrls);
                }
                for (RouteConnection r : routes.values()) {
                    PeerInfo p = r.peer();
                    if (p != null && !p.ldm()) {
                        urls.addAll(p.connectUrls());
                    }
                }
            }
            next = List.copyOf(urls);
            if (next.equals(server.connectUrls())) {
                return;
            }
            server.connectUrls(next);
        }
        for (ClientConnection c : server.clients()) {
            c.sendAsyncInfo(false);
        }
    }

    /** Our client URLs as peers should tell their clients: client_advertise, else every listen address. */
    private List<String> computeOwnClientUrls() {
        String adv = server.options().clientAdvertise();
        if (adv != null && !adv.isEmpty()) {
            return List.of(adv.contains(":") ? adv : adv + ":" + server.port());
        }
        return hostPorts(server.options().host(), server.port());
    }

    /** host:port entries for a listen address; for a wildcard, every global unicast interface address. */
    public static List<String> hostPorts(String host, int port) {
        List<String> out = new ArrayList<>();
        try {
            InetAddress h = InetAddress.getByName(host == null || host.isEmpty() ? "0.0.0.0" : host);
            if (!h.isAnyLocalAddress()) {
                return List.of(hostForUrl(host) + ":" + port);
            }
            List<NetworkInterface> nics = Collections.list(NetworkInterface.getNetworkInterfaces());
            nics.sort(Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface nic : nics) {
                List<InetAddress> addrs = new ArrayList<>(Collections.list(nic.getInetAddresses()));
                addrs.sort(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1));
                for (InetAddress a : addrs) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                            || a.isMulticastAddress()) {
                        continue;
                    }
                    out.add(hostForUrl(io.natsboot.server.goformat.GoFormat.ip(a)) + ":" + port);
                }
            }
        } catch (java.io.IOException e) {
            out.add(hostForUrl(host) + ":" + port);
        }
        return out;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String hostPort(String host, int port) {
        return hostForUrl(host) + ":" + port;
    }

    // ---- Views -----------------------------------------------------------------------------

    ServerContext server() {
        return server;
    }

    public ClusterOptions options() {
        return options;
    }

    public String name() {
        return name;
    }

    public boolean dynamicName() {
        return dynamic;
    }

    /** The bound route port. */
    public int port() {
        return boundPort;
    }

    /** The host put in route INFO: the advertise host, else the listen host. */
    String infoHost() {
        String adv = options.advertise();
        if (adv != null) {
            int colon = adv.lastIndexOf(':');
            return colon > 0 ? adv.substring(0, colon) : adv;
        }
        return options.host();
    }

    int infoPort() {
        return PeerDialing.advertisedPort(options.advertise(), boundPort);
    }

    /** Our own client URLs ({@code host:port}), as peers list them. */
    public List<String> ownClientUrls() {
        return ownClientUrls;
    }

    /** Registered routes, in registration order. */
    /**
     * Messages and bytes through routes since start, closed routes included, as
     * {in msgs, in bytes, out msgs, out bytes}: monotonic, for counters.
     */
    public long[] routeTraffic() {
        synchronized (lock) {
            long[] t = closedRouteTraffic.clone();
            for (RouteConnection r : routes.values()) {
                t[0] += r.inMsgs();
                t[1] += r.inBytes();
                t[2] += r.outMsgs();
                t[3] += r.outBytes();
            }
            return t;
        }
    }

    public List<RouteConnection> registered() {
        synchronized (lock) {
            return new ArrayList<>(routes.values());
        }
    }

    /** Every open route connection (for closing on shutdown). */
    public Collection<RouteConnection> openRoutes() {
        return Collections.unmodifiableSet(open);
    }

    /** The configured route URLs as host:port, as /varz {@code cluster.urls} shows them. */
    public List<String> configuredUrls() {
        List<String> out = new ArrayList<>();
        for (URI u : options.routes()) {
            out.add(u.getHost() + ":" + u.getPort());
        }
        return out;
    }

    /** Applies {@code f} to each registered route; for views. */
    public <T> List<T> mapRoutes(Function<RouteConnection, T> f) {
        List<T> out = new ArrayList<>();
        for (RouteConnection r : registered()) {
            out.add(f.apply(r));
        }
        return out;
    }
}
