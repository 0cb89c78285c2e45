package io.natsboot.server.gateway;

import io.natsboot.server.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A gateway INFO as received (the fields gateways use), and the INFO/CONNECT lines we send, byte for byte as
 * nats-server 2.9.10 writes them (Go's {@code Info} and {@code connectInfo} structs: field order, empty strings and
 * zeros where the fields are not {@code omitempty}).
 */
record GatewayInfo(String serverId, String serverName, String gateway, List<String> gatewayUrls, int gatewayCmd,
                   String gatewayCmdPayload, boolean headers, boolean authRequired) {

    static final int CMD_GOSSIP = 1;
    static final int CMD_ALL_SUBS_START = 2;
    static final int CMD_ALL_SUBS_COMPLETE = 3;

    static GatewayInfo parse(String json) {
        Map<String, Object> m = Json.parseObject(json);
        List<String> urls = new ArrayList<>();
        if (m.get("gateway_urls") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    urls.add(s);
                }
            }
        }
        String payload = null;
        if (m.get("gateway_cmd_payload") instanceof String p) {
            // Go marshals []byte as base64
            try {
                payload = new String(Base64.getDecoder().decode(p), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                payload = null;
            }
        }
        return new GatewayInfo(str(m, "server_id"), str(m, "server_name"), str(m, "gateway"), List.copyOf(urls),
                m.get("gateway_cmd") instanceof Number n ? n.intValue() : 0, payload,
                Boolean.TRUE.equals(m.get("headers")), Boolean.TRUE.equals(m.get("auth_required")));
    }

    private static String str(Map<String, Object> m, String k) {
        return m.get(k) instanceof String s ? s : null;
    }

    /** The INFO a gateway listener sends first (and an outbound sends after its CONNECT). */
    static byte[] info(String serverId, String serverName, String version, String host, int port, boolean auth,
            boolean tls, long maxPayload, String gateway, List<String> gatewayUrls, String gatewayUrl) {
        StringBuilder b = new StringBuilder(384).append("INFO {\"server_id\":");
        Json.quote(b, serverId).append(",\"server_name\":");
        Json.quote(b, serverName).append(",\"version\":");
        Json.quote(b, version).append(",\"proto\":0,\"go\":\"\",\"host\":");
        Json.quote(b, host).append(",\"port\":").append(port).append(",\"headers\":true");
        if (auth) {
            b.append(",\"auth_required\":true");
        }
        if (tls) {
            b.append(",\"tls_required\":true,\"tls_verify\":true");
        }
        b.append(",\"max_payload\":").append(maxPayload).append(",\"gateway\":");
        Json.quote(b, gateway);
        urls(b, gatewayUrls);
        b.append(",\"gateway_url\":");
        Json.quote(b, gatewayUrl).append(",\"gateway_nrp\":true,\"gateway_iom\":true}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A command INFO (all-subscriptions start/complete for an account): a bare Info with only these set. */
    static byte[] command(String gateway, int cmd, String account) {
        StringBuilder b = new StringBuilder(200).append("INFO {\"server_id\":\"\",\"server_name\":\"\",\"version\":\"\","
                + "\"proto\":0,\"go\":\"\",\"host\":\"\",\"port\":0,\"headers\":false,\"max_payload\":0,\"gateway\":");
        Json.quote(b, gateway).append(",\"gateway_cmd\":").append(cmd).append(",\"gateway_cmd_payload\":\"")
                .append(Base64.getEncoder().encodeToString(account.getBytes(StandardCharsets.UTF_8))).append("\"}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The gossip INFO (gateway_cmd 1) telling an inbound gateway about another gateway we know (server name empty),
     * or the servers of our cluster about a gateway (server id "GW" + ours, our name).
     */
    static byte[] gossip(String serverId, String serverName, String gateway, List<String> urls) {
        StringBuilder b = new StringBuilder(200).append("INFO {\"server_id\":");
        Json.quote(b, serverId).append(",\"server_name\":");
        Json.quote(b, serverName).append(",\"version\":\"\",\"proto\":0,\"go\":\"\",\"host\":\"\","
                + "\"port\":0,\"headers\":false,\"max_payload\":0,\"gateway\":");
        Json.quote(b, gateway);
        urls(b, urls);
        b.append(",\"gateway_cmd\":1}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The CONNECT an outbound gateway sends once the remote's INFO arrived. */
    static byte[] connect(String user, String pass, boolean tls, String serverId, String gateway) {
        StringBuilder b = new StringBuilder(200).append("CONNECT {\"echo\":false,\"verbose\":false,\"pedantic\":false");
        if (user != null && !user.isEmpty()) {
            Json.quote(b.append(",\"user\":"), user);
        }
        if (pass != null && !pass.isEmpty()) {
            Json.quote(b.append(",\"pass\":"), pass);
        }
        b.append(",\"tls_required\":").append(tls).append(",\"headers\":false,\"name\":");
        Json.quote(b, serverId).append(",\"cluster\":\"\",\"gateway\":");
        Json.quote(b, gateway).append("}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void urls(StringBuilder b, List<String> urls) {
        if (urls.isEmpty()) {
            return;
        }
        b.append(",\"gateway_urls\":[");
        for (int i = 0; i < urls.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Json.quote(b, urls.get(i));
        }
        b.append(']');
    }
}
