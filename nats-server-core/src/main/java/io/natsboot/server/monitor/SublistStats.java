package io.natsboot.server.monitor;

import io.natsboot.server.subject.SubscriptionTrie;

/** nats-server's sublist statistics, the body of a plain /subsz. */
public record SublistStats(long numSubscriptions, long numCache, long numInserts, long numRemoves, long numMatches,
                           double cacheHitRate, long maxFanout, double avgFanout) implements JsonWriter.Writable {

    public static final SublistStats EMPTY = new SublistStats(0, 0, 0, 0, 0, 0, 0, 0);

    public static SublistStats of(SubscriptionTrie.Stats s) {
        return new SublistStats(s.numSubscriptions(), s.numCache(), s.numInserts(), s.numRemoves(), s.numMatches(),
                s.cacheHitRate(), s.maxFanout(), s.avgFanout());
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        writeFields(w);
        w.endObject();
    }

    /** The fields alone, for /subsz?subs=1 where Go inlines them. */
    void writeFields(JsonWriter w) {
        w.field("num_subscriptions", numSubscriptions)
                .field("num_cache", numCache)
                .field("num_inserts", numInserts)
                .field("num_removes", numRemoves)
                .field("num_matches", numMatches)
                .field("cache_hit_rate", cacheHitRate)
                .field("max_fanout", maxFanout)
                .field("avg_fanout", avgFanout);
    }
}
