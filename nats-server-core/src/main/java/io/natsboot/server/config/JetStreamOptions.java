package io.natsboot.server.config;

/**
 * JetStream as configured ({@code -js}, {@code -sd}, the {@code jetstream} block): {@code storeDir} null means
 * the default ({@code <tmp>/nats/jetstream} as nats-server); limits are bytes, -1 = computed from the machine.
 */
public record JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain) {
    public static final JetStreamOptions OFF = new JetStreamOptions(false, null, -1, -1, null);

    public JetStreamOptions withEnabled(boolean v) {
        return new JetStreamOptions(v, storeDir, maxMemory, maxStore, domain);
    }

    public JetStreamOptions withStoreDir(String v) {
        return new JetStreamOptions(enabled, v, maxMemory, maxStore, domain);
    }
}
