package io.natsboot.server.connection;

/**
 * TLS {@code connection_rate_limit}: at most {@code limit} new TLS clients per one-second window (a window
 * starts with the first connection after the last one ended, as nats-server's rateCounter); refused ones
 * are counted for the once-a-second warning.
 */
public final class ConnectionRateCounter {
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private final long limit;
    private long windowEnd;
    private boolean started;
    private long count;
    private long blocked;

    public ConnectionRateCounter(long limit) {
        this.limit = limit;
    }

    public synchronized boolean allow() {
        long now = System.nanoTime();
        if (!started || now - windowEnd > 0) {
            started = true;
            count = 0;
            windowEnd = now + WINDOW_NANOS;
        } else {
            count++;
        }
        boolean allow = count < limit;
        if (!allow) {
            blocked++;
        }
        return allow;
    }

    /** Connections refused since the last call. */
    public synchronized long takeBlocked() {
        long b = blocked;
        blocked = 0;
        return b;
    }
}
