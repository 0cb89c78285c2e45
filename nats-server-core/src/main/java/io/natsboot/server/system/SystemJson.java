package io.natsboot.server.system;

import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.protocol.ServerId;
import java.time.Instant;

/** Small pieces of JSON the system account's messages share, in nats-server 2.9's field order. */
final class SystemJson {
    static final String CONNECT_TYPE = "io.nats.server.advisory.v1.client_connect";
    static final String DISCONNECT_TYPE = "io.nats.server.advisory.v1.client_disconnect";
    static final String ACCOUNT_CONNS_TYPE = "io.nats.server.advisory.v1.account_connections";

    private SystemJson() {
    }

    /** {@code {"msgs":n,"bytes":n}} (DataStats). */
    static JsonWriter dataStats(JsonWriter w, long msgs, long bytes) {
        return w.beginObject().field("msgs", msgs).field("bytes", bytes).endObject();
    }

    /** The TypedEvent head of an advisory: {@code type}, a fresh {@code id}, {@code timestamp}. */
    static JsonWriter typedEvent(JsonWriter w, String type, String id, Instant timestamp) {
        return w.field("type", type).field("id", id).field("timestamp", timestamp);
    }

    /** A new event id (a NUID, as nats-server's). */
    static String eventId() {
        return ServerId.nuid();
    }
}
