package io.natsboot.server.system;

import io.natsboot.server.monitor.JsonWriter;
import java.time.Instant;

/**
 * The {@code server} object of every system message (nats-server's ServerInfo): who sent it, its sequence number
 * among this server's system messages, and when it left.
 */
record ServerInfo(String name, String host, String id, String cluster, String version, long seq, boolean jetstream,
                  Instant time) implements JsonWriter.Writable {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("name", name)
                .field("host", host)
                .field("id", id)
                .fieldOmitEmpty("cluster", cluster)
                .field("ver", version)
                .field("seq", seq)
                .field("jetstream", jetstream)
                .field("time", time)
                .endObject();
    }
}
