package io.natsboot.server.jetstream.store;

import java.util.Map;

/**
 * A stream's message log: sequence numbers are assigned here, one after the other, and never reused. The stream
 * layer (and later a replicated log between the API and the store) only talks to this interface; the memory
 * and file implementations share the index and limit logic in {@link IndexedStore}.
 *
 * <p>Durability contract of {@link #append}: when it returns, the message has been handed to the operating
 * system (it survives the death of this process); with sync-always it has also been forced to the device.
 */
public interface MessageStore extends AutoCloseable {

    /** Appends with the next sequence; {@code timestamp} 0 means now. Returns the stored message. */
    StoredMessage append(String subject, byte[] headers, byte[] data, long timestamp) throws StoreException;

    /**
     * Stores at a given sequence (a replica applying a leader's entry, a mirror copying its origin): sequences
     * between the last one and {@code seq} are skipped as deleted.
     */
    StoredMessage appendAt(long seq, String subject, byte[] headers, byte[] data, long timestamp) throws StoreException;

    /** The message with this sequence, or null when it does not exist (never stored, deleted, expired). */
    StoredMessage load(long seq);

    /** The first message with sequence >= {@code fromSeq} whose subject matches {@code filter} (null or "" or ">": all). */
    StoredMessage loadNext(String filter, long fromSeq);

    /** The last message whose subject matches {@code filter}, or null. */
    StoredMessage loadLast(String filter);

    /** Removes one message; false when it was not there. */
    boolean remove(long seq);

    /**
     * Purges messages matching {@code filter} (all when empty) with sequence below {@code upToSeq} (0: no bound),
     * keeping the newest {@code keep} of them (0: none kept). Returns how many were removed.
     */
    long purge(String filter, long upToSeq, long keep);

    /** Removes every message below {@code seq}; with no messages left the next append gets at least {@code seq}. */
    long compact(long seq);

    /** Messages matching {@code filter} with sequence >= {@code fromSeq}. */
    long numPending(String filter, long fromSeq);

    /** Per-subject message counts for subjects matching {@code filter}. */
    Map<String, Long> subjectCounts(String filter);

    StoreState state();

    /** The deleted (interior) sequences between first and last, ascending. */
    long[] deletedSeqs();

    /** Replaces the limits; messages beyond the new limits are removed at once. */
    void setLimits(StoreLimits limits);

    StoreLimits limits();

    /** Called (under the store's lock) for every message the store removes on its own: limits, age. */
    void setRemovalListener(RemovalListener listener);

    /** Removes messages older than max age; the owner calls it periodically. */
    void expire(long nowNanos);

    /** Forces written data to the device (a no-op for memory). */
    void sync();

    /** Closes and deletes everything this store persisted. */
    void destroy();

    @Override
    void close();

    /** Gets told about removals the store made by itself. */
    @FunctionalInterface
    interface RemovalListener {
        void removed(long seq, String subject);
    }
}
