package io.natsboot.server.connection;

import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.auth.Bcrypt;
import io.natsboot.server.auth.Permissions;
import io.natsboot.server.auth.NKeys;
import io.natsboot.server.auth.User;
import io.natsboot.server.protocol.ClientOps;
import io.natsboot.server.protocol.ClientProtocolParser;
import io.natsboot.server.protocol.ConnectOptions;
import io.natsboot.server.protocol.FastBytes;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.protocol.ProtocolError;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection: decodes its ops, routes its publishes, and owns its outbound buffer.
 *
 * <p>Threading. Everything except the outbound buffer is confined to the connection's event
 * loop. Publishers on other event loops append MSG frames to this connection's outbound buffer
 * under {@link #outLock}; the publisher then asks this connection to flush once, after it has
 * processed its whole read ({@link #channelReadComplete}). So a burst of publishes costs one
 * write and one flush per receiver, not one per message.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter implements ClientOps {
    private static final byte[] HMSG = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_RESPONDERS = "NATS/1.0 503\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MIN_OUT_BUFFER = 4096;
    /** Largest size a new outbound batch starts with (see {@link #batchHint}). */
    private static final int MAX_BATCH_HINT = 512 * 1024;
    /**
     * A publisher stops reading while one of its receivers has more than this queued (nats-server
     * stalls at max_pending/2; we stall earlier so a fast publisher does not build a backlog of
     * tens of MiB that costs cache misses and memory). Bounded by {@link #MAX_STALL_NANOS}.
     */
    private static final long STALL_CAP = 4L * 1024 * 1024;
    private static final long MAX_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerContext server;
    /** Non-null for clients of another listener (WebSocket). */
    private final ClientVariant variant;
    /**
     * The server's options as this connection last saw them: taken again from the context (a volatile read)
     * once per read batch and on a configuration reload, never per message.
     */
    private ServerOptions options;
    private final ServerLog log;
    private final long cid;
    private final Instant started = Instant.now();
    /** System.nanoTime() at {@link #started}; monitoring turns nanoTime stamps into wall times with it. */
    private final long startedNanos = System.nanoTime();
    /**
     * nanoTime of the last read from this client or of the last read that delivered to it (nats-server's
     * last activity). Written once per read, never per message; read racily by monitoring.
     */
    private long lastActivityNanos = startedNanos;
    /** RTT estimated at CONNECT from the connection start, as nats-server does; -1 until then. */
    private long connectRttNanos = -1;
    private final ClientProtocolParser parser;
    private final ConnectOptions opts = new ConnectOptions();
    /** The INFO nonce an nkey user signs; null when no nkey users are configured. */
    private String nonce;
    private final ConcurrentHashMap<String, Subscription> subs = new ConcurrentHashMap<>();
    private final ArrayList<ClientConnection> pendingFlush = new ArrayList<>();
    private final Runnable flushTask = this::flushNow;

    private ChannelHandlerContext ctx;
    private Channel channel;
    private EventLoop loop;
    private String host = "";
    private int remotePort;
    private String logPrefix = "";
    private boolean accepted;
    /** TLS handshake_first with fallback: INFO waits until the client's first bytes (or their absence) decide. */
    private boolean infoHeld;
    private byte[] heldInfo;
    /** Refused at accept (max_connections, TLS rate limit): the TLS handler is being taken out unused. */
    private boolean refusing;
    private boolean connected;
    private boolean headers;
    private boolean inRead;
    private ByteBuf cumulation;
    private SubjectCache cache;
    /** Routes the message being published goes to; created on the first publish that reaches a route. */
    private RouteFanout routeFanout;
    /** The account whose subjects this client sees: its user's, else $G. Set at CONNECT. */
    private volatile Account account;
    /** The authenticated user's permissions; null = everything allowed (and nothing to check). */
    private Permissions perms;
    /** Reply subjects this connection may publish to once (allow_responses); null unless it has them. */
    private volatile ConcurrentHashMap<String, long[]> replies;
    /** Deliveries are checked against the subscribe deny list (a wildcard subscription covers a deny). */
    private volatile boolean denyFilter;
    private final FastBytes fastBytes = new FastBytes();
    /** Server-wide counters accumulated during one read, added to the shared adders once per read. */
    private long readInBytes;
    private long readOutMsgs;
    private long readOutBytes;

    // Outbound state, guarded by outLock.
    private final Object outLock = new Object();
    private ByteBuf pending;
    /**
     * Capacity a new outbound batch starts with: the last flushed batch's size rounded up to a power of two.
     * A batch that has to grow is reallocated and copied by the pool; with 1 KiB messages, growing from
     * 4 KiB to the ~64 KiB one publisher read produces was 12% of the server's CPU (docs/performance.md).
     */
    private int batchHint = MIN_OUT_BUFFER;
    private boolean flushScheduled;
    private volatile boolean closed;
    private long outMsgs;
    private long outBytes;
    /** Publishers that stopped reading because this connection is backed up. */
    private ArrayList<ClientConnection> stalledPublishers;

    // Publisher-side stall state, confined to this connection's event loop.
    private final long stallThreshold;
    private boolean stalled;
    /** Receivers that list this publisher as stalled on them (see {@link #addStalledLocked}). */
    private final AtomicInteger stallHolds = new AtomicInteger();
    private ScheduledFuture<?> stallTimer;

    // Inbound counters, written by this connection's event loop only.
    private long inMsgs;
    private long inBytes;

    // Keepalive.
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> writeDeadlineTimer;
    private int pingsOut;
    private boolean activity;
    private boolean pingReceived;
    private long rttStartNanos;
    private volatile long rttNanos = -1;

    private volatile String closeReason;
    private volatile Instant stopped;

    public ClientConnection(ServerContext server) {
        this(server, null);
    }

    /** A client of another listener (WebSocket): {@code variant} says what differs; null = a plain client. */
    public ClientConnection(ServerContext server, ClientVariant variant) {
        this.server = server;
        this.variant = variant;
        this.options = currentOptions();
        this.log = server.log();
        this.cid = server.nextCid();
        this.account = server.globalAccount();
        this.parser = new ClientProtocolParser(options.maxControlLine());
        this.stallThreshold = Math.min(options.maxPending() / 2, STALL_CAP);
    }

    /**
     * Keep INFO back until {@link #releaseInfo()}: for TLS handshake_first with a fallback delay, where the
     * pipeline learns only later whether INFO goes out encrypted (the client started TLS) or in plaintext.
     * Called before the handler is added.
     */
    public void holdInfo() {
        infoHeld = true;
    }

    /** Sends the INFO kept back by {@link #holdInfo()}; on the event loop. */
    public void releaseInfo() {
        infoHeld = false;
        byte[] info = heldInfo;
        heldInfo = null;
        if (info != null && closeReason == null) {
            sendInfo(info);
        }
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        if (stallThreshold < channel.config().getWriteBufferHighWaterMark()) {
            // Stalled publishers are released once this channel is writable again, so it must turn
            // unwritable below the stall threshold; otherwise, with a small max_pending, every flush
            // would release them while this connection is still backed up.
            int high = (int) Math.max(2, stallThreshold);
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        }
        if (channel.isActive()) {
            accept();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        accept();
        ctx.fireChannelActive();
    }

    private void accept() {
        if (accepted) {
            return;
        }
        accepted = true;
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            remotePort = a.getPort();
        }
        logPrefix = host + ":" + remotePort + " - " + logId() + ":" + cid + " - ";
        byte[] info = server.infoLine(cid, host, false);
        if (variant != null) {
            info = variant.info(info);
        }
        if (options.users().stream().anyMatch(User::isNkey)) {
            nonce = NKeys.nonce();
            info = withNonce(info, nonce);
        }
        if (!server.register(this)) {
            log.error(logPrefix + "maximum connections exceeded");
            refuse(info, "maximum connections exceeded");
            return;
        }
        if (log.isDebug()) {
            log.debug(logPrefix + "Client connection created");
        }
        ConnectionRateCounter rate = variant == null ? server.tlsRate() : null; // the client port's TLS only
        if (rate != null && !rate.allow()) {
            refuse(info, "Connection throttling is active. Please try again later.");
            return;
        }
        if (infoHeld) {
            heldInfo = info;
        } else {
            sendInfo(info);
        }
        if (options.authRequired()) {
            authTimer = loop.schedule(this::authTimeout, options.authTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        armPing(options.pingInterval().toNanos());
    }

    /**
     * INFO and an -ERR in plaintext, then close (reason "Maximum Connections Exceeded", as nats-server for both
     * of its refusals at accept).
     */
    private void refuse(byte[] info, String err) {
        io.netty.handler.ssl.SslHandler tls = variant != null ? null // its TLS is done, before HTTP
                : channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls != null) {
            // this connection never gets to TLS: no alert records after the -ERR, a plain close as nats-server
            // (the removal reports a failed handshake, which refusing says to ignore)
            refusing = true;
            channel.pipeline().remove(tls);
        }
        byte[] e = ("-ERR '" + err + "'\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] both = java.util.Arrays.copyOf(info, info.length + e.length);
        System.arraycopy(e, 0, both, info.length, e.length);
        enqueue(both);
        if (log.isTrace()) {
            traceOut("-ERR '" + err + "'");
        }
        close("Maximum Connections Exceeded", true);
    }

    private void sendInfo(byte[] info) {
        enqueue(info);
        if (log.isTrace()) {
            traceOut("INFO " + new String(info, 5, info.length - 8, StandardCharsets.UTF_8));
        }
        flushNow();
        if (options.tls() != null && log.isDebug()) {
            log.debug(logPrefix + "Starting TLS client connection handshake");
        }
    }

    /**
     * INFO with {@code "nonce"} after {@code client_ip}, where nats-server's Info struct has it (before the
     * cluster and connect_urls fields).
     */
    static byte[] withNonce(byte[] info, String nonce) {
        String line = new String(info, StandardCharsets.UTF_8);
        String field = ",\"nonce\":\"" + nonce + "\"";
        int ip = line.indexOf("\"client_ip\":\"");
        int at = ip < 0 ? line.lastIndexOf('}') : line.indexOf('"', ip + 13) + 1;
        return (line.substring(0, at) + field + line.substring(at)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closeReason != null) {
            in.release();
            return;
        }
        options = currentOptions();
        inRead = true;
        long msgsBefore = inMsgs;
        ByteBuf buf = in;
        if (cumulation != null) {
            ByteBuf cum = cumulation;
            cumulation = null;
            buf = completeCutOp(cum, in);
            if (buf == null) {
                server.inMsgs.add(inMsgs - msgsBefore);
                return;
            }
        }
        int before = buf.readerIndex();
        fastBytes.bind(buf);
        parser.parse(buf, this);
        server.inMsgs.add(inMsgs - msgsBefore);
        if (closeReason != null || !buf.isReadable()) {
            buf.release();
        } else {
            cumulation = buf;
        }
        if (buf.readerIndex() == before && closeReason == null && cumulation == buf
                && buf.readableBytes() > options.maxControlLine() + options.maxPayload() + 64) {
            // Defensive bound: the parser must always make progress or ask for more bytes it is
            // allowed to wait for.
            close("Protocol Violation", false);
        }
    }

    /**
     * Joins an op cut at the previous read's end ({@code cum}) with the new read. When the parser knows how
     * many bytes the op still lacks (its payload was cut), only those are copied from {@code in} and that op
     * is parsed on its own; the rest of the read is then parsed where it is, not copied. (With 1 KiB
     * messages nearly every 64 KiB read ends inside a frame, and copying each whole read into the
     * cumulation buffer cost a copy of every byte received.) Otherwise the two are merged. Returns the
     * buffer to parse next, or null when nothing is left to parse (the connection closed).
     */
    private ByteBuf completeCutOp(ByteBuf cum, ByteBuf in) {
        int missing = parser.bytesNeeded() - cum.readableBytes();
        if (missing <= 0 || missing > in.readableBytes()) {
            return append(cum, in);
        }
        ByteBuf op = cum;
        if (cum.writableBytes() < missing || cum.refCnt() != 1) {
            op = ctx.alloc().directBuffer(cum.readableBytes() + missing);
            op.writeBytes(cum);
            cum.release();
        }
        op.writeBytes(in, missing);
        fastBytes.bind(op);
        parser.parse(op, this);
        if (closeReason != null) {
            op.release();
            in.release();
            return null;
        }
        if (op.isReadable()) {
            // Not expected (the op needed exactly these bytes): parse the rest the ordinary way.
            return append(op, in);
        }
        op.release();
        return in;
    }

    private ByteBuf append(ByteBuf cum, ByteBuf in) {
        int needed = cum.readableBytes() + in.readableBytes();
        if (cum.writableBytes() >= in.readableBytes() && cum.refCnt() == 1) {
            cum.writeBytes(in);
            in.release();
            return cum;
        }
        ByteBuf merged = ctx.alloc().directBuffer(Math.max(needed, Math.max(parser.bytesNeeded(), 1024)));
        merged.writeBytes(cum);
        merged.writeBytes(in);
        cum.release();
        in.release();
        return merged;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        addReadCounters();
        long now = System.nanoTime();
        lastActivityNanos = now;
        ArrayList<ClientConnection> touched = pendingFlush;
        for (int i = 0, n = touched.size(); i < n; i++) {
            ClientConnection receiver = touched.get(i);
            receiver.lastActivityNanos = now;
            receiver.flush();
        }
        touched.clear();
    }

    private void addReadCounters() {
        if (readInBytes != 0) {
            server.inBytes.add(readInBytes);
            readInBytes = 0;
        }
        if (readOutMsgs != 0) {
            server.outMsgs.add(readOutMsgs);
            server.outBytes.add(readOutBytes);
            readOutMsgs = 0;
            readOutBytes = 0;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close("Client Closed", false);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && !refusing) {
            if (!done.isSuccess()) {
                tlsHandshakeFailed(done.cause());
            } else {
                tlsHandshakeDone(ctx);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** After the handshake: nats-server's debug lines, and its pinned_certs check (a failure closes). */
    private void tlsHandshakeDone(ChannelHandlerContext ctx) {
        io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        javax.net.ssl.SSLSession session = tls == null ? null : tls.engine().getSession();
        List<String> pinned = options.tls() == null ? List.of() : options.tls().pinnedCerts();
        if (session != null && !pinned.isEmpty()) {
            String failure = io.natsboot.server.auth.PinnedCerts.check(session, pinned);
            if (failure != null) {
                if (log.isDebug()) {
                    log.debug(logPrefix + failure);
                }
                log.error(logPrefix + "TLS handshake error: certificate not pinned");
                close("TLS Handshake Failure", false);
                return;
            }
        }
        if (log.isDebug()) {
            log.debug(logPrefix + "TLS handshake complete");
            if (session != null) {
                log.debug(logPrefix + "TLS version " + session.getProtocol().replace("TLSv", "") + ", cipher suite "
                        + session.getCipherSuite());
            }
        }
    }

    /**
     * The TLS handshake failed (a plaintext client, a bad or missing client certificate) or timed out:
     * nats-server logs it and closes without a readable -ERR.
     */
    private void tlsHandshakeFailed(Throwable cause) {
        if (closeReason != null) {
            return;
        }
        if (cause instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
            // nats-server: the handshake read hits its deadline, then the timer fires
            log.error(logPrefix + "TLS handshake error: read tcp " + goAddr(channel.localAddress()) + "->"
                    + goAddr(channel.remoteAddress()) + ": i/o timeout");
            log.error(logPrefix + "TLS handshake timeout");
        } else {
            log.error(logPrefix + "TLS handshake error: " + tlsErrorText(cause));
        }
        close("TLS Handshake Failure", false);
    }

    private static String goAddr(java.net.SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            String h = i.getAddress().getHostAddress();
            return (h.contains(":") ? "[" + h + "]" : h) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    private static String tlsErrorText(Throwable cause) {
        Throwable c = cause;
        while (c instanceof io.netty.handler.codec.DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof io.netty.handler.ssl.NotSslRecordException) {
            return "tls: first record does not look like a TLS handshake"; // Go's crypto/tls text
        }
        String m = c.getMessage();
        if (m != null && (m.contains("Empty client certificate chain") || m.contains("Empty certificate chain"))) {
            return "tls: client didn't provide a certificate";
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private static boolean isTlsError(Throwable cause) {
        return cause instanceof javax.net.ssl.SSLException
                || cause instanceof io.netty.handler.codec.DecoderException
                        && cause.getCause() instanceof javax.net.ssl.SSLException;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isTlsError(cause)) {
            tlsHandshakeFailed(cause);
            close(closeReason == null ? "TLS Handshake Failure" : closeReason, false);
            return;
        }
        if (cause instanceof IOException) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Client connection error: " + cause.getMessage());
            }
            close(closed ? closeReason == null ? "Client Closed" : closeReason : "Client Closed", false);
        } else {
            log.error(logPrefix + "Client error: " + cause);
            close("Protocol Violation", false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!channel.isWritable()) {
            if (writeDeadlineTimer == null) {
                writeDeadlineTimer = loop.schedule(this::writeDeadlineExpired,
                        options.writeDeadline().toNanos(), TimeUnit.NANOSECONDS);
            }
        } else {
            if (writeDeadlineTimer != null) {
                writeDeadlineTimer.cancel(false);
                writeDeadlineTimer = null;
            }
            releaseStalledPublishers();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void writeDeadlineExpired() {
        writeDeadlineTimer = null;
        if (closeReason != null || channel.isWritable()) {
            return;
        }
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        int chunks = ob == null ? 0 : ob.size();
        long bytes = ob == null ? 0 : ob.totalPendingWriteBytes();
        server.slowConsumers.increment();
        log.info(logPrefix + "Slow Consumer Detected: WriteDeadline of " + goDuration(options.writeDeadline())
                + " exceeded with " + chunks + " chunks of " + bytes + " total bytes.");
        close("Slow Consumer (Write Deadline)", false);
    }

    // ---- Ops from the parser ---------------------------------------------------------------

    @Override
    public boolean connectRequiredFirst() {
        return !connected && options.authRequired();
    }

    @Override
    public boolean headersEnabled() {
        return headers;
    }

    @Override
    public int maxPayload() {
        return options.maxPayload();
    }

    @Override
    public void onConnect(String json) {
        if (log.isTrace()) {
            traceIn("CONNECT " + ConnectOptions.redact(json));
        }
        try {
            opts.apply(json);
        } catch (Json.JsonException e) {
            log.error(logPrefix + e.getMessage());
            close("Protocol Violation", true);
            return;
        }
        if (opts.protocol < 0 || opts.protocol > 1) {
            sendErr("invalid client protocol");
            close("Bad Client Protocol Version", true);
            return;
        }
        if ((opts.account != null && !opts.account.isEmpty()) || opts.newAccount) {
            authViolation();
            return;
        }
        if (!connected && options.authRequired() && !authenticate()) {
            authViolation();
            return;
        }
        headers = opts.headers && !options.noHeaderSupport();
        if (opts.noResponders && !headers) {
            sendErr("no responders requires headers support");
            close("Protocol Violation", true);
            return;
        }
        if (authTimer != null) {
            authTimer.cancel(false);
            authTimer = null;
        }
        boolean first = !connected;
        connected = true;
        if (first) {
            connectRttNanos = Math.max(1, System.nanoTime() - startedNanos);
        }
        updateLogPrefix();
        if (opts.verbose) {
            sendOk();
        }
        if (first) {
            // First PING comes soon after CONNECT, with a little jitter, then every interval.
            long first2s = Math.min(options.pingInterval().toNanos(), Duration.ofSeconds(2).toNanos());
            armPing(first2s + ThreadLocalRandom.current().nextLong(Math.max(1, first2s / 5)));
        }
    }

    /**
     * A configuration reload changed the options: take them on this connection's event loop, and close it
     * (Authorization Violation, as nats-server) if it no longer passes the new authorization.
     */
    public void optionsReloaded(boolean authChanged) {
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            options = currentOptions();
            if (authChanged && connected && closeReason == null) {
                if (options.authRequired() && !authenticate()) {
                    authViolation();
                    return;
                }
                if (!options.authRequired()) {
                    perms = null;
                    replies = null;
                }
                processSubsOnConfigReload();
            }
        });
    }

    /** A reload lowered max_connections below the number of clients: this one goes, as in nats-server. */
    public void closeForMaxConnections() {
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            if (closeReason == null) {
                sendErr("maximum connections exceeded");
                close("Maximum Connections Exceeded", true);
            }
        });
    }

    private boolean authenticate() {
        ServerOptions o = options;
        if (opts.nkey != null && !opts.nkey.isEmpty() && o.users().stream().anyMatch(User::isNkey)) {
            // nats-server: a client naming an nkey is checked against the nkey users only.
            for (User u : o.users()) {
                if (u.isNkey() && u.nkey().equals(opts.nkey)) {
                    if (!NKeys.verify(u.nkey(), nonce, opts.sig)) {
                        if (log.isDebug()) {
                            log.debug(logPrefix + "Signature not verified");
                        }
                        return false;
                    }
                    registerUser(u);
                    return true;
                }
            }
            return false;
        }
        if (o.users().stream().anyMatch(u -> !u.isNkey())) {
            if (o.tls() != null && o.tls().map()) {
                return authenticateByCertificate(o);
            }
            if ((opts.user == null || opts.user.isEmpty()) && o.noAuthUser() != null) {
                for (User u : o.users()) {
                    if (!u.isNkey() && u.username().equals(o.noAuthUser())) {
                        opts.user = u.username();
                        opts.pass = u.password();
                        break;
                    }
                }
            }
            if (opts.user != null && !opts.user.isEmpty()) {
                for (User u : o.users()) {
                    if (!u.isNkey() && u.username().equals(opts.user)) {
                        if (!Bcrypt.comparePasswords(u.password(), opts.pass == null ? "" : opts.pass)) {
                            return false;
                        }
                        registerUser(u);
                        return true;
                    }
                }
                return false;
            }
        }
        String token = o.authToken();
        if (token != null) {
            return Bcrypt.comparePasswords(token, opts.authToken == null ? "" : opts.authToken);
        }
        if (o.username() != null) {
            return o.username().equals(opts.user) && Bcrypt.comparePasswords(o.password() == null ? "" : o.password(),
                    opts.pass == null ? "" : opts.pass);
        }
        return false;
    }

    /**
     * verify_and_map: the client certificate names the user; a user in CONNECT is overridden (with nats-server's
     * warning), a password configured for the mapped user must still match.
     */
    private boolean authenticateByCertificate(ServerOptions o) {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            if (log.isDebug()) {
                log.debug(logPrefix + "User required in cert, no TLS connection state");
            }
            return false;
        }
        java.security.cert.Certificate[] chain = null;
        try {
            chain = tls.engine().getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // no client certificate: the mapper says so
        }
        User u = io.natsboot.server.auth.CertificateUserMap.find(chain, o.users(), line -> {
            if (log.isDebug()) {
                log.debug(logPrefix + line);
            }
        });
        if (u == null) {
            return false;
        }
        if (opts.user != null && !opts.user.isEmpty()) {
            log.warn("User " + CommandLine.goQuote(opts.user) + " found in connect proto, but user required from cert");
        }
        opts.user = u.username();
        if (!Bcrypt.comparePasswords(u.password() == null ? "" : u.password(), opts.pass == null ? "" : opts.pass)) {
            return false;
        }
        registerUser(u);
        return true;
    }

    /** Takes the user's permissions (nats-server's RegisterUser/setPermissions). */
    private void registerUser(User u) {
        Account a = server.accountOfUser(u.isNkey() ? u.nkey() : u.username());
        if (a != account) {
            account = a;
            cache = null; // cached match results belong to the old account's trie
        }
        Permissions p = u.permissions();
        perms = p;
        if (p != null && p.response() != null) {
            if (replies == null) {
                replies = new ConcurrentHashMap<>();
            }
        } else {
            replies = null;
        }
    }

    /** nats-server's getAuthUser, for violation logs. */
    private String authUser() {
        if (opts.nkey != null && !opts.nkey.isEmpty()) {
            return "Nkey \"" + opts.nkey + "\"";
        }
        if (opts.user != null && !opts.user.isEmpty()) {
            return "User \"" + opts.user + "\"";
        }
        if (opts.authToken != null && !opts.authToken.isEmpty()) {
            return "Token \"" + opts.authToken + "\"";
        }
        return "User \"N/A\"";
    }

    /**
     * nats-server's pubAllowedFullCheck: the static decision is cached in the publisher's subject cache entry;
     * a refused subject may still be a reply subject this connection was given (allow_responses).
     */
    private boolean publishAllowed(SubjectCache.Entry entry) {
        Permissions p = perms;
        if (!p.checksPublish()) {
            return true;
        }
        if (entry.permsOf != p) {
            entry.pubAllowed = p.canPublish(entry.subject);
            entry.permsOf = p;
        }
        if (entry.pubAllowed) {
            return true;
        }
        ConcurrentHashMap<String, long[]> r = replies;
        Permissions.ResponsePermission rp = p.response();
        if (r == null || rp == null) {
            return false;
        }
        long[] resp = r.get(entry.subject);
        if (resp == null) {
            return false;
        }
        resp[1]++;
        if (rp.maxMsgs() > 0 && resp[1] > rp.maxMsgs()) {
            r.remove(entry.subject);
            return false;
        }
        if (!rp.expires().isZero() && !rp.expires().isNegative()
                && System.nanoTime() - resp[0] > rp.expires().toNanos()) {
            r.remove(entry.subject);
            return false;
        }
        return true;
    }

    private void pubPermissionViolation(String subject) {
        sendErr("Permissions Violation for Publish to " + CommandLine.goQuote(subject));
        log.error(logPrefix + "Publish Violation - " + authUser() + ", Subject " + CommandLine.goQuote(subject));
    }

    private void subPermissionViolation(String subject, String queue, String sid) {
        if (queue == null) {
            sendErr("Permissions Violation for Subscription to " + CommandLine.goQuote(subject));
            log.error(logPrefix + "Subscription Violation - " + authUser() + ", Subject "
                    + CommandLine.goQuote(subject) + ", SID " + sid);
        } else {
            sendErr("Permissions Violation for Subscription to " + CommandLine.goQuote(subject) + " using queue "
                    + CommandLine.goQuote(queue));
            log.error(logPrefix + "Subscription Violation - " + authUser() + ", Subject "
                    + CommandLine.goQuote(subject) + ", Queue: " + CommandLine.goQuote(queue) + ", SID " + sid);
        }
    }

    /** After a reload changed the permissions: drop subscriptions no longer allowed, as nats-server. */
    private void processSubsOnConfigReload() {
        Permissions p = perms;
        denyFilter = false;
        if (p == null) {
            return;
        }
        List<Subscription> removed = new ArrayList<>();
        for (Subscription s : subs.values()) {
            boolean canSub = p.canSubscribe(s.subject());
            boolean canQSub = s.queue() != null && p.canQueueSubscribe(s.subject(), s.queue());
            if (!canSub && !canQSub) {
                removed.add(s);
            } else if (p.needsDenyFilter(s.subject())) {
                denyFilter = true;
            }
        }
        for (Subscription s : removed) {
            removeSubscription(s);
            sendErr("Permissions Violation for Subscription to " + CommandLine.goQuote(s.subject()) + " (sid "
                    + CommandLine.goQuote(s.sid) + ")");
            log.info("Removed sub " + CommandLine.goQuote(s.subject()) + " (sid " + CommandLine.goQuote(s.sid)
                    + ") for " + authUser() + " - not authorized");
        }
    }

    private void authViolation() {
        server.authFailures.increment();
        if (options.users().stream().anyMatch(User::isNkey)) {
            log.error(logPrefix + "authentication error - Nkey " + CommandLine.goQuote(opts.nkey == null ? "" : opts.nkey));
        } else {
            log.error(logPrefix + "authentication error - User \"" + (opts.user == null ? "" : opts.user) + "\"");
        }
        sendErr("Authorization Violation");
        close("Authentication Failure", true);
    }

    private void authTimeout() {
        authTimer = null;
        if (connected || closeReason != null) {
            return;
        }
        if (log.isDebug()) {
            log.debug(logPrefix + "Authentication Timeout");
        }
        sendErr("Authentication Timeout");
        close("Authentication Timeout", true);
    }

    private void updateLogPrefix() {
        String base = host + ":" + remotePort + " - " + logId() + ":" + cid + " - ";
        boolean hasName = opts.name != null && !opts.name.isEmpty();
        boolean hasLang = opts.lang != null && !opts.lang.isEmpty();
        boolean hasVersion = opts.version != null && !opts.version.isEmpty();
        if (hasName || hasLang || hasVersion) {
            base += "\"v" + nz(opts.version) + ":" + nz(opts.lang) + ":" + nz(opts.name) + "\" - ";
        }
        logPrefix = base;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void onInfo(String json) {
        try {
            Json.parse(json);
        } catch (Json.JsonException e) {
            log.error(logPrefix + e.getMessage());
            close("Protocol Violation", true);
        }
    }

    @Override
    public void onPublishLine(ByteBuf buf, int subjectStart, int subjectLength) {
        // nats-server checks a pedantic publish subject on the control line, before the payload has
        // arrived, and still delivers the message.
        if (opts.pedantic && !subjectEntry(buf, subjectStart, subjectLength).validPublishSubject()) {
            sendErr("Invalid Publish Subject");
        }
    }

    private SubjectCache.Entry subjectEntry(ByteBuf buf, int subjectStart, int subjectLength) {
        if (cache == null) {
            cache = new SubjectCache();
        }
        return cache.lookup(fastBytes, buf, subjectStart, subjectLength, account.trie());
    }

    @Override
    public void onPublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        inMsgs++;
        inBytes += totalLength;
        readInBytes += totalLength;
        activity = true;
        if (log.isTrace()) {
            tracePublish(buf, subjectStart, subjectLength, replyStart, replyLength, headerLength, payloadStart,
                    totalLength);
        }
        SubjectCache.Entry entry = subjectEntry(buf, subjectStart, subjectLength);
        if (perms != null && !publishAllowed(entry)) {
            pubPermissionViolation(entry.subject);
            return;
        }
        if (replyLength > 0 && reservedReply(buf, replyStart, replyLength)) {
            sendErr("Permissions Violation for Publish with Reply of \""
                    + buf.toString(replyStart, replyLength, StandardCharsets.UTF_8) + "\"");
            return;
        }
        if (opts.verbose) {
            sendOk();
        }
        MatchResult<Subscription> result = entry.result;
        int delivered = 0;
        boolean echo = opts.echo;
        // With routes, the result may hold route interest (Subscription.route != null): collected into one
        // frame per route, sent after the walk.
        boolean remote = server.hasRouteInterest();
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            Subscription s = result.plain(i);
            if (s.route != null) {
                routeFanout().plain(s.route);
                continue;
            }
            if (!echo && s.client == this) {
                continue;
            }
            if (s.client.deliver(s, this, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength)) {
                delivered++;
            }
        }
        for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
            if (remote) {
                if (deliverToWeightedQueue(result, g, echo, buf, subjectStart, subjectLength, replyStart,
                        replyLength, headerLength, payloadStart, totalLength)) {
                    delivered++;
                }
                continue;
            }
            int size = result.queueGroupSize(g);
            int first = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
            for (int k = 0; k < size; k++) {
                int idx = first + k;
                Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
                if (!echo && s.client == this) {
                    continue;
                }
                if (s.client.deliver(s, this, buf, subjectStart, subjectLength, replyStart, replyLength,
                        headerLength, payloadStart, totalLength)) {
                    delivered++;
                    break;
                }
            }
        }
        if (account.hasCrossAccountTraffic()) {
            delivered += CrossAccount.deliver(this, account, entry.subject, buf, replyStart, replyLength, headerLength,
                    payloadStart, totalLength);
        }
        RouteFanout fanout = routeFanout;
        if (fanout != null && !fanout.isEmpty()) {
            // A message sent to a route with interest counts as delivered (no 503 to the requester).
            delivered += fanout.send(this, account, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength);
        }
        if (delivered == 0 && replyLength > 0 && opts.noResponders && headers) {
            sendNoResponders(buf.toString(replyStart, replyLength, StandardCharsets.UTF_8));
        }
    }

    private RouteFanout routeFanout() {
        RouteFanout f = routeFanout;
        if (f == null) {
            f = routeFanout = new RouteFanout();
        }
        return f;
    }

    /**
     * Picks one member of queue group {@code g} when members may be behind routes: weighted by member count,
     * a route's entry weighing as many members as it advertised (reference §3.4), so the pick is uniform over
     * every member in the cluster. A route pick is added to the route fan-out with the queue name. Falls back
     * to the next members when the pick cannot take the message.
     */
    private boolean deliverToWeightedQueue(MatchResult<Subscription> result, int g, boolean echo, ByteBuf buf,
            int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength) {
        int size = result.queueGroupSize(g);
        int total = 0;
        for (int k = 0; k < size; k++) {
            total += result.queueMember(g, k).weight;
        }
        if (total <= 0) {
            return false;
        }
        int r = ThreadLocalRandom.current().nextInt(total);
        int first = 0;
        for (int k = 0; k < size; k++) {
            r -= result.queueMember(g, k).weight;
            if (r < 0) {
                first = k;
                break;
            }
        }
        for (int k = 0; k < size; k++) {
            int idx = first + k;
            Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
            if (s.weight <= 0) {
                continue;
            }
            if (s.route != null) {
                routeFanout().queue(s.route, result.queueName(g));
                return false; // counted when the route frame is sent
            }
            if (!echo && s.client == this) {
                continue;
            }
            if (s.client.deliver(s, this, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength)) {
                return true;
            }
        }
        return false;
    }

    private static boolean reservedReply(ByteBuf buf, int start, int length) {
        return startsWith(buf, start, length, "_R_.") || startsWith(buf, start, length, "$JS.ACK.");
    }

    private static boolean startsWith(ByteBuf buf, int start, int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf.getByte(start + i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The 503 status nats-server sends to a requester when nobody received its request. */
    private void sendNoResponders(String reply) {
        MatchResult<Subscription> r = account.trie().match(reply);
        for (int i = 0; i < r.plainCount(); i++) {
            Subscription s = r.plain(i);
            if (s.client == this) {
                byte[] sid = s.sidBytes;
                byte[] subj = reply.getBytes(StandardCharsets.UTF_8);
                synchronized (outLock) {
                    if (closed) {
                        return;
                    }
                    ByteBuf out = outLocked(subj.length + sid.length + 48);
                    out.writeBytes(HMSG).writeBytes(subj).writeByte(' ').writeBytes(sid)
                            .writeBytes(" 16 16\r\n".getBytes(StandardCharsets.US_ASCII))
                            .writeBytes(NO_RESPONDERS).writeBytes(CRLF);
                    scheduleSelfLocked();
                }
                return;
            }
        }
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
        activity = true;
        if (log.isTrace()) {
            traceIn("SUB " + subject + (queue == null ? "" : " " + queue) + " " + sid);
        }
        // nats-server's order: reserved queue, then the limit (even for a duplicate SID), then the
        // duplicate SID (a no-op, even with an invalid subject), then the subject when inserting.
        if ("_sys_".equals(queue)) {
            sendErr("Permissions Violation for Subscription to \"" + subject + "\" using queue \"_sys_\"");
            return;
        }
        Permissions p = perms;
        if (p != null) {
            if (queue != null ? !p.canQueueSubscribe(subject, queue) : !p.canSubscribe(subject)) {
                subPermissionViolation(subject, queue, sid);
                return;
            }
        }
        if (options.maxSubscriptions() > 0 && subs.size() >= options.maxSubscriptions()) {
            log.error(logPrefix + "maximum subscriptions exceeded");
            sendErr("maximum subscriptions exceeded");
            return;
        }
        if (subs.containsKey(sid)) {
            if (opts.verbose) {
                sendOk();
            }
            return;
        }
        if (!Subjects.isValidSubscribeSubject(subject)) {
            sendErr("Invalid Subject");
            return;
        }
        if (p != null && !denyFilter && p.needsDenyFilter(subject)) {
            denyFilter = true;
        }
        Subscription s = new Subscription(this, subject, queue, sid);
        subs.put(sid, s);
        server.addSubscription(s);
        if (opts.verbose) {
            sendOk();
        }
    }

    @Override
    public void onUnsubscribe(String sid, long maxMessages) {
        activity = true;
        if (log.isTrace()) {
            traceIn("UNSUB " + sid + (maxMessages >= 0 ? " " + maxMessages : ""));
        }
        Subscription s = subs.get(sid);
        if (s != null) {
            boolean keep = false;
            if (maxMessages > 0) {
                synchronized (outLock) {
                    if (maxMessages > s.delivered) {
                        s.max = maxMessages;
                        keep = true;
                    }
                }
            }
            if (!keep) {
                removeSubscription(s);
            }
        }
        if (opts.verbose) {
            sendOk();
        }
    }

    private void removeSubscription(Subscription s) {
        if (subs.remove(s.sid, s)) {
            s.closed = true;
            server.removeSubscription(s);
            if (log.isTrace()) {
                log.trace(logPrefix + "<-> [DELSUB " + s.sid + "]");
            }
        }
    }

    @Override
    public void onPing() {
        if (log.isTrace()) {
            traceIn("PING");
        }
        pingReceived = true;
        enqueue(PONG);
        if (log.isTrace()) {
            traceOut("PONG");
        }
    }

    @Override
    public void onPong() {
        if (log.isTrace()) {
            traceIn("PONG");
        }
        pingsOut = 0;
        if (rttStartNanos != 0) {
            rttNanos = System.nanoTime() - rttStartNanos;
            rttStartNanos = 0;
        }
    }

    @Override
    public void onProtocolError(ProtocolError error, String logDetail) {
        if (logDetail != null) {
            log.error(logPrefix + logDetail);
        }
        if (error.errText() != null) {
            sendErr(error.errText());
        }
        close(error.closeReason(), true);
    }

    // ---- Delivery (called from publishers' event loops) ------------------------------------

    /** nats-server's replyPermLimit: past it, expired reply permissions are pruned. */
    private static final int REPLY_PERM_LIMIT = 4096;

    private void pruneReplies(ConcurrentHashMap<String, long[]> r) {
        Permissions p = perms;
        if (p == null || p.response() == null) {
            return;
        }
        Permissions.ResponsePermission rp = p.response();
        long now = System.nanoTime();
        r.values().removeIf(v -> (rp.maxMsgs() > 0 && v[1] >= rp.maxMsgs())
                || (rp.expires().toNanos() > 0 && now - v[0] > rp.expires().toNanos()));
    }

    /**
     * Appends one MSG/HMSG for {@code s} to this connection's outbound buffer. Returns false when
     * the message was not taken (connection or subscription gone, limit reached, slow consumer).
     * {@code from} is the publishing client, or null for a message that came from a route: then the
     * flush runs as a task on this connection's loop, so a burst of routed messages is written once.
     */
    public boolean deliver(Subscription s, ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        if (denyFilter) {
            Permissions p = perms;
            if (p != null && p.deniedDelivery(buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8))) {
                return false;
            }
        }
        ConcurrentHashMap<String, long[]> r = replies;
        if (r != null && replyLength > 0) {
            r.put(buf.toString(replyStart, replyLength, StandardCharsets.UTF_8), new long[] {System.nanoTime(), 0});
            if (r.size() > REPLY_PERM_LIMIT) {
                pruneReplies(r);
            }
        }
        boolean withHeaders = headerLength > 0 && headers;
        int bodyStart = payloadStart;
        int bodyLength = totalLength;
        if (headerLength > 0 && !withHeaders) {
            // A receiver that did not negotiate headers gets the payload only.
            bodyStart += headerLength;
            bodyLength -= headerLength;
        }
        int frame = MsgFrame.maxLength(subjectLength, s.sidBytes.length, replyLength, bodyLength);
        boolean limitReached;
        boolean schedule;
        boolean stall = false;
        synchronized (outLock) {
            if (closed || s.closed) {
                return false;
            }
            long max = s.max;
            if (max > 0 && s.delivered >= max) {
                return false;
            }
            long queued = pendingBytesLocked();
            if (queued + frame > options.maxPending()) {
                slowConsumerLocked();
                return false;
            }
            if (queued > stallThreshold) {
                if (from != null && from != this) {
                    addStalledLocked(from);
                    stall = true;
                } else if (from == null) {
                    RoutePressure.note(); // a route delivering: it pauses briefly after this read
                }
            }
            s.delivered++;
            limitReached = max > 0 && s.delivered >= max;
            MsgFrame.write(outLocked(frame), withHeaders, buf, subjectStart, subjectLength, s.sidBytes, replyStart,
                    replyLength, headerLength, bodyStart, bodyLength);
            outMsgs++;
            outBytes += bodyLength;
            schedule = !flushScheduled;
            flushScheduled = true;
        }
        if (from != null && from.inRead) {
            from.readOutMsgs++;
            from.readOutBytes += bodyLength;
        } else {
            server.outMsgs.increment();
            server.outBytes.add(bodyLength);
        }
        if (log.isTrace()) {
            traceOut((withHeaders ? "HMSG " : "MSG ") + buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8)
                    + " " + s.sid + (replyLength > 0 ? " " + buf.toString(replyStart, replyLength,
                    StandardCharsets.UTF_8) : "") + (withHeaders ? " " + headerLength : "") + " " + bodyLength);
        }
        if (stall) {
            from.stall();
        }
        if (limitReached) {
            autoUnsubscribe(s, s.max);
        }
        if (schedule) {
            if (from != null && from.inRead) {
                from.pendingFlush.add(this);
            } else if (from == null) {
                loop.execute(flushTask);
            } else {
                flush();
            }
        }
        return true;
    }

    private void autoUnsubscribe(Subscription s, long max) {
        s.closed = true;
        Runnable remove = () -> {
            if (log.isDebug()) {
                log.debug(logPrefix + "Auto-unsubscribe limit of " + max + " reached for sid '" + s.sid + "'");
            }
            removeSubscription(s);
        };
        if (loop.inEventLoop()) {
            remove.run();
        } else {
            loop.execute(remove);
        }
    }

    /**
     * Remembers a publisher to wake when this connection drains. The publisher stalls on every
     * delivery over the threshold, even if it is listed already: it may have been woken by another
     * receiver or by its stall timer while this one is still backed up.
     */
    private void addStalledLocked(ClientConnection publisher) {
        if (stalledPublishers == null) {
            stalledPublishers = new ArrayList<>(2);
        }
        if (!stalledPublishers.contains(publisher)) {
            stalledPublishers.add(publisher);
            publisher.stallHolds.incrementAndGet();
        }
    }

    /**
     * A receiver outside this package (a route) is backed up by this publisher: stop reading until it calls
     * {@link #releaseHold()} or for 1 s at most. Call on this connection's event loop (during its publish).
     */
    public void holdForReceiver() {
        stallHolds.incrementAndGet();
        stall();
    }

    /** The receiver that called {@link #holdForReceiver()} drained; any thread. */
    public void releaseHold() {
        if (stallHolds.decrementAndGet() <= 0) {
            resume();
        }
    }

    /** Stops reading from this (publishing) connection until its receivers drain, 1 s at most. */
    private void stall() {
        if (stalled || closeReason != null) {
            return;
        }
        stalled = true;
        channel.config().setAutoRead(false);
        stallTimer = loop.schedule(this::resume, MAX_STALL_NANOS, TimeUnit.NANOSECONDS);
    }

    private void resume() {
        if (!loop.inEventLoop()) {
            loop.execute(this::resume);
            return;
        }
        if (!stalled) {
            return;
        }
        stalled = false;
        cancel(stallTimer);
        stallTimer = null;
        if (closeReason == null) {
            channel.config().setAutoRead(true);
        }
    }

    /** Lets publishers waiting on this connection read again. */
    private void releaseStalledPublishers() {
        ArrayList<ClientConnection> waiting;
        synchronized (outLock) {
            waiting = stalledPublishers;
            if (waiting == null || waiting.isEmpty()) {
                return;
            }
            if (!closed && pendingBytesLocked() > stallThreshold) {
                // Still backed up: the channel may be writable while our own buffer is not yet flushed.
                return;
            }
            stalledPublishers = null;
        }
        for (ClientConnection p : waiting) {
            // Only the last backed-up receiver wakes the publisher (the stall timer always does):
            // a publisher woken while another receiver is still over the threshold would push one
            // more full read into it.
            if (p.stallHolds.decrementAndGet() <= 0) {
                p.resume();
            }
        }
    }

    private long pendingBytesLocked() {
        long queued = pending == null ? 0 : pending.readableBytes();
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? queued : queued + ob.totalPendingWriteBytes();
    }

    private void slowConsumerLocked() {
        closed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        server.slowConsumers.increment();
        log.info(logPrefix + "Slow Consumer Detected: MaxPending of " + options.maxPending() + " Exceeded");
        runOnLoop(() -> close("Slow Consumer (Pending Bytes)", false));
    }

    private ByteBuf outLocked(int atLeast) {
        ByteBuf out = pending;
        if (out == null) {
            out = channel.alloc().directBuffer(Math.max(batchHint, atLeast));
            pending = out;
        }
        return out;
    }

    /** Writes {@code v} (not negative) as ASCII digits, without allocating. */
    public static void writeDecimal(ByteBuf out, int v) {
        if (v < 10) {
            out.writeByte('0' + v);
            return;
        }
        int digits = 1;
        for (int t = v; t >= 10; t /= 10) {
            digits++;
        }
        int at = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int i = 1; i <= digits; i++) {
            out.setByte(at - i, '0' + v % 10);
            v /= 10;
        }
        out.writerIndex(at);
    }

    /** Writes what is queued to the socket; runs on this connection's event loop. */
    void flush() {
        if (loop.inEventLoop()) {
            flushNow();
        } else {
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        ByteBuf out;
        synchronized (outLock) {
            out = pending;
            pending = null;
            flushScheduled = false;
            if (out != null) {
                int size = out.readableBytes();
                batchHint = size <= MIN_OUT_BUFFER ? MIN_OUT_BUFFER
                        : Math.min(MAX_BATCH_HINT, Integer.highestOneBit(size - 1) << 1);
            }
        }
        if (out != null) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
        if (stalledPublishers != null && channel.isWritable()) {
            releaseStalledPublishers();
        }
    }

    // ---- Own control writes ----------------------------------------------------------------

    private void enqueue(byte[] bytes) {
        synchronized (outLock) {
            if (closed) {
                return;
            }
            outLocked(bytes.length).writeBytes(bytes);
            scheduleSelfLocked();
        }
    }

    /** Marks this connection for a flush at the end of the current read, or flushes now. */
    private void scheduleSelfLocked() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        if (inRead && loop.inEventLoop()) {
            pendingFlush.add(this);
        } else {
            runOnLoop(flushTask);
        }
    }

    private void sendOk() {
        enqueue(OK);
        if (log.isTrace()) {
            traceOut("OK");
        }
    }

    private void sendErr(String text) {
        enqueue(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
        if (log.isTrace()) {
            traceOut("-ERR '" + text + "'");
        }
    }

    /** Sends an async INFO (e.g. lame duck) to clients that accept them. */
    public void sendAsyncInfo(boolean ldm) {
        runOnLoop(() -> {
            if (closeReason == null && connected && opts.protocol >= 1) {
                if (variant == null) {
                    enqueue(server.infoLine(cid, host, ldm));
                } else if (ldm) {
                    // WebSocket clients are told no NATS URLs, so only lame duck mode changes their INFO
                    enqueue(variant.info(server.infoLine(cid, host, true)));
                }
            }
        });
    }

    // ---- Timers ----------------------------------------------------------------------------

    private void armPing(long delayNanos) {
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        if (closeReason != null) {
            return;
        }
        pingTimer = loop.schedule(this::pingTick, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void pingTick() {
        pingTimer = null;
        if (closeReason != null) {
            return;
        }
        if (log.isDebug()) {
            log.debug(logPrefix + "Client Ping Timer");
        }
        boolean rttKnown = rttNanos >= 0;
        boolean recentActivity = activity;
        boolean recentPing = pingReceived;
        activity = false;
        pingReceived = false;
        if (rttKnown && recentActivity) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Delaying PING due to client activity " + goDuration(options.pingInterval())
                        + " ago");
            }
        } else if (rttKnown && recentPing) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Delaying PING due to remote ping " + goDuration(options.pingInterval())
                        + " ago");
            }
        } else if (pingsOut + 1 > options.pingMax()) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Stale Client Connection - Closing");
            }
            sendErr("Stale Connection");
            close("Stale Connection", true);
            return;
        } else {
            pingsOut++;
            rttStartNanos = System.nanoTime();
            enqueue(PING);
            if (log.isTrace()) {
                traceOut("PING");
            }
        }
        armPing(options.pingInterval().toNanos());
    }

    // ---- Close -----------------------------------------------------------------------------

    /** Closes the connection; {@code flush} sends what is queued (e.g. an -ERR) first. */
    public void close(String reason, boolean flush) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason, flush));
            return;
        }
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        stopped = Instant.now();
        try {
            server.closedConnections().add(this);
        } catch (RuntimeException e) {
            log.error(logPrefix + "Error recording closed connection: " + e);
        }
        ByteBuf rest;
        synchronized (outLock) {
            closed = true;
            rest = pending;
            pending = null;
        }
        cancel(pingTimer);
        cancel(authTimer);
        cancel(writeDeadlineTimer);
        cancel(stallTimer);
        releaseStalledPublishers();
        for (Subscription s : subs.values()) {
            s.closed = true;
            server.removeSubscription(s);
        }
        subs.clear();
        server.unregister(this);
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (log.isDebug()) {
            log.debug(logPrefix + "Client connection closed: " + reason);
        }
        if (flush && rest != null && channel.isActive()) {
            ctx.writeAndFlush(rest).addListener(ChannelFutureListener.CLOSE);
        } else {
            if (rest != null) {
                rest.release();
            }
            if (flush) {
                ctx.flush();
            }
            channel.close();
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private void runOnLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    // ---- Tracing ---------------------------------------------------------------------------

    private void traceIn(String op) {
        log.trace(logPrefix + "<<- [" + op + "]");
    }

    private void traceOut(String op) {
        log.trace(logPrefix + "->> [" + op + "]");
    }

    private void tracePublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        StringBuilder b = new StringBuilder(headerLength >= 0 ? "HPUB " : "PUB ");
        b.append(buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8));
        if (replyLength > 0) {
            b.append(' ').append(buf.toString(replyStart, replyLength, StandardCharsets.UTF_8));
        }
        if (headerLength >= 0) {
            b.append(' ').append(headerLength);
        }
        b.append(' ').append(totalLength);
        traceIn(b.toString());
        int shown = totalLength;
        int limit = options.maxTracedMsgLen();
        boolean cut = limit > 0 && totalLength > limit;
        if (cut) {
            shown = limit;
        }
        String q = ClientProtocolParser.goQuote(buf, payloadStart, payloadStart + shown);
        if (cut) {
            q = q.substring(0, q.length() - 1) + "...\"";
        }
        log.trace(logPrefix + "<<- MSG_PAYLOAD: [" + q + "]");
    }

    /** Formats a duration the way Go prints time.Duration for the common cases (2m0s, 10s, 200ms). */
    public static String goDuration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.getSeconds();
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        int frac = d.getNano() / 1_000_000;
        String secs = frac == 0 ? sec + "s" : sec + "." + String.format("%03d", frac).replaceAll("0+$", "") + "s";
        if (h > 0) {
            return h + "h" + m + "m" + secs;
        }
        if (m > 0) {
            return m + "m" + secs;
        }
        return secs;
    }

    // ---- Views for monitoring --------------------------------------------------------------

    private ServerOptions currentOptions() {
        ServerOptions o = server.options();
        return variant == null ? o : variant.options(o);
    }

    private String logId() {
        return variant == null ? "cid" : variant.logId();
    }

    /** The /connz {@code type}: {@code nats}, or the listener's ({@code websocket}). */
    public String type() {
        return variant == null ? "nats" : variant.type();
    }

    public long cid() {
        return cid;
    }

    public String host() {
        return host;
    }

    public int remotePort() {
        return remotePort;
    }

    public Instant started() {
        return started;
    }

    public Instant stopped() {
        return stopped;
    }

    public String closeReason() {
        return closeReason;
    }

    public long inMsgs() {
        return inMsgs;
    }

    public long inBytes() {
        return inBytes;
    }

    public long outMsgs() {
        synchronized (outLock) {
            return outMsgs;
        }
    }

    public long outBytes() {
        synchronized (outLock) {
            return outBytes;
        }
    }

    public long rttNanos() {
        return rttNanos;
    }

    public String name() {
        return opts.name;
    }

    public String lang() {
        return opts.lang;
    }

    public String version() {
        return opts.version;
    }

    public Collection<Subscription> subscriptions() {
        return subs.values();
    }

    public boolean isClosed() {
        return closeReason != null;
    }

    /** The last read from this client, or the last read that delivered messages to it. */
    public Instant lastActivity() {
        return started.plusNanos(lastActivityNanos - startedNanos);
    }

    /** Bytes queued for this client and not yet written to the socket. */
    public long pendingBytes() {
        synchronized (outLock) {
            return channel == null ? 0 : pendingBytesLocked();
        }
    }

    /** RTT as /connz shows it: the last PING/PONG measurement, else the CONNECT-time estimate; -1 if none. */
    public long rttForMonitor() {
        long r = rttNanos;
        return r >= 0 ? r : connectRttNanos;
    }

    /** The account this client is in. */
    public Account account() {
        return account;
    }

    /** The user name given in CONNECT, or null. */
    public String user() {
        // nats-server's getRawAuthUser: the nkey first
        if (opts.nkey != null && !opts.nkey.isEmpty()) {
            return opts.nkey;
        }
        return opts.user;
    }
}
