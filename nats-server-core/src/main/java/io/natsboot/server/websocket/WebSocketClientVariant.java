package io.natsboot.server.websocket;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.connection.ClientVariant;
import java.nio.charset.StandardCharsets;

/**
 * What a WebSocket client sees differently from a plain one, as nats-server 2.9.10: /connz type
 * {@code websocket}, {@code wid} in log lines, the websocket block's authorization (user, token, no_auth_user
 * and timeout replace the server's when set; its TLS decides verify_and_map), and INFO with
 * {@code auth_required} when only the block asks for authentication. The same INFO fields otherwise: host and
 * port stay the client port's, as nats-server sends them.
 */
final class WebSocketClientVariant implements ClientVariant {
    private final WebSocketOptions ws;
    /** The user JWT from the upgrade request's {@code jwt_cookie} cookie, or null. */
    private final String cookieJwt;
    private ServerOptions lastServer;
    private ServerOptions lastView;

    /** The websocket URLs of the cluster ({@code ServerContext.webSocketConnectUrls}). */
    private final java.util.function.Supplier<java.util.List<String>> connectUrls;

    WebSocketClientVariant(WebSocketOptions ws, String cookieJwt,
            java.util.function.Supplier<java.util.List<String>> connectUrls) {
        this.ws = ws;
        this.cookieJwt = cookieJwt;
        this.connectUrls = connectUrls;
    }

    @Override
    public String jwtConnectionType() {
        return "WEBSOCKET";
    }

    @Override
    public String jwtFromConnection() {
        return cookieJwt;
    }

    @Override
    public String type() {
        return "websocket";
    }

    @Override
    public String logId() {
        return "wid";
    }

    @Override
    public ServerOptions options(ServerOptions server) {
        if (server == lastServer) {
            return lastView;
        }
        ServerOptions.Builder b = server.toBuilder().tls(ws.tls());
        if (ws.authOverride()) {
            b.username(emptyToNull(ws.username())).password(ws.password()).authToken(emptyToNull(ws.token()))
                    .noAuthUser(emptyToNull(ws.noAuthUser()));
        }
        // tls(...) above would otherwise change a default auth timeout derived from the client port's TLS
        b.authTimeout(ws.authTimeout() != null ? ws.authTimeout() : server.authTimeout());
        lastView = b.build();
        lastServer = server;
        return lastView;
    }

    @Override
    public byte[] info(byte[] info) {
        String line = new String(info, StandardCharsets.UTF_8);
        // a WebSocket client is told the cluster's websocket URLs instead of the NATS ones (nats-server's
        // WSConnectURLs), where connect_urls goes: before ldm, else last
        line = line.replaceFirst(",\"connect_urls\":\\[[^\\]]*\\]", "");
        java.util.List<String> wsUrls = connectUrls.get();
        if (!wsUrls.isEmpty()) {
            StringBuilder b = new StringBuilder();
            io.natsboot.server.protocol.Json.stringArrayOmitEmpty(b, "connect_urls", wsUrls);
            int at = line.indexOf(",\"ldm\":true");
            if (at < 0) {
                at = line.lastIndexOf('}');
            }
            line = line.substring(0, at) + b + line.substring(at);
        }
        if (ws.authOverride() && !line.contains("\"auth_required\":true")) {
            int at = line.indexOf(",\"tls_required\"");
            if (at < 0) {
                at = line.indexOf(",\"max_payload\"");
            }
            line = line.substring(0, at) + ",\"auth_required\":true" + line.substring(at);
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
