package io.natsboot.server.jetstream;

/**
 * One account's JetStream limits (nats-server 2.9.10's JetStreamAccountLimits, the single untiered tier): bytes
 * and counts, -1 = unlimited. They are what {@code $JS.API.INFO} shows under {@code limits} and what stream and
 * consumer creation, stream updates and every publish are checked against ({@link AccountLimitCheck}).
 */
public record AccountLimits(long maxMemory, long maxStore, long maxStreams, long maxConsumers, long maxAckPending,
        long memoryMaxStreamBytes, long storeMaxStreamBytes, boolean maxBytesRequired) {
    public static final AccountLimits UNLIMITED = new AccountLimits(-1, -1, -1, -1, -1, -1, -1, false);
    /** What a tiered account reports as its untiered limits (Go's zero value). */
    public static final AccountLimits ZERO = new AccountLimits(0, 0, 0, 0, 0, 0, 0, false);

    /** An account JWT's JetStream limits ({@code mem_storage}, {@code disk_storage}, {@code streams}, {@code consumer}). */
    public static AccountLimits ofJwt(long memStorage, long diskStorage, long streams, long consumers) {
        return new AccountLimits(memStorage, diskStorage, streams, consumers, -1, -1, -1, false);
    }
}
