package io.natsboot.server.gateway;

import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.InterestObserver;
import io.natsboot.server.connection.MessageForwarder;
import io.natsboot.server.connection.Receiver;
import io.natsboot.server.connection.PeerDialing;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.natsboot.server.tls.TlsContexts;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import reactor.netty.resources.LoopResources;

/**
 * The gateway side of one server (superclusters, nats-server 2.9.10's gateway.go): the gateway listener; one
 * outbound connection per remote cluster, dialled 1 s after start and redialled every second; inbound connections
 * from every remote server that dials us; implicit gateways learned from INFO gossip; our cluster's interest told to
 * every inbound connection (every account in interest-only mode from the start, as 2.9.10: {@code gateway_iom});
 * messages published here forwarded to the remote clusters that want them ({@link MessageForwarder}); replies of
 * requests that crossed mapped under {@code _GR_.<cluster hash>.<server hash>.} so they come straight back.
 *
 * <p>{@link #lock} orders interest changes and inbound registration, so an inbound connection gets a subscription
 * either in its initial burst or as a later RS+, never both and never neither.
 */
public final class Gateways implements InterestObserver, MessageForwarder {
    /** nats-server: dial the configured gateways 1 s after start, and every second while they fail. */
    private static final long SOLICIT_DELAY_MILLIS = 1000;
    private static final long CONNECT_DELAY_MILLIS = 1000;
    /** How long a new subscription makes its client's replies go back under our prefix, and a mapping lives. */
    private static final long RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** "_GR_." + 6 + "." + 6 + "." */
    static final int ROUTED_PREFIX_LENGTH = 19;
    private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int FIRST_CONNECT_REPORT_EVERY = 3600;

    private final ServerContext server;
    private final GatewayOptions options;
    private final ServerLog log;
    private final LoopResources loops;
    private final String clusterHash;
    private final byte[] replyPrefix;
    private volatile Channel listener;
    private volatile int boundPort;
    private volatile String url = "";
    private volatile byte[] info = new byte[0];
    private volatile boolean shuttingDown;
    private volatile SslContext serverTls;
    /** Sends a line to every route of our cluster (gateway gossip); set by the server when clustered. */
    private volatile java.util.function.Consumer<byte[]> routes = line -> { };

    /** Remote clusters by name: configured ones and implicit ones learned from gossip. */
    private final Map<String, Remote> remotes = new ConcurrentHashMap<>();
    /** Per remote gateway: the final counts of its closed connections (guarded by lock). */
    private final Map<String, GatewayTraffic> closedTraffic = new HashMap<>();
    /** Told the name of each remote gateway learned after start (implicit ones), e.g. to add its meters. */
    private final List<java.util.function.Consumer<String>> remoteListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Registered outbound connections by remote name; {@link #outboundArray} is the publish path's copy. */
    private final Map<String, GatewayConnection> outbound = new LinkedHashMap<>();
    private volatile GatewayConnection[] outboundArray = new GatewayConnection[0];
    /** Registered inbound connections (guarded by lock). */
    private final Set<GatewayConnection> inbound = new LinkedHashSet<>();
    private final Set<GatewayConnection> open = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    /** The cluster's interest per account: subject or "subject queue" -> count (guarded by lock). */
    private final Map<String, Map<String, int[]>> interest = new HashMap<>();
    /** Subscriptions made in the last 250 ms, per local client: their requests' replies are mapped. */
    private final Map<Receiver, List<Recent>> recent = new ConcurrentHashMap<>();
    /** Stripped reply ("account reply") -> the routed reply it came as, while answers are expected. */
    private final Map<String, Mapping> replies = new ConcurrentHashMap<>();

    private record Recent(Subscription sub, long expires) {
    }

    private record Mapping(String routed, long expires) {
    }

    /** One remote cluster: name, URLs (configured, then learned), whether it was only learned. */
    static final class Remote {
        final String name;
        final boolean implicit;
        final TlsOptions tls;
        final String hash;
        private final Set<URI> urls = Collections.synchronizedSet(new LinkedHashSet<>());
        final Set<URI> configured;
        volatile int attempts;

        Remote(String name, boolean implicit, TlsOptions tls, List<URI> configured) {
            this.name = name;
            this.implicit = implicit;
            this.tls = tls;
            this.hash = hash(name);
            this.configured = Set.copyOf(configured);
            urls.addAll(configured);
        }

        void addUrls(List<String> hostPorts) {
            for (String hp : hostPorts) {
                try {
                    URI u = new URI((tls != null ? "tls://" : "nats://") + hp);
                    boolean known = false;
                    synchronized (urls) {
                        for (URI k : urls) {
                            if (k.getHost().equals(u.getHost()) && k.getPort() == u.getPort()) {
                                known = true;
                                break;
                            }
                        }
                        if (!known) {
                            urls.add(u);
                        }
                    }
                } catch (java.net.URISyntaxException ignored) {
                    // not a host:port
                }
            }
        }

        List<URI> urls() {
            synchronized (urls) {
                List<URI> a = new ArrayList<>(urls);
                Collections.shuffle(a);
                return a;
            }
        }

        List<String> hostPorts() {
            List<String> out = new ArrayList<>();
            synchronized (urls) {
                for (URI u : urls) {
                    out.add(u.getHost() + ":" + u.getPort());
                }
            }
            return out;
        }
    }

    public Gateways(ServerContext server, GatewayOptions options, LoopResources loops) {
        this.server = server;
        this.options = options;
        this.log = server.log();
        this.loops = loops;
        this.clusterHash = hash(options.name());
        this.replyPrefix = ("_GR_." + clusterHash + "." + hash(server.serverId()) + ".")
                .getBytes(StandardCharsets.US_ASCII);
        for (GatewayOptions.Remote r : options.remotes()) {
            if (r.name().equals(options.name())) {
                continue; // nats-server ignores a remote with our own name
            }
            remotes.put(r.name(), new Remote(r.name(), false, r.tls() != null ? r.tls() : options.tls(), r.urls()));
        }
        if (server.clusterName() == null) {
            server.clusterName(options.name());
        }
        // Interest is counted from the first subscription on, before the listener exists.
        server.observeInterest(this);
        server.addForwarder(this);
        server.gatewayHooks(replyPrefix, this::gossipFromRoute, this::peerUrl);
    }

    /** nats-server's 6-character hash of a name (sha256, each byte to a base-62 digit). */
    static String hash(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            char[] c = new char[6];
            for (int i = 0; i < 6; i++) {
                c[i] = DIGITS.charAt((d[i] & 0xff) % 62);
            }
            return new String(c);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Start and stop --------------------------------------------------------------------

    /** Binds the gateway listener and schedules the first dials of the configured gateways (1 s later). */
    public void start() {
        TlsOptions tls = options.tls();
        SslContext stapling = tls == null ? null : server.staplingTls(tls); // ocsp: stapled gateway certificate
        serverTls = tls == null ? null : stapling != null ? stapling : TlsContexts.server(tls);
        listener = PeerDialing.listener(loops)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslContext ctx = serverTls;
                        if (ctx != null) {
                            SslHandler h = ctx.newHandler(ch.alloc());
                            h.setHandshakeTimeoutMillis(tls.timeout().toMillis());
                            ch.pipeline().addLast("nats-gateway-tls", h);
                        }
                        ch.pipeline().addLast("nats-gateway", new GatewayConnection(Gateways.this, null, null));
                    }
                })
                .bind(options.host(), options.port())
                .syncUninterruptibly().channel();
        boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("Gateway name is " + options.name());
        log.info("Listening for gateways connections on " + hostPort(options.host(), boundPort));
        url = advertisedUrl();
        if (options.advertise() != null) {
            log.info("Advertise address for gateway \"" + options.name() + "\" is set to " + url);
        } else {
            log.info("Address for gateway \"" + options.name() + "\" is " + url);
        }
        synchronized (lock) {
            clusterUrls.merge(url, 1, Integer::sum);
            info = infoLocked();
        }
        server.gatewayUrl(url);
        loops.onServer(true).next().schedule(() -> {
            for (Remote r : remotes.values()) {
                if (!r.implicit) {
                    solicit(r, true, 1);
                }
            }
        }, SOLICIT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        loops.onServer(true).next().scheduleAtFixedRate(this::expire, 1, 1, TimeUnit.SECONDS);
    }

    /** Gateway URLs of our cluster (ours and the route peers'), reference counted (guarded by lock). */
    private final Map<String, Integer> clusterUrls = new LinkedHashMap<>();

    private byte[] infoLocked() {
        return GatewayInfo.info(server.serverId(), server.serverName(), server.options().compatVersion(),
                infoHost(), infoPort(), options.authRequired(), options.tls() != null, server.options().maxPayload(),
                options.name(), List.copyOf(clusterUrls.keySet()), url);
    }

    /**
     * A route peer's gateway URL came or went: our INFO lists every gateway URL of the cluster (so remote clusters
     * can dial any of them), and the inbound connections get the new INFO (nats-server's sendAsyncGatewayInfo).
     */
    private void peerUrl(String peerUrl, boolean added) {
        if (shuttingDown) {
            return; // nats-server keeps its URLs while shutting down
        }
        synchronized (lock) {
            Integer n = clusterUrls.get(peerUrl);
            if (added) {
                clusterUrls.put(peerUrl, n == null ? 1 : n + 1);
                if (n != null) {
                    return;
                }
            } else {
                if (n == null) {
                    return;
                }
                if (n > 1) {
                    clusterUrls.put(peerUrl, n - 1);
                    return;
                }
                clusterUrls.remove(peerUrl);
            }
            if (listener == null) {
                return; // not listening yet: start() writes the INFO
            }
            info = infoLocked();
            for (GatewayConnection c : inbound) {
                c.enqueue(info);
            }
        }
    }

    private String advertisedUrl() {
        return hostPort(infoHost(), infoPort());
    }

    private String infoHost() {
        String adv = options.advertise();
        if (adv != null) {
            int colon = adv.lastIndexOf(':');
            return colon > 0 ? adv.substring(0, colon) : adv;
        }
        String h = options.host();
        try {
            if (InetAddress.getByName(h).isAnyLocalAddress()) {
                // nats-server advertises the first non-local address for a wildcard listen host
                for (var nic : Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && !(a instanceof Inet6Address)) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        } catch (java.io.IOException ignored) {
            // the listen host as is
        }
        return h;
    }

    private int infoPort() {
        return PeerDialing.advertisedPort(options.advertise(), boundPort);
    }

    /** Closes the listener and every gateway connection. */
    public void shutdown() {
        shuttingDown = true;
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
        for (GatewayConnection c : new ArrayList<>(open)) {
            c.close("Server Shutdown", true);
        }
    }

    // ---- Dialling --------------------------------------------------------------------------

    /**
     * One round over the remote's URLs (in random order, as nats-server); on failure the next round 1 s later.
     * Implicit gateways give up after connect_retries rounds (unless the remote dialled us meanwhile).
     */
    private void solicit(Remote r, boolean firstConnect, int attempt) {
        if (shuttingDown || remotes.get(r.name) != r) {
            return;
        }
        synchronized (lock) {
            if (outbound.containsKey(r.name)) {
                return;
            }
        }
        List<URI> urls = r.urls();
        if (urls.isEmpty()) {
            return;
        }
        tryUrl(r, urls, 0, firstConnect, attempt);
    }

    private boolean report(boolean firstConnect, int attempt) {
        // nats-server: the first attempt, then every connect_error_reports (3600) on first connect; every
        // reconnect attempt (reconnect_error_reports 1)
        return attempt == 1 || !firstConnect || attempt % FIRST_CONNECT_REPORT_EVERY == 0;
    }

    private void tryUrl(Remote r, List<URI> urls, int index, boolean firstConnect, int attempt) {
        if (shuttingDown) {
            return;
        }
        if (index >= urls.size()) {
            roundFailed(r, firstConnect, attempt);
            return;
        }
        URI u = urls.get(index);
        String type = r.implicit ? "implicit" : "explicit";
        String address = PeerDialing.resolved(u);
        String hostPort = u.getHost() + ":" + u.getPort();
        String text = "Connecting to " + type + " gateway \"" + r.name + "\" (" + hostPort + ") at " + address
                + " (attempt " + attempt + ")";
        boolean report = report(firstConnect, attempt);
        if (report) {
            log.info(text);
        } else if (log.isDebug()) {
            log.debug(text);
        }
        r.attempts++;
        TlsOptions tls = r.tls;
        SslContext clientTls = tls == null ? null : TlsContexts.routeClient(tls);
        PeerDialing.dialer(loops)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (clientTls != null) {
                            SslHandler h = clientTls.newHandler(ch.alloc(), u.getHost(), u.getPort());
                            if (!tls.insecure()) {
                                // The remote's certificate must name the host dialled, as Go's TLS client checks.
                                PeerDialing.checkHostname(h);
                            }
                            h.setHandshakeTimeoutMillis(tls.timeout().toMillis());
                            ch.pipeline().addLast("nats-gateway-tls", h);
                        }
                        ch.pipeline().addLast("nats-gateway", new GatewayConnection(Gateways.this, r, u));
                    }
                })
                .connect(u.getHost(), u.getPort())
                .addListener(f -> {
                    if (f.isSuccess()) {
                        return;
                    }
                    String err = "Error connecting to " + type + " gateway \"" + r.name + "\" (" + hostPort + ") at "
                            + address + " (attempt " + attempt + "): dial tcp " + address + ": "
                            + PeerDialing.dialError(f.cause());
                    if (report) {
                        log.error(err);
                    } else if (log.isDebug()) {
                        log.debug(err);
                    }
                    tryUrl(r, urls, index + 1, firstConnect, attempt);
                });
    }

    private void roundFailed(Remote r, boolean firstConnect, int attempt) {
        if (r.implicit && (options.connectRetries() == 0 || attempt > options.connectRetries())) {
            synchronized (lock) {
                if (!hasInbound(r.name)) {
                    remotes.remove(r.name, r);
                    return;
                }
            }
        }
        loops.onServer(true).next().schedule(() -> solicit(r, firstConnect, attempt + 1), CONNECT_DELAY_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private boolean hasInbound(String name) {
        for (GatewayConnection c : inbound) {
            if (name.equals(c.remoteName())) {
                return true;
            }
        }
        return false;
    }

    // ---- Connection lifecycle --------------------------------------------------------------

    void track(GatewayConnection c) {
        open.add(c);
        if (shuttingDown) {
            c.close("Server Shutdown", true);
        }
    }

    /** An outbound connection got the remote's first INFO: false if one to that cluster is registered already. */
    boolean registerOutbound(GatewayConnection c) {
        synchronized (lock) {
            if (outbound.containsKey(c.remoteName())) {
                return false;
            }
            outbound.put(c.remoteName(), c);
            outboundArray = outbound.values().toArray(new GatewayConnection[0]);
        }
        c.remote.attempts = 0;
        return true;
    }

    /**
     * An inbound connection sent CONNECT and its first INFO: register it, put every account in interest-only mode
     * for it (queue subscriptions of all accounts, then each account's plain ones between gateway_cmd 2 and 3),
     * dial the remote cluster back if we do not know it, and tell it about the other gateways we know.
     */
    void registerInbound(GatewayConnection c, GatewayInfo info) {
        synchronized (lock) {
            inbound.add(c);
            c.markRegistered();
            log.info(c.logPrefix() + "Inbound gateway connection from \"" + info.gateway() + "\" (" + info.serverId()
                    + ") registered");
            List<String> accounts = new ArrayList<>();
            for (Account a : server.accounts()) {
                accounts.add(a.name());
            }
            StringBuilder queues = new StringBuilder();
            for (Map.Entry<String, Map<String, int[]>> acc : interest.entrySet()) {
                for (String key : acc.getValue().keySet()) {
                    if (key.indexOf(' ') > 0) {
                        queues.append("RS+ ").append(acc.getKey()).append(' ').append(key).append(" 1\r\n");
                    }
                }
            }
            for (String a : accounts) {
                if (log.isDebug()) {
                    log.debug(c.logPrefix() + "Gateway \"" + info.gateway() + "\": switching account \"" + a
                            + "\" to Interest-Only mode");
                }
                c.enqueue(GatewayInfo.command(options.name(), GatewayInfo.CMD_ALL_SUBS_START, a));
            }
            if (!queues.isEmpty()) {
                c.enqueue(queues.toString().getBytes(StandardCharsets.UTF_8));
            }
            if (log.isDebug()) {
                log.debug(c.logPrefix() + "Sent queue subscriptions to gateway");
            }
            for (String a : accounts) {
                sendAllPlain(c, a);
                if (log.isDebug()) {
                    log.debug(c.logPrefix() + "Gateway \"" + info.gateway() + "\": switching account \"" + a
                            + "\" to Interest-Only mode complete");
                }
            }
        }
        implicitGateway(info);
        for (Remote r : remotes.values()) {
            if (!r.name.equals(info.gateway())) {
                List<String> urls = r.hostPorts();
                if (!urls.isEmpty()) {
                    c.enqueue(GatewayInfo.gossip(server.serverId(), "", r.name, urls));
                }
            }
        }
    }

    /** The plain interest of one account, then gateway_cmd 3 (caller holds the lock). */
    private void sendAllPlain(GatewayConnection c, String account) {
        StringBuilder b = new StringBuilder();
        Map<String, int[]> m = interest.get(account);
        if (m != null) {
            for (String key : m.keySet()) {
                if (key.indexOf(' ') < 0) {
                    b.append("RS+ ").append(account).append(' ').append(key).append("\r\n");
                }
            }
        }
        // Answers to requests made here through a service import come back under the exporter's _R_.<id>.>
        // (nats-server's service import response subscription): the responder's cluster routes them by it.
        Account acc = server.account(account);
        String responses = acc == null ? null : acc.responseWildcard();
        if (responses != null && (m == null || !m.containsKey(responses))) {
            b.append("RS+ ").append(account).append(' ').append(responses).append("\r\n");
        }
        if (!b.isEmpty()) {
            c.enqueue(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        c.enqueue(GatewayInfo.command(options.name(), GatewayInfo.CMD_ALL_SUBS_COMPLETE, account));
        c.interestOnly.add(account);
        c.noInterestSent.remove(account);
        c.noInterestSubjects.remove(account);
    }

    /** Run when a remote cluster has sent all its system-account interest on one of our outbound connections. */
    private volatile Runnable remoteSystemInterestListener = () -> {
    };

    /**
     * {@code listener} runs each time an outbound connection's remote completes its system account's interest
     * (gateway_cmd 3 for it): from then on our system events reach that cluster.
     */
    public void onRemoteSystemInterest(Runnable listener) {
        this.remoteSystemInterestListener = listener;
    }

    /** gateway_cmd 3 for {@code account} arrived on an outbound connection. */
    void remoteInterestComplete(String account) {
        Account sys = server.systemAccount();
        if (sys != null && sys.name().equals(account)) {
            remoteSystemInterestListener.run();
        }
    }

    /**
     * The system event {@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT} ({@code {"server":{..},"acc":"<acc>"}}) arrived:
     * the account, looked up as nats-server does (in operator mode fetched from the resolver and registered here),
     * switches to interest-only on our inbound connections. Runs on the system thread.
     */
    public void leafNodeConnected(byte[] payload) {
        String name;
        try {
            name = Json.parseObject(new String(payload, StandardCharsets.UTF_8)).get("acc") instanceof String a ? a : "";
        } catch (RuntimeException e) {
            log.error("Error unmarshalling account connections request message: " + e.getMessage());
            return;
        }
        if (name.isEmpty()) {
            return;
        }
        Account acc = server.account(name);
        if (acc == null && server.operatorMode() != null && server.operatorAccounts() != null) {
            try {
                acc = server.operatorAccounts().account(server.operatorMode().lookup(name));
            } catch (java.io.IOException | RuntimeException e) {
                log.debug("Leafnode connect event for account \"" + name + "\" not looked up: " + e.getMessage());
            }
        }
        if (acc != null) {
            switchToInterestOnly(acc.name());
        }
    }

    /**
     * A leaf connected to {@code account} somewhere in the supercluster ({@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT},
     * ours or another server's): every inbound connection on which the account is still optimistic switches it to
     * interest-only (gateway_cmd 2, its subscriptions, gateway_cmd 3), as nats-server's leafNodeConnected does, so the
     * other clusters send only what is asked for here (a leaf's interest comes and goes with its link).
     */
    public void switchToInterestOnly(String account) {
        synchronized (lock) {
            for (GatewayConnection c : inbound) {
                if (c.interestOnly.contains(account)) {
                    continue;
                }
                if (log.isDebug()) {
                    log.debug(c.logPrefix() + "Gateway \"" + c.remoteName() + "\": switching account \"" + account
                            + "\" to Interest-Only mode");
                }
                c.enqueue(GatewayInfo.command(options.name(), GatewayInfo.CMD_ALL_SUBS_START, account));
                sendAllPlain(c, account);
                if (log.isDebug()) {
                    log.debug(c.logPrefix() + "Gateway \"" + c.remoteName() + "\": switching account \"" + account
                            + "\" to Interest-Only mode complete");
                }
            }
        }
    }

    /** nats-server's gatewayMaxRUnsubBeforeSwitch: past this many RS- an account switches to interest-only. */
    private static final int MAX_RS_MINUS_BEFORE_SWITCH = 1000;

    /**
     * A message without plain interest here arrived on an inbound connection. An account in interest-only mode for
     * it needs nothing (the remote should not have sent it); an optimistic one (accounts created after the connection
     * registered, or anything before the remote's INFO) gets {@code RS- <account> <subject>} once, or
     * {@code A- <account>} when the account has no subscription at all; past 1000 RS- the account switches to
     * interest-only (gateway_cmd 2, its subscriptions, gateway_cmd 3), as nats-server does.
     */
    void subjectNoInterest(GatewayConnection c, Account account, String subject) {
        String name = account.name();
        synchronized (lock) {
            if (c.interestOnly.contains(name)) {
                return;
            }
            Map<String, int[]> m = interest.get(name);
            boolean hasSubs = (m != null && !m.isEmpty()) || account.trie().count() > 0
                    || account.responseWildcard() != null;
            if (!hasSubs) {
                if (c.noInterestSent.add(name)) {
                    c.enqueue(("A- " + name + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            Set<String> ni = c.noInterestSubjects.computeIfAbsent(name, k -> new java.util.HashSet<>());
            if (ni.contains(subject)) {
                return;
            }
            if (ni.size() >= MAX_RS_MINUS_BEFORE_SWITCH) {
                if (log.isDebug()) {
                    log.debug(c.logPrefix() + "Gateway \"" + c.remoteName() + "\": switching account \"" + name
                            + "\" to Interest-Only mode");
                }
                c.enqueue(GatewayInfo.command(options.name(), GatewayInfo.CMD_ALL_SUBS_START, name));
                sendAllPlain(c, name);
                return;
            }
            ni.add(subject);
            c.enqueue(("RS- " + name + " " + subject + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A message for an account we do not have: A- once (nats-server's gatewayHandleAccountNoInterest). */
    void accountNoInterest(GatewayConnection c, String account) {
        synchronized (lock) {
            if (c.noInterestSent.add(account)) {
                c.enqueue(("A- " + account + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * A gateway we heard of (gossip, or a remote that dialled us): dial it unless known; a known one gets the URLs.
     */
    void implicitGateway(GatewayInfo info) {
        String name = info.gateway();
        if (name == null || name.isEmpty() || name.equals(options.name()) || shuttingDown) {
            return;
        }
        if (options.rejectUnknown() && remotes.get(name) == null) {
            return;
        }
        Remote known = remotes.get(name);
        if (known != null) {
            known.addUrls(info.gatewayUrls());
            return;
        }
        Remote r = new Remote(name, true, options.tls(), List.of());
        r.addUrls(info.gatewayUrls());
        if (r.urls().isEmpty() || remotes.putIfAbsent(name, r) != null) {
            return;
        }
        for (java.util.function.Consumer<String> l : remoteListeners) {
            l.accept(name);
        }
        loops.onServer(true).next().execute(() -> solicit(r, true, 1));
    }

    /** Where gossip about gateways goes to the other servers of our cluster. */
    public void routes(java.util.function.Consumer<byte[]> sender) {
        this.routes = sender == null ? line -> { } : sender;
    }

    /**
     * Our outbound to a cluster registered: tell the servers of our cluster (nats-server's
     * forwardNewGatewayToLocalCluster), so each has its own outbound connection to it.
     */
    void outboundRegistered(GatewayConnection c, GatewayInfo info) {
        List<String> urls = info.gatewayUrls().isEmpty() ? c.remote.hostPorts() : info.gatewayUrls();
        routes.accept(GatewayInfo.gossip("GW" + server.serverId(), server.serverName(), c.remoteName(), urls));
    }

    /** Gateway gossip a route peer forwarded (nats-server's processGatewayInfoFromRoute): dial that gateway too. */
    private void gossipFromRoute(String json) {
        GatewayInfo info;
        try {
            info = GatewayInfo.parse(json);
        } catch (RuntimeException e) {
            return;
        }
        if (info.gatewayCmd() == GatewayInfo.CMD_GOSSIP) {
            implicitGateway(info);
        } else {
            log.error("Unknown command " + info.gatewayCmd() + " from server " + info.serverId());
        }
    }

    /** A connection closed: forget it; an outbound one is dialled again (explicit ones after 1 s). */
    void closed(GatewayConnection c, boolean wasRegistered) {
        open.remove(c);
        synchronized (lock) {
            if (wasRegistered && c.remoteName() != null) {
                // in the same step as it leaves the registry: the per-remote figures never dip or count twice
                closedTraffic.merge(c.remoteName(), GatewayTraffic.NONE.plus(c),
                        (a, b) -> new GatewayTraffic(a.inMsgs() + b.inMsgs(), a.inBytes() + b.inBytes(),
                                a.outMsgs() + b.outMsgs(), a.outBytes() + b.outBytes()));
            }
            if (c.outbound) {
                if (outbound.get(c.remoteName()) == c) {
                    outbound.remove(c.remoteName());
                    outboundArray = outbound.values().toArray(new GatewayConnection[0]);
                } else if (wasRegistered) {
                    return;
                }
            } else {
                inbound.remove(c);
            }
        }
        if (!c.outbound || shuttingDown) {
            return;
        }
        if (!wasRegistered && "Wrong Gateway".equals(c.closeReason())) {
            return; // a duplicate, or the wrong cluster: do not dial again
        }
        Remote r = c.remote;
        if (remotes.get(r.name) != r) {
            return;
        }
        long delay = ThreadLocalRandom.current().nextLong(100) + (r.implicit ? 0 : CONNECT_DELAY_MILLIS);
        loops.onServer(true).next().schedule(() -> solicit(r, false, 1), delay, TimeUnit.MILLISECONDS);
    }

    // ---- Interest of this cluster (sent to inbound connections) ------------------------------

    @Override
    public void interestAdded(Subscription s) {
        if (s.receiver() instanceof ClientConnection client) {
            long now = System.nanoTime();
            List<Recent> l = recent.computeIfAbsent(client, k -> Collections.synchronizedList(new ArrayList<>()));
            synchronized (l) {
                l.removeIf(x -> x.expires - now < 0);
                l.add(new Recent(s, now + RECENT_NANOS));
            }
        }
        change(s, true);
    }

    @Override
    public void interestRemoved(Subscription s) {
        change(s, false);
    }

    private void change(Subscription s, boolean added) {
        String account = s.account().name();
        String key = s.queue() == null ? s.subject() : s.subject() + " " + s.queue();
        synchronized (lock) {
            Map<String, int[]> m = interest.get(account);
            boolean first = false;
            boolean last = false;
            if (added) {
                if (m == null) {
                    m = new HashMap<>();
                    interest.put(account, m);
                }
                int[] n = m.computeIfAbsent(key, k -> new int[1]);
                first = ++n[0] == 1;
            } else {
                if (m == null) {
                    return;
                }
                int[] n = m.get(key);
                if (n == null) {
                    return;
                }
                if (--n[0] <= 0) {
                    m.remove(key);
                    last = true;
                    if (m.isEmpty()) {
                        interest.remove(account);
                    }
                }
            }
            if (!first && !last) {
                return;
            }
            byte[] line;
            if (s.queue() != null) {
                line = ((added ? "RS+ " : "RS- ") + account + " " + key + (added ? " 1" : "") + "\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                for (GatewayConnection c : inbound) {
                    if (added) {
                        c.noInterestSent.remove(account); // no A+ needed for a queue subscription
                    }
                    c.enqueue(line);
                }
                return;
            }
            line = ((added ? "RS+ " : "RS- ") + account + " " + key + "\r\n").getBytes(StandardCharsets.UTF_8);
            for (GatewayConnection c : inbound) {
                if (c.interestOnly.contains(account)) {
                    c.enqueue(line);
                    continue;
                }
                if (!added) {
                    continue; // optimistic: the remote sends anyway
                }
                // Lift the RS- we sent for this subject (or the subjects a wildcard covers), and an A-.
                Set<String> ni = c.noInterestSubjects.get(account);
                if (ni != null) {
                    String subject = s.subject();
                    boolean lifted = Subjects.hasWildcard(subject)
                            ? ni.removeIf(k -> Subjects.subsetOf(k, subject)) : ni.remove(subject);
                    if (lifted) {
                        c.enqueue(line);
                    }
                }
                if (c.noInterestSent.remove(account)) {
                    c.enqueue(("A+ " + account + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    // ---- Messages of this cluster to the remote clusters ------------------------------------

    static boolean isRoutedReply(ByteBuf buf, int start, int length) {
        return length > ROUTED_PREFIX_LENGTH && buf.getByte(start) == '_' && buf.getByte(start + 1) == 'G'
                && buf.getByte(start + 2) == 'R' && buf.getByte(start + 3) == '_' && buf.getByte(start + 4) == '.';
    }

    /** The routed subject at {@code start} names our cluster. */
    boolean ourCluster(ByteBuf buf, int start) {
        for (int i = 0; i < 6; i++) {
            if (buf.getByte(start + 5 + i) != clusterHash.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A request from another cluster with a routed reply: answers to the stripped reply go back routed. */
    void trackReply(Account account, String routed) {
        replies.put(account.name() + " " + routed.substring(ROUTED_PREFIX_LENGTH),
                new Mapping(routed, System.nanoTime() + RECENT_NANOS));
    }

    @Override
    public boolean hasInterest(Account account, String subject) {
        for (GatewayConnection c : outboundArray) {
            OutboundInterest.Answer a = c.interest.interest(account.name(), subject);
            if (a.plain() || (a.queues() != null && a.queues().queueGroupCount() > 0)) {
                return true;
            }
        }
        Mapping m = replies.isEmpty() ? null : replies.get(account.name() + " " + subject);
        return m != null && m.expires - System.nanoTime() > 0;
    }

    @Override
    public int forward(ClientConnection from, Account account, String subject, ByteBuf buf, int subjectStart,
            int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength,
            String[] localQueues, int localQueueCount) {
        GatewayConnection[] outs = outboundArray;
        if (outs.length == 0 || subjectLength == 0) {
            return 0;
        }
        String routed = null;
        if (isRoutedReply(buf, subjectStart, subjectLength)) {
            routed = subject;
        } else if (!replies.isEmpty()) {
            Mapping m = replies.get(account.name() + " " + subject);
            if (m != null && m.expires - System.nanoTime() > 0) {
                routed = m.routed;
            }
        }
        if (routed != null) {
            // Straight to the cluster that asked, whatever the interest (nats-server's direct send).
            String hash = routed.substring(5, 11);
            for (GatewayConnection c : outs) {
                if (c.remote.hash.equals(hash)) {
                    return c.send(from, account, routed, buf, subjectStart, subjectLength, null, replyStart,
                            replyLength, headerLength, payloadStart, totalLength, null, 0) ? 1 : 0;
                }
            }
            return 0;
        }
        byte[] prefix = replyLength > 0 && from != null && recentMatch(from, buf, replyStart, replyLength)
                ? replyPrefix : null;
        int sent = 0;
        String[] queues = null;
        int queueCount = 0;
        List<String> claimed = null;
        for (GatewayConnection c : outs) {
            OutboundInterest.Answer a = c.interest.interest(account.name(), subject);
            queueCount = 0;
            MatchResult<OutboundInterest.RemoteSub> qr = a.queues();
            if (qr != null) {
                for (int g = 0, n = qr.queueGroupCount(); g < n; g++) {
                    String q = qr.queueName(g);
                    if (contains(localQueues, localQueueCount, q) || (claimed != null && claimed.contains(q))) {
                        continue; // a member in this cluster (or in a cluster already sent to) takes it
                    }
                    if (queues == null) {
                        queues = new String[Math.max(4, n)];
                    } else if (queueCount == queues.length) {
                        queues = java.util.Arrays.copyOf(queues, queueCount * 2);
                    }
                    queues[queueCount++] = q;
                    if (claimed == null) {
                        claimed = new ArrayList<>(2);
                    }
                    claimed.add(q);
                }
            }
            if (!a.plain() && queueCount == 0) {
                continue;
            }
            if (c.send(from, account, null, buf, subjectStart, subjectLength, prefix, replyStart, replyLength,
                    headerLength, payloadStart, totalLength, queues, queueCount)) {
                sent++;
            }
        }
        return sent;
    }

    private static boolean contains(String[] a, int n, String s) {
        for (int i = 0; i < n; i++) {
            if (a[i].equals(s)) {
                return true;
            }
        }
        return false;
    }

    /** The publisher subscribed to something matching the reply in the last 250 ms. */
    private boolean recentMatch(ClientConnection from, ByteBuf buf, int replyStart, int replyLength) {
        if (recent.isEmpty()) {
            return false;
        }
        List<Recent> l = recent.get(from);
        if (l == null) {
            return false;
        }
        String reply = buf.toString(replyStart, replyLength, StandardCharsets.UTF_8);
        long now = System.nanoTime();
        synchronized (l) {
            for (Recent r : l) {
                if (r.expires - now > 0 && Subjects.subsetOf(reply, r.sub.subject())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops expired recent subscriptions and reply mappings (once a second). */
    private void expire() {
        long now = System.nanoTime();
        recent.entrySet().removeIf(e -> {
            List<Recent> l = e.getValue();
            synchronized (l) {
                l.removeIf(x -> x.expires - now < 0);
                return l.isEmpty();
            }
        });
        replies.values().removeIf(m -> m.expires - now < 0);
    }

    // ---- Views -----------------------------------------------------------------------------

    ServerContext server() {
        return server;
    }

    public GatewayOptions options() {
        return options;
    }

    public String name() {
        return options.name();
    }

    /** The bound gateway port. */
    public int port() {
        return boundPort;
    }

    /** This server's gateway URL (host:port) as other clusters are told. */
    public String url() {
        return url;
    }

    byte[] infoBytes() {
        return info;
    }

    Remote remote(String name) {
        return remotes.get(name);
    }

    /** Registered outbound connections by remote cluster name. */
    public Map<String, GatewayView> outboundViews() {
        Map<String, GatewayView> out = new java.util.TreeMap<>();
        synchronized (lock) {
            for (GatewayConnection c : outbound.values()) {
                out.put(c.remoteName(), view(c));
            }
        }
        return out;
    }

    /** The traffic with remote gateway {@code name} since start (all zero for one never connected). */
    public GatewayTraffic traffic(String name) {
        synchronized (lock) {
            GatewayTraffic t = closedTraffic.getOrDefault(name, GatewayTraffic.NONE);
            GatewayConnection out = outbound.get(name);
            if (out != null) {
                t = t.plus(out);
            }
            for (GatewayConnection c : inbound) {
                if (name.equals(c.remoteName())) {
                    t = t.plus(c);
                }
            }
            return t;
        }
    }

    /** The remote gateways known now: configured ones and those learned by gossip. */
    public java.util.Set<String> remoteNames() {
        return new java.util.TreeSet<>(remotes.keySet());
    }

    /** {@code l} is told the name of each remote gateway learned from now on (on the thread that learned it). */
    public void onRemoteAdded(java.util.function.Consumer<String> l) {
        remoteListeners.add(l);
    }

    /** How many registered gateway connections there are, outbound or inbound (for meters: no views built). */
    public int connections(boolean outboundSide) {
        synchronized (lock) {
            return outboundSide ? outbound.size() : inbound.size();
        }
    }

    /** Registered inbound connections by remote cluster name. */
    public Map<String, List<GatewayView>> inboundViews() {
        Map<String, List<GatewayView>> in = new java.util.TreeMap<>();
        synchronized (lock) {
            for (GatewayConnection c : inbound) {
                in.computeIfAbsent(c.remoteName(), k -> new ArrayList<>()).add(view(c));
            }
        }
        return in;
    }

    private GatewayView view(GatewayConnection c) {
        Remote r = c.outbound ? c.remote : remotes.get(c.remoteName());
        List<GatewayView.AccountMode> accs = new ArrayList<>();
        if (c.outbound) {
            for (Map.Entry<String, OutboundInterest.Entry> e : c.interest.accounts().entrySet()) {
                OutboundInterest.Entry en = e.getValue();
                boolean none = OutboundInterest.noInterestMarker(en);
                Set<String> ni = none ? null : en.noInterest;
                accs.add(new GatewayView.AccountMode(e.getKey(),
                        none ? "Optimistic" : switch (en.mode) {
                            case OPTIMISTIC -> "Optimistic";
                            case TRANSITIONING -> "Transitioning";
                            case INTEREST_ONLY -> "Interest-Only";
                        }, none, ni == null ? 0 : ni.size(), none ? 0 : en.subs.count()));
            }
        } else {
            for (String a : c.interestOnly) {
                // nats-server counts subscriptions on the outbound side only
                accs.add(new GatewayView.AccountMode(a, "Interest-Only", false, 0, 0));
            }
            for (String a : c.noInterestSent) {
                accs.add(new GatewayView.AccountMode(a, "Optimistic", true, 0, 0));
            }
        }
        accs.sort(java.util.Comparator.comparing(GatewayView.AccountMode::name));
        return new GatewayView(c.gid(), c.remoteName(), c.remoteId(), r != null && !r.implicit, c.host(),
                c.remotePort(), c.started(), c.lastActivity(), c.rttNanos(), c.inMsgs(), c.inBytes(),
                c.outboundQueue().outMsgs(), c.outboundQueue().outBytes(), c.outboundQueue().pendingBytes(),
                c.outbound ? c.interest.subscriptions() : 0, accs);
    }

    /** The remote gateways as /varz shows them: name and URLs, configured ones first. */
    public List<Map.Entry<String, List<String>>> remoteUrls() {
        List<Map.Entry<String, List<String>>> out = new ArrayList<>();
        for (Remote r : remotes.values()) {
            out.add(Map.entry(r.name, r.hostPorts()));
        }
        out.sort(Map.Entry.comparingByKey());
        return out;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
