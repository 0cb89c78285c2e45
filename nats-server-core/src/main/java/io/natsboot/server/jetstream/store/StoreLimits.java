package io.natsboot.server.jetstream.store;

/**
 * The limits a store enforces itself on every append (nats-server's stores do the same): values below 1 mean
 * unlimited. With {@code discardNew} an append that would pass a limit fails instead of removing old messages;
 * {@code discardNewPerSubject} extends that to {@code maxMsgsPerSubject}.
 */
public record StoreLimits(long maxMsgs, long maxBytes, long maxAgeNanos, long maxMsgsPerSubject, int maxMsgSize,
                          boolean discardNew, boolean discardNewPerSubject) {
    public static final StoreLimits NONE = new StoreLimits(-1, -1, 0, -1, -1, false, false);
}
