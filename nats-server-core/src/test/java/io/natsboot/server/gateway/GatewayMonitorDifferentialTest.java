package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.connect;
import static io.natsboot.server.gateway.GatewayTestSupport.gatewayUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * /gatewayz (plain, {@code accs=1}, {@code gw_name}, {@code acc_name}) and the /varz {@code gateway} object of our
 * node and of the nats-server 2.9.10 node it is joined with: the same keys in the same order, the same JSON types.
 */
@RequiresBinary("nats-server")
class GatewayMonitorDifferentialTest {

    @Test
    void gatewayzAndVarzHaveNatsServersShape() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        GatewayOptions g = new GatewayOptions("A", "127.0.0.1", ourGw, null, List.of(new GatewayOptions.Remote("B",
                List.of(URI.create("nats://127.0.0.1:" + goGw)), null)), null, null, null, null, 0, false);
        try (RunningServer a = RunningServer.start(b -> b.serverName("A1").httpPort(-1).gateway(g, ourGw));
             GoGatewayNode b = GoGatewayNode.start("B1", "B", goGw, List.of("A=" + gatewayUrl(a)), 0, List.of());
             Connection ca = connect(a.url()); Connection cb = connect(b.url())) {
            awaitConnected(a, "B");
            awaitConnected(b, "A");
            GatewayTestSupport.awaitInbound(a, "B");
            GatewayTestSupport.awaitInbound(b, "A");
            ca.subscribe("x");
            cb.subscribe("x");
            ca.flush(Duration.ofSeconds(2));
            cb.flush(Duration.ofSeconds(2));
            int ourHttp = a.server().context().monitoringHttpPort();
            // Each side knows the other's subscription (num_subs is omitted while 0).
            await("interest known on both sides", () -> get(ourHttp, "/gatewayz?accs=1").contains("\"num_subs\"")
                    && get(b.httpPort, "/gatewayz?accs=1").contains("\"num_subs\""));
            // Our node is A and theirs B: a gw_name names the other cluster on each side.
            String[][] queries = {{"/gatewayz", "/gatewayz"}, {"/gatewayz?accs=1", "/gatewayz?accs=1"},
                    {"/gatewayz?gw_name=A&accs=1", "/gatewayz?gw_name=B&accs=1"},
                    {"/gatewayz?gw_name=A", "/gatewayz?gw_name=B"}, {"/gatewayz?acc_name=$G", "/gatewayz?acc_name=$G"}};
            for (String[] q : queries) {
                List<String> problems = new ArrayList<>();
                diff(q[0], shape(Json.parseObject(get(b.httpPort, q[0]))), shape(Json.parseObject(get(ourHttp, q[1]))),
                        problems);
                assertThat(problems).as(q[1]).isEmpty();
            }
            Map<String, Object> theirVarz = (Map<String, Object>) Json.parseObject(get(b.httpPort, "/varz")).get("gateway");
            Map<String, Object> ourVarz = (Map<String, Object>) Json.parseObject(get(ourHttp, "/varz")).get("gateway");
            List<String> problems = new ArrayList<>();
            diff("varz.gateway", theirVarz, ourVarz, problems);
            assertThat(problems).isEmpty();
            assertThat(ourVarz.get("name")).isEqualTo("A");
            assertThat(ourVarz.get("port")).isEqualTo((long) ourGw);
        }
    }

    static String get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path.replace("$", "%24"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The document without what differs by nature: {@code rtt} (omitted until the first PONG), and accounts sorted
     * by name (nats-server lists inbound ones in map order).
     */
    @SuppressWarnings("unchecked")
    static Object shape(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("outbound_gateways".equals(e.getKey()) || "inbound_gateways".equals(e.getKey())) {
                    // keyed by the remote cluster's name, which differs (A and B)
                    Map<String, Object> byRemote = new java.util.LinkedHashMap<>();
                    for (Object r : ((Map<?, ?>) e.getValue()).values()) {
                        byRemote.put("REMOTE", shape(r));
                    }
                    out.put((String) e.getKey(), byRemote);
                } else if (!"rtt".equals(e.getKey())) {
                    out.put((String) e.getKey(), shape(e.getValue()));
                }
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(shape(o));
            }
            if (!out.isEmpty() && out.get(0) instanceof Map<?, ?> first && first.containsKey("interest_mode")) {
                out.sort(Comparator.comparing(o -> String.valueOf(((Map<String, Object>) o).get("name"))));
            }
            return out;
        }
        return v;
    }

    /** Keys (in order) and JSON types equal, recursively. */
    static void diff(String path, Object theirs, Object mine, List<String> problems) {
        if (theirs instanceof Map<?, ?> t && mine instanceof Map<?, ?> m) {
            if (!List.copyOf(t.keySet()).equals(List.copyOf(m.keySet()))) {
                problems.add(path + ": keys nats-server=" + t.keySet() + " ours=" + m.keySet());
            }
            for (Object k : t.keySet()) {
                if (m.containsKey(k)) {
                    diff(path + "." + k, t.get(k), m.get(k), problems);
                }
            }
        } else if (theirs instanceof List<?> t && mine instanceof List<?> m) {
            if (t.size() != m.size()) {
                problems.add(path + ": " + t.size() + " elements in nats-server, " + m.size() + " in ours");
            }
            for (int i = 0; i < Math.min(t.size(), m.size()); i++) {
                diff(path + "[" + i + "]", t.get(i), m.get(i), problems);
            }
        } else if (!type(theirs).equals(type(mine))) {
            problems.add(path + ": type nats-server=" + type(theirs) + " (" + theirs + ") ours=" + type(mine)
                    + " (" + mine + ")");
        }
    }

    private static String type(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        return v instanceof Map ? "object" : "array";
    }
}
