package io.natsboot.server.connection;

import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;

/**
 * One connection's read in progress, for the single flush per read: the outbound queues its deliveries touched
 * are flushed once when the read completes ({@code channelReadComplete}), not once per message. Confined to the
 * reading connection's event loop.
 */
public final class ReadBatch {
    /** The read batch last begun on this thread (a connection's event loop); see {@link #current}. */
    private static final FastThreadLocal<ReadBatch> CURRENT = new FastThreadLocal<>();

    private final ArrayList<OutboundQueue> touched = new ArrayList<>();
    /** Work to finish before the read's output is flushed, in the order it was added. */
    private final ArrayList<Runnable> beforeFlush = new ArrayList<>();
    private boolean inRead;

    /** A read starts. */
    public void begin() {
        inRead = true;
        CURRENT.set(this);
    }

    /**
     * The read being processed on the calling thread, or null (not a connection's read: a timer, an API worker, a
     * route). Lets code that a publish reaches inline (JetStream's stream) defer work to the end of the read.
     */
    public static ReadBatch current() {
        ReadBatch b = CURRENT.getIfExists();
        return b != null && b.inRead ? b : null;
    }

    /**
     * Runs {@code work} when the read is done, before the queues it touched are flushed (so what {@code work}
     * queues goes out in the same flush). JetStream writes the file records of a read's publishes with one
     * system call there, then queues their PubAcks. Only on the reading connection's event loop.
     */
    public void beforeFlush(Runnable work) {
        beforeFlush.add(work);
    }

    /** Whether a read is being processed (on this connection's event loop). */
    public boolean inRead() {
        return inRead;
    }

    void add(OutboundQueue q) {
        touched.add(q);
    }

    /** The read is done: flush every queue it touched (each once), stamped with {@code nowNanos} as activity. */
    public void end(long nowNanos) {
        ArrayList<Runnable> w = beforeFlush;
        for (int i = 0; i < w.size(); i++) {
            w.get(i).run();
        }
        w.clear();
        inRead = false;
        ArrayList<OutboundQueue> t = touched;
        for (int i = 0, n = t.size(); i < n; i++) {
            OutboundQueue q = t.get(i);
            q.lastDeliveryNanos = nowNanos;
            q.flush();
        }
        t.clear();
    }
}
