package io.natsboot.server.connection;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * PING/PONG keepalive of one connection, the same for every kind (nats-server's ping timer): every ping interval
 * a PING goes out, unless the peer was active or pinged us since the last tick (once an RTT is known); the
 * {@code ping_max + 1}-th unanswered PING closes the connection as stale. The timer lives on the connection's
 * event loop, and arming it cancels the one armed before. Event-loop confined, apart from the RTT.
 */
public final class Keepalive {
    private final EventLoop loop;
    private final ServerLog log;
    /** "Client" or "Router", as in nats-server's "<kind> Ping Timer" debug line. */
    private final String kind;
    private final Supplier<ServerOptions> options;
    private final Runnable sendPing;
    private final Runnable closeStale;
    private final BooleanSupplier open;
    private final Supplier<String> logPrefix;
    private ScheduledFuture<?> timer;
    private int pingsOut;
    private boolean activity;
    private boolean pingReceived;
    private long rttStartNanos;
    private volatile long rttNanos = -1;

    /**
     * {@code sendPing} writes a PING; {@code closeStale} sends {@code -ERR 'Stale Connection'} and closes;
     * {@code open} says whether the connection is still open; {@code logPrefix} is its log prefix (it changes at
     * CONNECT).
     */
    public Keepalive(EventLoop loop, ServerLog log, String kind, Supplier<ServerOptions> options, Runnable sendPing,
            Runnable closeStale, BooleanSupplier open, Supplier<String> logPrefix) {
        this.loop = loop;
        this.log = log;
        this.kind = kind;
        this.options = options;
        this.sendPing = sendPing;
        this.closeStale = closeStale;
        this.open = open;
        this.logPrefix = logPrefix;
    }

    /** The first PING after {@code delayNanos} plus 0-20% jitter (as nats-server), then every ping interval. */
    public void startWithJitter(long delayNanos) {
        arm(delayNanos + ThreadLocalRandom.current().nextLong(Math.max(1, delayNanos / 5)));
    }

    /** (Re)arms the timer for {@code delayNanos}, cancelling the one armed before. */
    public void arm(long delayNanos) {
        cancel();
        if (!open.getAsBoolean()) {
            return;
        }
        timer = loop.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The peer sent something: no PING is needed at the next tick (once the RTT is known). */
    public void activity() {
        activity = true;
    }

    /** The peer sent a PING. */
    public void pingReceived() {
        pingReceived = true;
    }

    /** The peer answered a PING: nothing is outstanding, and the RTT is measured. */
    public void pongReceived() {
        pingsOut = 0;
        if (rttStartNanos != 0) {
            rttNanos = System.nanoTime() - rttStartNanos;
            rttStartNanos = 0;
        }
    }

    /** The last PING/PONG round trip, or -1 before the first. */
    public long rttNanos() {
        return rttNanos;
    }

    public void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void tick() {
        timer = null;
        if (!open.getAsBoolean()) {
            return;
        }
        ServerOptions o = options.get();
        if (log.isDebug()) {
            log.debug(logPrefix.get() + kind + " Ping Timer");
        }
        boolean rttKnown = rttNanos >= 0;
        boolean recentActivity = activity;
        boolean recentPing = pingReceived;
        activity = false;
        pingReceived = false;
        if (rttKnown && recentActivity) {
            if (log.isDebug()) {
                log.debug(logPrefix.get() + "Delaying PING due to client activity "
                        + GoFormat.duration(o.pingInterval()) + " ago");
            }
        } else if (rttKnown && recentPing) {
            if (log.isDebug()) {
                log.debug(logPrefix.get() + "Delaying PING due to remote ping "
                        + GoFormat.duration(o.pingInterval()) + " ago");
            }
        } else if (pingsOut + 1 > o.pingMax()) {
            if (log.isDebug()) {
                log.debug(logPrefix.get() + "Stale Client Connection - Closing");
            }
            closeStale.run();
            return;
        } else {
            pingsOut++;
            rttStartNanos = System.nanoTime();
            sendPing.run();
        }
        arm(o.pingInterval().toNanos());
    }
}
