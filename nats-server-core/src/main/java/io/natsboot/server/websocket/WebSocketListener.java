package io.natsboot.server.websocket;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.log.ServerLog;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * nats-server's WebSocket listener: TLS first when configured (wss), then HTTP until the upgrade
 * ({@link WebSocketUpgrade}), then the NATS protocol in binary frames to a {@link
 * io.natsboot.server.connection.ClientConnection}, on the client event loops.
 */
public final class WebSocketListener {
    /** Go's http.Server reads request headers up to 1 MiB. */
    private static final int MAX_REQUEST = 1024 * 1024;

    private final ServerContext context;
    private final WebSocketOptions ws;
    private final SslContext ssl;
    private final ServerLog log;
    private volatile DisposableServer server;
    /** Upgraded connections, so shutdown can wait for their close frames before the event loops go. */
    private final io.netty.channel.group.ChannelGroup upgraded =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    /** {@code ssl} is the context built from {@code ws.tls()}, or null for {@code no_tls}. */
    /** Leaf connections over WebSocket ({@code /leafnode}); none = refused as nats-server without leafnodes. */
    private volatile java.util.function.Supplier<LeafAcceptor> leafAcceptor = () -> null;

    public void leafAcceptor(java.util.function.Supplier<LeafAcceptor> acceptor) {
        this.leafAcceptor = acceptor;
    }

    public WebSocketListener(ServerContext context, WebSocketOptions ws, SslContext ssl) {
        this.context = context;
        this.ws = ws;
        this.ssl = ssl;
        this.log = context.log();
    }

    /** Binds and logs as nats-server; returns the bound port. */
    public int start(LoopResources loops) {
        OriginCheck origins = new OriginCheck(ws.sameOrigin(), ws.allowedOrigins());
        long tlsMillis = ssl == null ? 0 : Math.max(1, ws.tls().timeout().toMillis());
        server = TcpServer.create()
                .host(ws.host())
                .port(ws.port())
                .runOn(loops)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(1024, 65536, 65536))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .doOnConnection(conn -> {
                    ChannelPipeline p = conn.channel().pipeline();
                    if (ssl != null) {
                        SslHandler tls = ssl.newHandler(conn.channel().alloc());
                        tls.setHandshakeTimeoutMillis(tlsMillis);
                        // plain HTTP to the wss port: Go's 400 "Client sent an HTTP request to an HTTPS server."
                        p.addBefore(NettyPipeline.ReactiveBridge, "ws-plaintext",
                                new io.natsboot.server.monitor.PlaintextOnHttpsHandler());
                        p.addBefore(NettyPipeline.ReactiveBridge, "ws-tls", tls);
                    }
                    p.addBefore(NettyPipeline.ReactiveBridge, "ws-http", new HttpServerCodec());
                    p.addBefore(NettyPipeline.ReactiveBridge, "ws-http-aggregator", new HttpObjectAggregator(MAX_REQUEST));
                    p.addBefore(NettyPipeline.ReactiveBridge, "ws-upgrade", new WebSocketUpgrade(context, ws, origins, upgraded, leafAcceptor.get()));
                })
                // as on the client port: reads go on only while the inbound Flux has demand
                .handle((in, out) -> in.receive().then())
                .bindNow(Duration.ofSeconds(10));
        int port = ((InetSocketAddress) server.address()).getPort();
        String scheme = ssl == null ? "ws" : "wss";
        log.info("Listening for websocket clients on " + scheme + "://" + hostPort(ws.host(), port));
        if (ssl == null) {
            log.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
        }
        return port;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Waits (at most {@code max}) until the upgraded connections are closed: the server closes its clients on their
     * event loops, and disposing those loops first would cut them before their close frames leave.
     */
    public void awaitClosed(Duration max) {
        upgraded.newCloseFuture().awaitUninterruptibly(max.toMillis());
    }

    /**
     * Stops accepting. Connections stay: the server closes its clients itself, each with its close frame (Reactor
     * Netty's disposal of the connections would cut them without one); the event loops' disposal ends the rest.
     */
    public void stop() {
        DisposableServer s = server;
        if (s != null) {
            s.channel().close().awaitUninterruptibly(5000);
        }
    }
}
