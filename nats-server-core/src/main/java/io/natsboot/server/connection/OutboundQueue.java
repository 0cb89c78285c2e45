package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.util.ArrayList;

/**
 * A connection's outbound side, the same for every kind (client, route): one pending batch that publishers on any
 * event loop append frames to under this object's lock, flushed once per publisher read (see {@link ReadBatch}) as
 * one write on the connection's loop; the batch size learned from the last flush; pending bytes (the batch plus
 * Netty's outbound buffer) for the slow-consumer check; the publishers held back while it is backed up; and the
 * write of what is left when the connection closes.
 *
 * <p>Locking. Callers append under {@code synchronized (queue)} with the {@code ...Locked} methods (so a kind can
 * guard its own per-delivery state, such as subscription counters, with the same lock); everything else takes the
 * lock itself.
 */
public final class OutboundQueue {
    static final int MIN_BATCH = 4096;
    /** Largest size a new outbound batch starts with (see {@link #batchHint}). */
    private static final int MAX_BATCH_HINT = 512 * 1024;

    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private final EventLoop loop;
    /** Held publishers are released once the queue is back under this. */
    private final long stallThreshold;
    /**
     * The owner's own reads: its own writes (PONG, +OK, -ERR) flush at the end of its read; null: they flush as one
     * task on the loop.
     */
    private final ReadBatch ownReads;
    private final Runnable flushTask = this::flushNow;

    // guarded by this
    private ByteBuf pending;
    /**
     * Capacity a new outbound batch starts with: the last flushed batch's size rounded up to a power of two. A
     * batch that has to grow is reallocated and copied by the pool; with 1 KiB messages, growing from 4 KiB to the
     * ~64 KiB one publisher read produces was 12% of the server's CPU (docs/performance.md).
     */
    private int batchHint = MIN_BATCH;
    private boolean flushScheduled;
    private volatile boolean closed;
    private long outMsgs;
    private long outBytes;
    /** Publishers that stopped reading because this queue is backed up. */
    private ArrayList<PublisherHold> held;

    /** nanoTime of the last publisher read that delivered here (monitoring's last activity); racy. */
    volatile long lastDeliveryNanos = System.nanoTime();

    /**
     * {@code stallThreshold}: more than this queued holds publishers back. When it is below Netty's high-water
     * mark, the channel's water marks move to it, so writability (which releases held publishers) tracks it.
     */
    public OutboundQueue(ChannelHandlerContext ctx, long stallThreshold, ReadBatch ownReads) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        this.stallThreshold = stallThreshold;
        this.ownReads = ownReads;
        if (stallThreshold < channel.config().getWriteBufferHighWaterMark()) {
            // Held publishers are released once this channel is writable again, so it must turn unwritable
            // below the stall threshold; otherwise, with a small max_pending, every flush would release them
            // while this connection is still backed up.
            int high = (int) Math.max(2, stallThreshold);
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        }
    }

    // ---- under the lock ------------------------------------------------------------------------

    public boolean isClosedLocked() {
        return closed;
    }

    /** Bytes queued and not yet written to the socket: the pending batch plus Netty's outbound buffer. */
    public long pendingBytesLocked() {
        long queued = pending == null ? 0 : pending.readableBytes();
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? queued : queued + ob.totalPendingWriteBytes();
    }

    /** Whether publishers filling this queue should be held back now. */
    public boolean backedUpLocked(long queued) {
        return queued > stallThreshold;
    }

    /** The batch to append to, with room for at least {@code atLeast} more bytes on a new batch. */
    public ByteBuf bufferLocked(int atLeast) {
        ByteBuf out = pending;
        if (out == null) {
            out = channel.alloc().directBuffer(Math.max(batchHint, atLeast));
            pending = out;
        }
        return out;
    }

    /** Counts one message of {@code bytes} payload bytes for monitoring. */
    public void countLocked(long bytes) {
        outMsgs++;
        outBytes += bytes;
    }

    /** Marks a flush as due; true if the caller must schedule it ({@link #flushAfter}), false if one is due. */
    public boolean markFlushLocked() {
        if (flushScheduled) {
            return false;
        }
        flushScheduled = true;
        return true;
    }

    /**
     * Lists {@code publisher} as held by this queue until it drains (once, however many deliveries); the caller
     * then stalls it ({@link PublisherHold#stall()}) on the publisher's loop, at every delivery over the threshold:
     * it may have been released by another receiver or its stall timer while this one is still backed up.
     */
    public void holdLocked(PublisherHold publisher) {
        if (held == null) {
            held = new ArrayList<>(2);
        }
        if (!held.contains(publisher)) {
            held.add(publisher);
            publisher.holds.incrementAndGet();
        }
    }

    /** The receiver is cut as a slow consumer: nothing more is queued, what is pending is dropped. */
    public void slowConsumerLocked() {
        closed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    // ---- any thread ----------------------------------------------------------------------------

    /**
     * Schedules the flush a delivery marked due: at the end of the publisher's read when it is one in progress
     * ({@code publisher}, on its loop), else at once on this queue's loop (one task from another thread).
     */
    public void flushAfter(ReadBatch publisher) {
        if (publisher != null && publisher.inRead()) {
            publisher.add(this);
        } else {
            flush();
        }
    }

    /** The owner's own output (INFO, PONG, +OK, -ERR, PING, interest lines); any thread. */
    public void enqueue(byte[] bytes) {
        synchronized (this) {
            if (closed) {
                return;
            }
            bufferLocked(bytes.length).writeBytes(bytes);
            if (!markFlushLocked()) {
                return;
            }
        }
        if (ownReads == null) {
            flushLater(); // no reads of its own to batch with (a route): lines queued together are written once
        } else if (ownReads.inRead() && loop.inEventLoop()) {
            ownReads.add(this);
        } else {
            flush();
        }
    }

    /** Writes what is queued to the socket on this queue's event loop (now, if called there). */
    public void flush() {
        if (loop.inEventLoop()) {
            flushNow();
        } else {
            loop.execute(flushTask);
        }
    }

    /** A flush as a task on the loop, after what the loop is doing now (a route's burst is written once). */
    public void flushLater() {
        loop.execute(flushTask);
    }

    /** Writes what is queued now; on the event loop. */
    public void flushNow() {
        ByteBuf out;
        synchronized (this) {
            out = pending;
            pending = null;
            flushScheduled = false;
            if (out != null) {
                int size = out.readableBytes();
                batchHint = size <= MIN_BATCH ? MIN_BATCH : Math.min(MAX_BATCH_HINT, Integer.highestOneBit(size - 1) << 1);
            }
        }
        if (out != null) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
        if (held != null && channel.isWritable()) {
            releaseHeld();
        }
    }

    /** The channel became writable again: held publishers may read again if this queue drained. */
    public void writable() {
        releaseHeld();
    }

    /** Lets publishers held by this queue read again, once it is under the threshold (or closed). */
    private void releaseHeld() {
        ArrayList<PublisherHold> waiting;
        synchronized (this) {
            waiting = held;
            if (waiting == null || waiting.isEmpty()) {
                return;
            }
            if (!closed && pendingBytesLocked() > stallThreshold) {
                return; // still backed up: the channel may be writable while our own batch is not yet flushed
            }
            held = null;
        }
        for (PublisherHold p : waiting) {
            // only the last backed-up receiver releases a publisher (its stall timer always does)
            p.release();
        }
    }

    /**
     * The close path, on the event loop: nothing more is queued, held publishers are released, and the channel
     * closes; with {@code flush} what was queued (an -ERR) is written first.
     */
    public void close(boolean flush) {
        ByteBuf rest;
        synchronized (this) {
            closed = true;
            rest = pending;
            pending = null;
        }
        releaseHeld();
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

    // ---- views ---------------------------------------------------------------------------------

    public boolean isClosed() {
        return closed;
    }

    public synchronized long outMsgs() {
        return outMsgs;
    }

    public synchronized long outBytes() {
        return outBytes;
    }

    public synchronized long pendingBytes() {
        return pendingBytesLocked();
    }
}
