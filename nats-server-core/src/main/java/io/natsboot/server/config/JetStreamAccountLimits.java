package io.natsboot.server.config;

/**
 * An account's JetStream limits as nats-server 2.9.10 reads them from {@code accounts { A: { jetstream: {...} } }}
 * (or from an account JWT's {@code limits}): bytes and counts, -1 = unlimited. {@code jetstream: enabled} gives
 * {@link #UNLIMITED}.
 */
public record JetStreamAccountLimits(long maxMemory, long maxStore, long maxStreams, long maxConsumers,
        long maxAckPending, long memoryMaxStreamBytes, long storeMaxStreamBytes, boolean maxBytesRequired) {
    public static final JetStreamAccountLimits UNLIMITED = new JetStreamAccountLimits(-1, -1, -1, -1, -1, -1, -1, false);
}
