package io.natsboot.server.monitor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * In front of the TLS handler of the HTTPS monitor and the wss listener: when the first five bytes look like an HTTP request rather
 * than a TLS record, answers as Go's net/http does ({@code 400}, "Client sent an HTTP request to an HTTPS
 * server.") and closes; otherwise steps aside and lets the handshake proceed.
 */
public final class PlaintextOnHttpsHandler extends ChannelInboundHandlerAdapter {
    private static final String[] HTTP_STARTS = {"GET /", "HEAD ", "POST ", "PUT /", "OPTIO"};
    private static final byte[] ANSWER = ("HTTP/1.0 400 Bad Request\r\n\r\n"
            + "Client sent an HTTP request to an HTTPS server.\n").getBytes(StandardCharsets.US_ASCII);
    private ByteBuf first;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (first == null) {
            first = in;
        } else {
            first = Unpooled.wrappedBuffer(first, in);
        }
        if (first.readableBytes() < 5) {
            return;
        }
        ByteBuf data = first;
        first = null;
        String start = data.toString(data.readerIndex(), 5, StandardCharsets.US_ASCII);
        for (String http : HTTP_STARTS) {
            if (start.equals(http)) {
                data.release();
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(data);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (first != null) {
            first.release();
            first = null;
        }
    }
}
