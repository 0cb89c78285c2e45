package io.natsboot.server.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;

/**
 * {@code allow_non_tls}: INFO goes out in plaintext with {@code tls_available}, and the client chooses. Its first
 * byte decides: a TLS record (handshake, 0x16) puts the TLS handler in front of the connection, anything else
 * (CONNECT) stays in plaintext, as nats-server 2.9.10 lets it. Then this handler steps out.
 */
public final class TlsOptionalDetector extends ChannelInboundHandlerAdapter {
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private final SslContext ssl;
    private final long handshakeTimeoutMillis;

    public TlsOptionalDetector(SslContext ssl, long handshakeTimeoutMillis) {
        this.ssl = ssl;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable() && buf.getByte(buf.readerIndex()) == TLS_HANDSHAKE_RECORD) {
            // INFO already went out in plaintext: everything from here on is TLS.
            ctx.pipeline().addAfter(ctx.name(), "nats-tls",
                    TlsFirstDetector.sslHandler(ssl, ctx.channel(), false, handshakeTimeoutMillis));
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
    }
}
