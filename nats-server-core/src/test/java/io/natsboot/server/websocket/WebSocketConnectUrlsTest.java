package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ws_connect_urls} gossip as nats-server 2.9.10 does it: route INFO carries each node's websocket URLs; a
 * websocket client's INFO lists, as {@code connect_urls}, its server's websocket URL and the other nodes' (none before
 * a peer advertised one), and an asynchronous INFO follows when a node joins or leaves. Two-node clusters, all
 * nats-server, all ours and mixed both ways, checked with the same raw websocket client.
 */
@RequiresBinary("nats-server")
class WebSocketConnectUrlsTest {

    /** One cluster node with a websocket listener. */
    private interface Node extends AutoCloseable {
        int wsPort();

        @Override
        void close();
    }

    private static Node go(int routePort, int otherRoutePort) throws Exception {
        ReferenceServer r = new ReferenceServer("no_tls: true", "cluster { name: C, listen: \"127.0.0.1:" + routePort
                + "\", routes: [\"nats-route://127.0.0.1:" + otherRoutePort + "\"] }");
        return new Node() {
            public int wsPort() {
                return r.wsPort;
            }

            public void close() {
                r.close();
            }
        };
    }

    private static Node ours(int routePort, int otherRoutePort) {
        RunningServer s = RunningServer.start(b -> b.clusterListen("127.0.0.1:" + routePort).clusterName("C")
                .routes(List.of("nats://127.0.0.1:" + otherRoutePort))
                .websocket(WebSocketOptions.plain("127.0.0.1", 0)));
        return new Node() {
            public int wsPort() {
                return s.server().context().webSocketPort();
            }

            public void close() {
                s.close();
            }
        };
    }

    @FunctionalInterface
    private interface Starter {
        Node start(int routePort, int otherRoutePort) throws Exception;
    }

    private static Map<String, Object> info(String text) {
        int at = text.indexOf("INFO ");
        return Json.parseObject(text.substring(at + 5, text.indexOf("\r\n", at)).trim());
    }

    @SuppressWarnings("unchecked")
    private static List<String> connectUrls(Map<String, Object> info) {
        Object urls = info.get("connect_urls");
        return urls == null ? List.of() : (List<String>) urls;
    }

    /** Waits for the next INFO on {@code c} and returns it. */
    private static Map<String, Object> nextInfo(WsRawClient c, String why) {
        StringBuilder seen = new StringBuilder();
        Waits.upTo(why, Duration.ofSeconds(10)).until(() -> {
            seen.append(c.readUntil("INFO "));
            return seen.indexOf("INFO ") >= 0 && seen.indexOf("\r\n", seen.indexOf("INFO ")) > 0;
        });
        return info(seen.toString());
    }

    private static void scenario(Starter first, Starter second) throws Exception {
        int routeA = Ports.free();
        int routeB = Ports.free();
        try (Node a = first.start(routeA, routeB); WsRawClient client = new WsRawClient(a.wsPort())) {
            String wsA = "127.0.0.1:" + a.wsPort();
            client.upgrade(WsRawClient.request(a.wsPort(), ""));
            assertThat(connectUrls(nextInfo(client, "the first INFO"))).isEmpty();
            client.send("CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true}\r\nPING\r\n");
            assertThat(client.readUntil("PONG")).contains("PONG");
            List<String> urls = new ArrayList<>();
            Node b = second.start(routeB, routeA);
            try {
                String wsB = "127.0.0.1:" + b.wsPort();
                assertThat(connectUrls(nextInfo(client, "the INFO after B joined"))).containsExactlyInAnyOrder(wsA, wsB);
                try (WsRawClient late = new WsRawClient(a.wsPort())) {
                    late.upgrade(WsRawClient.request(a.wsPort(), ""));
                    urls.addAll(connectUrls(nextInfo(late, "a later client's first INFO")));
                }
                assertThat(urls).containsExactlyInAnyOrder(wsA, wsB);
            } finally {
                b.close();
            }
            // nats-server keeps its own URL once it has listed them
            assertThat(connectUrls(nextInfo(client, "the INFO after B left"))).containsExactly(wsA);
        }
    }

    @Test
    void natsServerCluster() throws Exception {
        scenario(WebSocketConnectUrlsTest::go, WebSocketConnectUrlsTest::go);
    }

    @Test
    void ourCluster() throws Exception {
        scenario(WebSocketConnectUrlsTest::ours, WebSocketConnectUrlsTest::ours);
    }

    @Test
    void oursWithANatsServerPeer() throws Exception {
        scenario(WebSocketConnectUrlsTest::ours, WebSocketConnectUrlsTest::go);
    }

    @Test
    void natsServerWithOurPeer() throws Exception {
        scenario(WebSocketConnectUrlsTest::go, WebSocketConnectUrlsTest::ours);
    }
}
