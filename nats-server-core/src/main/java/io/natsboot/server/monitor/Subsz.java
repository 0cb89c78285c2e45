package io.natsboot.server.monitor;

import java.time.Instant;
import java.util.List;

/**
 * A /subsz answer. As in nats-server, when the list is empty (no {@code subs=1}, or nothing
 * matched) the JSON is the bare {@link SublistStats} object; otherwise server id, time, the stats
 * inlined, {@code total} (the number returned, as 2.9 reports it), offset, limit and the list.
 */
public record Subsz(String serverId, Instant now, SublistStats stats, int total, long offset, long limit,
                    List<SubDetail> subscriptions) implements JsonWriter.Writable {

    @Override
    public void writeJson(JsonWriter w) {
        if (subscriptions == null || subscriptions.isEmpty()) {
            stats.writeJson(w);
            return;
        }
        writeFull(w);
    }

    /**
     * The whole object even without a list (the list then left out): what nats-server's $SYS SUBSZ answers
     * carry, where the bare-statistics quirk of its HTTP handler does not show.
     */
    public JsonWriter.Writable full() {
        return this::writeFull;
    }

    private void writeFull(JsonWriter w) {
        w.beginObject()
                .field("server_id", serverId)
                .field("now", now);
        stats.writeFields(w);
        w.field("total", total)
                .field("offset", offset)
                .field("limit", limit);
        if (subscriptions != null && !subscriptions.isEmpty()) {
            w.name("subscriptions_list").array(subscriptions);
        }
        w.endObject();
    }
}
