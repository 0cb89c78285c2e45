package io.natsboot.server;

import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.gateway.Gateways;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.config.Versions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.IoLoops;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.MonitorServer;
import io.natsboot.server.protocol.ServerId;
import io.natsboot.server.tls.TlsContexts;
import io.natsboot.server.tls.TlsFirstDetector;
import io.natsboot.server.tls.TlsOptionalDetector;
import io.natsboot.server.system.SystemAccount;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server facade: binds the client listener, and offers start, graceful shutdown, lame-duck mode and
 * the state that monitoring views read.
 *
 * <p>{@link IoLoops} own the event loops (Netty groups shaped as Reactor Netty's {@code LoopResources}). The client listener is a plain Netty
 * {@link ServerBootstrap}: each accepted channel's pipeline is the TLS handler if any and a
 * {@link ClientConnection}, which consumes every inbound byte itself; Reactor's per-connection bridge would
 * only cost start-up classes and a handler per connection (see docs/architecture.md, "Start-up"). The
 * standalone process may hand in its client port already listening ({@link #adopt}).
 */
public final class NatsServer {
    /** The client listener's accept queue (connections the kernel completes before we accept them). */
    static final int ACCEPT_BACKLOG = 4096;

    private volatile ServerOptions options;
    private final ServerLog log;
    private final ServerContext context;
    private volatile IoLoops loops;
    private volatile CountDownLatch shutdownLatch = new CountDownLatch(1);
    private volatile Channel listener;
    private volatile EarlyListener early;
    /** OCSP stapling (the ocsp setting); prepared before the start's first line, or handed in (ocsp()). */
    private volatile io.natsboot.server.tls.OcspStaples ocsp;
    private volatile MonitorServer monitor;
    /** The route side; null for a standalone server. Created at start, kept after shutdown for its figures. */
    private volatile Cluster cluster;
    private volatile Gateways gateways;
    /** The snapshots every monitoring view is made of (8222, Actuator, meters, $SYS requests). */
    private final Monitor snapshots;
    private volatile boolean shuttingDown;
    /** The system account's events and requests; null with no_system_account. */
    private volatile SystemAccount systemAccount;
    /** JetStream when enabled (-js, the jetstream block), else null. */
    private volatile JetStreamStart.Running jetStream;

    public NatsServer(ServerOptions options, ServerLog log) {
        this.options = options;
        this.log = log;
        this.context = new ServerContext(options, log, ServerId.generate());
        this.loops = newLoops();
        this.snapshots = new Monitor(context, () -> cluster, this::isRunning);
        context.onClientClose(snapshots::recordClosed);
    }

    private static IoLoops newLoops() {
        int workers = Integer.getInteger("natsboot.io.workers", Runtime.getRuntime().availableProcessors());
        // No separate acceptor thread: the worker loops accept. With an acceptor thread every
        // accepted connection reached its worker as a task, and Netty 4.2 runs a loop's queued tasks for up to
        // 1 s before it polls its sockets again: 2,000 connections opened at once held every established
        // client's traffic back for the whole burst (benchmarks/first-burst.py: canary request/reply stalled
        // 640-1,470 ms). Accepting on the loop registers each new channel inline, 16 per read, between the
        // other connections' reads.
        return new IoLoops("nats-io", workers, true);
    }

    /**
     * Binds the client port and returns once the server accepts connections. A server that was shut down can
     * be started again (a Spring context stopped and restarted): it gets fresh event loops.
     */
    public synchronized void start() {
        if (shuttingDown) {
            loops = newLoops();
            shutdownLatch = new CountDownLatch(1);
            context.lameDuck(false);
            context.connectUrls(List.of());
            shuttingDown = false;
        }
        if (options.maxPayload() > options.maxPending()) {
            throw new IllegalArgumentException("max_payload (" + options.maxPayload()
                    + ") cannot be higher than max_pending (" + options.maxPending() + ")");
        }
        if (ocsp == null) {
            ocsp = io.natsboot.server.tls.OcspStaples.prepare(options); // nats-server's NewServer error if it throws
        }
        log.info("Starting nats-server");
        log.info("  Version:  " + options.compatVersion());
        log.info("  Git:      [not set]");
        log.info("  NATS Boot: " + Versions.productVersion() + " (Java " + Runtime.version() + ")");
        log.debug("  Java runtime: " + Versions.runtimeVersion());
        if (options.cluster() != null && options.cluster().name() != null) {
            log.info("  Cluster:  " + options.cluster().name());
        } else if (options.gateway() != null) {
            log.info("  Cluster:  " + options.gateway().name());
        }
        log.info("  Name:     " + context.serverName());
        log.info("  ID:       " + context.serverId());
        if ((options.password() != null && !options.password().startsWith("$2"))
                || options.users().stream().anyMatch(u -> u.password() != null && !u.password().isEmpty()
                        && !u.password().startsWith("$2"))) {
            log.warn("Plaintext passwords detected, use nkeys or bcrypt");
        }
        if (options.profPort() != 0) {
            // nats-server opens Go's pprof here ("profiling port: N"); a JVM has no pprof: say so, open nothing
            log.warn("profiling port: " + options.profPort() + " not opened: NATS Boot has no Go pprof endpoint,"
                    + " profile with JDK Flight Recorder (jcmd <pid> JFR.start)");
        }
        if (options.configFile() != null) {
            log.info("Using configuration file: " + options.configFile());
        }
        if (!options.jsAccDefaultDomain().isEmpty()) {
            log.warn(io.natsboot.server.config.DefaultJsDomain.WARNING);
        }
        if (context.operatorMode() != null) {
            context.operatorMode().startLines().forEach(log::info);
            context.operatorMode().startWarnings().forEach(log::warn);
        }
        // The cluster counts local interest from the first client on, so it exists before the listener.
        Cluster cluster = options.cluster() == null ? null : new Cluster(context, options.cluster(), loops);
        this.cluster = cluster;
        // Gateways count the cluster's interest from the first subscription on too.
        Gateways gateways = options.gateway() == null ? null : new Gateways(context, options.gateway(), loops);
        this.gateways = gateways;
        snapshots.gateways(() -> this.gateways);
        if (gateways != null && cluster != null) {
            gateways.routes(cluster::sendToRoutes);
        }
        systemAccount = SystemAccount.start(context, snapshots);
        if (systemAccount != null) {
            context.onAccountCreated(systemAccount::accountAdded); // accounts from JWTs get the system imports
        }
        if (systemAccount != null && gateways != null) {
            // a leaf connected anywhere in the supercluster: its account goes interest-only on our inbound gateways
            systemAccount.listen("$SYS.ACCOUNT.*.LEAFNODE.CONNECT", (subject, payload) -> gateways.leafNodeConnected(payload));
            // and a cluster that joins later hears of our leafs' accounts once its system interest is here
            gateways.onRemoteSystemInterest(systemAccount::announceLeafAccounts);
        }
        if (systemAccount != null && context.operatorAccounts() != null) {
            // the directory resolvers' $SYS.REQ.CLAIMS.* and ACCOUNT.*.CLAIMS.* requests, sync and lookups
            io.natsboot.server.system.ResolverSync.start(systemAccount, context.operatorAccounts().claimsRequests(),
                    context.operatorAccounts().mode());
            // the accounts' connections on other servers count against their limits
            io.natsboot.server.system.RemoteAccountConns.start(systemAccount, context.operatorAccounts());
        }
        try {
            jetStream = JetStreamStart.start(options, context, log); // after the system account, as nats-server
        } catch (RuntimeException e) {
            if (systemAccount != null) {
                systemAccount.shutdown();
            }
            throw e;
        }
        snapshots.jetStream(jetStream == null ? null : jetStream::view);
        context.staplingTls(ocsp::stapling); // the route, gateway and leafnode listeners' stapled certificates
        ocsp.start(log, this::shutdown); // after JetStream, before the gateway/leaf/route/client listeners, as nats-server
        snapshots.jetStreamDetails(jetStream == null ? null : jetStream.details(context.serverName()));
        // Routes first when the client port is known in advance: the route listener and the configured routes'
        // dials come before clients can connect, so a node accepting clients is already in the mesh and its
        // peers already advertise it (nats-server routes as soon as its client listener is ready; a harness
        // starting nodes one after another expects the gossip complete when the last one accepts).
        if (gateways != null) {
            // nats-server listens for gateways before routes and clients (route INFO carries the gateway URL);
            // it dials them 1 s later
            startGateways(gateways);
        }
        // nats-server starts its websocket and leafnode listeners (and dials its remotes) before routes: route
        // INFO carries their URLs (ws_connect_urls, leafnode_urls) for the peers' websocket clients and leafs
        startWebSocket();
        startLeafNodes();
        boolean routesFirst = cluster != null && options.port() > 0 && early == null;
        if (routesFirst) {
            context.port(options.port());
            startCluster(cluster);
            cluster.awaitFirstDials(Duration.ofSeconds(1));
        }
        SslContext ssl = options.tls() == null ? null : ocsp.server(options.tls());
        long tlsTimeoutMillis = options.tls() == null ? 0 : Math.max(1, options.tls().timeout().toMillis());
        EventLoopGroup acceptor = loops.onServerSelect(true);
        ServerBootstrap server = new ServerBootstrap()
                .group(acceptor, loops.onServer(true))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Netty 4.2's default adaptive allocator creates a ByteBuffer view per buffer-to-buffer
                // copy (about 1 B per delivered message); the pooled one allocates nothing (DeliveryBenchmark).
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // nats-server reads up to 64 KiB at a time; large reads decide publish throughput.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(1024, 65536, 65536))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        try {
                            ClientConnection client = new ClientConnection(context);
                            if (ssl != null) {
                                TlsOptions t = options.tls();
                                if (options.allowNonTls() && !t.handshakeFirst()) {
                                    ch.pipeline().addLast("nats-tls-optional", new TlsOptionalDetector(ssl, tlsTimeoutMillis));
                                } else if (t.handshakeFirst() && t.handshakeFirstFallback() != null) {
                                    client.holdInfo();
                                    ch.pipeline().addLast("nats-tls-first",
                                            new TlsFirstDetector(ssl, tlsTimeoutMillis, t.handshakeFirstFallback(), client));
                                } else {
                                    // nats-server sends INFO in plaintext, then the client starts the handshake:
                                    // startTls lets the first flush (INFO) through unencrypted. With handshake_first
                                    // the handshake comes first and INFO waits in the handler until it is done.
                                    ch.pipeline().addLast("nats-tls",
                                            TlsFirstDetector.sslHandler(ssl, ch, !t.handshakeFirst(), tlsTimeoutMillis));
                                }
                            }
                            ch.pipeline().addLast("nats-client", client);
                        } catch (RuntimeException e) {
                            log.error("Error setting up client connection: " + e);
                            ch.close();
                        }
                    }
                });
        try {
            listener = bindClientListener(server, acceptor);
        } catch (RuntimeException e) {
            if (systemAccount != null) {
                systemAccount.shutdown(); // no thread or internal subscriptions left behind
            }
            if (gateways != null) {
                gateways.shutdown();
            }
            stopJetStream();
            throw e;
        }
        int bound = ((InetSocketAddress) listener.localAddress()).getPort();
        context.port(bound);
        startMonitor();
        startTlsRateWarnings();
        log.info("Listening for client connections on " + hostPort(options.host(), bound));
        if (options.tls() != null) {
            log.info("TLS required for client connections");
        }
        log.info("Server is ready");
        if (cluster != null && !routesFirst) {
            startCluster(cluster);
        }
    }

    /** The leafnodes block's listener and remotes (package leaf); null without one. */
    private volatile io.natsboot.server.leaf.LeafNodes leafNodes;

    private void startLeafNodes() {
        io.natsboot.server.config.LeafNodeOptions l = options.leafnodes();
        if (l == null) {
            return;
        }
        String problem = l.problem(options);
        if (problem != null) {
            shutdown();
            throw new IllegalArgumentException(problem);
        }
        io.natsboot.server.leaf.LeafNodes leafs = new io.natsboot.server.leaf.LeafNodes(context, l, loops);
        leafNodes = leafs;
        snapshots.leafView(() -> leafNodes);
        if (webSocket != null) {
            webSocket.leafAcceptor(() -> leafs::acceptWebSocket);
        }
        try {
            leafs.start();
        } catch (RuntimeException e) {
            shutdown();
            throw e;
        }
    }

    /** The leaf nodes (hub listener and remotes), or null without a leafnodes block or before start. */
    public io.natsboot.server.leaf.LeafNodes leafNodes() {
        return leafNodes;
    }

    private void startGateways(Gateways gateways) {
        try {
            gateways.start();
        } catch (RuntimeException e) {
            if (systemAccount != null) {
                systemAccount.shutdown();
            }
            stopJetStream();
            throw e;
        }
    }

    private void startCluster(Cluster cluster) {
        try {
            cluster.start();
        } catch (RuntimeException e) {
            shutdown();
            throw e;
        }
    }

    /**
     * The client port hands over from {@link EarlyListener}: the listening socket of the adopted listener
     * if it is usable with these event loops (epoll), else a fresh bind of host:port.
     */
    private Channel bindClientListener(ServerBootstrap server, EventLoopGroup acceptor) {
        EarlyListener e = early;
        early = null;
        Class<? extends ServerSocketChannel> type = loops.onChannelClass(ServerSocketChannel.class, acceptor);
        if (e != null && type == EpollServerSocketChannel.class) {
            int fd = e.fd();
            e.adopted();
            // Already bound and listening: registering it starts the accepts.
            return server.channelFactory(() -> new EpollServerSocketChannel(fd)).register()
                    .syncUninterruptibly().channel();
        }
        if (e != null) {
            e.closeUnlessAdopted();
        }
        return server.channel(type)
                .bind(options.host(), options.port() < 0 ? 0 : options.port())
                .syncUninterruptibly().channel();
    }

    /**
     * Standalone start-up: the client listener is already bound (host and port as in the options, a port
     * of 0 or -1 already chosen). Called before {@link #start()}.
     */
    /** The OCSP monitors the process prepared before its log started (nats-server's NewServer checks). */
    void ocsp(io.natsboot.server.tls.OcspStaples prepared) {
        ocsp = prepared;
    }

    void adopt(EarlyListener bound) {
        this.early = bound;
    }

    /** Stops accepting clients and releases the port (idempotent). */
    private void closeListener() {
        Channel l = listener;
        if (l != null) {
            l.close().syncUninterruptibly();
        }
        EarlyListener e = early;
        if (e != null) {
            early = null;
            e.closeUnlessAdopted();
        }
    }

    /** With connection_rate_limit: nats-server's once-a-second warning about refused TLS clients. */
    private void startTlsRateWarnings() {
        io.natsboot.server.connection.ConnectionRateCounter rate = context.tlsRate();
        if (rate == null) {
            return;
        }
        tlsRateTimer = loops.onServer(false).next().scheduleAtFixedRate(() -> {
            long blocked = rate.takeBlocked();
            if (blocked > 0) {
                log.warn("Rejected " + blocked + " connections due to TLS rate limiting");
            }
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private java.util.concurrent.ScheduledFuture<?> tlsRateTimer;

    /** The websocket block's listener, started before the client port as nats-server does; null without one. */
    private volatile io.natsboot.server.websocket.WebSocketListener webSocket;

    private void startWebSocket() {
        io.natsboot.server.config.WebSocketOptions w = options.websocket();
        if (w == null) {
            return;
        }
        webSocket = new io.natsboot.server.websocket.WebSocketListener(context, w,
                w.tls() == null ? null : TlsContexts.server(w.tls()));
        int wsPort = webSocket.start(loops);
        context.webSocketPort(wsPort);
        String adv = w.advertise();
        context.webSocketUrls(adv != null && !adv.isEmpty() ? List.of(adv.contains(":") ? adv : adv + ":" + wsPort)
                : Cluster.hostPorts(w.host(), wsPort));
        // websocket clients hear of the cluster's other websocket URLs as they change (nats-server's
        // sendAsyncInfoToClients for websocket clients)
        context.peerWebSocketUrls().onChange(() -> {
            for (ClientConnection c : context.clients()) {
                c.sendAsyncVariantInfo();
            }
        });
    }

    private void stopWebSocket() {
        io.natsboot.server.websocket.WebSocketListener w = webSocket;
        if (w != null) {
            w.stop();
        }
    }

    /** The monitoring HTTP endpoint, when http_port is set (-1 = a random port); logs where it listens. */
    private void startMonitor() {
        if (options.httpPort() == 0 && options.httpsPort() == 0) {
            return;
        }
        String host = options.httpHost() == null || options.httpHost().isEmpty() ? options.host() : options.httpHost();
        MonitorServer m;
        if (options.httpsPort() != 0) {
            // nats-server's StartMonitoring checks, in this order
            if (options.tls() == null) {
                closeListener();
                throw new IllegalArgumentException("Can't start monitoring: TLS cert and key required for HTTPS");
            }
            if (options.httpPort() != 0) {
                closeListener();
                throw new IllegalArgumentException("Can't start monitoring: can't specify both HTTP ("
                        + options.httpPort() + ") and HTTPs (" + options.httpsPort() + ") ports");
            }
            // The monitor uses the tls block's certificate but never asks for client certificates, as nats-server.
            TlsOptions t = options.tls();
            m = new MonitorServer(snapshots, host, options.httpsPort(), log,
                    ocsp.monitoring(t, new TlsOptions(t.certFile(), t.keyFile(), null, false, t.timeout(), t.cipherSuites())));
        } else {
            m = new MonitorServer(snapshots, host, options.httpPort(), log);
        }
        try {
            m.start();
        } catch (RuntimeException e) {
            closeListener();
            throw e;
        }
        monitor = m;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private void stopJetStream() {
        JetStreamStart.Running js = jetStream;
        jetStream = null;
        snapshots.jetStream(null);
        snapshots.jetStreamDetails(null);
        if (js != null) {
            js.stop(log);
        }
    }

    /** JetStream at work, or null when it is not enabled (or after shutdown). */
    public io.natsboot.server.jetstream.JetStream jetStream() {
        JetStreamStart.Running js = jetStream;
        return js == null ? null : js.jetStream();
    }

    /** Stops accepting, flushes what is queued to every client, closes them and releases the port. */
    public void shutdown() {
        if (shuttingDown) {
            awaitShutdown();
            return;
        }
        shuttingDown = true;
        log.info("Initiating Shutdown...");
        SystemAccount sys = systemAccount;
        if (sys != null) {
            sys.shutdown(); // its SHUTDOWN event leaves while clients and routes are still there
        }
        stopJetStream();
        io.natsboot.server.tls.OcspStaples staples = ocsp;
        if (staples != null) {
            staples.stop();
            ocsp = null; // a restart prepares them again
        }
        if (tlsRateTimer != null) {
            tlsRateTimer.cancel(false);
        }
        closeListener();
        stopWebSocket();
        MonitorServer m = monitor;
        if (m != null) {
            m.stop();
        }
        io.natsboot.server.leaf.LeafNodes leafs = this.leafNodes;
        if (leafs != null) {
            leafs.shutdown();
        }
        Gateways gateways = this.gateways;
        if (gateways != null) {
            gateways.shutdown(); // before the routes: their closing must not shrink the gateway URLs we advertise
        }
        Cluster cluster = this.cluster;
        if (cluster != null) {
            cluster.shutdown();
        }
        for (ClientConnection c : new ArrayList<>(context.clients())) {
            c.close("Server Shutdown", true);
        }
        if (webSocket != null) {
            webSocket.awaitClosed(Duration.ofSeconds(2)); // their close frames go out before the loops stop
        }
        loops.shutdown(Duration.ofSeconds(5));
        log.info("Server Exiting..");
        shutdownLatch.countDown();
    }

    /**
     * Lame-duck mode: stop accepting, tell clients (INFO with ldm), then close them spread over
     * the lame-duck duration after the grace period, and shut down.
     */
    public void enterLameDuckMode() {
        if (shuttingDown || context.lameDuck()) {
            return;
        }
        context.lameDuck(true);
        log.info("Entering lame duck mode, stop accepting new clients");
        closeListener();
        stopWebSocket();
        List<ClientConnection> clients = new ArrayList<>(context.clients());
        Cluster cluster = this.cluster;
        if (cluster != null) {
            cluster.enterLameDuckMode();
        }
        // Clients are told the other nodes only (reference §3.11).
        List<String> others = new ArrayList<>(context.connectUrls());
        if (cluster != null) {
            others.removeAll(cluster.ownClientUrls());
        }
        context.connectUrls(others);
        for (ClientConnection c : clients) {
            c.sendAsyncInfo(true);
        }
        Thread t = new Thread(() -> {
            try {
                sleep(options.lameDuckGracePeriod());
                log.info("Closing existing clients");
                List<ClientConnection> left = new ArrayList<>(context.clients());
                long spread = options.lameDuckDuration().minus(options.lameDuckGracePeriod()).toNanos();
                long gap = left.isEmpty() ? 0 : Math.min(TimeUnit.SECONDS.toNanos(1), spread / left.size());
                for (ClientConnection c : left) {
                    c.close("Server Shutdown", true);
                    TimeUnit.NANOSECONDS.sleep(gap);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shutdown();
        }, "nats-lame-duck");
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(Duration d) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(Math.max(0, d.toNanos()));
    }

    public void awaitShutdown() {
        try {
            shutdownLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Configuration reload: swaps the options every connection reads (each takes them on its event loop),
     * closes the newest clients beyond a lowered max_connections, and with {@code authChanged} closes the
     * clients the new authorization rejects. The caller checked that nothing unreloadable changed.
     */
    public void reload(ServerOptions next, boolean authChanged) {
        this.options = next;
        context.options(next);
        if (next.trust() != null && context.operatorMode() != null) {
            context.operatorMode().reload(next.trust()); // preloads and pinned accounts, as nats-server
        }
        List<ClientConnection> clients = new ArrayList<>(context.clients());
        int excess = clients.size() - next.maxConnections();
        if (excess > 0) {
            clients.sort((a, b) -> Long.compare(b.cid(), a.cid()));
            for (int i = 0; i < excess; i++) {
                clients.get(i).closeForMaxConnections();
            }
        }
        for (ClientConnection c : context.clients()) {
            c.optionsReloaded(authChanged);
        }
        JetStreamStart.Running js = jetStream;
        if (js != null) {
            js.reloadAccounts(next, context, log); // accounts' JetStream on, off or with new limits
        }
    }

    /** The bound client port (the real one when started with port 0 or -1). */
    public int port() {
        return context.port();
    }

    public ServerOptions options() {
        return options;
    }

    public ServerContext context() {
        return context;
    }

    /**
     * A new internal (socketless) client that subscribes and publishes in account {@code account} as a connected
     * client would (see {@link io.natsboot.server.connection.InternalClient}); {@code name} is for logs.
     */
    public io.natsboot.server.connection.InternalClient internalClient(String account, String name) {
        return context.internalClient(account, name);
    }

    /** The monitoring snapshots (varz, connz, routez, ...): the one data source of every monitoring view. */
    public Monitor snapshots() {
        return snapshots;
    }

    /** The server's counters and gauges (what meters read). */
    public io.natsboot.server.monitor.ServerMetrics metrics() {
        return snapshots.metrics();
    }

    /** The gateways (superclusters), or null without a gateway block or before start. */
    public Gateways gateways() {
        return gateways;
    }

    /** The cluster (routes), or null for a standalone server or before start. */
    public Cluster cluster() {
        return cluster;
    }

    /** The system account at work (add $SYS request handlers there), or null with no_system_account. */
    public SystemAccount systemAccount() {
        return systemAccount;
    }

    /** The monitoring endpoint, or null when http_port is not set. */
    public MonitorServer monitor() {
        return monitor;
    }

    public boolean isRunning() {
        return listener != null && !shuttingDown;
    }
}
