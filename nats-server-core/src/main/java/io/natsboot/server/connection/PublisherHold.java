package io.natsboot.server.connection;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reading side of back-pressure, one per connection that publishes: while a receiver it fills is backed up,
 * the connection stops reading (auto-read off) until every receiver holding it has drained, 1 s at most per stall
 * (nats-server stalls publishers the same way). Receivers list it with {@link OutboundQueue#holdLocked}.
 */
public final class PublisherHold {
    private static final long MAX_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Channel channel;
    private final EventLoop loop;
    /** Receivers that list this publisher as held (see {@link OutboundQueue#holdLocked}). */
    final AtomicInteger holds = new AtomicInteger();
    // loop-confined
    private boolean stalled;
    private boolean closed;
    private ScheduledFuture<?> timer;

    public PublisherHold(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
    }

    /** Stops reading until the receivers drain, 1 s at most; on this connection's event loop. */
    public void stall() {
        if (stalled || closed) {
            return;
        }
        stalled = true;
        channel.config().setAutoRead(false);
        timer = loop.schedule(this::resume, MAX_STALL_NANOS, TimeUnit.NANOSECONDS);
    }

    /** A receiver that held this publisher drained (or closed); any thread. The last one resumes reading. */
    void release() {
        if (holds.decrementAndGet() <= 0) {
            resume();
        }
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
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (!closed) {
            channel.config().setAutoRead(true);
        }
    }

    /** The connection closes: no more stalls, the timer goes; on the event loop. */
    public void close() {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
