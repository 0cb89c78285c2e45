package io.natsboot.server.websocket;

import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.log.ServerLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * Between Netty's WebSocket codec and the unchanged {@link ClientConnection}: data frames (binary, text,
 * continuation) become the plain bytes of the NATS protocol, and the connection's output becomes binary frames.
 * Control frames are answered here as nats-server answers them: a ping gets a pong with its payload, a close
 * gets its status and text back (1005 when it had none) and closes the connection as "Client Closed". When the
 * server closes a connection it first sends a close frame whose status follows the close reason
 * ({@link #closeStatus}) and whose text is the reason. A frame the codec refuses (no mask, bad opcode...) is a
 * "read error": logged, a 1002 close frame with nats-server's text, and closed.
 *
 * <p>Frame sizes: browsers (a {@code User-Agent} starting with {@code Mozilla/}) get frames of at most 4 KiB, as
 * nats-server sends them: separate messages uncompressed, fragments of one message when compressed (Safari, which
 * mishandles compressed fragments, gets one frame). Other clients get separate messages of at most {@link
 * #CLIENT_FRAME} uncompressed (nats-server sends one frame per flush; see there why not here) and one frame per
 * flush compressed.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    /** nats-server's frame size for browsers. */
    static final int BROWSER_FRAME = 4096;
    /**
     * The largest uncompressed frame for other clients. nats.go (and clients like it) read 32 KiB at a time and
     * give a frame that does not fit in what they read a buffer of its own, the size of the whole frame: one frame
     * per flush (100-600 KiB under load) cost them an allocation and a copy of nearly every byte. With 8 KiB frames
     * at most one frame per read is completed that way. Measured with nats.go at 1 KiB pub/sub: the client's CPU
     * per message 15-20% lower (docs/performance.md, WebSocket).
     */
    static final int CLIENT_FRAME = 8192;
    /** RFC 6455: a control frame's payload is at most 125 bytes, so a close text at most 123. */
    private static final int MAX_CLOSE_TEXT = 123;

    private final ServerLog log;
    private final boolean browser;
    private final boolean compress;
    /** Safari mishandles compressed fragments: nats-server sends it compressed output in one frame. */
    private final boolean safari;
    private ClientConnection client;
    /** A close frame has been sent or is not to be sent: the channel's close needs no other. */
    private boolean closeSent;
    /** The echo of the client's close frame, sent when the connection closes after flushing. */
    private CloseWebSocketFrame closeReply;

    WebSocketFrames(ServerLog log, boolean browser, boolean compress, boolean safari) {
        this.log = log;
        this.browser = browser;
        this.compress = compress;
        this.safari = safari;
    }

    void client(ClientConnection c) {
        this.client = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame
                || msg instanceof io.netty.handler.codec.http.websocketx.TextWebSocketFrame) {
            // text frames carry the protocol too: nats-server reads every data frame's bytes
            ByteBuf data = ((WebSocketFrame) msg).content();
            if (data.isReadable()) {
                ctx.fireChannelRead(data);
            } else {
                data.release();
            }
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
        } else if (msg instanceof CloseWebSocketFrame close) {
            onClose(close);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** nats-server echoes the status and text; no status is 1005, a text that is not UTF-8 is 1007. */
    private void onClose(CloseWebSocketFrame close) {
        ByteBuf p = close.content();
        int status = 1005;
        String text = "";
        if (p.readableBytes() >= 2) {
            status = p.getUnsignedShort(p.readerIndex());
            if (p.readableBytes() > 2) {
                ByteBuf body = p.slice(p.readerIndex() + 2, p.readableBytes() - 2);
                if (ByteBufUtil.isText(body, StandardCharsets.UTF_8)) {
                    text = body.toString(StandardCharsets.UTF_8);
                } else {
                    status = 1007;
                    text = "invalid utf8 body in close frame";
                }
            }
        }
        close.release();
        closeReply = closeFrame(status, text);
        if (client != null) {
            client.close("Client Closed", true);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && client != null) {
            // nats-server logs the frame error, queues a close frame and closes as "Read Error"
            String text = readErrorText(cause);
            log.error(client.host() + ":" + client.remotePort() + " - wid:" + client.cid() + " - read error: " + text);
            // nats-server queues a 1002 close frame with the text; whether it leaves before the connection closes
            // is a race there (seen both ways): here it always does
            closeReply = closeFrame(1002, text);
            client.close("Read Error", false);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** nats-server's text for a frame Netty's decoder refused; Netty's own text where nats-server has none. */
    static String readErrorText(Throwable cause) {
        String m = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (m.contains("not masked as expected")) {
            return "mask bit missing";
        }
        if (m.contains("fragmented control frame")) {
            return "control frame does not have final bit set";
        }
        if (m.contains("control frame with payload length > 125")) {
            return "control frame length bigger than maximum allowed of 125 bytes";
        }
        int reserved = m.indexOf("using reserved opcode ");
        if (reserved >= 0) {
            return "unknown opcode " + m.substring(reserved + "using reserved opcode ".length()).trim();
        }
        if (m.contains("continuation data frame outside fragmented message")) {
            return "invalid continuation frame";
        }
        if (m.contains("non-continuation data frame while inside fragmented message")) {
            return "new message started before final frame for previous message was received";
        }
        return m;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf data)) {
            ctx.write(msg, promise);
            return;
        }
        int n = data.readableBytes();
        int limit = browser ? BROWSER_FRAME : CLIENT_FRAME;
        if (n <= limit || (compress && (safari || !browser))) {
            ctx.write(new BinaryWebSocketFrame(data), promise);
            return;
        }
        // frames of at most `limit` (a browser's: fragments of one message when compressed); the promise completes
        // with the last
        boolean fragments = compress;
        boolean first = true;
        while (data.readableBytes() > 0) {
            int len = Math.min(limit, data.readableBytes());
            ByteBuf part = data.readRetainedSlice(len);
            boolean last = !data.isReadable();
            WebSocketFrame f;
            if (!fragments) {
                f = new BinaryWebSocketFrame(part);
            } else if (first) {
                f = new BinaryWebSocketFrame(last, 0, part);
            } else {
                f = new ContinuationWebSocketFrame(last, 0, part);
            }
            first = false;
            ctx.write(f, last ? promise : ctx.voidPromise());
        }
        data.release();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closeSent || !ctx.channel().isActive()) {
            if (closeReply != null) {
                closeReply.release();
                closeReply = null;
            }
            ctx.close(promise);
            return;
        }
        closeSent = true;
        CloseWebSocketFrame f = closeReply;
        closeReply = null;
        if (f == null) {
            String reason = client == null || client.closeReason() == null ? "Server Shutdown" : client.closeReason();
            f = closeFrame(closeStatus(reason), reason);
        }
        ctx.writeAndFlush(f).addListener((ChannelFutureListener) done -> ctx.close(promise));
    }

    private static CloseWebSocketFrame closeFrame(int status, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        if (t.length > MAX_CLOSE_TEXT) {
            // nats-server cuts the text and marks the cut with "..."
            text = new String(t, 0, MAX_CLOSE_TEXT - 3, StandardCharsets.UTF_8) + "...";
        }
        ByteBuf p = io.netty.buffer.Unpooled.buffer(2 + MAX_CLOSE_TEXT);
        p.writeShort(status);
        p.writeCharSequence(text, StandardCharsets.UTF_8);
        return new CloseWebSocketFrame(true, 0, p);
    }

    /** nats-server's close status for a close reason (its ClosedState names, as /connz shows them). */
    static int closeStatus(String reason) {
        switch (reason) {
            case "Client Closed":
                return 1000;
            case "Authentication Timeout": case "Authentication Failure": case "Slow Consumer (Pending Bytes)":
            case "Slow Consumer (Write Deadline)": case "Maximum Account Connections Exceeded":
            case "Maximum Connections Exceeded": case "Maximum Control Line Exceeded":
            case "Maximum Subscriptions Exceeded": case "Missing Account": case "Authentication Expired":
            case "Credentials Revoked":
                return 1008;
            case "TLS Handshake Failure":
                return 1015;
            case "Parse Error": case "Protocol Violation": case "Bad Client Protocol Version":
                return 1002;
            case "Maximum Message Payload Exceeded":
                return 1009;
            case "Server Shutdown":
                return 1001;
            case "Write Error": case "Read Error": case "Stale Connection":
                return 1006;
            default:
                return 1011;
        }
    }
}
