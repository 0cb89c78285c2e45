package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static io.natsboot.server.leaf.LeafWireDifferentialTest.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code leafnode_urls} gossip as nats-server 2.9.10 does it: a hub node's leaf INFO lists its own leaf URL and
 * those of the other nodes of its cluster (route INFO carries them), an asynchronous INFO follows when a node joins or
 * leaves, and a leaf that knows only one hub node fails over to another when that node dies. Hubs and leafs of both
 * kinds.
 */
@RequiresBinary("nats-server")
class LeafNodeUrlsGossipTest {

    /** A hub cluster of nats-server nodes, each with a leafnodes and a websocket listener. */
    private static final class GoHubs implements AutoCloseable {
        final int[] routePorts;
        final int[] wsPorts;
        final List<GoLeafNode> nodes = new ArrayList<>();

        GoHubs(int n) throws Exception {
            routePorts = new int[n];
            wsPorts = new int[n];
            for (int i = 0; i < n; i++) {
                routePorts[i] = GoLeafNode.freePort();
                wsPorts[i] = GoLeafNode.freePort();
            }
        }

        GoLeafNode start(int i) throws Exception {
            StringBuilder routes = new StringBuilder();
            for (int p : routePorts) {
                routes.append(routes.isEmpty() ? "" : ", ").append("\"nats-route://127.0.0.1:").append(p).append('"');
            }
            GoLeafNode g = GoLeafNode.start("HUB" + i, "cluster { name: HUBS, listen: \"127.0.0.1:" + routePorts[i]
                    + "\", routes: [" + routes + "] }\nleafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }\n"
                    + "websocket { listen: \"127.0.0.1:" + wsPorts[i] + "\", no_tls: true }");
            nodes.add(g);
            return g;
        }

        @Override
        public void close() throws Exception {
            for (GoLeafNode g : nodes) {
                g.close();
            }
        }
    }

    private static RunningServer ourHub(String name, RunningServer seed) {
        return RunningServer.start(b -> {
            b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("HUBS")
                    .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0));
            if (seed != null) {
                b.routes(List.of("nats://127.0.0.1:" + seed.server().cluster().port()));
            }
            return b;
        });
    }

    /** Our hub node with a websocket listener too (it takes leafs over /leafnode). */
    private static RunningServer ourWebSocketHub(String name, RunningServer seed) {
        return RunningServer.start(b -> {
            b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("HUBS")
                    .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0))
                    .websocket(io.natsboot.server.config.WebSocketOptions.plain("127.0.0.1", 0));
            if (seed != null) {
                b.routes(List.of("nats://127.0.0.1:" + seed.server().cluster().port()));
            }
            return b;
        });
    }

    private static String leafHostPort(RunningServer s) {
        return "127.0.0.1:" + s.server().leafNodes().port();
    }

    @Test
    void ourLeafLearnsTheNatsServerHubClusterAndFailsOver() throws Exception {
        try (GoHubs hubs = new GoHubs(2)) {
            GoLeafNode a = hubs.start(0);
            GoLeafNode b = hubs.start(1);
            try (RunningServer leaf = LeafNodeMixedTest.leafTo(a.leafUrl(), null);
                 Connection onLeaf = LeafExchange.connect(leaf.url())) {
                awaitLeafs(leaf, 1);
                awaitLeafs(a, 1);
                LeafNodeOptions.Remote remote = leaf.server().options().leafnodes().remotes().get(0);
                Waits.upTo("the leaf learns hub B's leaf URL", Duration.ofSeconds(10)).until(() -> leaf.server()
                        .leafNodes().remoteUrls(remote).contains(URI.create(b.leafUrl())));
                a.stop();
                awaitLeafs(b, 1);
                awaitLeafs(leaf, 1);
                try (Connection onB = LeafExchange.connect(b.url())) {
                    LeafExchange.oneWay(onB, onLeaf, "after.failover.down");
                    LeafExchange.oneWay(onLeaf, onB, "after.failover.up");
                }
            }
        }
    }

    @Test
    void ourWebSocketLeafLearnsTheHubsWebSocketUrlsAndFailsOver() throws Exception {
        try (GoHubs hubs = new GoHubs(2)) {
            GoLeafNode a = hubs.start(0);
            GoLeafNode b = hubs.start(1);
            try (RunningServer leaf = LeafNodeMixedTest.leafTo("ws://127.0.0.1:" + hubs.wsPorts[0], null);
                 Connection onLeaf = LeafExchange.connect(leaf.url())) {
                awaitLeafs(leaf, 1);
                awaitLeafs(a, 1);
                LeafNodeOptions.Remote remote = leaf.server().options().leafnodes().remotes().get(0);
                // a websocket remote learns ws_connect_urls (the other node's websocket URL), never leafnode_urls
                Waits.upTo("the leaf learns hub B's websocket URL", Duration.ofSeconds(10)).until(() -> leaf.server()
                        .leafNodes().remoteUrls(remote).contains(URI.create("ws://127.0.0.1:" + hubs.wsPorts[1])));
                assertThat(leaf.server().leafNodes().remoteUrls(remote)).allMatch(u -> u.getScheme().equals("ws"));
                a.stop();
                awaitLeafs(b, 1);
                awaitLeafs(leaf, 1);
                try (Connection onB = LeafExchange.connect(b.url())) {
                    LeafExchange.oneWay(onB, onLeaf, "ws.after.failover.down");
                    LeafExchange.oneWay(onLeaf, onB, "ws.after.failover.up");
                }
            }
        }
    }

    @Test
    void aNatsServerLeafLearnsOurHubClusterAndFailsOver() throws Exception {
        try (RunningServer a = ourHub("HA", null); RunningServer b = ourHub("HB", a)) {
            Waits.upTo("the route", Duration.ofSeconds(10)).until(() -> a.server().cluster().registered().size() == 1
                    && b.server().cluster().registered().size() == 1);
            try (GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://"
                    + leafHostPort(a) + "\" } ] }"); Connection onLeaf = LeafExchange.connect(leaf.url())) {
                awaitLeafs(a, 1);
                awaitLeafs(leaf, 1);
                a.close();
                awaitLeafs(b, 1);
                awaitLeafs(leaf, 1);
                try (Connection onB = LeafExchange.connect(b.url())) {
                    LeafExchange.oneWay(onB, onLeaf, "after.failover.down");
                    LeafExchange.oneWay(onLeaf, onB, "after.failover.up");
                }
            }
        }
    }

    @Test
    void aNatsServerWebSocketLeafLearnsOurHubsWebSocketUrlsAndFailsOver() throws Exception {
        try (RunningServer a = ourWebSocketHub("HA", null); RunningServer b = ourWebSocketHub("HB", a)) {
            Waits.upTo("the route", Duration.ofSeconds(10)).until(() -> a.server().cluster().registered().size() == 1
                    && b.server().cluster().registered().size() == 1);
            try (GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"ws://127.0.0.1:"
                    + a.server().context().webSocketPort() + "\" } ] }");
                 Connection onLeaf = LeafExchange.connect(leaf.url())) {
                awaitLeafs(a, 1);
                awaitLeafs(leaf, 1);
                a.close();
                awaitLeafs(b, 1);
                awaitLeafs(leaf, 1);
                try (Connection onB = LeafExchange.connect(b.url())) {
                    LeafExchange.oneWay(onB, onLeaf, "ws.after.failover.down");
                    LeafExchange.oneWay(onLeaf, onB, "ws.after.failover.up");
                }
            }
        }
    }

    @Test
    void ourLeafFailsOverInOurHubCluster() throws Exception {
        try (RunningServer a = ourHub("HA", null); RunningServer b = ourHub("HB", a);
             RunningServer c = ourHub("HC", a)) {
            Waits.upTo("the mesh", Duration.ofSeconds(10)).until(() -> a.server().cluster().registered().size() == 2
                    && b.server().cluster().registered().size() == 2 && c.server().cluster().registered().size() == 2);
            try (RunningServer leaf = LeafNodeMixedTest.leafTo("nats-leaf://" + leafHostPort(a), null);
                 Connection onLeaf = LeafExchange.connect(leaf.url())) {
                awaitLeafs(leaf, 1);
                LeafNodeOptions.Remote remote = leaf.server().options().leafnodes().remotes().get(0);
                Waits.upTo("the leaf learns the other two hubs", Duration.ofSeconds(10)).until(() -> leaf.server()
                        .leafNodes().remoteUrls(remote).size() == 3);
                a.close();
                Waits.upTo("the leaf on B or C", Duration.ofSeconds(10)).until(() ->
                        b.server().leafNodes().connections().size() + c.server().leafNodes().connections().size() == 1);
                RunningServer now = b.server().leafNodes().connections().isEmpty() ? c : b;
                try (Connection onHub = LeafExchange.connect(now.url())) {
                    LeafExchange.oneWay(onHub, onLeaf, "after.failover.down");
                }
            }
        }
    }

    /** The leaf URLs of each INFO a fake spoke on node A gets: after CONNECT, after B joined, after B left. */
    private interface Hub {
        int leafPortOfA();

        void startB() throws Exception;

        void stopB() throws Exception;

        String leafUrlOfB();
    }

    private static Set<String> leafUrls(String infoLine) {
        Map<String, Object> m = LeafWireDifferentialTest.json(infoLine, "INFO");
        Set<String> out = new TreeSet<>();
        if (m.get("leafnode_urls") instanceof List<?> l) {
            l.forEach(o -> out.add((String) o));
        }
        return out;
    }

    private static String nextInfo(Socket s, String why) throws Exception {
        StringBuilder seen = new StringBuilder();
        String[] found = new String[1];
        Waits.upTo(why, Duration.ofSeconds(10)).until(() -> {
            seen.append(drain(s, 200));
            for (String l : seen.toString().split("\r\n")) {
                if (l.startsWith("INFO ")) {
                    found[0] = l;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static void asyncInfoFollowsTheCluster(Hub hub) throws Exception {
        try (Socket spoke = new Socket("127.0.0.1", hub.leafPortOfA())) {
            String first = nextInfo(spoke, "the first INFO");
            String a = "127.0.0.1:" + hub.leafPortOfA();
            assertThat(leafUrls(first)).containsExactly(a);
            spoke.getOutputStream().write("CONNECT {\"name\":\"SPK\",\"server_id\":\"NSPK\",\"headers\":true}\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            String connectInfo = nextInfo(spoke, "the INFO answering CONNECT");
            assertThat(leafUrls(connectInfo)).containsExactly(a);
            hub.startB();
            String joined = nextInfo(spoke, "the INFO after B joined");
            assertThat(leafUrls(joined)).containsExactlyInAnyOrder(a, hub.leafUrlOfB());
            Map<String, Object> m = LeafWireDifferentialTest.json(joined, "INFO");
            assertThat(m).doesNotContainKeys("client_id", "nonce", "connect_info").containsEntry("info_on_connect", true);
            hub.stopB();
            String left = nextInfo(spoke, "the INFO after B left");
            assertThat(leafUrls(left)).containsExactly(a);
        }
    }

    @Test
    void aHubNodeTellsItsLeafsWhenNodesComeAndGoAsNatsServerDoes() throws Exception {
        try (GoHubs hubs = new GoHubs(2)) {
            GoLeafNode a = hubs.start(0);
            GoLeafNode[] b = new GoLeafNode[1];
            asyncInfoFollowsTheCluster(new Hub() {
                public int leafPortOfA() {
                    return a.leafPort;
                }

                public void startB() throws Exception {
                    b[0] = hubs.start(1);
                }

                public void stopB() throws Exception {
                    b[0].stop();
                }

                public String leafUrlOfB() {
                    return "127.0.0.1:" + b[0].leafPort;
                }
            });
        }
        try (RunningServer a = ourHub("HA", null)) {
            RunningServer[] b = new RunningServer[1];
            try {
                asyncInfoFollowsTheCluster(new Hub() {
                    public int leafPortOfA() {
                        return a.server().leafNodes().port();
                    }

                    public void startB() {
                        b[0] = ourHub("HB", a);
                    }

                    public void stopB() {
                        b[0].close();
                    }

                    public String leafUrlOfB() {
                        return leafHostPort(b[0]);
                    }
                });
            } finally {
                if (b[0] != null) {
                    b[0].close();
                }
            }
        }
    }

    @Test
    void routeInfoCarriesTheLeafUrl() throws Exception {
        try (RunningServer a = ourHub("HA", null)) {
            try (Socket route = new Socket("127.0.0.1", a.server().cluster().port())) {
                String info = nextInfo(route, "the route INFO");
                Map<String, Object> m = LeafWireDifferentialTest.json(info, "INFO");
                assertThat(m.get("leafnode_urls")).isEqualTo(List.of(leafHostPort(a)));
                assertThat(Json.parseObject(info.substring(5)).keySet()).endsWith("leafnode_urls");
            }
        }
    }
}
