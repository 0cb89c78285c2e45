package io.natsboot.server.config;

import java.util.List;

/**
 * JetStream as configured ({@code -js}, {@code -sd}, the {@code jetstream} block): {@code storeDir} null means
 * the default ({@code <tmp>/nats/jetstream} as nats-server); limits are bytes, -1 = computed from the machine.
 * {@code accounts} are the accounts of the {@code accounts} block that say {@code jetstream: enabled}.
 */
public record JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain,
        List<String> accounts) {
    public static final JetStreamOptions OFF = new JetStreamOptions(false, null, -1, -1, null, List.of());

    public JetStreamOptions {
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
    }

    public JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain) {
        this(enabled, storeDir, maxMemory, maxStore, domain, List.of());
    }

    public JetStreamOptions withEnabled(boolean v) {
        return new JetStreamOptions(v, storeDir, maxMemory, maxStore, domain, accounts);
    }

    public JetStreamOptions withStoreDir(String v) {
        return new JetStreamOptions(enabled, v, maxMemory, maxStore, domain, accounts);
    }

    public JetStreamOptions withAccount(String account) {
        List<String> l = new java.util.ArrayList<>(accounts);
        l.add(account);
        return new JetStreamOptions(enabled, storeDir, maxMemory, maxStore, domain, l);
    }
}
