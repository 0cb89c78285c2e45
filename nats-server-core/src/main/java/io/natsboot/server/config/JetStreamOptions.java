package io.natsboot.server.config;

import java.util.List;
import java.util.Map;

/**
 * JetStream as configured ({@code -js}, {@code -sd}, the {@code jetstream} block): {@code storeDir} null means
 * the default ({@code <tmp>/nats/jetstream} as nats-server); limits are bytes, -1 = computed from the machine.
 * {@code accounts} are the accounts of the {@code accounts} block that enable JetStream ({@code jetstream: enabled}
 * or a block of limits), {@code accountLimits} their limits (absent = unlimited).
 */
public record JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain,
        List<String> accounts, Map<String, JetStreamAccountLimits> accountLimits, String key, String cipher) {
    public static final JetStreamOptions OFF = new JetStreamOptions(false, null, -1, -1, null, List.of());

    public JetStreamOptions {
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        accountLimits = accountLimits == null ? Map.of() : Map.copyOf(accountLimits);
    }

    public JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain,
            List<String> accounts, Map<String, JetStreamAccountLimits> accountLimits) {
        this(enabled, storeDir, maxMemory, maxStore, domain, accounts, accountLimits, null, null);
    }

    /** Encryption at rest ({@code key}, {@code cipher}: "chacha" or "aes"; null key: none), as nats-server. */
    public JetStreamOptions withEncryption(String key, String cipher) {
        return new JetStreamOptions(enabled, storeDir, maxMemory, maxStore, domain, accounts, accountLimits, key, cipher);
    }

    public JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain) {
        this(enabled, storeDir, maxMemory, maxStore, domain, List.of());
    }

    public JetStreamOptions(boolean enabled, String storeDir, long maxMemory, long maxStore, String domain,
            List<String> accounts) {
        this(enabled, storeDir, maxMemory, maxStore, domain, accounts, Map.of());
    }

    /** The limits of an account that has JetStream ({@link JetStreamAccountLimits#UNLIMITED} when none were set). */
    public JetStreamAccountLimits limitsOf(String account) {
        return accountLimits.getOrDefault(account, JetStreamAccountLimits.UNLIMITED);
    }

    public JetStreamOptions withEnabled(boolean v) {
        return new JetStreamOptions(v, storeDir, maxMemory, maxStore, domain, accounts, accountLimits, key, cipher);
    }

    public JetStreamOptions withStoreDir(String v) {
        return new JetStreamOptions(enabled, v, maxMemory, maxStore, domain, accounts, accountLimits, key, cipher);
    }

    public JetStreamOptions withAccount(String account) {
        List<String> l = new java.util.ArrayList<>(accounts);
        l.add(account);
        return new JetStreamOptions(enabled, storeDir, maxMemory, maxStore, domain, l, accountLimits, key, cipher);
    }

    /** Enables JetStream in {@code account} with {@code limits}. */
    public JetStreamOptions withAccount(String account, JetStreamAccountLimits limits) {
        JetStreamOptions o = accounts.contains(account) ? this : withAccount(account);
        Map<String, JetStreamAccountLimits> m = new java.util.HashMap<>(accountLimits);
        m.put(account, limits);
        return new JetStreamOptions(enabled, storeDir, maxMemory, maxStore, domain, o.accounts, m, key, cipher);
    }
}
