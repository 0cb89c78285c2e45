package io.natsboot.server.monitor;

/**
 * What /varz's {@code jetstream} object and /jsz show of a running JetStream, in nats-server 2.9.10's fields:
 * the configuration (limits, the {@code jetstream} directory) and the usage summed over the enabled accounts.
 * The server supplies it (the monitor does not know the JetStream engine).
 */
public record JetStreamView(long maxMemory, long maxStorage, String storeDir, long memory, long storage,
        int accounts, long apiTotal, long apiErrors, long streams, long consumers, long messages, long bytes) {

    void writeConfig(JsonWriter w) {
        w.name("config").beginObject().field("max_memory", maxMemory).field("max_storage", maxStorage)
                .field("store_dir", storeDir).endObject();
    }

    /** The stats fields (memory ... api), written into the object being built. */
    void writeStats(JsonWriter w) {
        w.field("memory", memory).field("storage", storage).field("reserved_memory", 0)
                .field("reserved_storage", 0).field("accounts", accounts).field("ha_assets", 0)
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

    /** /jsz with JetStream on (no accounts/streams/consumers detail). */
    record Jsz(String serverId, java.time.Instant now, JetStreamView js) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("server_id", serverId).field("now", now);
            js.writeConfig(w);
            js.writeStats(w);
            w.field("streams", js.streams).field("consumers", js.consumers).field("messages", js.messages)
                    .field("bytes", js.bytes).endObject();
        }
    }
}
