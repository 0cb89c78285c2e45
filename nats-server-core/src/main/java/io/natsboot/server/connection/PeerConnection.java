package io.natsboot.server.connection;

import io.natsboot.server.log.ServerLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A connection to another server (a route, a gateway or a leaf node): the Netty lifecycle and plumbing every
 * server-to-server kind shares, on the connection core ({@link InboundFramer}, {@link OutboundQueue},
 * {@link Keepalive}). A kind adds its parser table, its op handlers and its handshake through the hooks below; the
 * per-read path ({@link #channelRead}) calls the kind only through the parse function it handed over once.
 *
 * <p>Threading as for clients: everything but the outbound queue is confined to the connection's event loop;
 * {@link #enqueue} and {@link #close} may be called from any thread.
 */
public abstract class PeerConnection extends ChannelInboundHandlerAdapter implements CoreFigures,
        ServerMessageFrames.SlowConsumer {
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Publishers pause while more than this is queued for the peer (as for clients). */
    private static final long STALL_THRESHOLD = 4L * 1024 * 1024;
    /** How long a peer stops reading after a read that found a local receiver backed up. */
    private static final long PRESSURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * How a kind names itself where nats-server's texts differ per kind: {@code name} in the keepalive's and the
     * close's log lines ("Router connection closed"), {@code label} in error lines ("Route error"), {@code idLabel}
     * in the log prefix ({@code rid:7}), {@code tlsError} before a TLS handshake failure, and the close reasons of
     * a read error ({@code ioErrorReason}) and of any other exception ({@code errorReason}).
     */
    public record Kind(String name, String label, String idLabel, String tlsError, String ioErrorReason,
            String errorReason) {
    }

    protected final ServerContext server;
    protected final ServerLog log;
    private final Kind kind;
    private final long id;
    private final Instant started = Instant.now();

    private Channel channel;
    private EventLoop loop;
    private String host = "";
    private int remotePort;
    private String logPrefix = "";
    private boolean active;
    private boolean paused;
    private InboundFramer framer;
    private OutboundQueue out;
    private Keepalive keepalive;
    /** The handshake's timer (authorization timeout, a leaf's INFO wait); loop-confined. */
    private ScheduledFuture<?> timer;
    private volatile boolean registered;
    private volatile String closeReason;

    // Inbound counters, this loop only (read racily by monitoring).
    private volatile long inMsgs;
    private volatile long inBytes;
    private volatile long lastActivityNanos = System.nanoTime();
    private final long startedNanos = lastActivityNanos;

    protected PeerConnection(ServerContext server, Kind kind, long id) {
        this.server = server;
        this.log = server.log();
        this.kind = kind;
        this.id = id;
    }

    // ---- What a kind adds ------------------------------------------------------------------

    /**
     * The kind's framer: its parser over each buffer, calling this connection's op handlers, stopped once
     * {@code closing} (asked for once, so the per-read path calls the parser as directly as before).
     */
    protected abstract InboundFramer newFramer(ByteBufAllocator alloc, BooleanSupplier closing);

    /** The channel is up and the log prefix set: track the connection and start the kind's handshake. */
    protected abstract void opened();

    /** The id label of log lines ({@code rid}, {@code gid}, {@code lid}); a kind may vary it per connection. */
    protected String idLabel() {
        return kind.idLabel();
    }

    /** The peer has authenticated itself (the authorization timer then does nothing). */
    protected abstract boolean authenticated();

    /** Closing, on the loop: the interest learned from the peer leaves (before the framer is released). */
    protected void dropInterest() {
    }

    /** What the close log line adds after the reason. */
    protected String closeLogDetail() {
        return "";
    }

    /** Closed, on the loop: the kind's registry forgets the connection (after the close log line). */
    protected abstract void closed();

    /** A read was paused for a backed-up local receiver (counted by kinds that report it). */
    protected void pressurePaused() {
    }

    /** Cut as a slow consumer: the kind's own counter, after the server's. */
    protected void slowConsumerCounted() {
    }

    /** The TLS handshake succeeded (routes check pinned certificates here). */
    protected void tlsEstablished(ChannelHandlerContext ctx) {
    }

    /** A protocol error's log detail as this kind says it. */
    protected String protocolErrorDetail(String logDetail) {
        return logDetail;
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    public final void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        this.out = new OutboundQueue(ctx, STALL_THRESHOLD, null);
        this.framer = newFramer(ctx.alloc(), () -> closeReason != null);
        this.keepalive = new Keepalive(loop, log, kind.name(), server::options, () -> enqueue(PING), () -> {
            sendErr("Stale Connection");
            close("Stale Connection", true);
        }, () -> closeReason == null, () -> logPrefix);
        if (channel.isActive()) {
            start();
        }
    }

    @Override
    public final void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (active) {
            return;
        }
        active = true;
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            remotePort = a.getPort();
        }
        logPrefix = (host.contains(":") ? "[" + host + "]" : host) + ":" + remotePort + " - " + idLabel() + ":"
                + id + " - ";
        opened();
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closeReason != null) {
            in.release();
            return;
        }
        long before = inMsgs;
        long bytesBefore = inBytes;
        RoutePressure.takeNoted(); // only what this read's deliveries note
        framer.read(in);
        long delivered = inMsgs - before;
        if (delivered > 0) {
            // server totals once per read, not per message
            server.inMsgs.add(delivered);
            server.inBytes.add(inBytes - bytesBefore);
        }
        if (RoutePressure.takeNoted()) {
            pauseReading();
        }
        lastActivityNanos = System.nanoTime();
        keepalive.activity();
    }

    /**
     * Parses what a read left unread while parsing was paused ({@link RouteOps#parsingPaused}), on the loop, with
     * the server's counters as for a read.
     */
    protected final void resumeParsing() {
        long before = inMsgs;
        long bytesBefore = inBytes;
        framer.resume();
        long delivered = inMsgs - before;
        if (delivered > 0) {
            server.inMsgs.add(delivered);
            server.inBytes.add(inBytes - bytesBefore);
        }
    }

    /**
     * A local receiver is over its stall threshold: stop reading for {@link #PRESSURE_PAUSE_NANOS} so it can
     * drain (the peer's queue, and then its publishers, feel it through TCP). Bounded per read, so a receiver that
     * never reads holds the peer back by at most that per read and is then cut at max_pending.
     */
    private void pauseReading() {
        if (paused || closeReason != null) {
            return;
        }
        paused = true;
        pressurePaused();
        channel.config().setAutoRead(false);
        loop.schedule(() -> {
            paused = false;
            if (closeReason == null) {
                channel.config().setAutoRead(true);
            }
        }, PRESSURE_PAUSE_NANOS, TimeUnit.NANOSECONDS);
    }

    @Override
    public final void channelInactive(ChannelHandlerContext ctx) {
        close(closeReason == null ? "Client Closed" : closeReason, false);
        ctx.fireChannelInactive();
    }

    @Override
    public final void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                tlsFailed(done.cause());
            } else {
                tlsEstablished(ctx);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The TLS handshake failed: one error line, closed (once). */
    protected final void tlsFailed(Throwable cause) {
        if (closeReason != null) {
            return;
        }
        Throwable c = PeerDialing.rootCause(cause);
        log.error(logPrefix + kind.tlsError() + (c.getMessage() == null ? c : c.getMessage()));
        close("TLS Handshake Failure", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            if (log.isDebug()) {
                log.debug(logPrefix + kind.label() + " connection error: " + cause.getMessage());
            }
            close(kind.ioErrorReason(), false);
        } else {
            log.error(logPrefix + kind.label() + " error: " + cause);
            close(kind.errorReason(), false);
        }
    }

    @Override
    public final void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            out.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- Ops every kind answers the same way -------------------------------------------------

    public void onPing() {
        keepalive.pingReceived();
        enqueue(PONG);
    }

    public final void onPong() {
        keepalive.pongReceived();
    }

    /** The peer's -ERR: logged, closed. */
    public void onErr(String text) {
        log.error(logPrefix + kind.label() + " Error '" + text + "'");
        close("Parse Error", false);
    }

    public final void onProtocolError(String errText, String logDetail) {
        if (logDetail != null) {
            log.error(logPrefix + protocolErrorDetail(logDetail));
        }
        if (errText != null) {
            sendErr(errText);
        }
        close("Protocol Violation", true);
    }

    // ---- Handshake timer ---------------------------------------------------------------------

    /** Starts the handshake's timer (one at a time). */
    protected final void startTimer(Runnable task, long nanos) {
        timer = loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /** The peer must authenticate within {@code timeout}, else it is told and closed. */
    protected final void startAuthTimer(Duration timeout) {
        startTimer(this::authTimeout, timeout.toNanos());
    }

    protected final void cancelTimer() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void authTimeout() {
        timer = null;
        if (authenticated() || closeReason != null) {
            return;
        }
        log.error(logPrefix + "Authentication Timeout");
        sendErr("Authentication Timeout");
        close("Authentication Timeout", true);
    }

    /** Routes and gateways send their first PING after min(ping_interval, 1 s) plus jitter (reference §3.12). */
    protected final void startPings() {
        keepalive.startWithJitter(Math.min(server.options().pingInterval().toNanos(), TimeUnit.SECONDS.toNanos(1)));
    }

    // ---- Outbound --------------------------------------------------------------------------

    /** Sends one protocol line (interest, INFO, a command); any thread. */
    public final void enqueue(byte[] bytes) {
        out.enqueue(bytes);
    }

    /** Sends the flushed-now part of the handshake (an INFO written before the first read). */
    protected final void flushNow() {
        out.flushNow();
    }

    protected final void sendErr(String text) {
        enqueue(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Past max_pending: cut as a slow consumer, as nats-server does any connection. */
    @Override
    public final void slowConsumerLocked(OutboundQueue q) {
        q.slowConsumerLocked();
        server.slowConsumers.increment();
        slowConsumerCounted();
        log.info(logPrefix + "Slow Consumer Detected: MaxPending of " + server.options().maxPending() + " Exceeded");
        loop.execute(() -> close("Slow Consumer (Pending Bytes)", false));
    }

    /** One message in from the peer (its op handler, before delivering). */
    protected final void countIn(int totalLength) {
        inMsgs++;
        inBytes += totalLength;
    }

    // ---- Close -----------------------------------------------------------------------------

    /** Closes the connection (any thread; once): timers stop, interest leaves, the kind forgets it. */
    public final void close(String reason, boolean flush) {
        if (loop == null) {
            return;
        }
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason, flush));
            return;
        }
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        keepalive.cancel();
        cancelTimer();
        dropInterest();
        framer.release();
        log.info(logPrefix + kind.name() + " connection closed: " + reason + closeLogDetail());
        closed();
        out.close(flush);
    }

    // ---- Views -----------------------------------------------------------------------------

    /** Registered with the kind's registry (and not closed since). */
    public final boolean isRegistered() {
        return registered && closeReason == null;
    }

    /** Registered, closed or not (what the close reports to the registry). */
    protected final boolean wasRegistered() {
        return registered;
    }

    public final void markRegistered() {
        registered = true;
    }

    public final String closeReason() {
        return closeReason;
    }

    /** Closed or closing. */
    protected final boolean isClosing() {
        return closeReason != null;
    }

    public final String host() {
        return host;
    }

    public final int remotePort() {
        return remotePort;
    }

    /** When the connection was made (System.nanoTime), to tell older from newer connections of an account. */
    public final long startedNanos() {
        return startedNanos;
    }

    public final Instant started() {
        return started;
    }

    public final Instant lastActivity() {
        return started.plusNanos(lastActivityNanos - startedNanos);
    }

    public final long inMsgs() {
        return inMsgs;
    }

    public final long inBytes() {
        return inBytes;
    }

    /** {@code host:port - rid:N - } and the like, before every log line about this connection. */
    public final String logPrefix() {
        return logPrefix;
    }

    protected final EventLoop loop() {
        return loop;
    }

    protected final Channel channel() {
        return channel;
    }

    @Override
    public final OutboundQueue outboundQueue() {
        return out;
    }

    @Override
    public final Keepalive keepaliveTimer() {
        return keepalive;
    }
}
