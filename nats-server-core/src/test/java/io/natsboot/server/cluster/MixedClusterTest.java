package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitRouteInterest;
import static io.natsboot.server.cluster.ClusterTestSupport.routeUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clusters that mix NATS Boot nodes with the real nats-server 2.9.10: the route protocol must be close
 * enough that a rolling migration works node by node (issue 8).
 */
@RequiresBinary("nats-server")
class MixedClusterTest {

    private static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2)).build());
    }

    private static void awaitGoRoutes(GoNode n, int routes) {
        await(n.name + " with " + routes + " routes", Duration.ofSeconds(10), () -> {
            try {
                return n.routes() == routes;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void oursAsSeedWithTwoGoNodes() throws Exception {
        try (RunningServer ours = ClusterTestSupport.node("J1");
             GoNode g1 = GoNode.start("G1", "TEST", routeUrl(ours));
             GoNode g2 = GoNode.start("G2", "TEST", routeUrl(ours))) {
            // G1 and G2 only know our node: our forwarded INFO must make them dial each other.
            await("our node with 2 routes", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(ours) == 2);
            awaitGoRoutes(g1, 2);
            awaitGoRoutes(g2, 2);
            exchange(ours, ours.url(), g1, g2.url());
            // /routez on both sides agrees about the link between them.
            String goRoutez = g1.monitor("/routez");
            assertTrue(goRoutez.contains(ours.server().context().serverId()), goRoutez);
            var routez = ours.server().snapshots().routez(false, false);
            assertEquals(2, routez.numRoutes());
            assertTrue(g1.log().contains("Registering remote route \"" + ours.server().context().serverId() + "\""));
        }
    }

    @Test
    void goSeedWithTwoOfOurs() throws Exception {
        try (GoNode seed = GoNode.start("G0", "TEST");
             RunningServer j1 = ClusterTestSupport.node("J1", seed.routeUrl());
             RunningServer j2 = ClusterTestSupport.node("J2", seed.routeUrl())) {
            // The Go seed forwards each of our nodes' INFO to the other; we dial the gossiped "ip".
            awaitGoRoutes(seed, 2);
            await("J1 meshed", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(j1) == 2);
            await("J2 meshed", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(j2) == 2);
            exchange(j1, j1.url(), seed, j2.url());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void routezAndVarzClusterHaveNatsServersShape() throws Exception {
        try (RunningServer ours = RunningServer.start(b -> b.serverName("J1").clusterListen("127.0.0.1:-1")
                .clusterName("TEST").httpPort(-1));
             GoNode g1 = GoNode.start("G1", "TEST", routeUrl(ours))) {
            awaitGoRoutes(g1, 1);
            await("our route", Duration.ofSeconds(5), () -> ClusterTestSupport.routes(ours) == 1);
            String mineUrl = "http://127.0.0.1:" + ours.server().monitor().port();
            for (String path : new String[] {"/routez", "/routez?subs=1", "/routez?subs=detail"}) {
                java.util.Map<String, Object> mine = json(get(mineUrl + path));
                java.util.Map<String, Object> theirs = json(g1.monitor(path));
                assertEquals(List.copyOf(theirs.keySet()), List.copyOf(mine.keySet()), path);
                var mr = (java.util.Map<String, Object>) ((List<Object>) mine.get("routes")).get(0);
                var tr = (java.util.Map<String, Object>) ((List<Object>) theirs.get("routes")).get(0);
                if (!tr.containsKey("rtt")) {
                    mr.remove("rtt"); // omitted by nats-server until the first PONG
                }
                if (!tr.containsKey("subscriptions_list") && !tr.containsKey("subscriptions_list_detail")) {
                    mr.remove("subscriptions_list");
                    mr.remove("subscriptions_list_detail");
                }
                assertEquals(List.copyOf(tr.keySet()), List.copyOf(mr.keySet()), path + " route object");
                assertEquals(Boolean.FALSE, mr.get("did_solicit"));
                assertEquals(Boolean.TRUE, tr.get("did_solicit"));
            }
            var mc = (java.util.Map<String, Object>) json(get(mineUrl + "/varz")).get("cluster");
            var tc = (java.util.Map<String, Object>) json(g1.monitor("/varz")).get("cluster");
            tc.remove("urls"); // G1 has a configured route, ours none: "urls" is omitted when empty
            assertEquals(List.copyOf(tc.keySet()), List.copyOf(mc.keySet()), "/varz cluster");
            assertEquals("TEST", mc.get("name"));
            assertEquals(1.0, ((Number) json(get(mineUrl + "/varz")).get("routes")).doubleValue());
        }
    }

    private static String get(String url) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> json(String body) {
        return (java.util.Map<String, Object>) io.natsboot.server.protocol.Json.parse(body);
    }

    /**
     * Pub/sub both ways, request/reply, and a queue group spread over the three nodes getting each message
     * exactly once. {@code ours} is used to wait for interest where a NATS Boot node is involved.
     */
    private static void exchange(RunningServer ours, String oursUrl, GoNode go, String thirdUrl) throws Exception {
        try (Connection onOurs = connect(oursUrl); Connection onGo = connect(go.url());
             Connection onThird = connect(thirdUrl)) {
            // Go -> ours
            Subscription sub = onOurs.subscribe("mixed.to.ours");
            onOurs.flush(Duration.ofSeconds(2));
            await("interest reached the Go node", Duration.ofSeconds(5), () -> {
                try {
                    onGo.publish("mixed.to.ours", "probe".getBytes(StandardCharsets.UTF_8));
                    onGo.flush(Duration.ofSeconds(1));
                    return sub.nextMessage(Duration.ofMillis(100)) != null;
                } catch (Exception e) {
                    return false;
                }
            });
            for (int i = 0; i < 50; i++) {
                onGo.publish("mixed.to.ours", ("g" + i).getBytes(StandardCharsets.UTF_8));
            }
            onGo.publish("mixed.to.ours", "end".getBytes(StandardCharsets.UTF_8));
            Message first;
            do { // late probes come first: same publisher, same path
                first = sub.nextMessage(Duration.ofSeconds(2));
                assertNotNull(first, "message 0 from the Go node");
            } while ("probe".equals(new String(first.getData(), StandardCharsets.UTF_8)));
            for (int i = 0; i < 50; i++) {
                Message m = i == 0 ? first : sub.nextMessage(Duration.ofSeconds(2));
                assertNotNull(m, "message " + i + " from the Go node");
                assertEquals("g" + i, new String(m.getData(), StandardCharsets.UTF_8));
            }
            Message end = sub.nextMessage(Duration.ofSeconds(2));
            assertNotNull(end, "the end marker");
            assertEquals("end", new String(end.getData(), StandardCharsets.UTF_8), "no duplicates before it");

            // ours -> Go, request/reply with the responder on the Go node
            Dispatcher d = onGo.createDispatcher(m -> onGo.publish(m.getReplyTo(), m.getData()));
            d.subscribe("mixed.svc");
            onGo.flush(Duration.ofSeconds(2));
            awaitRouteInterest(ours, "mixed.svc", 1);
            Message reply = onOurs.request("mixed.svc", "ping".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2));
            assertEquals("ping", new String(reply.getData(), StandardCharsets.UTF_8));

            // a queue group over three nodes, published from ours
            ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
            ConcurrentHashMap<String, AtomicInteger> perNode = new ConcurrentHashMap<>();
            List<Dispatcher> members = new ArrayList<>();
            CountDownLatch markers = new CountDownLatch(3 * 2); // each member, from each publisher
            String[] names = {"ours", "go", "third"};
            Connection[] conns = {onOurs, onGo, onThird};
            for (int k = 0; k < 3; k++) {
                String node = names[k];
                Dispatcher qd = conns[k].createDispatcher(m -> {
                    perNode.computeIfAbsent(node, x -> new AtomicInteger()).incrementAndGet();
                    seen.computeIfAbsent(new String(m.getData(), StandardCharsets.UTF_8), x -> new AtomicInteger())
                            .incrementAndGet();
                });
                qd.subscribe("mixed.work", "q");
                qd.subscribe("mixed.done", m -> markers.countDown()); // same dispatcher: handled after the jobs
                members.add(qd);
                conns[k].flush(Duration.ofSeconds(2));
            }
            awaitRouteInterest(ours, "mixed.work", 2);
            awaitRouteInterest(ours, "mixed.done", 2);
            await("the Go node knows both peers' interest in mixed.done", Duration.ofSeconds(5), () -> {
                try {
                    return go.monitor("/routez?subs=1").split("\"mixed.done\"", -1).length - 1 == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            int total = 300;
            for (int i = 0; i < total; i++) {
                onOurs.publish("mixed.work", ("w" + i).getBytes(StandardCharsets.UTF_8));
            }
            // and from the Go node
            for (int i = total; i < 2 * total; i++) {
                onGo.publish("mixed.work", ("w" + i).getBytes(StandardCharsets.UTF_8));
            }
            onOurs.flush(Duration.ofSeconds(2));
            onGo.flush(Duration.ofSeconds(2));
            await("every job delivered", Duration.ofSeconds(10), () -> seen.size() == 2 * total);
            // Markers published after the jobs on both publishing connections take every path a job took: once
            // each member handled both, every copy of a job that was sent has been counted.
            onOurs.publish("mixed.done", new byte[0]);
            onGo.publish("mixed.done", new byte[0]);
            assertTrue(markers.await(10, TimeUnit.SECONDS), "markers reached every member");
            seen.forEach((k, v) -> assertEquals(1, v.get(), "exactly once cluster-wide: " + k));
            assertEquals(3, perNode.size(), "the group spans all three nodes: " + perNode);
        }
    }
}
