package io.natsboot.server;

import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.config.Versions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.MonitorServer;
import io.natsboot.server.protocol.ServerId;
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
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.netty.resources.LoopResources;

/**
 * The server facade: binds the client listener, and offers start, graceful shutdown, lame-duck mode and
 * the state that monitoring views read.
 *
 * <p>Reactor Netty's {@link LoopResources} own the event loops. The client listener is a plain Netty
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
    private volatile LoopResources loops;
    private volatile CountDownLatch shutdownLatch = new CountDownLatch(1);
    private volatile Channel listener;
    private volatile EarlyListener early;
    private volatile MonitorServer monitor;
    private volatile boolean shuttingDown;

    public NatsServer(ServerOptions options, ServerLog log) {
        this.options = options;
        this.log = log;
        this.context = new ServerContext(options, log, ServerId.generate());
        this.loops = newLoops();
    }

    private static LoopResources newLoops() {
        int workers = Integer.getInteger("natsboot.io.workers", Runtime.getRuntime().availableProcessors());
        return LoopResources.create("nats-io", 1, Math.max(1, workers), true);
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
        log.info("Starting nats-server");
        log.info("  Version:  " + options.compatVersion());
        log.info("  Git:      [not set]");
        log.info("  NATS Boot: " + Versions.productVersion() + " (Java " + Runtime.version() + ")");
        log.debug("  Go build: " + Versions.goVersion());
        if (options.cluster() != null && options.cluster().name() != null) {
            log.info("  Cluster:  " + options.cluster().name());
        }
        log.info("  Name:     " + context.serverName());
        log.info("  ID:       " + context.serverId());
        if ((options.password() != null && !options.password().startsWith("$2"))
                || options.users().stream().anyMatch(u -> u.password() != null && !u.password().isEmpty()
                        && !u.password().startsWith("$2"))) {
            log.warn("Plaintext passwords detected, use nkeys or bcrypt");
        }
        if (options.configFile() != null) {
            log.info("Using configuration file: " + options.configFile());
        }
        // The cluster counts local interest from the first client on, so it exists before the listener.
        Cluster cluster = options.cluster() == null ? null : new Cluster(context, options.cluster(), loops);
        // Routes first when the client port is known in advance: the route listener and the configured routes'
        // dials come before clients can connect, so a node accepting clients is already in the mesh and its
        // peers already advertise it (nats-server routes as soon as its client listener is ready; a harness
        // starting nodes one after another expects the gossip complete when the last one accepts).
        boolean routesFirst = cluster != null && options.port() > 0 && early == null;
        if (routesFirst) {
            context.port(options.port());
            startCluster(cluster);
            cluster.awaitFirstDials(Duration.ofSeconds(1));
        }
        SslContext ssl = options.tls() == null ? null : tlsContext(options.tls());
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
        listener = bindClientListener(server, acceptor);
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

    /**
     * The server side TLS context (JDK provider) from PEM files; with {@code verify}, client certificates
     * are required and checked against {@code ca_file}.
     */
    private static final java.util.List<String> TLS13_SUITES = java.util.List.of("TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    public static SslContext tlsContext(TlsOptions tls) {
        SslContextBuilder b;
        if (tls.managers() != null) {
            b = SslContextBuilder.forServer(tls.managers().keys());
            if (tls.managers().trust() != null) {
                b.trustManager(tls.managers().trust());
            }
        } else {
            b = pemServerContext(tls);
        }
        b.sslProvider(SslProvider.JDK).protocols(tls.protocols());
        b.clientAuth(tls.verify() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        if (!tls.cipherSuites().isEmpty()) {
            // Go applies cipher_suites to TLS 1.2 only; its TLS 1.3 suites always stay on.
            java.util.List<String> ciphers = new java.util.ArrayList<>(TLS13_SUITES);
            tls.cipherSuites().stream().filter(c -> !TLS13_SUITES.contains(c)).forEach(ciphers::add);
            b.ciphers(ciphers, io.netty.handler.ssl.SupportedCipherSuiteFilter.INSTANCE);
        }
        try {
            return TlsCurves.apply(b.build(), tls.curvePreferences());
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing TLS config: " + rootMessage(e), e);
        }
    }

    /** A server context builder from the PEM files: certificate chain, key, and the CA file if any. */
    private static SslContextBuilder pemServerContext(TlsOptions tls) {
        if (tls.certFile() == null || tls.certFile().isEmpty()) {
            throw new IllegalArgumentException("TLS Server certificate must be present and valid");
        }
        if (tls.keyFile() == null || tls.keyFile().isEmpty()) {
            throw new IllegalArgumentException("TLS Server private key must be present and valid");
        }
        SslContextBuilder b;
        try {
            b = SslContextBuilder.forServer(new File(tls.certFile()), new File(tls.keyFile()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("error parsing X509 certificate/key pair: " + rootMessage(e), e);
        }
        if (tls.caFile() != null && !tls.caFile().isEmpty()) {
            b.trustManager(new File(tls.caFile()));
        }
        return b;
    }

    /**
     * The client side TLS context of routes: our certificate (routes are mutual) and the CA peers' certificates
     * must chain to.
     */
    public static SslContext routeClientTlsContext(TlsOptions tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .protocols(tls.protocols())
                    .keyManager(new File(tls.certFile()), new File(tls.keyFile()));
            if (tls.insecure()) {
                // cluster.tls insecure: Go's InsecureSkipVerify, the dialled route's certificate is not checked
                b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caFile() != null && !tls.caFile().isEmpty()) {
                b.trustManager(new File(tls.caFile()));
            }
            return TlsCurves.apply(b.build(), tls.curvePreferences());
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing cluster TLS config: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
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
            m = new MonitorServer(new Monitor(context, this::isRunning), host, options.httpsPort(), log,
                    tlsContext(new TlsOptions(t.certFile(), t.keyFile(), null, false, t.timeout(), t.cipherSuites())));
        } else {
            m = new MonitorServer(new Monitor(context, this::isRunning), host, options.httpPort(), log);
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

    /** Stops accepting, flushes what is queued to every client, closes them and releases the port. */
    public void shutdown() {
        if (shuttingDown) {
            awaitShutdown();
            return;
        }
        shuttingDown = true;
        log.info("Initiating Shutdown...");
        if (tlsRateTimer != null) {
            tlsRateTimer.cancel(false);
        }
        closeListener();
        MonitorServer m = monitor;
        if (m != null) {
            m.stop();
        }
        Cluster cluster = context.cluster();
        if (cluster != null) {
            cluster.shutdown();
        }
        for (ClientConnection c : new ArrayList<>(context.clients())) {
            c.close("Server Shutdown", true);
        }
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
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
        List<ClientConnection> clients = new ArrayList<>(context.clients());
        Cluster cluster = context.cluster();
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

    /** The monitoring endpoint, or null when http_port is not set. */
    public MonitorServer monitor() {
        return monitor;
    }

    public boolean isRunning() {
        return listener != null && !shuttingDown;
    }
}
