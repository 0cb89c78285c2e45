package io.natsboot.server.connection;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.auth.Bcrypt;
import io.natsboot.server.auth.Permissions;
import io.natsboot.server.auth.NKeys;
import io.natsboot.server.auth.User;
import io.natsboot.server.auth.jwt.OperatorMode;
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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
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
import java.util.concurrent.TimeUnit;

/**
 * One client connection: decodes its ops, routes its publishes, and owns its outbound buffer.
 *
 * <p>The connection machinery is the shared core: {@link InboundFramer} (reads parsed in place, cut ops
 * completed), {@link OutboundQueue} (batch, slow consumer, held publishers, close), {@link PublisherHold},
 * {@link ReadBatch} (one flush per receiver per read) and {@link Keepalive}. This class adds the client's ops:
 * CONNECT and authentication, SUB/UNSUB bookkeeping, permissions, and MSG/HMSG delivery.
 *
 * <p>Threading. Everything except the outbound queue is confined to the connection's event loop. Publishers on
 * other event loops append MSG frames to this connection's outbound queue under its lock; the publisher then asks
 * it to flush once, after it has processed its whole read ({@link #channelReadComplete}). So a burst of publishes
 * costs one write and one flush per receiver, not one per message.
 */
public final class ClientConnection extends ChannelInboundHandlerAdapter implements ClientOps, Receiver, CoreFigures {
    private static final byte[] HMSG = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_RESPONDERS = "NATS/1.0 503\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * A publisher stops reading while one of its receivers has more than this queued (nats-server
     * stalls at max_pending/2; we stall earlier so a fast publisher does not build a backlog of
     * tens of MiB that costs cache misses and memory). 1 s at most per stall (PublisherHold).
     */
    private static final long STALL_CAP = 4L * 1024 * 1024;

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
    /** This connection's read in progress: the receivers its publishes touched, flushed once at its end. */
    private final ReadBatch reads = new ReadBatch();

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
    private InboundFramer framer;
    /** The buffer being parsed (during a parse), for the close after a fatal error. */
    private ByteBuf parsing;
    private SubjectCache cache;
    /** Whether this read's publishes are mapped (see channelRead). */
    private boolean mapsThisRead;
    /**
     * The size fields of the message being published, as this client wrote them, when they are not plain decimals
     * (leading zeros): MSG echoes them (nats-server copies them). Null otherwise, and outside onPublish.
     */
    private byte[] totalSizeAsWritten;
    private byte[] headerSizeAsWritten;
    /** Delivers this client's publishes (local subscribers, queue groups, routes, other accounts). */
    private MessageFanout fanout;
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

    /**
     * Outbound: MSG frames from publishers on any loop and this connection's own output; its lock also guards the
     * subscriptions' delivery counters. Set when the handler is added.
     */
    private OutboundQueue out;
    private final long stallThreshold;
    /** This connection as a publisher: held back while a receiver it fills is backed up. */
    private PublisherHold hold;

    // Inbound counters, written by this connection's event loop only.
    private long inMsgs;
    private long inBytes;

    private Keepalive keepalive;
    private ScheduledFuture<?> authTimer;
    private ScheduledFuture<?> writeDeadlineTimer;

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
        this.out = new OutboundQueue(ctx, stallThreshold, reads);
        this.hold = new PublisherHold(channel);
        this.framer = new InboundFramer(ctx.alloc(), this::parse, parser::bytesNeeded, this::isClosed);
        this.keepalive = new Keepalive(loop, log, "Client", () -> options, this::sendPing, this::closeStale,
                () -> closeReason == null, () -> logPrefix);
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
        if (options.users().stream().anyMatch(User::isNkey) || server.operatorMode() != null) {
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
        keepalive.arm(options.pingInterval().toNanos());
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
        out.flushNow();
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
        reads.begin();
        // nats-server decides per read whether publishes are mapped, from the account the client had when the
        // read began: PUBs in the same read as the CONNECT that moves it to another account are not mapped
        mapsThisRead = !account.mappings().isEmpty();
        long msgsBefore = inMsgs;
        ByteBuf kept = framer.read(in);
        server.inMsgs.add(inMsgs - msgsBefore);
        if (kept != null && closeReason == null
                && kept.readableBytes() > options.maxControlLine() + options.maxPayload() + 64) {
            // Defensive bound: what is kept is one op cut at the read's end; the parser must always make
            // progress or ask for more bytes it is allowed to wait for.
            close("Protocol Violation", false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        addReadCounters();
        long now = System.nanoTime();
        lastActivityNanos = now;
        reads.end(now);
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
        if (session != null && options.tls() != null && options.tls().verify()) {
            // A resumed session skips the trust manager: check the certificate's validity period again, as
            // Go's server does before it resumes one.
            String expired = null;
            try {
                expired = io.natsboot.server.auth.ClientCertificateCheck.validity(session.getPeerCertificates(),
                        java.time.Instant.now());
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                // no client certificate: the handshake itself refuses that
            }
            session.invalidate(); // nothing to resume by session id (see TlsContexts.noResumption)
            if (expired != null) {
                log.error(logPrefix + "TLS handshake error: tls: failed to verify client certificate: " + expired);
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
        // Netty tells of the failure before it flushes the alert the engine produced (bad_certificate, ...) and
        // closes the channel itself; closing from here would race that flush and leave the client waiting for
        // its close_notify timeout instead of reading the alert, as it does from nats-server.
        loop.execute(() -> close("TLS Handshake Failure", false));
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
        for (Throwable r = c; r != null; r = r.getCause()) {
            if (r instanceof io.natsboot.server.auth.ClientCertificateCheck.Refused refused) {
                return io.natsboot.server.auth.ClientCertificateCheck.logText(refused);
            }
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
            close("Client Closed", false);
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
            out.writable();
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
        if (account != null) {
            account.countSlowConsumer();
        }
        log.info(logPrefix + "Slow Consumer Detected: WriteDeadline of " + GoFormat.duration(options.writeDeadline())
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
        OperatorMode.Login jwt = jwtLogin;
        if (jwt != null && jwt.maxPayload() != -1) {
            return (int) jwt.maxPayload();
        }
        long accountMax = account.configLimits().maxPayload(); // the accounts block's limits, if lower
        return accountMax >= 0 && accountMax < options.maxPayload() ? (int) accountMax : options.maxPayload();
    }

    @Override
    public void onConnect(String json) {
        if (log.isTrace() && !accountFetched && !accountPrepared) { // taken again after a wait: traced once
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
        if (!connected && connectRttNanos < 0) { // nats-server measures it at CONNECT, before authentication
            connectRttNanos = Math.max(1, System.nanoTime() - startedNanos);
        }
        if (!connected && options.authRequired() && awaitsAccountFromCluster(json)) {
            return; // onConnect runs again once the account's JWT came (or did not)
        }
        if (!connected && options.authRequired() && awaitsAccountFirstLogin(json)) {
            return; // onConnect runs again once the account's first-login work is done
        }
        if (!connected && options.authRequired() && !authenticate()) {
            if (closeReason == null) { // a JWT login may already have closed it with its own error
                authViolation();
            }
            return;
        }
        if (!connected && !takeConfigAccountSlot()) {
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
            server.connected(this);
        }
        updateLogPrefix();
        if (opts.verbose) {
            sendOk();
        }
        if (first) {
            // First PING comes soon after CONNECT, with a little jitter, then every interval.
            keepalive.startWithJitter(Math.min(options.pingInterval().toNanos(), Duration.ofSeconds(2).toNanos()));
        }
    }

    /** A CONNECT waiting for its account's JWT from another server: parsing stops until it came. */
    private boolean awaitingAccount;
    /** The CONNECT is being taken again after the wait (no second wait). */
    private boolean accountFetched;

    @Override
    public boolean parsingPaused() {
        return awaitingAccount;
    }

    /**
     * nats-server's directory resolvers ask the other servers for an account they do not hold, and the login
     * waits (up to the fetch timeout). The wait must not block this event loop (the answer may come through a
     * route on the same loop): reading and parsing stop, the CONNECT is taken again when the lookup is done.
     */
    private boolean awaitsAccountFromCluster(String json) {
        OperatorMode mode = server.operatorMode();
        if (mode == null || accountFetched) {
            accountFetched = false;
            return false;
        }
        String account = mode.accountOf(connectJwt());
        if (account == null || !mode.needsRemoteFetch(account)) {
            return false;
        }
        resumeConnectAfter(mode.fetchRemote(account), json, () -> accountFetched = true);
        return true;
    }

    /** The CONNECT is being taken again after the account's first-login work (no second wait). */
    private boolean accountPrepared;

    /**
     * An account's first login on this server may need work that must not block this event loop and every other
     * client on it (JetStream recovering the account's streams from disk): reading and parsing stop while it runs
     * on another thread, the CONNECT is taken again when it is done, then the ops sent after it, in order.
     */
    private boolean awaitsAccountFirstLogin(String json) {
        OperatorMode mode = server.operatorMode();
        if (mode == null || accountPrepared) {
            accountPrepared = false;
            return false;
        }
        java.util.concurrent.CompletableFuture<Void> work =
                server.operatorAccounts().firstLoginWork(mode.accountOf(connectJwt()));
        if (work == null) {
            return false;
        }
        resumeConnectAfter(work, json, () -> accountPrepared = true);
        return true;
    }

    /** The user JWT of this login: CONNECT's, else the one the connection carries (a WebSocket jwt_cookie). */
    private String connectJwt() {
        String jwt = opts.jwt;
        if ((jwt == null || jwt.isEmpty()) && variant != null && variant.jwtFromConnection() != null) {
            jwt = variant.jwtFromConnection();
        }
        return jwt;
    }

    /**
     * Stops reading and parsing until {@code wait} completes, then (on this event loop) takes the CONNECT again
     * ({@code retaking} marks it as such) and parses what was read after it.
     */
    private void resumeConnectAfter(java.util.concurrent.CompletableFuture<?> wait, String json, Runnable retaking) {
        awaitingAccount = true;
        channel.config().setAutoRead(false);
        wait.whenComplete((v, e) -> loop.execute(() -> {
            awaitingAccount = false;
            if (closeReason != null) {
                return;
            }
            retaking.run();
            onConnect(json);
            if (closeReason != null) {
                return;
            }
            reads.begin();
            mapsThisRead = !this.account.mappings().isEmpty();
            long msgsBefore = inMsgs;
            framer.resume();
            server.inMsgs.add(inMsgs - msgsBefore);
            addReadCounters();
            reads.end(System.nanoTime());
            if (closeReason == null && !awaitingAccount) {
                channel.config().setAutoRead(true);
            }
        }));
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
        if (server.operatorMode() != null) {
            return authenticateJwt(server.operatorMode());
        }
        if (opts.nkey != null && !opts.nkey.isEmpty() && o.users().stream().anyMatch(User::isNkey)) {
            // nats-server: a client naming an nkey is checked against the nkey users only.
            for (User u : o.users()) {
                if (u.isNkey() && u.nkey().equals(opts.nkey)) {
                    if (!u.allowsConnectionType(connectionType())) {
                        return false; // allowed_connection_types: nats-server refuses it as any bad login
                    }
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
                        if (!u.allowsConnectionType(connectionType())) {
                            return false; // allowed_connection_types: nats-server refuses it as any bad login
                        }
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
            log.warn("User " + GoFormat.quote(opts.user) + " found in connect proto, but user required from cert");
        }
        opts.user = u.username();
        if (!Bcrypt.comparePasswords(u.password() == null ? "" : u.password(), opts.pass == null ? "" : opts.pass)) {
            return false;
        }
        registerUser(u);
        return true;
    }

    /** How this client connects, as allowed_connection_types names it (STANDARD, WEBSOCKET). */
    private String connectionType() {
        return variant == null ? "STANDARD" : variant.jwtConnectionType();
    }

    /** Takes the user's permissions (nats-server's RegisterUser/setPermissions). */
    private void registerUser(User u) {
        takeAccount(server.accountOfUser(u.isNkey() ? u.nkey() : u.username()), u.permissions());
    }

    private void takeAccount(Account a, Permissions p) {
        if (a != account) {
            account = a;
            cache = null; // cached match results belong to the old account's trie
        }
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
        if (opts.jwt != null && !opts.jwt.isEmpty()) {
            OperatorMode.Login login = jwtLogin;
            return "JWT User \"" + (login == null ? "" : login.user().subject()) + "\"";
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
        return responseAllowed(entry.subject);
    }

    /** allow_responses: {@code subject} is a reply subject this connection was given and may still answer. */
    private boolean responseAllowed(String subject) {
        Permissions p = perms;
        ConcurrentHashMap<String, long[]> r = replies;
        Permissions.ResponsePermission rp = p.response();
        if (r == null || rp == null) {
            return false;
        }
        long[] resp = r.get(subject);
        if (resp == null) {
            return false;
        }
        resp[1]++;
        if (rp.maxMsgs() > 0 && resp[1] > rp.maxMsgs()) {
            r.remove(subject);
            return false;
        }
        if (!rp.expires().isZero() && !rp.expires().isNegative()
                && System.nanoTime() - resp[0] > rp.expires().toNanos()) {
            r.remove(subject);
            return false;
        }
        return true;
    }

    private void pubPermissionViolation(String subject) {
        sendErr("Permissions Violation for Publish to " + GoFormat.quote(subject));
        log.error(logPrefix + "Publish Violation - " + authUser() + ", Subject " + GoFormat.quote(subject));
    }

    private void subPermissionViolation(String subject, String queue, String sid) {
        if (queue == null) {
            sendErr("Permissions Violation for Subscription to " + GoFormat.quote(subject));
            log.error(logPrefix + "Subscription Violation - " + authUser() + ", Subject "
                    + GoFormat.quote(subject) + ", SID " + sid);
        } else {
            sendErr("Permissions Violation for Subscription to " + GoFormat.quote(subject) + " using queue "
                    + GoFormat.quote(queue));
            log.error(logPrefix + "Subscription Violation - " + authUser() + ", Subject "
                    + GoFormat.quote(subject) + ", Queue: " + GoFormat.quote(queue) + ", SID " + sid);
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
            sendErr("Permissions Violation for Subscription to " + GoFormat.quote(s.subject()) + " (sid "
                    + GoFormat.quote(s.sid) + ")");
            log.info("Removed sub " + GoFormat.quote(s.subject()) + " (sid " + GoFormat.quote(s.sid)
                    + ") for " + authUser() + " - not authorized");
        }
    }

    private void authViolation() {
        server.authFailures.increment();
        if (server.operatorMode() != null) {
            log.error(logPrefix + "authentication error");
        } else if (options.users().stream().anyMatch(User::isNkey)) {
            log.error(logPrefix + "authentication error - Nkey " + GoFormat.quote(opts.nkey == null ? "" : opts.nkey));
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

    // ---- operator (JWT) mode: the checks are in auth/jwt/OperatorMode -------------------------

    /** The JWT login of this client (operator mode), else null; set on the event loop, read by account updates. */
    private volatile OperatorMode.Login jwtLogin;
    private ScheduledFuture<?> jwtExpiry;

    /** A user JWT login: the client takes the JWT's account, permissions, limits and expiry. */
    private boolean authenticateJwt(OperatorMode mode) {
        updateLogPrefix(); // nats-server's lines about the login name the client already
        releaseAccountConnection(); // a new login (after a reload) takes its own slot
        String jwt = opts.jwt;
        if ((jwt == null || jwt.isEmpty()) && variant != null && variant.jwtFromConnection() != null) {
            jwt = variant.jwtFromConnection(); // nats-server: a WebSocket jwt_cookie stands in for CONNECT's jwt
        }
        OperatorMode.Login login = mode.authenticate(
                new OperatorMode.Connect(jwt, opts.sig, nonce, host,
                        variant == null ? "STANDARD" : variant.jwtConnectionType()),
                server.operatorAccounts()::reserveConnection,
                serverLimits(), line -> log.debug(logPrefix + line), line -> log.error(logPrefix + line));
        if (login.accountConnectionsExceeded()) {
            log.error(logPrefix + "maximum account active connections exceeded");
            sendErr("maximum account active connections exceeded");
            log.error(logPrefix + "maximum account active connections exceeded"); // nats-server logs it twice
            close("Maximum Account Connections Exceeded", true);
            return false;
        }
        if (!login.ok()) {
            return false;
        }
        jwtLogin = login;
        takeAccount(server.operatorAccounts().account(login.accountClaims()), login.permissions());
        cancel(jwtExpiry);
        jwtExpiry = login.expiresInNanos() <= 0 ? null
                : loop.schedule(this::jwtExpired, login.expiresInNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    /**
     * The account's JWT was updated (resolver update over $SYS): a user revoked by it is closed with nats-server's
     * error, the others take the account's new limits.
     */
    public void accountClaimsUpdated(io.natsboot.server.auth.jwt.AccountClaims claims) {
        OperatorMode.Login current = jwtLogin;
        if (loop == null || current == null || !claims.subject().equals(current.account())) {
            return; // not a client of this account: no task on its loop
        }
        loop.execute(() -> {
            OperatorMode.Login login = jwtLogin;
            if (login == null || closeReason != null || !claims.subject().equals(login.account())) {
                return;
            }
            if (claims.userRevoked(login.user().subject(), login.user().jwt().issuedAt())) {
                sendErr("User Authentication Revoked");
                if (log.isDebug()) {
                    log.debug(logPrefix + "User Authentication Revoked");
                }
                close("Credentials Revoked", true);
                return;
            }
            if (!claims.hasIssuer(login.user().jwt().issuer())) {
                close("Authentication Failure", true); // its signing key was taken away: no -ERR, as nats-server
                return;
            }
            jwtLogin = login.withAccount(claims, serverLimits());
        });
    }

    /** The account of this client's JWT login, or null (not a JWT client). */
    public String jwtAccount() {
        OperatorMode.Login login = jwtLogin;
        return login == null ? null : login.account();
    }

    /** When the connection was accepted (System.nanoTime), to tell older from newer clients. */
    public long startedNanos() {
        return startedNanos;
    }

    /** An account update lowered the connection limit below the clients: this one goes, as in nats-server. */
    public void closeForAccountConnections() {
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            if (closeReason == null) {
                log.error(logPrefix + "maximum account active connections exceeded");
                sendErr("maximum account active connections exceeded");
                close("Maximum Account Connections Exceeded", true);
            }
        });
    }

    private OperatorMode.ServerLimits serverLimits() {
        return new OperatorMode.ServerLimits(options.maxPayload(), options.maxSubscriptions());
    }

    /** The account whose accounts-block max_connections slot this client holds, or null. */
    private Account configSlot;

    /**
     * The accounts block's max_connections of the account the client logged into: over it, nats-server's
     * error (logged once, unlike the JWT limit) and the connection closes.
     */
    private boolean takeConfigAccountSlot() {
        Account a = account;
        if (configSlot != null || a.configLimits().maxConnections() < 0) {
            return true;
        }
        if (!a.reserveConfigConnection()) {
            log.error(logPrefix + "maximum account active connections exceeded");
            sendErr("maximum account active connections exceeded");
            close("Maximum Account Connections Exceeded", true);
            return false;
        }
        configSlot = a;
        return true;
    }

    private void releaseConfigAccountSlot() {
        Account a = configSlot;
        if (a != null) {
            configSlot = null;
            a.releaseConfigConnection();
        }
    }

    /** Gives the account's connection slot back (closed, or logging in again). */
    private void releaseAccountConnection() {
        OperatorMode.Login login = jwtLogin;
        if (login != null) {
            jwtLogin = null;
            server.operatorAccounts().releaseConnection(login.account());
        }
    }

    /** nats-server's authExpired: the user JWT (or its connect-time window) ran out. */
    private void jwtExpired() {
        jwtExpiry = null;
        if (closeReason != null) {
            return;
        }
        sendErr("User Authentication Expired");
        if (log.isDebug()) {
            log.debug(logPrefix + "User Authentication Expired");
        }
        close("Authentication Expired", true);
    }

    /** Subscriptions at the limit: the server's max_subscriptions, or the JWT's (0 there allows none). */
    private boolean subsAtLimit() {
        OperatorMode.Login jwt = jwtLogin;
        if (jwt != null) {
            return jwt.maxSubs() != -1 && subs.size() >= jwt.maxSubs();
        }
        long accountMax = account.configLimits().maxSubscriptions(); // the accounts block's limits
        if (accountMax >= 0 && (options.maxSubscriptions() <= 0 || accountMax < options.maxSubscriptions())) {
            return subs.size() >= accountMax;
        }
        return options.maxSubscriptions() > 0 && subs.size() >= options.maxSubscriptions();
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
        keepalive.activity();
        SubjectCache.Entry entry = subjectEntry(buf, subjectStart, subjectLength);
        io.natsboot.server.subject.SubjectMappings mappings = account.mappings();
        // nats-server maps a client's publish before anything else looks at its subject (permissions too)
        String mapped = mapsThisRead && !mappings.isEmpty() ? mappings.map(entry.subject, server.clusterName()) : null;
        if (log.isTrace()) {
            tracePublish(buf, subjectStart, subjectLength, replyStart, replyLength, headerLength, payloadStart,
                    totalLength, mapped == null ? null : entry.subject + " -> " + mapped);
        }
        if (mapped != null) {
            publishMapped(mapped, buf, replyStart, replyLength, headerLength, payloadStart, totalLength);
            return;
        }
        if (perms != null && !publishAllowed(entry)) {
            pubPermissionViolation(entry.subject);
            return;
        }
        publishChecked(entry.result, entry.subject, buf, buf, subjectStart, subjectLength, replyStart, replyLength,
                headerLength, payloadStart, totalLength);
    }

    /**
     * A publish whose subject an account mapping changed: delivered under {@code mapped} (an empty one, the part
     * of a weighted mapping that drops, reaches nobody). The message is copied once with the new subject, as the
     * receivers' frames take the subject from the buffer.
     */
    private void publishMapped(String mapped, ByteBuf buf, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength) {
        if (perms != null && perms.checksPublish() && !perms.canPublish(mapped) && !responseAllowed(mapped)) {
            pubPermissionViolation(mapped);
            return;
        }
        byte[] subject = mapped.getBytes(StandardCharsets.UTF_8);
        ByteBuf copy = io.netty.buffer.Unpooled.buffer(subject.length + replyLength + totalLength);
        try {
            copy.writeBytes(subject);
            copy.writeBytes(buf, replyStart, replyLength);
            copy.writeBytes(buf, payloadStart, totalLength);
            MatchResult<Subscription> result = mapped.isEmpty() ? null : account.trie().match(mapped);
            publishChecked(result, mapped, buf, copy, 0, subject.length, subject.length, replyLength, headerLength,
                    subject.length + replyLength, totalLength);
        } finally {
            copy.release();
        }
    }

    /**
     * The rest of a publish once its subject is final and allowed; {@code result} null = nobody matches.
     * {@code parsed} is the buffer the parser read (its size fields as written), {@code buf} the message's.
     */
    private void publishChecked(MatchResult<Subscription> result, String subject, ByteBuf parsed, ByteBuf buf,
            int subjectStart,
            int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        if (replyLength > 0 && reservedReply(buf, replyStart, replyLength)) {
            sendErr("Permissions Violation for Publish with Reply of \""
                    + buf.toString(replyStart, replyLength, StandardCharsets.UTF_8) + "\"");
            return;
        }
        if (opts.verbose) {
            sendOk();
        }
        if (fanout == null) {
            fanout = new MessageFanout(server);
        }
        if (parser.sizesNotCanonical()) {
            totalSizeAsWritten = parser.totalSizeAsWritten(parsed);
            headerSizeAsWritten = parser.headerSizeAsWritten(parsed);
        }
        int delivered = 0;
        try {
            if (result != null) {
                delivered = fanout.publish(account, result, subject, this, opts.echo, this, buf, subjectStart,
                        subjectLength, replyStart, replyLength, headerLength, payloadStart, totalLength);
            }
        } finally {
            totalSizeAsWritten = null;
            headerSizeAsWritten = null;
        }
        if (delivered == 0 && replyLength > 0 && opts.noResponders && headers) {
            sendNoResponders(buf.toString(replyStart, replyLength, StandardCharsets.UTF_8));
        }
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
            if (s.receiver == this) {
                byte[] frame = ("HMSG " + reply + " " + s.sid + " 16 16\r\n").getBytes(StandardCharsets.UTF_8);
                byte[] both = java.util.Arrays.copyOf(frame, frame.length + NO_RESPONDERS.length + 2);
                System.arraycopy(NO_RESPONDERS, 0, both, frame.length, NO_RESPONDERS.length);
                both[both.length - 2] = '\r';
                both[both.length - 1] = '\n';
                enqueue(both);
                return;
            }
        }
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
        keepalive.activity();
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
        int maxTokens = options.maxSubTokens();
        if (maxTokens > 0 && Subjects.tokenCount(subject) > maxTokens) {
            sendErr("Permissions Violation for Subscription to " + GoFormat.quote(subject) + ", too many tokens");
            log.error(logPrefix + "Subscription Violation Too Many Tokens - " + authUser() + ", Subject "
                    + GoFormat.quote(subject) + ", SID " + sid);
            return;
        }
        if (subsAtLimit()) {
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
        Subscription s = new Subscription(this, account, subject, queue, sid);
        subs.put(sid, s);
        server.addSubscription(s);
        if (opts.verbose) {
            sendOk();
        }
    }

    @Override
    public void onUnsubscribe(String sid, long maxMessages) {
        keepalive.activity();
        if (log.isTrace()) {
            traceIn("UNSUB " + sid + (maxMessages >= 0 ? " " + maxMessages : ""));
        }
        Subscription s = subs.get(sid);
        if (s != null) {
            boolean keep = false;
            if (maxMessages > 0) {
                synchronized (out) {
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
        keepalive.pingReceived();
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
        keepalive.pongReceived();
    }

    @Override
    public void onProtocolError(ProtocolError error, String logDetail) {
        if (logDetail != null) {
            log.error(logPrefix + logDetail);
        }
        if (error.errText() != null) {
            sendErr(error.errText());
        }
        if (moreAfterFailedLine()) {
            // nats-server reads no further and closes with the rest of the input unread, which resets the
            // connection: the peer reads the -ERR, then a reset on its next read or write. Our read took bytes that
            // nats-server would have left in the socket, so the reset is asked for (no linger).
            channel.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
        }
        close(error.closeReason(), true);
    }

    /**
     * nats-server's first read of a connection takes at most 512 bytes (its read buffer grows only after full
     * reads), and after a fatal error it reads no more.
     */
    private static final int NATS_SERVER_FIRST_READ = 512;

    /**
     * Whether nats-server would have left input unread in the socket when the op failed, so that its close
     * resets the connection: the peer sent more than its first read takes. A short input (an oversized PUB of a
     * few bytes and a PING) is read whole by nats-server and closes cleanly; our read may have taken more than
     * nats-server's would, so the reset is decided here rather than by what our socket still holds.
     */
    private boolean moreAfterFailedLine() {
        ByteBuf b = parsing;
        if (b == null || !b.isReadable()) {
            return false;
        }
        int lf = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\n');
        return lf >= 0 && lf + 1 < b.writerIndex() && b.writerIndex() - b.readerIndex() > NATS_SERVER_FIRST_READ;
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
    @Override
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
        OutboundQueue q = out;
        synchronized (q) {
            if (q.isClosedLocked() || s.closed) {
                return false;
            }
            long max = s.max;
            if (max > 0 && s.delivered >= max) {
                return false;
            }
            long queued = q.pendingBytesLocked();
            if (queued + frame > options.maxPending()) {
                slowConsumerLocked(q);
                return false;
            }
            if (q.backedUpLocked(queued)) {
                if (from != null) {
                    // the publisher (this connection too, when it receives what it publishes, as nats-server)
                    // stops reading until this queue drains: held back rather than cut as a slow consumer
                    q.holdLocked(from.hold);
                    stall = true;
                } else {
                    RoutePressure.note(); // a route delivering: it pauses briefly after this read
                }
            }
            s.delivered++;
            limitReached = max > 0 && s.delivered >= max;
            byte[] sizeAsWritten = from == null || (headerLength > 0 && !withHeaders) ? null : from.totalSizeAsWritten;
            if (sizeAsWritten == null) {
                MsgFrame.write(q.bufferLocked(frame), withHeaders, buf, subjectStart, subjectLength, s.sidBytes,
                        replyStart, replyLength, headerLength, bodyStart, bodyLength);
            } else {
                // the publisher wrote its sizes with leading zeros: echoed as written, as nats-server does
                MsgFrame.writeWithSizesAsWritten(q.bufferLocked(frame + 40), withHeaders, buf, subjectStart,
                        subjectLength, s.sidBytes, replyStart, replyLength, from.headerSizeAsWritten, sizeAsWritten,
                        bodyStart, bodyLength);
            }
            q.countLocked(bodyLength);
            schedule = q.markFlushLocked();
        }
        if (from != null && from.reads.inRead()) {
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
            from.hold.stall();
        }
        if (limitReached) {
            autoUnsubscribe(s, s.max);
        }
        if (schedule) {
            if (from == null) {
                q.flushLater(); // from a route or an internal client: one write after the burst
            } else {
                q.flushAfter(from.reads);
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

    private void slowConsumerLocked(OutboundQueue q) {
        q.slowConsumerLocked();
        server.slowConsumers.increment();
        if (account != null) {
            account.countSlowConsumer();
        }
        log.info(logPrefix + "Slow Consumer Detected: MaxPending of " + options.maxPending() + " Exceeded");
        runOnLoop(() -> close("Slow Consumer (Pending Bytes)", false));
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

    // ---- Own control writes ----------------------------------------------------------------

    private void enqueue(byte[] bytes) {
        out.enqueue(bytes);
    }

    private void parse(ByteBuf buf) {
        fastBytes.bind(buf);
        parsing = buf;
        parser.parse(buf, this);
        parsing = null;
    }

    private void sendPing() {
        enqueue(PING);
        if (log.isTrace()) {
            traceOut("PING");
        }
    }

    private void closeStale() {
        sendErr("Stale Connection");
        close("Stale Connection", true);
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

    /**
     * A variant client (websocket) gets an async INFO: the cluster's websocket URLs changed (nats-server sends it to
     * websocket clients only, plain ones get theirs when the NATS URLs change).
     */
    public void sendAsyncVariantInfo() {
        if (variant == null) {
            return;
        }
        runOnLoop(() -> {
            if (closeReason == null && connected && opts.protocol >= 1) {
                enqueue(variant.info(server.infoLine(cid, host, false)));
            }
        });
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
        // Nothing more is read: what the peer sent after (the rest of an oversized PUB) stays unread in the socket,
        // so the close resets the connection, as nats-server's does (the peer sees the -ERR, then a reset).
        channel.config().setAutoRead(false);
        try {
            server.clientClosing(this);
        } catch (RuntimeException e) {
            log.error(logPrefix + "Error recording closed connection: " + e);
        }
        keepalive.cancel();
        cancel(authTimer);
        cancel(jwtExpiry);
        releaseAccountConnection();
        releaseConfigAccountSlot();
        cancel(writeDeadlineTimer);
        hold.close();
        for (Subscription s : subs.values()) {
            s.closed = true;
            server.removeSubscription(s);
        }
        subs.clear();
        server.unregister(this);
        framer.release();
        if (log.isDebug()) {
            log.debug(logPrefix + "Client connection closed: " + reason);
        }
        out.close(flush);
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

    /** The PUB/HPUB line, then (nats-server's order) the MAPPING line when {@code mapping} is set, then the payload. */
    private void tracePublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength, String mapping) {
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
        if (mapping != null) {
            traceIn("MAPPING " + mapping);
        }
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

    @Override
    public OutboundQueue outboundQueue() {
        return out;
    }

    @Override
    public Keepalive keepaliveTimer() {
        return keepalive;
    }

    public long inMsgs() {
        return inMsgs;
    }

    public long inBytes() {
        return inBytes;
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
        OutboundQueue q = out;
        long last = q == null ? lastActivityNanos : Math.max(lastActivityNanos, q.lastDeliveryNanos);
        return started.plusNanos(last - startedNanos);
    }

    /** Bytes queued for this client and not yet written to the socket. */
    /** RTT as /connz shows it: the last PING/PONG measurement, else the CONNECT-time estimate; -1 if none. */
    public long rttForMonitor() {
        long r = rttNanos();
        return r >= 0 ? r : connectRttNanos;
    }

    /** This connection as a publisher, for receivers outside this package (routes) that hold it back. */
    public PublisherHold publisherHold() {
        return hold;
    }

    /** This connection's read in progress, for receivers outside this package to flush once at its end. */
    public ReadBatch reads() {
        return reads;
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
        if ((opts.user == null || opts.user.isEmpty()) && opts.jwt != null && !opts.jwt.isEmpty()) {
            OperatorMode.Login login = jwtLogin;
            return login == null ? null : login.user().subject(); // the JWT user's public key
        }
        return opts.user;
    }
}
