package io.natsboot.server.jetstream.store;

import java.time.Duration;

/**
 * File store tuning. nats-server 2.9 flushes writes to the OS at once but forces them to the device only every
 * two minutes ({@code sync_interval}); {@code syncAlways} forces after every write instead.
 */
public record FileStoreOptions(int blockSize, boolean syncAlways, Duration syncInterval) {
    public static final int DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMinutes(2);
    public static final FileStoreOptions DEFAULTS = new FileStoreOptions(DEFAULT_BLOCK_SIZE, false, DEFAULT_SYNC_INTERVAL);
}
