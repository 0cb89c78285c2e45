package io.natsboot.server.system;

import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.monitor.JsonWriter;
import java.time.Instant;

/**
 * What an event says about one client (nats-server's ClientInfo), taken on the connection's thread when the event
 * happens, so the JSON can be written later on the system account's thread.
 */
record ClientSnapshot(Instant start, String host, long id, String account, String user, String name, String lang,
                      String version, long rttNanos, Instant stop, long inMsgs, long inBytes, long outMsgs,
                      long outBytes, String reason, String kind, String clientType) {

    /** nats-server's kind and client_type of a plain NATS client connection. */
    static final String KIND = "Client";
    static final String CLIENT_TYPE = "nats";

    static ClientSnapshot of(ClientConnection c) {
        long rtt = c.rttForMonitor();
        return new ClientSnapshot(c.started(), c.host(), c.cid(), c.account().name(), c.user(), c.name(), c.lang(),
                c.version(), rtt > 0 ? rtt : 0, c.stopped(), c.inMsgs(), c.inBytes(), c.outMsgs(), c.outBytes(),
                c.closeReason(), KIND, CLIENT_TYPE);
    }

    /** A closed leaf connection as nats-server reports it: kind Leafnode, no client_type. */
    static ClientSnapshot ofLeaf(String account, io.natsboot.server.connection.LeafLifecycleListener.Closed c) {
        return new ClientSnapshot(c.start(), c.host(), c.id(), account, c.user(), c.name(), null, c.version(),
                c.rttNanos(), c.stop(), c.inMsgs(), c.inBytes(), c.outMsgs(), c.outBytes(), c.reason(), "Leafnode",
                null);
    }

    /**
     * The {@code client} object; {@code closed} adds what nats-server only knows then ({@code rtt}, {@code stop}).
     */
    void writeJson(JsonWriter w, boolean closed) {
        w.beginObject();
        if (start != null) {
            w.field("start", start);
        }
        w.fieldOmitEmpty("host", host)
                .fieldOmitEmpty("id", id)
                .field("acc", account)
                .fieldOmitEmpty("user", user)
                .fieldOmitEmpty("name", name)
                .fieldOmitEmpty("lang", lang)
                .fieldOmitEmpty("ver", version);
        if (closed) {
            w.fieldOmitEmpty("rtt", rttNanos);
            if (stop != null) {
                w.field("stop", stop);
            }
        }
        w.field("kind", kind).fieldOmitEmpty("client_type", clientType);
        w.endObject();
    }

    /** {@code sent} as the client sees it: what it published (the server's in counters). */
    void writeTraffic(JsonWriter w) {
        SystemJson.dataStats(w.name("sent"), inMsgs, inBytes);
        SystemJson.dataStats(w.name("received"), outMsgs, outBytes);
    }
}
