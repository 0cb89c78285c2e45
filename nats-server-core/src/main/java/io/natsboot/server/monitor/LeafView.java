package io.natsboot.server.monitor;

import java.util.List;

/**
 * What /leafz and /varz show of the leaf nodes (nats-server 2.9.10's LeafInfo and LeafNodeOptsVarz fields). The
 * server supplies it from its leaf-node side, so the monitor does not know the leaf connections.
 */
public interface LeafView {
    /** The registered leaf connections, in registration order. */
    List<Leaf> leafs();

    /** /varz's {@code leaf} object: listen host and port, auth and TLS timeouts, remotes. */
    Varz leafVarz();

    /** One leaf connection in /leafz; {@code subs} are the subjects the remote advertised. */
    record Leaf(String name, boolean spoke, String account, String ip, int port, String rtt, long inMsgs,
                long outMsgs, long inBytes, long outBytes, List<String> subs) {
        void write(JsonWriter w, boolean withSubs) {
            w.beginObject()
                    .field("account", account)
                    .field("ip", ip)
                    .field("port", port)
                    .fieldOmitEmpty("rtt", rtt)
                    .field("in_msgs", inMsgs)
                    .field("out_msgs", outMsgs)
                    .field("in_bytes", inBytes)
                    .field("out_bytes", outBytes)
                    .field("subscriptions", subs.size());
            if (withSubs && !subs.isEmpty()) {
                w.fieldOmitEmpty("subscriptions_list", subs);
            }
            w.endObject();
        }
    }

    /** One remote in /varz's {@code leaf.remotes}. */
    record Remote(String localAccount, List<String> urls) {
    }

    /** /varz's {@code leaf} object (nats-server's LeafNodeOptsVarz): empty fields omitted. */
    record Varz(String host, int port, long authTimeout, long tlsTimeout, boolean listening, List<Remote> remotes)
            implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject();
            if (listening) {
                w.fieldOmitEmpty("host", host).field("port", port).field("auth_timeout", authTimeout)
                        .field("tls_timeout", tlsTimeout);
            }
            if (!remotes.isEmpty()) {
                w.name("remotes").beginArray();
                for (Remote r : remotes) {
                    w.beginObject().field("local_account", r.localAccount()).fieldOmitEmpty("urls", r.urls())
                            .endObject();
                }
                w.endArray();
            }
            w.endObject();
        }
    }

    /** /leafz: {@code "leafs": null} without leaf connections, as Go writes a nil slice. */
    record Leafz(String serverId, java.time.Instant now, List<Leaf> leafs, boolean subs)
            implements JsonWriter.Writable {
        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject().field("server_id", serverId).field("now", now).field("leafnodes", leafs.size())
                    .name("leafs");
            if (leafs.isEmpty()) {
                w.nullValue();
            } else {
                w.beginArray();
                for (Leaf l : leafs) {
                    l.write(w, subs);
                }
                w.endArray();
            }
            w.endObject();
        }
    }
}
