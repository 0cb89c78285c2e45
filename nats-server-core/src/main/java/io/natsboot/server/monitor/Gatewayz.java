package io.natsboot.server.monitor;

import io.natsboot.server.gateway.GatewayView;
import io.natsboot.server.goformat.GoFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A /gatewayz answer with gateways configured (nats-server 2.9's Gatewayz): this server's gateway, the outbound
 * connection per remote cluster and the inbound ones, each as a connection object; with {@code accs} (or
 * {@code acc_name}) the interest mode per account.
 */
public record Gatewayz(String serverId, Instant now, String name, String host, int port,
                       Map<String, GatewayView> outbound, Map<String, List<GatewayView>> inbound, boolean accs,
                       String accName) implements JsonWriter.Writable {

    /** nats-server's threshold of RS- before an account switches to interest-only (shown per account). */
    private static final int INTEREST_ONLY_THRESHOLD = 1000;

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("server_id", serverId)
                .field("now", now)
                .field("name", name)
                .field("host", host)
                .field("port", port)
                .name("outbound_gateways").beginObject();
        for (Map.Entry<String, GatewayView> e : outbound.entrySet()) {
            w.name(e.getKey());
            remote(w, e.getValue(), true);
        }
        w.endObject().name("inbound_gateways").beginObject();
        for (Map.Entry<String, List<GatewayView>> e : inbound.entrySet()) {
            w.name(e.getKey()).beginArray();
            for (GatewayView v : e.getValue()) {
                remote(w, v, false);
            }
            w.endArray();
        }
        w.endObject().endObject();
    }

    private void remote(JsonWriter w, GatewayView v, boolean outbound) {
        w.beginObject().field("configured", outbound && v.configured()).name("connection");
        connection(w, v);
        if (accs) {
            w.name("accounts").beginArray();
            for (GatewayView.AccountMode a : v.accounts()) {
                if (accName != null && !accName.isEmpty() && !accName.equals(a.name())) {
                    continue;
                }
                w.beginObject()
                        .field("name", a.name())
                        .field("interest_mode", a.mode())
                        .fieldOmitEmpty("no_interest_count", a.noInterestCount())
                        .field("interest_only_threshold", INTEREST_ONLY_THRESHOLD)
                        .fieldOmitEmpty("num_subs", a.subscriptions())
                        .endObject();
            }
            w.endArray();
        }
        w.endObject();
    }

    private void connection(JsonWriter w, GatewayView v) {
        w.beginObject()
                .name("cid").unsignedValue(v.gid())
                .field("kind", "Gateway")
                .field("ip", v.host())
                .field("port", v.port())
                .field("start", v.start())
                .field("last_activity", v.lastActivity())
                .fieldOmitEmpty("rtt", GoFormat.rtt(v.rttNanos()))
                .field("uptime", GoFormat.uptime(Duration.between(v.start(), now)))
                .field("idle", GoFormat.uptime(Duration.between(v.lastActivity(), now)))
                .field("pending_bytes", v.pendingBytes())
                .field("in_msgs", v.inMsgs())
                .field("out_msgs", v.outMsgs())
                .field("in_bytes", v.inBytes())
                .field("out_bytes", v.outBytes())
                .field("subscriptions", v.subscriptions())
                .fieldOmitEmpty("name", v.remoteId())
                .endObject();
    }
}
