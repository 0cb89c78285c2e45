package io.natsboot.server.monitor;

/**
 * What /varz's {@code jetstream} object and /jsz show of a running JetStream, in nats-server 2.9.10's fields:
 * the configuration (limits, the {@code jetstream} directory) and the usage summed over the enabled accounts.
 * The server supplies it (the monitor does not know the JetStream engine).
 */
public record JetStreamView(long maxMemory, long maxStorage, String storeDir, long memory, long storage,
        int accounts, long apiTotal, long apiErrors, long streams, long consumers, long messages, long bytes,
        long reservedMemory, long reservedStorage) {

    public JetStreamView(long maxMemory, long maxStorage, String storeDir, long memory, long storage, int accounts,
            long apiTotal, long apiErrors, long streams, long consumers, long messages, long bytes) {
        this(maxMemory, maxStorage, storeDir, memory, storage, accounts, apiTotal, apiErrors, streams, consumers,
                messages, bytes, 0, 0);
    }

    /**
     * /jsz's query (nats-server 2.9.10's JSzOptions): one account by name ({@code acc}), or all ({@code accounts}),
     * with their streams, consumers and configurations; {@code offset}/{@code limit} page the accounts (sorted by
     * name; a limit of 0 is 1024).
     */
    public record JszOptions(String account, boolean accounts, boolean streams, boolean consumers, boolean config,
            boolean leaderOnly, int offset, int limit) {
        public static final JszOptions NONE = new JszOptions("", false, false, false, false, false, 0, 0);

        public JszOptions {
            account = account == null ? "" : account;
            if (limit == 0) {
                limit = 1024;
            }
            if (consumers) {
                streams = true;
            }
        }

        /** Whether account details are asked for at all. */
        public boolean details() {
            return accounts || streams || !account.isEmpty();
        }
    }

    /**
     * The account details of /jsz ({@code account_details}), made by the engine: one map per account in
     * nats-server's field order ({@code name, id, memory, storage, reserved_*, accounts, ha_assets, api,
     * stream_detail}), streams with {@code consumer_detail}.
     */
    @FunctionalInterface
    public interface Details {
        java.util.List<java.util.Map<String, Object>> accounts(JszOptions options);
    }

    void writeConfig(JsonWriter w) {
        w.name("config").beginObject().field("max_memory", maxMemory).field("max_storage", maxStorage)
                .field("store_dir", storeDir).endObject();
    }

    /** The stats fields (memory ... api), written into the object being built. */
    void writeStats(JsonWriter w) {
        w.field("memory", memory).field("storage", storage).name("reserved_memory").unsignedValue(reservedMemory)
                .name("reserved_storage").unsignedValue(reservedStorage).field("accounts", accounts).field("ha_assets", 0)
                .name("api").beginObject().field("total", apiTotal).field("errors", apiErrors).endObject();
    }

    /** /varz's {@code jetstream} object. */
    void writeVarz(JsonWriter w) {
        w.beginObject();
        writeConfig(w);
        w.name("stats").beginObject();
        writeStats(w);
        w.endObject().endObject();
    }

    /** /jsz with JetStream on; {@code accountDetails} null or empty is left out (Go's omitempty). */
    record Jsz(String serverId, java.time.Instant now, JetStreamView js,
            java.util.List<java.util.Map<String, Object>> accountDetails) implements JsonWriter.Writable {
        Jsz(String serverId, java.time.Instant now, JetStreamView js) {
            this(serverId, now, js, null);
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("server_id", serverId).field("now", now);
            js.writeConfig(w);
            js.writeStats(w);
            w.field("streams", js.streams).field("consumers", js.consumers).field("messages", js.messages)
                    .field("bytes", js.bytes);
            if (accountDetails != null && !accountDetails.isEmpty()) {
                w.name("account_details").tree(accountDetails);
            }
            w.endObject();
        }
    }
}
