package io.natsboot.server.monitor;

import io.natsboot.server.connection.ClientConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * The last closed client connections, for {@code /connz?state=closed} (nats-server keeps 10000).
 * Each entry is captured when the connection closes, with its subscriptions and close reason,
 * so it costs one small snapshot per close and nothing on the message path.
 */
public final class ClosedConnections {
    /** nats-server 2.9's ring size. */
    public static final int DEFAULT_CAPACITY = 10_000;

    /**
     * One closed connection: its /connz entry (uptime and idle measured at the close), and what a
     * query may add to it.
     */
    public record Entry(ConnInfo info, List<SubDetail> subs, String user, String account) {
        public Entry {
            subs = subs == null ? List.of() : List.copyOf(subs);
        }
    }

    private final Entry[] ring;
    private int next;
    private int size;

    public ClosedConnections() {
        this(DEFAULT_CAPACITY);
    }

    public ClosedConnections(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.ring = new Entry[capacity];
    }

    /** Records a connection that is closing; call once, before its subscriptions are dropped. */
    public void add(ClientConnection c) {
        add(ConnViews.closedEntry(c));
    }

    public synchronized void add(Entry e) {
        ring[next] = e;
        next = (next + 1) % ring.length;
        if (size < ring.length) {
            size++;
        }
    }

    /** The entries, oldest first. */
    public synchronized List<Entry> snapshot() {
        List<Entry> out = new ArrayList<>(size);
        int start = size < ring.length ? 0 : next;
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return out;
    }

    public synchronized int size() {
        return size;
    }

    public int capacity() {
        return ring.length;
    }
}
