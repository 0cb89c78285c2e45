package io.natsboot.server.monitor;

import java.time.Instant;
import java.util.List;

/** A /routez answer. A standalone server has no routes: {@code "num_routes": 0, "routes": []}. */
public record Routez(String serverId, Instant now, int numRoutes, List<RouteInfo> routes)
        implements JsonWriter.Writable {

    /**
     * One route connection, with nats-server 2.9's fields ({@code pending_size}, not
     * {@code pending_bytes}). Unused until routes exist; kept so the shape is in one place.
     */
    public record RouteInfo(long rid, String remoteId, boolean didSolicit, boolean isConfigured, String ip, int port,
                            Instant start, Instant lastActivity, String rtt, String uptime, String idle,
                            long pendingSize, long inMsgs, long outMsgs, long inBytes, long outBytes,
                            int subscriptions, List<String> subscriptionsList,
                            List<SubDetail> subscriptionsListDetail) implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .name("rid").unsignedValue(rid)
                    .field("remote_id", remoteId)
                    .field("did_solicit", didSolicit)
                    .field("is_configured", isConfigured)
                    .field("ip", ip)
                    .field("port", port)
                    .field("start", start)
                    .field("last_activity", lastActivity)
                    .fieldOmitEmpty("rtt", rtt)
                    .field("uptime", uptime)
                    .field("idle", idle)
                    .field("pending_size", pendingSize)
                    .field("in_msgs", inMsgs)
                    .field("out_msgs", outMsgs)
                    .field("in_bytes", inBytes)
                    .field("out_bytes", outBytes)
                    .field("subscriptions", subscriptions)
                    .fieldOmitEmpty("subscriptions_list", subscriptionsList);
            if (subscriptionsListDetail != null && !subscriptionsListDetail.isEmpty()) {
                w.name("subscriptions_list_detail").array(subscriptionsListDetail);
            }
            w.endObject();
        }
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("server_id", serverId)
                .field("now", now)
                .field("num_routes", numRoutes)
                .name("routes").array(routes)
                .endObject();
    }
}
