package io.natsboot.server.websocket;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.log.ServerLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import reactor.netty.NettyPipeline;

/**
 * The HTTP side of the WebSocket listener: checks the upgrade request in nats-server's order (RFC 6455 §4.2.1,
 * then the origin), answers a refusal with Go's plain-text error page (and logs nats-server's reason), and
 * answers a good request with nats-server's 101 response byte for byte. Then it puts Netty's WebSocket codec,
 * permessage-deflate when negotiated, {@link WebSocketFrames} and a {@link ClientConnection} in the pipeline in
 * place of the HTTP codec and itself.
 */
final class WebSocketUpgrade extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** nats-server's compression threshold: output of at most this many bytes is not compressed. */
    static final int COMPRESS_THRESHOLD = 64;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    /** Frames larger than this close the connection (nats-server has no limit: it reads frames as a stream). */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    private final ServerContext context;
    private final WebSocketOptions ws;
    private final OriginCheck origins;
    private final ServerLog log;
    private ScheduledFuture<?> handshakeTimer;
    private final io.netty.channel.group.ChannelGroup upgraded;

    /** Takes /leafnode upgrades, or null. */
    private final LeafAcceptor leafs;

    WebSocketUpgrade(ServerContext context, WebSocketOptions ws, OriginCheck origins,
                     io.netty.channel.group.ChannelGroup upgraded, LeafAcceptor leafs) {
        super(true);
        this.leafs = leafs;
        this.upgraded = upgraded;
        this.context = context;
        this.ws = ws;
        this.origins = origins;
        this.log = context.log();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!ws.handshakeTimeout().isZero()) {
            // Go's http.Server ReadTimeout: the request (and TLS handshake) must arrive in time, else the
            // connection is closed without an answer
            handshakeTimer = ctx.executor().schedule(() -> {
                ctx.close();
            }, ws.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
    }

    /** Bytes after the upgrade request, before the 101 was sent: nats-server refuses the upgrade. */
    private boolean earlyData;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            b.release();
            earlyData = true;
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            // Go's answer to a request it cannot parse, then it hangs up
            ByteBuf b = Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Connection: close\r\n\r\n400 Bad Request", StandardCharsets.US_ASCII);
            ctx.pipeline().remove(io.netty.handler.codec.http.HttpServerCodec.class);
            ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HttpHeaders h = req.headers();
        String refusal = null;
        HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
        if (!HttpMethod.GET.equals(req.method())) {
            refusal = "request method must be GET";
            status = HttpResponseStatus.METHOD_NOT_ALLOWED;
        } else if (!h.contains("Host") || h.get("Host").isEmpty()) {
            refusal = "'Host' missing in request";
        } else if (!headerContains(h, "Upgrade", "websocket")) {
            refusal = "invalid value for header 'Upgrade'";
        } else if (!headerContains(h, "Connection", "Upgrade")) {
            refusal = "invalid value for header 'Connection'";
        } else if (h.get("Sec-WebSocket-Key") == null || h.get("Sec-WebSocket-Key").isEmpty()) {
            refusal = "key missing";
        } else if (!headerContains(h, "Sec-WebSocket-Version", "13")) {
            refusal = "invalid version";
        } else {
            String origin = h.get("Origin");
            if (origin == null || origin.isEmpty()) {
                origin = h.get("Sec-WebSocket-Origin");
            }
            String bad = origins.check(origin, h.get("Host"), ctx.pipeline().get(SslHandler.class) != null);
            if (bad != null) {
                refusal = "origin not allowed: " + bad;
                status = HttpResponseStatus.FORBIDDEN;
            }
        }
        if (refusal != null) {
            log.error(remote(ctx) + " - websocket handshake error: " + refusal);
            refuse(ctx, req, status);
            return;
        }
        upgrade(ctx, req);
    }

    private static String remote(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(ctx.channel().remoteAddress());
    }

    /** Go's http.Error page with the Sec-Websocket-Version header nats-server adds; the connection stays open. */
    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status) {
        byte[] body = (status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(req.protocolVersion(), status,
                Unpooled.wrappedBuffer(body));
        r.headers().add("Content-Type", "text/plain; charset=utf-8");
        r.headers().add("Sec-Websocket-Version", "13");
        r.headers().add("X-Content-Type-Options", "nosniff");
        r.headers().add("Date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
        r.headers().add("Content-Length", String.valueOf(body.length));
        boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A header holds {@code value} as one of its comma-separated tokens (case-insensitive), as nats-server. */
    static boolean headerContains(HttpHeaders h, String name, String value) {
        for (String s : h.getAll(name)) {
            for (String t : s.split(",")) {
                if (t.trim().equalsIgnoreCase(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The client offered permessage-deflate (its parameters do not matter: nats-server's answer is fixed). */
    static boolean offersDeflate(HttpHeaders h) {
        for (String list : h.getAll("Sec-WebSocket-Extensions")) {
            for (String ext : list.split(",")) {
                for (String p : ext.split(";")) {
                    if (p.trim().equalsIgnoreCase("permessage-deflate")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
        HttpHeaders h = req.headers();
        boolean compress = ws.compression() && offersDeflate(h);
        boolean noMasking = "true".equals(h.get("Nats-No-Masking"));
        String path = req.uri();
        // nats-server's answer, in its header order and spelling
        StringBuilder r = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(acceptKey(h.get("Sec-WebSocket-Key"))).append("\r\n");
        if (compress) {
            r.append("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                    + "client_no_context_takeover\r\n");
        }
        if (noMasking) {
            r.append("Nats-No-Masking: true\r\n");
        }
        r.append("\r\n");
        String ua = h.get("User-Agent");
        boolean browser = ua != null && ua.startsWith("Mozilla/");
        boolean safari = browser && ua.contains("Version/") && ua.contains("Safari/");

        ChannelPipeline p = ctx.pipeline();
        // The HTTP codec goes first, so the 101 is written as raw bytes and what follows it is frames. Bytes the
        // client sent behind its request reach channelRead below as the codec leaves.
        p.remove(io.netty.handler.codec.http.HttpObjectAggregator.class);
        p.remove(io.netty.handler.codec.http.HttpServerCodec.class);
        if (earlyData) {
            // nats-server's 400 page cannot be written on its hijacked connection: it only logs and hangs up
            log.error(remote(ctx) + " - websocket handshake error: client sent data before handshake is complete");
            ctx.close();
            return;
        }
        ctx.writeAndFlush(Unpooled.copiedBuffer(r, StandardCharsets.US_ASCII));
        if (path.startsWith("/leafnode") && leafs == null) {
            log.error("Not configured to accept leaf node connections");
            ctx.close();
            return;
        }
        if (path.startsWith("/mqtt")) {
            log.error(remote(ctx) + " - websocket: MQTT is not supported by NATS Boot");
            ctx.close();
            return;
        }
        WebSocketDecoderConfig cfg = WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(!noMasking)
                .allowMaskMismatch(noMasking)
                .allowExtensions(compress)
                .maxFramePayloadLength(MAX_FRAME)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false)
                .build();
        String name = ctx.name();
        p.addBefore(name, "ws-decoder", new WebSocket13FrameDecoder(cfg));
        p.addBefore(name, "ws-encoder", new WebSocket13FrameEncoder(false));
        if (compress) {
            WebSocketServerExtension ext = deflate();
            p.addBefore(name, "ws-deflate-decoder", ext.newExtensionDecoder());
            p.addBefore(name, "ws-deflate-encoder", ext.newExtensionEncoder());
        }
        if (path.startsWith("/leafnode")) {
            p.remove(this);
            upgraded.add(ctx.channel());
            leafs.accept(p, NettyPipeline.ReactiveBridge);
            return;
        }
        WebSocketFrames frames = new WebSocketFrames(log, browser, compress, safari);
        p.addBefore(name, "ws-frames", frames);
        ClientConnection client = new ClientConnection(context, new WebSocketClientVariant(ws, jwtCookie(h),
                context::webSocketConnectUrls));
        frames.client(client);
        p.remove(this);
        upgraded.add(ctx.channel());
        // the client sends INFO as soon as it is in an active pipeline
        p.addBefore(NettyPipeline.ReactiveBridge, "nats-client", client);
    }

    /** The value of the {@code jwt_cookie} cookie of the upgrade request, or null (none configured or sent). */
    private String jwtCookie(HttpHeaders h) {
        String name = ws.jwtCookie();
        if (name == null || name.isEmpty()) {
            return null;
        }
        for (String header : h.getAll("Cookie")) {
            for (io.netty.handler.codec.http.cookie.Cookie c
                    : io.netty.handler.codec.http.cookie.ServerCookieDecoder.LAX.decodeAll(header)) {
                if (name.equals(c.name())) {
                    return c.value();
                }
            }
        }
        return null;
    }

    /**
     * permessage-deflate with both sides' no_context_takeover, as nats-server answers whatever the client asked:
     * Go's BestSpeed level, and output of at most {@link #COMPRESS_THRESHOLD} bytes sent uncompressed.
     */
    private static WebSocketServerExtension deflate() {
        WebSocketExtensionFilter small = frame -> frame.content().readableBytes() <= COMPRESS_THRESHOLD
                && frame instanceof io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame && frame.isFinalFragment();
        WebSocketExtensionFilterProvider filters = new WebSocketExtensionFilterProvider() {
            @Override
            public WebSocketExtensionFilter encoderFilter() {
                return small;
            }

            @Override
            public WebSocketExtensionFilter decoderFilter() {
                return WebSocketExtensionFilter.NEVER_SKIP;
            }
        };
        PerMessageDeflateServerExtensionHandshaker hs = new PerMessageDeflateServerExtensionHandshaker(1, false, 15,
                true, true, filters, MAX_FRAME);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("server_no_context_takeover", null);
        params.put("client_no_context_takeover", null);
        return hs.handshakeExtension(new WebSocketExtensionData("permessage-deflate", params));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // before the upgrade: TLS or HTTP trouble; Go's http.Server logs and hangs up
        if (log.isDebug()) {
            log.debug(remote(ctx) + " - websocket: " + cause);
        }
        ctx.close();
    }
}
