package io.natsboot.server.cluster;

import io.natsboot.server.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields of a peer's route INFO that the cluster uses (reference §4.2). Unknown fields are ignored,
 * as nats-server does. {@link #forwardLine} writes the INFO gossiped to the other routes.
 */
record PeerInfo(String serverId, String serverName, String version, int proto, String go, String host, int port,
                boolean headers, boolean authRequired, long maxPayload, String ip, String cluster,
                boolean clusterDynamic, List<String> connectUrls, boolean ldm, boolean gateway, String gatewayUrl,
                List<String> leafUrls, List<String> webSocketUrls) {

    static PeerInfo parse(String json) {
        Map<String, Object> m = Json.parseObject(json);
        List<String> urls = new ArrayList<>();
        if (m.get("connect_urls") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    urls.add(s);
                }
            }
        }
        return new PeerInfo(str(m, "server_id"), str(m, "server_name"), str(m, "version"), (int) num(m, "proto"),
                str(m, "go"), str(m, "host"), (int) num(m, "port"), bool(m, "headers"), bool(m, "auth_required"),
                num(m, "max_payload"), str(m, "ip"), str(m, "cluster"), bool(m, "cluster_dynamic"),
                List.copyOf(urls), bool(m, "ldm"), m.containsKey("gateway"), str(m, "gateway_url"),
                strings(m, "leafnode_urls"), strings(m, "ws_connect_urls"));
    }

    private static List<String> strings(Map<String, Object> m, String k) {
        List<String> out = new ArrayList<>();
        if (m.get(k) instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }

    private static String str(Map<String, Object> m, String k) {
        return m.get(k) instanceof String s ? s : null;
    }

    private static long num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.longValue() : 0;
    }

    private static boolean bool(Map<String, Object> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }

    /** Where to dial this peer: its advertised {@code ip}, else {@code nats-route://host:port/}. */
    String routeUrl(String fallbackHost) {
        if (ip != null && !ip.isEmpty()) {
            return ip;
        }
        String h = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")
                ? fallbackHost : host;
        return "nats-route://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port + "/";
    }

    /**
     * The INFO a node forwards to its other routes when this peer registers (reference §4.8): no nonce,
     * {@code ip} set to where the peer can be dialled, and no space before CRLF.
     */
    byte[] forwardLine(String dialUrl) {
        StringBuilder b = new StringBuilder(256).append("INFO {\"server_id\":");
        Json.quote(b, serverId);
        b.append(",\"server_name\":");
        Json.quote(b, serverName == null ? "" : serverName);
        b.append(",\"version\":");
        Json.quote(b, version == null ? "" : version);
        b.append(",\"proto\":").append(proto);
        if (go != null) {
            b.append(",\"go\":");
            Json.quote(b, go);
        }
        b.append(",\"host\":");
        Json.quote(b, host == null ? "" : host);
        b.append(",\"port\":").append(port);
        b.append(",\"headers\":").append(headers);
        if (authRequired) {
            b.append(",\"auth_required\":true");
        }
        b.append(",\"max_payload\":").append(maxPayload);
        b.append(",\"ip\":");
        Json.quote(b, dialUrl);
        b.append(",\"cluster\":");
        Json.quote(b, cluster == null ? "" : cluster);
        if (clusterDynamic) {
            b.append(",\"cluster_dynamic\":true");
        }
        Json.stringArrayOmitEmpty(b, "connect_urls", connectUrls);
        Json.stringArrayOmitEmpty(b, "ws_connect_urls", webSocketUrls);
        Json.stringArrayOmitEmpty(b, "leafnode_urls", leafUrls);
        b.append("}\r\n");
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
