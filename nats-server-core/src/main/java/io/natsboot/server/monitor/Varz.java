package io.natsboot.server.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A /varz snapshot: the fields of nats-server 2.9's {@code Varz}, in its JSON order, plus
 * {@code natsboot_version} (our product version; {@code version} is the nats-server version we
 * reproduce). Fields nats-server omits when empty are omitted here too.
 *
 * @param cluster        the {@code cluster} object; {@link ClusterOptsVarz#EMPTY} when not clustered
 * @param httpReqStats   requests served per monitoring path (written with sorted keys, as Go does)
 * @param authTimeout    seconds
 * @param tlsTimeout     seconds
 * @param cpu            percent of one core, one decimal
 * @param mem            resident set size in bytes
 */
public record Varz(
        String serverId,
        String serverName,
        String version,
        int proto,
        String gitCommit,
        String go,
        String host,
        int port,
        boolean authRequired,
        boolean tlsRequired,
        boolean tlsVerify,
        String ip,
        List<String> connectUrls,
        List<String> wsConnectUrls,
        int maxConnections,
        int maxSubscriptions,
        Duration pingInterval,
        int pingMax,
        String httpHost,
        int httpPort,
        String httpBasePath,
        int httpsPort,
        double authTimeout,
        int maxControlLine,
        int maxPayload,
        long maxPending,
        ClusterOptsVarz cluster,
        double tlsTimeout,
        Duration writeDeadline,
        Instant start,
        Instant now,
        String uptime,
        long mem,
        int cores,
        int gomaxprocs,
        double cpu,
        int connections,
        long totalConnections,
        int routes,
        int remotes,
        int leafnodes,
        long inMsgs,
        long outMsgs,
        long inBytes,
        long outBytes,
        long slowConsumers,
        long subscriptions,
        Map<String, Long> httpReqStats,
        Instant configLoadTime,
        String systemAccount,
        String natsbootVersion,
        WebSocketOptsVarz websocket,
        JetStreamView jetstream,
        /** server_tags (omitted when none). */
        List<String> tags,
        /** The {@code leaf} object; null = {@code {}} (no leafnodes block). */
        JsonWriter.Writable leaf,
        GatewayOptsVarz gateway) implements JsonWriter.Writable {

    public Varz {
        connectUrls = connectUrls == null ? List.of() : List.copyOf(connectUrls);
        wsConnectUrls = wsConnectUrls == null ? List.of() : List.copyOf(wsConnectUrls);
        httpReqStats = httpReqStats == null ? Map.of() : Map.copyOf(httpReqStats);
        cluster = cluster == null ? ClusterOptsVarz.EMPTY : cluster;
        websocket = websocket == null ? WebSocketOptsVarz.EMPTY : websocket;
        gateway = gateway == null ? GatewayOptsVarz.EMPTY : gateway;
    }

    /**
     * The {@code gateway} object of /varz (nats-server's GatewayOptsVarz): empty fields omitted, so a server
     * without gateways shows {@code {}}; {@code gateways} lists every remote cluster known with its URLs.
     */
    public record GatewayOptsVarz(String name, String host, int port, double authTimeout, double tlsTimeout,
                                  String advertise, int connectRetries, List<Map.Entry<String, List<String>>> gateways,
                                  boolean rejectUnknown) implements JsonWriter.Writable {
        public static final GatewayOptsVarz EMPTY = new GatewayOptsVarz(null, null, 0, 0, 0, null, 0, List.of(), false);

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .fieldOmitEmpty("name", name)
                    .fieldOmitEmpty("host", host)
                    .fieldOmitEmpty("port", port)
                    .fieldOmitEmpty("auth_timeout", authTimeout)
                    .fieldOmitEmpty("tls_timeout", tlsTimeout)
                    .fieldOmitEmpty("advertise", advertise)
                    .fieldOmitEmpty("connect_retries", connectRetries);
            if (!gateways.isEmpty()) {
                w.name("gateways").beginArray();
                for (Map.Entry<String, List<String>> g : gateways) {
                    w.beginObject().field("name", g.getKey()).fieldOmitEmpty("urls", g.getValue()).endObject();
                }
                w.endArray();
            }
            w.fieldOmitEmpty("reject_unknown", rejectUnknown).endObject();
        }
    }

    /**
     * The {@code websocket} object of /varz (nats-server's WebsocketOptsVarz); every field is omitted when
     * empty, so a server without a WebSocket listener shows {@code {}}.
     *
     * @param handshakeTimeout written as Go's Duration: nanoseconds
     * @param authTimeout      seconds
     */
    public record WebSocketOptsVarz(String host, int port, String advertise, String noAuthUser, String jwtCookie,
                                    Duration handshakeTimeout, double authTimeout, boolean noTls, boolean tlsMap,
                                    List<String> tlsPinnedCerts, boolean sameOrigin, List<String> allowedOrigins,
                                    boolean compression) implements JsonWriter.Writable {
        public static final WebSocketOptsVarz EMPTY = new WebSocketOptsVarz(null, 0, null, null, null,
                Duration.ZERO, 0, false, false, List.of(), false, List.of(), false);

        public WebSocketOptsVarz {
            tlsPinnedCerts = tlsPinnedCerts == null ? List.of() : List.copyOf(tlsPinnedCerts);
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
            handshakeTimeout = handshakeTimeout == null ? Duration.ZERO : handshakeTimeout;
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .fieldOmitEmpty("host", host)
                    .fieldOmitEmpty("port", port)
                    .fieldOmitEmpty("advertise", advertise)
                    .fieldOmitEmpty("no_auth_user", noAuthUser)
                    .fieldOmitEmpty("jwt_cookie", jwtCookie)
                    .fieldOmitEmpty("handshake_timeout", handshakeTimeout.toNanos())
                    .fieldOmitEmpty("auth_timeout", authTimeout)
                    .fieldOmitEmpty("no_tls", noTls)
                    .fieldOmitEmpty("tls_map", tlsMap)
                    .fieldOmitEmpty("tls_pinned_certs", tlsPinnedCerts)
                    .fieldOmitEmpty("same_origin", sameOrigin)
                    .fieldOmitEmpty("allowed_origins", allowedOrigins)
                    .fieldOmitEmpty("compression", compression)
                    .endObject();
        }
    }

    /**
     * The {@code cluster} object of /varz; every field is omitted when empty, so an unclustered
     * server shows {@code {}}.
     */
    public record ClusterOptsVarz(String name, String addr, int clusterPort, double authTimeout,
                                  List<String> urls, double tlsTimeout, boolean tlsRequired, boolean tlsVerify)
            implements JsonWriter.Writable {
        public static final ClusterOptsVarz EMPTY = new ClusterOptsVarz(null, null, 0, 0, List.of(), 0, false, false);

        public ClusterOptsVarz {
            urls = urls == null ? List.of() : List.copyOf(urls);
        }

        @Override
        public void writeJson(JsonWriter w) {
            w.beginObject()
                    .fieldOmitEmpty("name", name)
                    .fieldOmitEmpty("addr", addr)
                    .fieldOmitEmpty("cluster_port", clusterPort)
                    .fieldOmitEmpty("auth_timeout", authTimeout)
                    .fieldOmitEmpty("urls", urls)
                    .fieldOmitEmpty("tls_timeout", tlsTimeout)
                    .fieldOmitEmpty("tls_required", tlsRequired)
                    .fieldOmitEmpty("tls_verify", tlsVerify)
                    .endObject();
        }
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("server_id", serverId)
                .field("server_name", serverName)
                .field("version", version)
                .field("proto", proto)
                .fieldOmitEmpty("git_commit", gitCommit)
                .field("go", go)
                .field("host", host)
                .field("port", port)
                .fieldOmitEmpty("auth_required", authRequired)
                .fieldOmitEmpty("tls_required", tlsRequired)
                .fieldOmitEmpty("tls_verify", tlsVerify)
                .fieldOmitEmpty("ip", ip)
                .fieldOmitEmpty("connect_urls", connectUrls)
                .fieldOmitEmpty("ws_connect_urls", wsConnectUrls)
                .field("max_connections", maxConnections)
                .fieldOmitEmpty("max_subscriptions", maxSubscriptions)
                .name("ping_interval").value(pingInterval)
                .field("ping_max", pingMax)
                .field("http_host", httpHost)
                .field("http_port", httpPort)
                .field("http_base_path", httpBasePath)
                .field("https_port", httpsPort)
                .field("auth_timeout", authTimeout)
                .field("max_control_line", maxControlLine)
                .field("max_payload", maxPayload)
                .field("max_pending", maxPending)
                .name("cluster").value(cluster)
                .name("gateway").value(gateway)
                .name("leaf");
        if (leaf == null) {
            w.beginObject().endObject();
        } else {
            w.value(leaf);
        }
        w
                .name("mqtt").beginObject().endObject()
                .name("websocket").value(websocket)
                .name("jetstream");
        if (jetstream == null) {
            w.beginObject().endObject();
        } else {
            jetstream.writeVarz(w);
        }
        w
                .field("tls_timeout", tlsTimeout)
                .name("write_deadline").value(writeDeadline)
                .field("start", start)
                .field("now", now)
                .field("uptime", uptime)
                .field("mem", mem)
                .field("cores", cores)
                .field("gomaxprocs", gomaxprocs)
                .field("cpu", cpu)
                .field("connections", connections)
                .field("total_connections", totalConnections)
                .field("routes", routes)
                .field("remotes", remotes)
                .field("leafnodes", leafnodes)
                .field("in_msgs", inMsgs)
                .field("out_msgs", outMsgs)
                .field("in_bytes", inBytes)
                .field("out_bytes", outBytes)
                .field("slow_consumers", slowConsumers)
                .field("subscriptions", subscriptions)
                .name("http_req_stats").countMap(httpReqStats)
                .field("config_load_time", configLoadTime)
                .fieldOmitEmpty("tags", tags == null ? List.of() : tags)
                .fieldOmitEmpty("system_account", systemAccount)
                .fieldOmitEmpty("natsboot_version", natsbootVersion)
                .endObject();
    }
}
