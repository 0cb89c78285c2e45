package io.natsboot.server.monitor;

import java.time.Instant;
import java.util.List;

/**
 * A /connz answer.
 *
 * @param numConnections entries returned
 * @param total          all matching connections before paging (nats-server does not lower it for
 *                       the user filter)
 * @param connections    {@code null} only when an unknown account was asked for (nats-server then
 *                       writes {@code null} and an empty server id)
 */
public record Connz(String serverId, Instant now, int numConnections, int total, long offset, long limit,
                    List<ConnInfo> connections) implements JsonWriter.Writable {

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("server_id", serverId)
                .field("now", now)
                .field("num_connections", numConnections)
                .field("total", total)
                .field("offset", offset)
                .field("limit", limit)
                .name("connections").array(connections)
                .endObject();
    }
}
