package io.natsboot.server.leaf;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.PeerDialing;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.monitor.LeafView;
import io.natsboot.server.protocol.ServerId;
import io.natsboot.server.subject.Subjects;
import io.natsboot.server.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import reactor.netty.resources.LoopResources;

/**
 * The leaf-node side of one server (nats-server's leafnode.go): the leafnodes listener (we are the hub of the leafs
 * that connect), the remotes we dial (we are their leaf) with redial every {@code reconnect}, the registry of leaf
 * connections, each account's loop-detection subject, and the account interest each leaf connection is told about
 * (an {@link io.natsboot.server.connection.InterestObserver}). {@code NatsServer} creates it and starts it once the client port
 * listens.
 */
public final class LeafNodes implements io.natsboot.server.connection.InterestObserver, LeafView {
    static final String LDS_PREFIX = "$LDS.";
    /** nats-server's leafNodeReconnectDelayAfterLoopDetected (and after the same cluster name). */
    static final Duration AFTER_LOOP_DELAY = Duration.ofSeconds(30);
    /** nats-server's leafNodeReconnectAfterPermViolation. */
    static final Duration AFTER_PERMISSION_VIOLATION_DELAY = Duration.ofSeconds(30);
    /** JetStream is not extended over leaf connections (no domains here): nats-server's deny list. */
    private static final List<String> JS_DENY = List.of("$JS.API.>", "$KV.>", "$OBJ.>");

    private final ServerContext server;
    private final LeafNodeOptions options;
    private final ServerLog log;
    private final LoopResources loops;
    private final Set<LeafConnection> open = ConcurrentHashMap.newKeySet();
    /** Registered connections, in registration order. */
    private final List<LeafConnection> registered = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> loopSubjects = new ConcurrentHashMap<>();
    /** Per remote: the delay before its next dial (loop detected: 30 s), and which URL comes next. */
    private final Map<LeafNodeOptions.Remote, RemoteState> remotes = new ConcurrentHashMap<>();
    private volatile Channel listener;
    private volatile int boundPort;
    private volatile String infoHost;
    private volatile boolean shuttingDown;
    private SslContext serverTls;

    private static final class RemoteState {
        /** Once connected, every failed redial is reported (nats-server's reconnect_error_reports, 1). */
        volatile boolean everConnected;
        volatile Duration nextDelay;
        volatile LeafConnection current;
        /** The URLs to try: those the hub's INFO gossiped, then the configured ones (guarded by this). */
        List<URI> urls;
        /** The URL dialled last (guarded by this). */
        URI currentUrl;

        RemoteState(LeafNodeOptions.Remote r) {
            urls = new ArrayList<>(r.urls());
        }

        /**
         * nats-server's pickNextURL: the URL dialled last moves to the end when it is first in the list, then the
         * first one is next.
         */
        synchronized URI next() {
            if (currentUrl != null && urls.size() > 1 && sameHostPort(currentUrl, urls.get(0))) {
                urls.add(urls.remove(0));
            }
            currentUrl = urls.get(0);
            return currentUrl;
        }
    }

    public LeafNodes(ServerContext server, LeafNodeOptions options, LoopResources loops) {
        this.server = server;
        this.options = options;
        this.log = server.log();
        this.loops = loops;
        server.observeInterest(this);
        if (server.operatorAccounts() != null) {
            server.operatorAccounts().onServiceImportsChanged(this::serviceImportsChanged);
        }
    }

    /** A JWT update rewired an account's service imports: its leaf connections advertise the change. */
    private void serviceImportsChanged(io.natsboot.server.connection.Account a, List<String> removed,
            List<String> added) {
        LeafConnection[] conns;
        synchronized (registered) {
            conns = registered.toArray(new LeafConnection[0]);
        }
        for (LeafConnection c : conns) {
            if (c.account() == a) {
                c.serviceImportsChanged(removed, added);
            }
        }
    }

    // ---- Start and stop ----------------------------------------------------------------------

    /** Binds the leafnodes listener (when configured) and dials the remotes. */
    public void start() {
        if (options.listening()) {
            bind();
        }
        for (LeafNodeOptions.Remote r : options.remotes()) {
            remotes.put(r, new RemoteState(r));
            dial(r, 1);
        }
    }

    private void bind() {
        SslContext stapling = options.tls() == null ? null : server.staplingTls(options.tls()); // ocsp
        serverTls = options.tls() == null ? null : stapling != null ? stapling : TlsContexts.server(options.tls());
        listener = PeerDialing.listener(loops)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (serverTls != null) {
                            // INFO leaves in plaintext, then the leaf starts the handshake (leafnode.go).
                            SslHandler h = io.natsboot.server.tls.TlsFirstDetector.sslHandler(serverTls, ch, true,
                                    options.tls().timeout().toMillis());
                            ch.pipeline().addLast("nats-leaf-tls", h);
                        }
                        ch.pipeline().addLast("nats-leaf", new LeafConnection(LeafNodes.this, null, null, null));
                    }
                })
                .bind(options.host(), options.port())
                .syncUninterruptibly().channel();
        boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        infoHost = computeInfoHost();
        // route INFO carries it, so the cluster's other nodes tell their leafs (no_advertise: not gossiped)
        server.leafUrl(options.noAdvertise() ? null : infoHostPort());
        server.peerLeafUrls().onChange(this::sendAsyncInfo);
        server.peerWebSocketUrls().onChange(this::sendAsyncInfo);
        log.info("Listening for leafnode connections on " + hostPort(options.host(), boundPort));
        if (options.advertise() != null) {
            log.info("Advertise address for leafnode is set to " + infoHostPort());
        }
    }

    /**
     * A leaf that came in over the websocket listener ({@code /leafnode}, already upgraded, frame codec in place):
     * frames around a leaf connection we are the hub of.
     */
    public void acceptWebSocket(io.netty.channel.ChannelPipeline p, String before) {
        p.addBefore(before, "nats-leaf-frames", new LeafWebSocketFrames());
        LeafConnection c = new LeafConnection(this, null, null, null);
        c.overWebSocket();
        p.addBefore(before, "nats-leaf", c);
    }

    /** Closes the listener and every leaf connection; no more dials. */
    public void shutdown() {
        shuttingDown = true;
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
        for (LeafConnection c : new ArrayList<>(open)) {
            c.close("Server Shutdown", true);
        }
    }

    // ---- Dialling ----------------------------------------------------------------------------

    private void dial(LeafNodeOptions.Remote r, int attempt) {
        if (shuttingDown || r.urls().isEmpty()) {
            return;
        }
        RemoteState state = remotes.get(r);
        URI url = state.next();
        int port = port(url);
        String hostPort = url.getHost() + ":" + port;
        if (log.isDebug()) {
            log.debug("Trying to connect as leafnode to remote server on \"" + hostPort + "\"");
        }
        boolean ws = r.webSocket();
        boolean wss = ws && (url.getScheme().equalsIgnoreCase("wss") || r.tls() != null);
        SslContext clientTls = r.tls() != null ? clientTls(r.tls())
                : wss ? clientTls(new io.natsboot.server.config.TlsOptions(null, null, null, false, null)) : null;
        PeerDialing.dialer(loops)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        LeafConnection c;
                        if (ws) {
                            // WebSocket: TLS first (wss), the upgrade to /leafnode, then frames around the
                            // unchanged leaf protocol (leafnode.go's leafNodeSolicitWSConnection).
                            if (wss) {
                                SslHandler h = clientTls.newHandler(ch.alloc(), url.getHost(), port);
                                h.setHandshakeTimeoutMillis(2000);
                                ch.pipeline().addLast("nats-leaf-tls", h);
                            }
                            URI upgrade = URI.create((wss ? "wss" : "ws") + "://" + url.getHost() + ":" + port
                                    + "/leafnode");
                            ch.pipeline().addLast("nats-leaf-http", new io.netty.handler.codec.http.HttpClientCodec());
                            ch.pipeline().addLast("nats-leaf-http-agg",
                                    new io.netty.handler.codec.http.HttpObjectAggregator(8192));
                            ch.pipeline().addLast("nats-leaf-ws",
                                    new io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler(
                                            io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory
                                                    .newHandshaker(upgrade,
                                                            io.netty.handler.codec.http.websocketx.WebSocketVersion.V13,
                                                            null, false,
                                                            new io.netty.handler.codec.http.DefaultHttpHeaders(),
                                                            64 * 1024 * 1024)));
                            ch.pipeline().addLast("nats-leaf-frames", new LeafWebSocketFrames());
                            c = new LeafConnection(LeafNodes.this, r, url, null);
                        } else {
                            // TLS starts after the hub's INFO (LeafConnection.onInfo), as nats-server's solicit side.
                            c = new LeafConnection(LeafNodes.this, r, url, clientTls);
                        }
                        state.current = c;
                        ch.pipeline().addLast("nats-leaf", c);
                    }
                })
                .connect(url.getHost(), port)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        String line = "Error trying to connect as leafnode to remote server \"" + hostPort
                                + "\" (attempt " + attempt + "): dial tcp " + resolved(url) + ": "
                                + PeerDialing.dialError(f.cause());
                        // nats-server: connect_error_reports (3600) before the first connection, then each one
                        if (state.everConnected || attempt == 1 || attempt % 3600 == 0) {
                            log.error(line);
                        } else if (log.isDebug()) {
                            log.debug(line);
                        }
                        // nats-server: the reconnect interval plus up to as much jitter
                        long base = options.reconnect().toNanos();
                        long delay = base + ThreadLocalRandom.current().nextLong(Math.max(1, base));
                        schedule(r, attempt + 1, delay);
                    }
                });
    }

    /**
     * A remote's client TLS: the CA to check the hub against (else the JDK's), our certificate when the block has
     * one (hubs with verify), {@code insecure} as Go's InsecureSkipVerify.
     */
    static SslContext clientTls(io.natsboot.server.config.TlsOptions tls) {
        try {
            io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forClient()
                    .sslProvider(io.netty.handler.ssl.SslProvider.JDK).protocols(tls.protocols());
            if (tls.certFile() != null && !tls.certFile().isEmpty()) {
                b.keyManager(new java.io.File(tls.certFile()), new java.io.File(tls.keyFile()));
            }
            if (tls.insecure()) {
                b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caFile() != null && !tls.caFile().isEmpty()) {
                b.trustManager(new java.io.File(tls.caFile()));
            }
            return b.build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing leafnode remote TLS config: " + e.getMessage(), e);
        }
    }

    private void schedule(LeafNodeOptions.Remote r, int attempt, long delayNanos) {
        if (shuttingDown) {
            return;
        }
        loops.onClient(true).next().schedule(() -> dial(r, attempt), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The remote of {@code c} waits {@code delay} before its next dial (a loop, the same cluster name). */
    void delayReconnect(LeafConnection c, Duration delay) {
        RemoteState s = c.remote == null ? null : remotes.get(c.remote);
        if (s != null) {
            s.nextDelay = delay;
        }
    }

    /**
     * The URLs a solicited connection's INFO gossiped ({@code leafnode_urls}, or {@code ws_connect_urls} for a
     * websocket remote) go before the configured ones; one already configured (same host and port) is not added
     * twice (nats-server's updateLeafNodeURLs).
     */
    void learnUrls(LeafConnection c, List<String> leafUrls, List<String> wsUrls) {
        LeafNodeOptions.Remote r = c.remote;
        RemoteState state = r == null ? null : remotes.get(r);
        if (state == null) {
            return;
        }
        boolean ws = r.webSocket();
        List<String> gossiped = ws ? wsUrls : leafUrls;
        String scheme = ws ? (r.tls() != null || "wss".equalsIgnoreCase(r.urls().get(0).getScheme()) ? "wss" : "ws")
                : "nats-leaf";
        List<URI> next = new ArrayList<>();
        for (String g : gossiped) {
            URI u;
            try {
                u = new URI(scheme + "://" + g);
                if (u.getHost() == null) {
                    throw new java.net.URISyntaxException(g, "no host");
                }
            } catch (java.net.URISyntaxException e) {
                log.error(c.logPrefix() + "Error parsing url \"" + g + "\": " + e.getMessage());
                continue;
            }
            boolean configured = false;
            for (URI k : r.urls()) {
                configured |= sameHostPort(u, k);
            }
            if (!configured) {
                next.add(u);
            }
        }
        next.addAll(r.urls());
        synchronized (state) {
            state.urls = next;
        }
    }

    private static boolean sameHostPort(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    /** The URLs a remote will try, in order (for tests and monitoring). */
    public List<URI> remoteUrls(LeafNodeOptions.Remote r) {
        RemoteState state = remotes.get(r);
        if (state == null) {
            return List.of();
        }
        synchronized (state) {
            return List.copyOf(state.urls);
        }
    }

    /** The cluster's leaf or websocket URLs changed: every leaf connection gets the new INFO (sendAsyncLeafNodeInfo). */
    private void sendAsyncInfo() {
        if (shuttingDown) {
            return;
        }
        byte[] info = LeafInfo.info(server, this, null, 0, null);
        for (LeafConnection c : connections()) {
            c.enqueue(info);
        }
    }

    /** {@code leafnode_urls} of our INFO: our own URL, then those of the cluster's other nodes. */
    List<String> infoLeafUrls() {
        List<String> peers = server.peerLeafUrls().urls();
        if (peers.isEmpty()) {
            return List.of(infoHostPort());
        }
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        all.add(infoHostPort());
        all.addAll(peers);
        return List.copyOf(all);
    }

    // ---- Registry ----------------------------------------------------------------------------

    void track(LeafConnection c) {
        open.add(c);
    }

    /** A connection passed its handshake: it gets its account's interest and the loop-detection subject. */
    void registered(LeafConnection c) {
        registered.add(c);
        RemoteState s = c.remote == null ? null : remotes.get(c.remote);
        if (s != null) {
            s.everConnected = true;
        }
        Account a = c.account();
        List<Subscription> all = new ArrayList<>();
        a.trie().forEach(all::add);
        c.sendInitialInterest(all, loopSubject(a));
    }

    void closed(LeafConnection c) {
        open.remove(c);
        registered.remove(c);
        if (c.remote != null && !shuttingDown) {
            RemoteState s = remotes.get(c.remote);
            Duration delay = options.reconnect();
            if (s != null && s.nextDelay != null) {
                delay = s.nextDelay;
                s.nextDelay = null;
            }
            schedule(c.remote, 1, delay.toNanos());
        }
    }

    /** True for subjects of JetStream's API that stay on their side of a leaf connection. */
    static boolean jetStreamDenied(String subject) {
        if (subject.isEmpty() || subject.charAt(0) != '$') {
            return false;
        }
        for (String deny : JS_DENY) {
            if (Subjects.subsetOf(subject, deny)) {
                return true;
            }
        }
        return false;
    }

    /** The account's loop-detection subject, made on first use. */
    String loopSubject(Account a) {
        return loopSubjects.computeIfAbsent(a.name(), n -> LDS_PREFIX + ServerId.nuid());
    }

    @Override
    public void interestAdded(Subscription s) {
        notify(s, true);
    }

    @Override
    public void interestRemoved(Subscription s) {
        notify(s, false);
    }

    private void notify(Subscription s, boolean added) {
        if (registered.isEmpty()) {
            return;
        }
        LeafConnection[] conns;
        synchronized (registered) {
            conns = registered.toArray(new LeafConnection[0]);
        }
        for (LeafConnection c : conns) {
            if (c.account() == s.account()) {
                c.interestChanged(s, added);
            }
        }
    }

    // ---- Views -------------------------------------------------------------------------------

    @Override
    public List<LeafView.Leaf> leafs() {
        List<LeafView.Leaf> out = new ArrayList<>();
        for (LeafConnection c : connections()) {
            long rtt = c.keepaliveTimer().rttNanos();
            List<String> subs = new ArrayList<>();
            for (Subscription s : c.remoteSubscriptions()) {
                subs.add(s.subject());
            }
            out.add(new LeafView.Leaf(c.remoteName(), c.isSpoke(), c.accountName(), c.host(), c.remotePort(),
                    GoFormat.duration(Math.max(rtt, 0)), c.inMsgs(), c.outboundQueue().outMsgs(), c.inBytes(),
                    c.outboundQueue().outBytes(), subs));
        }
        return out;
    }

    @Override
    public LeafView.Varz leafVarz() {
        List<LeafView.Remote> rs = new ArrayList<>();
        for (LeafNodeOptions.Remote r : options.remotes()) {
            List<String> urls = new ArrayList<>();
            for (URI u : r.urls()) {
                urls.add(u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort());
            }
            rs.add(new LeafView.Remote(r.account(), urls));
        }
        long tlsTimeout = options.tls() == null ? 2 : options.tls().timeout().toSeconds();
        return new LeafView.Varz(options.host(), boundPort, options.authTimeout().toSeconds(), tlsTimeout,
                options.listening(), rs);
    }

    ServerContext server() {
        return server;
    }

    public LeafNodeOptions options() {
        return options;
    }

    /** The bound leafnodes port, 0 without a listener. */
    public int port() {
        return boundPort;
    }

    /** Registered leaf connections, in registration order. */
    public List<LeafConnection> connections() {
        synchronized (registered) {
            return List.copyOf(registered);
        }
    }

    String infoHost() {
        return infoHost == null ? options.host() : infoHost;
    }

    int infoPort() {
        return PeerDialing.advertisedPort(options.advertise(), boundPort);
    }

    /** {@code host:port} of the INFO's {@code ip} and {@code leafnode_urls}. */
    String infoHostPort() {
        return hostPort(infoHost(), infoPort());
    }

    /** The advertise host, else the listen host, else (a wildcard) the first global unicast address. */
    private String computeInfoHost() {
        String adv = options.advertise();
        if (adv != null) {
            int colon = adv.lastIndexOf(':');
            return colon > 0 ? adv.substring(0, colon) : adv;
        }
        try {
            InetAddress h = InetAddress.getByName(options.host());
            if (!h.isAnyLocalAddress()) {
                return options.host();
            }
            List<NetworkInterface> nics = Collections.list(NetworkInterface.getNetworkInterfaces());
            nics.sort(java.util.Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface nic : nics) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return GoFormat.ip(a);
                    }
                }
            }
        } catch (java.io.IOException e) {
            // the listen host as it is
        }
        return options.host();
    }

    /** A remote URL's port; without one, 7422 (80 for ws://, 443 for wss://). */
    static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        return scheme.equals("ws") ? 80 : scheme.equals("wss") ? 443 : 7422;
    }

    /** The dialled address as Go prints it: the resolved IP and the port. */
    private static String resolved(URI url) {
        int port = port(url);
        try {
            InetAddress a = InetAddress.getByName(url.getHost());
            return hostPort(a.getHostAddress(), port);
        } catch (java.io.IOException e) {
            return hostPort(url.getHost(), port);
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
