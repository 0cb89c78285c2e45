package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitMesh;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitRouteInterest;
import static io.natsboot.server.cluster.ClusterTestSupport.node;
import static io.natsboot.server.cluster.ClusterTestSupport.routeUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.Routez;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three NATS Boot nodes in one JVM: B and C know only A; gossip completes the mesh. */
class ClusterTest {
    static RunningServer a;
    static RunningServer b;
    static RunningServer c;

    @BeforeAll
    static void startCluster() {
        a = node("A");
        b = node("B", routeUrl(a));
        c = node("C", routeUrl(a));
        awaitMesh(a, b, c);
    }

    @AfterAll
    static void stop() {
        for (RunningServer s : new RunningServer[] {c, b, a}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static Connection connect(RunningServer s) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).connectionTimeout(Duration.ofSeconds(2)).build());
    }

    @Test
    void fullMeshFormsFromASingleSeedThroughGossip() {
        assertEquals(2, ClusterTestSupport.routes(b), "B learned C from A's forwarded INFO");
        assertEquals(2, ClusterTestSupport.routes(c));
        Routez routez = a.server().snapshots().routez(false, false);
        assertEquals(2, routez.numRoutes());
        List<String> peers = new ArrayList<>();
        for (Routez.RouteInfo r : routez.routes()) {
            peers.add(r.remoteId());
            assertTrue(!r.didSolicit(), "A was dialled by both");
        }
        assertTrue(peers.contains(b.server().context().serverId()));
        assertTrue(peers.contains(c.server().context().serverId()));
    }

    @Test
    void publishOnOneNodeReachesSubscribersOnTheOthers() throws Exception {
        try (Connection onA = connect(a); Connection onB = connect(b); Connection onC = connect(c)) {
            Subscription subB = onB.subscribe("cross.plain");
            Subscription subC = onC.subscribe("cross.>");
            onB.flush(Duration.ofSeconds(2));
            onC.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "cross.plain", 2);
            for (int i = 0; i < 100; i++) {
                onA.publish("cross.plain", ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            onA.publish("cross.plain", "end".getBytes(StandardCharsets.UTF_8)); // after them on every path
            onA.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 100; i++) {
                Message mb = subB.nextMessage(Duration.ofSeconds(2));
                Message mc = subC.nextMessage(Duration.ofSeconds(2));
                assertNotNull(mb, "B message " + i);
                assertNotNull(mc, "C message " + i);
                assertEquals("m" + i, new String(mb.getData(), StandardCharsets.UTF_8), "order kept across a hop");
                assertEquals("m" + i, new String(mc.getData(), StandardCharsets.UTF_8));
            }
            // No duplicates: the next message on each is the end marker published after the 100.
            assertEquals("end", new String(subB.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8));
            assertEquals("end", new String(subC.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void requestReplyAcrossNodesWithHeaders() throws Exception {
        try (Connection responder = connect(b); Connection requester = connect(c)) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                    ("echo:" + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            d.subscribe("svc.echo");
            responder.flush(Duration.ofSeconds(2));
            awaitRouteInterest(c, "svc.echo", 1);
            Message reply = requester.request("svc.echo", "hi".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            assertEquals("echo:hi", new String(reply.getData(), StandardCharsets.UTF_8));
            io.nats.client.impl.Headers h = new io.nats.client.impl.Headers().add("X-Trace", "t1");
            Dispatcher hd = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                    new io.nats.client.impl.Headers().add("X-Seen", m.getHeaders().getFirst("X-Trace")),
                    new byte[0]));
            hd.subscribe("svc.headers");
            responder.flush(Duration.ofSeconds(2));
            awaitRouteInterest(c, "svc.headers", 1);
            Message hr = requester.request(io.nats.client.impl.NatsMessage.builder().subject("svc.headers")
                    .headers(h).data(new byte[0]).build(), Duration.ofSeconds(2));
            assertEquals("t1", hr.getHeaders().getFirst("X-Seen"), "headers cross routes as HMSG");
        }
    }

    @Test
    void queueGroupAcrossServersGetsEachMessageExactlyOnce() throws Exception {
        int total = 600;
        ConcurrentHashMap<String, AtomicInteger> perNode = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<Connection> members = new ArrayList<>();
        CountDownLatch markers = new CountDownLatch(5);
        try (Connection publisher = connect(c)) {
            RunningServer[] where = {a, a, b, b, c};
            for (RunningServer s : where) {
                Connection m = connect(s);
                members.add(m);
                String node = s.server().context().serverName();
                Dispatcher d = m.createDispatcher(msg -> {
                    perNode.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
                    seen.computeIfAbsent(new String(msg.getData(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                            .incrementAndGet();
                });
                d.subscribe("work.items", "workers");
                d.subscribe("work.done", msg -> markers.countDown()); // same dispatcher: handled after the jobs
                m.flush(Duration.ofSeconds(2));
            }
            // C sees A's group with weight 2 and B's with weight 2.
            awaitRouteInterest(c, "work.items", 2);
            awaitRouteInterest(c, "work.done", 2);
            await("weights 2 and 2 on C", Duration.ofSeconds(5), () -> weights(c, "work.items") == 4);
            for (int i = 0; i < total; i++) {
                publisher.publish("work.items", ("job-" + i).getBytes(StandardCharsets.UTF_8));
            }
            publisher.flush(Duration.ofSeconds(2));
            await("all jobs delivered", Duration.ofSeconds(10), () -> seen.size() == total);
            // A marker published after the jobs takes every path a job took (C to A, C to B, C itself): once
            // each member handled it, every copy of a job that was sent has been counted.
            publisher.publish("work.done", new byte[0]);
            assertTrue(markers.await(10, TimeUnit.SECONDS), "marker reached every member");
            for (var e : seen.entrySet()) {
                assertEquals(1, e.getValue().get(), "delivered once cluster-wide: " + e.getKey());
            }
            // 5 members, weighted pick: A and B about 2/5 each, C about 1/5.
            assertTrue(perNode.get("A").get() > total / 5, "A got " + perNode);
            assertTrue(perNode.get("B").get() > total / 5, "B got " + perNode);
            assertTrue(perNode.get("C").get() > total / 20, "C got " + perNode);
        } finally {
            for (Connection m : members) {
                m.close();
            }
        }
    }

    private static int weights(RunningServer s, String subject) {
        var r = s.server().context().trie().match(subject);
        int w = 0;
        for (int g = 0; g < r.queueGroupCount(); g++) {
            for (int k = 0; k < r.queueGroupSize(g); k++) {
                if (r.queueMember(g, k).route() != null) {
                    w += r.queueMember(g, k).weight();
                }
            }
        }
        return w;
    }

    @Test
    void unsubscribeRemovesInterestAndStopsTraffic() throws Exception {
        try (Connection onA = connect(a); Connection onC = connect(c)) {
            Subscription s1 = onC.subscribe("gone.soon");
            Subscription s2 = onC.subscribe("gone.soon");
            onC.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "gone.soon", 1); // two local subs, one RS+
            s1.unsubscribe();
            // A has processed whatever C sent for that unsubscribe once it sees the interest C sends after it.
            Subscription marker = onC.subscribe("gone.marker");
            onC.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "gone.marker", 1);
            assertEquals(1, ClusterTestSupport.routeInterest(a, "gone.soon"), "still one sub left on C");
            marker.unsubscribe();
            s2.unsubscribe();
            onC.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "gone.soon", 0);
            long before = routeOutMsgs(a, c);
            for (int i = 0; i < 50; i++) {
                onA.publish("gone.soon", new byte[1]);
            }
            onA.flush(Duration.ofSeconds(2));
            assertEquals(before, routeOutMsgs(a, c), "nothing crosses a route without interest");
        }
    }

    private static long routeOutMsgs(RunningServer from, RunningServer to) {
        String id = to.server().context().serverId();
        for (RouteConnection r : from.server().cluster().registered()) {
            if (id.equals(r.remoteId())) {
                return r.outMsgs();
            }
        }
        throw new AssertionError("no route to " + id);
    }

    @Test
    void clientsLearnEveryNodeThroughConnectUrls() throws Exception {
        try (Connection onB = connect(b)) {
            await("connect_urls of all three", Duration.ofSeconds(5), () -> {
                java.util.Collection<String> servers = onB.getServers();
                return servers.stream().anyMatch(u -> u.endsWith(":" + a.port()))
                        && servers.stream().anyMatch(u -> u.endsWith(":" + c.port()));
            });
            assertTrue(b.server().context().connectUrls().get(0).endsWith(":" + b.port()), "own URL first");
        }
    }
}
