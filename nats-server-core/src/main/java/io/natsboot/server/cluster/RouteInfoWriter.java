package io.natsboot.server.cluster;

import io.natsboot.server.config.Versions;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/** Writes this node's route INFO and CONNECT lines, fields in nats-server 2.9's order (reference §4.1-4.3). */
final class RouteInfoWriter {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RouteInfoWriter() {
    }

    /** nats-server's nonce: 11 random bytes, base64url without padding (15 characters). */
    static String nonce() {
        byte[] b = new byte[11];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The route INFO of this node. {@code nonce} only in the first INFO of a connection; {@code ldm} in the
     * lame-duck notification. The space before CRLF is nats-server's.
     */
    static byte[] info(ServerContext server, Cluster cluster, String nonce, boolean ldm) {
        StringBuilder b = new StringBuilder(320).append("INFO {\"server_id\":");
        Json.quote(b, server.serverId());
        b.append(",\"server_name\":");
        Json.quote(b, server.serverName());
        b.append(",\"version\":");
        Json.quote(b, server.options().compatVersion());
        b.append(",\"proto\":2,\"go\":");
        Json.quote(b, Versions.runtimeVersion());
        b.append(",\"host\":");
        Json.quote(b, cluster.infoHost());
        b.append(",\"port\":").append(cluster.infoPort());
        // HMSG on routes is implemented; LS+/LMSG are understood but not sent, so no "lnoc".
        b.append(",\"headers\":true");
        if (cluster.options().authRequired()) {
            b.append(",\"auth_required\":true");
        }
        if (cluster.options().tls() != null) {
            b.append(",\"tls_required\":true,\"tls_verify\":true");
        }
        b.append(",\"max_payload\":").append(server.options().maxPayload());
        if (cluster.options().advertise() != null) {
            b.append(",\"ip\":");
            Json.quote(b, "nats-route://" + cluster.options().advertise() + "/");
        }
        if (nonce != null) {
            b.append(",\"nonce\":");
            Json.quote(b, nonce);
        }
        b.append(",\"cluster\":");
        Json.quote(b, cluster.name());
        if (cluster.dynamicName()) {
            b.append(",\"cluster_dynamic\":true");
        }
        if (!cluster.options().noAdvertise() && !ldm) {
            Json.stringArrayOmitEmpty(b, "connect_urls", cluster.ownClientUrls());
            Json.stringArrayOmitEmpty(b, "ws_connect_urls", server.webSocketUrls());
        }
        io.natsboot.server.auth.Permissions perms = cluster.options().permissions();
        if (perms != null) {
            permission(b, "import", perms.publish());
            permission(b, "export", perms.subscribe());
        }
        if (ldm) {
            b.append(",\"ldm\":true");
        }
        String gatewayUrl = server.gatewayUrl();
        if (gatewayUrl != null) {
            b.append(",\"gateway_url\":"); // so peers tell other clusters every gateway URL of ours
            Json.quote(b, gatewayUrl);
        }
        if (server.leafUrl() != null && !ldm) {
            // nats-server: so peers tell their leafs where else to connect
            Json.stringArrayOmitEmpty(b, "leafnode_urls", List.of(server.leafUrl()));
        }
        b.append("} \r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code ,"import":{"allow":[...],"deny":[...]}} as nats-server writes route permissions. */
    private static void permission(StringBuilder b, String name, io.natsboot.server.auth.Permissions.SubjectPermission p) {
        if (p == null || ((p.allow() == null || p.allow().isEmpty()) && (p.deny() == null || p.deny().isEmpty()))) {
            return;
        }
        b.append(",\"").append(name).append("\":{");
        int mark = b.length();
        Json.stringArrayOmitEmpty(b, "allow", p.allow() == null ? List.of() : p.allow());
        Json.stringArrayOmitEmpty(b, "deny", p.deny() == null ? List.of() : p.deny());
        if (b.charAt(mark) == ',') {
            b.deleteCharAt(mark); // the first member has no leading comma
        }
        b.append('}');
    }

    /** The CONNECT a soliciting node sends first (reference §4.3); credentials from the route URL. */
    static byte[] connect(ServerContext server, Cluster cluster, String user, String pass) {
        StringBuilder b = new StringBuilder(200)
                .append("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false");
        if (user != null && !user.isEmpty()) {
            b.append(",\"user\":");
            Json.quote(b, user);
            b.append(",\"pass\":");
            Json.quote(b, pass == null ? "" : pass);
        }
        b.append(",\"tls_required\":").append(cluster.options().tls() != null).append(",\"headers\":true,\"name\":");
        Json.quote(b, server.serverId());
        b.append(",\"cluster\":");
        Json.quote(b, cluster.name());
        if (cluster.dynamicName()) {
            b.append(",\"cluster_dynamic\":true");
        }
        b.append("}\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
