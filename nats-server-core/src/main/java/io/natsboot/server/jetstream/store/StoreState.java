package io.natsboot.server.jetstream.store;

/**
 * A store's counters at one moment. With no messages {@code firstSeq} is {@code lastSeq + 1} and
 * {@code firstTimestamp} 0, as nats-server reports an empty stream. {@code numDeleted} counts the interior
 * gaps between first and last.
 */
public record StoreState(long msgs, long bytes, long firstSeq, long firstTimestamp, long lastSeq, long lastTimestamp,
                         long numDeleted, long numSubjects) {
}
