package io.natsboot.server.tls;

import io.natsboot.server.connection.ClientConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * TLS {@code handshake_first} with a fallback delay ("auto"): a client that speaks first is starting TLS, so
 * the handshake comes first and INFO follows encrypted; a client silent for the delay gets INFO in plaintext
 * and starts TLS after it, as with any nats-server. Either way this handler puts the TLS handler in its place
 * and lets the connection's held INFO go.
 */
public final class TlsFirstDetector extends ChannelInboundHandlerAdapter {
    private final SslContext ssl;
    private final long handshakeTimeoutMillis;
    private final Duration fallback;
    private final ClientConnection client;
    private ScheduledFuture<?> timer;
    private boolean decided;

    public TlsFirstDetector(SslContext ssl, long handshakeTimeoutMillis, Duration fallback, ClientConnection client) {
        this.ssl = ssl;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.fallback = fallback;
        this.client = client;
    }

    /** The TLS handler of a client connection; {@code startTls}: the first write (INFO) goes out in plaintext. */
    public static SslHandler sslHandler(SslContext ssl, Channel ch, boolean startTls, long handshakeTimeoutMillis) {
        SslHandler h = new SslHandler(ssl.newEngine(ch.alloc()), startTls);
        h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return h;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null && !decided) {
            timer = ctx.executor().schedule(() -> decide(ctx, true), fallback.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!decided) {
            decide(ctx, false);
        }
        ctx.fireChannelRead(msg); // now reaches the TLS handler behind this one
    }

    /** Puts the TLS handler behind this one (INFO plaintext or not), releases INFO, and steps out. */
    private void decide(ChannelHandlerContext ctx, boolean silent) {
        if (decided || ctx.isRemoved()) {
            return;
        }
        decided = true;
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.pipeline().addAfter(ctx.name(), "nats-tls", sslHandler(ssl, ctx.channel(), silent, handshakeTimeoutMillis));
        client.releaseInfo();
        ctx.pipeline().remove(this);
    }
}
