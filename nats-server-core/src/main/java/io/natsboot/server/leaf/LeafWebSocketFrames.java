package io.natsboot.server.leaf;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A leaf remote over WebSocket ({@code ws://}, {@code wss://}): between Netty's WebSocket client protocol handler
 * and the {@link LeafConnection}, the data frames' payloads go in as plain bytes and every write of the connection
 * goes out as one binary frame (masked by Netty's client encoder), so the leaf connection is unchanged.
 * Ping, pong and close frames are Netty's handler's business.
 */
final class LeafWebSocketFrames extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame
                || msg instanceof ContinuationWebSocketFrame) {
            WebSocketFrame f = (WebSocketFrame) msg;
            ByteBuf payload = f.content().retain();
            f.release();
            ctx.fireChannelRead(payload);
            return;
        }
        if (msg instanceof io.netty.handler.codec.http.websocketx.PingWebSocketFrame ping) {
            ctx.writeAndFlush(new io.netty.handler.codec.http.websocketx.PongWebSocketFrame(ping.content()));
            return;
        }
        if (msg instanceof io.netty.handler.codec.http.websocketx.CloseWebSocketFrame close) {
            close.release();
            ctx.close();
            return;
        }
        if (msg instanceof io.netty.handler.codec.http.websocketx.PongWebSocketFrame pong) {
            pong.release();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            ctx.write(new BinaryWebSocketFrame(b), promise);
            return;
        }
        ctx.write(msg, promise);
    }
}
