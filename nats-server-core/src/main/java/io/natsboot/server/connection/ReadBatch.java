package io.natsboot.server.connection;

import java.util.ArrayList;

/**
 * One connection's read in progress, for the single flush per read: the outbound queues its deliveries touched
 * are flushed once when the read completes ({@code channelReadComplete}), not once per message. Confined to the
 * reading connection's event loop.
 */
public final class ReadBatch {
    private final ArrayList<OutboundQueue> touched = new ArrayList<>();
    private boolean inRead;

    /** A read starts. */
    public void begin() {
        inRead = true;
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
