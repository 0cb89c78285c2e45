package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.connect;
import static io.natsboot.server.gateway.GatewayTestSupport.gateways;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three clusters of three nodes on loopback joined by gateways (issue 19): A all ours, B all nats-server 2.9.10,
 * C mixed (two of ours, one nats-server). Request/reply between every pair, a queue group with members in two
 * clusters (the local member preferred, each message delivered once), and a killed gateway node whose peers
 * reconnect elsewhere.
 */
@RequiresBinary("nats-server")
class SuperclusterTest {

    private static String urls(int... gatewayPorts) {
        List<String> u = new ArrayList<>();
        for (int p : gatewayPorts) {
            u.add("nats://127.0.0.1:" + p);
        }
        return String.join(",", u);
    }

    private static List<String> routes(int self, int... clusterPorts) {
        List<String> r = new ArrayList<>();
        for (int p : clusterPorts) {
            if (p != self) {
                r.add("nats://127.0.0.1:" + p);
            }
        }
        return r;
    }

    private static int[] ports(int n) throws Exception {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = GatewayTestSupport.port();
        }
        return p;
    }

    @Test
    void threeClustersOfThreeMixedNodes() throws Exception {
        int[] ga = ports(3), gb = ports(3), gc = ports(3);
        int[] ca = ports(3), cb = ports(3), cc = ports(3);
        String toA = "A=" + urls(ga);
        String toB = "B=" + urls(gb);
        String toC = "C=" + urls(gc);
        List<AutoCloseable> all = new ArrayList<>();
        try {
            RunningServer a1 = add(all, GatewayTestSupport.node("A1", "A", ga[0], new int[] {ca[0], ca[1], ca[2]}, toB, toC));
            RunningServer a2 = add(all, GatewayTestSupport.node("A2", "A", ga[1], new int[] {ca[1], ca[0], ca[2]}, toB, toC));
            RunningServer a3 = add(all, GatewayTestSupport.node("A3", "A", ga[2], new int[] {ca[2], ca[0], ca[1]}, toB, toC));
            GoGatewayNode b1 = add(all, GoGatewayNode.start("B1", "B", gb[0], List.of(toA, toC), cb[0], routes(cb[0], cb)));
            GoGatewayNode b2 = add(all, GoGatewayNode.start("B2", "B", gb[1], List.of(toA, toC), cb[1], routes(cb[1], cb)));
            GoGatewayNode b3 = add(all, GoGatewayNode.start("B3", "B", gb[2], List.of(toA, toC), cb[2], routes(cb[2], cb)));
            RunningServer c1 = add(all, GatewayTestSupport.node("C1", "C", gc[0], new int[] {cc[0], cc[1], cc[2]}, toA, toB));
            RunningServer c2 = add(all, GatewayTestSupport.node("C2", "C", gc[1], new int[] {cc[1], cc[0], cc[2]}, toA, toB));
            GoGatewayNode c3 = add(all, GoGatewayNode.start("C3", "C", gc[2], List.of(toA, toB), cc[2], routes(cc[2], cc)));
            for (RunningServer s : List.of(a1, a2, a3)) {
                awaitConnected(s, "B", "C");
            }
            for (RunningServer s : List.of(c1, c2)) {
                awaitConnected(s, "A", "B");
            }
            for (GoGatewayNode n : List.of(b1, b2, b3)) {
                awaitConnected(n, "A", "C");
            }
            awaitConnected(c3, "A", "B");

            try (Connection na1 = connect(a1.url()); Connection na3 = connect(a3.url());
                 Connection nb2 = connect(b2.url()); Connection nb3 = connect(b3.url());
                 Connection nc1 = connect(c1.url()); Connection nc2 = connect(c2.url());
                 Connection nc3 = connect(c3.url())) {
                // Request/reply across every pair, responders and requesters on ours and nats-server nodes.
                MixedGatewayTest.requestReply(na1, nb2, "svc.b");
                MixedGatewayTest.requestReply(nb3, nc1, "svc.c.ours");
                MixedGatewayTest.requestReply(na3, nc3, "svc.c.go");
                MixedGatewayTest.requestReply(nc2, na3, "svc.a");
                MixedGatewayTest.requestReply(nc3, nb2, "svc.b.from.c");
                MixedGatewayTest.pubSub(nb3, na1, "news.a");
                queueAcrossTwoClusters(na1, nb2, nb3, nc1, nc2);
            }
        } finally {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
        }
    }

    /**
     * Group "workers" on q.jobs has a member in B (on B2) and one in C (on C1). Published in C (on C2) all go to
     * C's member; published in B (on B3) all go to B's; published in A (no member) each goes to exactly one. Probes
     * (sent until interest has crossed) are told from jobs by their payload.
     */
    private static void queueAcrossTwoClusters(Connection inA, Connection memberB, Connection inB, Connection memberC,
            Connection inC) throws Exception {
        AtomicInteger jobsB = new AtomicInteger();
        AtomicInteger jobsC = new AtomicInteger();
        AtomicInteger probesB = new AtomicInteger();
        AtomicInteger probesC = new AtomicInteger();
        Dispatcher db = memberB.createDispatcher(m -> (MixedGatewayTest.isJob(m) ? jobsB : probesB).incrementAndGet());
        Dispatcher dc = memberC.createDispatcher(m -> (MixedGatewayTest.isJob(m) ? jobsC : probesC).incrementAndGet());
        db.subscribe("q.jobs", "workers");
        dc.subscribe("q.jobs", "workers");
        memberB.flush(Duration.ofSeconds(2));
        memberC.flush(Duration.ofSeconds(2));
        // Queue interest reaches A from both clusters, and each member's interest its own cluster.
        await("A's probes reach the group", () -> {
            inA.publish("q.jobs", MixedGatewayTest.PROBE);
            return probesB.get() + probesC.get() > 0;
        });
        await("a probe from C reaches C's member and one from B B's member", () -> {
            int b = probesB.get();
            int c = probesC.get();
            inC.publish("q.jobs", MixedGatewayTest.PROBE);
            inB.publish("q.jobs", MixedGatewayTest.PROBE);
            try {
                inC.flush(Duration.ofSeconds(1));
                inB.flush(Duration.ofSeconds(1));
                memberB.flush(Duration.ofSeconds(1));
                memberC.flush(Duration.ofSeconds(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return probesB.get() > b && probesC.get() > c;
        });
        for (int i = 0; i < 30; i++) {
            inC.publish("q.jobs", MixedGatewayTest.JOB);
        }
        inC.flush(Duration.ofSeconds(2));
        await("30 jobs at C's member", () -> jobsC.get() >= 30);
        memberB.flush(Duration.ofSeconds(2));
        assertEquals(0, jobsB.get(), "published in C, B's member gets nothing");
        for (int i = 0; i < 30; i++) {
            inB.publish("q.jobs", MixedGatewayTest.JOB);
        }
        inB.flush(Duration.ofSeconds(2));
        await("30 jobs at B's member", () -> jobsB.get() >= 30);
        memberC.flush(Duration.ofSeconds(2));
        assertEquals(30, jobsC.get(), "published in B, C's member gets nothing");
        for (int i = 0; i < 40; i++) {
            inA.publish("q.jobs", MixedGatewayTest.JOB);
        }
        inA.flush(Duration.ofSeconds(2));
        await("40 jobs from A, each at one member", () -> jobsB.get() + jobsC.get() >= 100);
        memberB.flush(Duration.ofSeconds(2));
        memberC.flush(Duration.ofSeconds(2));
        assertEquals(100, jobsB.get() + jobsC.get(), "each job to one member of the group");
        memberB.closeDispatcher(db);
        memberC.closeDispatcher(dc);
    }

    @Test
    void killedGatewayNodeIsReplacedAndRejoins() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int[] gb = ports(2);
        int[] cb = ports(2);
        String toA = "A=nats://127.0.0.1:" + ourGw;
        String toB = "B=" + urls(gb);
        try (RunningServer a = GatewayTestSupport.node("A1", "A", ourGw, toB);
             GoGatewayNode b1 = GoGatewayNode.start("B1", "B", gb[0], List.of(toA), cb[0], routes(cb[0], cb));
             GoGatewayNode b2 = GoGatewayNode.start("B2", "B", gb[1], List.of(toA), cb[1], routes(cb[1], cb));
             Connection na = connect(a.url())) {
            awaitConnected(a, "B");
            awaitConnected(b1, "A");
            awaitConnected(b2, "A");
            GatewayTestSupport.awaitInbound(a, "B");
            int dialled = gateways(a).outboundViews().get("B").port();
            GoGatewayNode victim = dialled == gb[0] ? b1 : b2;
            GoGatewayNode survivor = victim == b1 ? b2 : b1;
            try (Connection ns = connect(survivor.url())) {
                MixedGatewayTest.pubSub(na, ns, "before.kill");
                victim.kill();
                // Our outbound to B moves to the surviving node (the next URL, tried every second).
                await("outbound to B on the survivor", () -> {
                    GatewayView v = gateways(a).outboundViews().get("B");
                    return v != null && v.port() == survivor.gatewayPort;
                });
                MixedGatewayTest.pubSub(na, ns, "after.kill");
                MixedGatewayTest.requestReply(na, ns, "svc.after.kill");
                victim.restart();
                awaitConnected(victim, "A");
                GatewayTestSupport.awaitInbound(a, "B");
                try (Connection nv = connect(victim.url())) {
                    MixedGatewayTest.pubSub(nv, na, "from.restarted");
                }
            }
        }
    }

    /**
     * Our cluster of two tells other clusters both gateway URLs (route INFO carries gateway_url, our gateway INFO
     * lists the cluster's): a nats-server node configured with A1's URL only learns A2's, and when A1 goes away its
     * outbound to A moves to A2.
     */
    @Test
    void remoteClustersLearnEveryGatewayUrlOfOurs() throws Exception {
        int[] ga = ports(2);
        int[] ca = ports(2);
        int goGw = GatewayTestSupport.port();
        String toB = "B=nats://127.0.0.1:" + goGw;
        RunningServer a1 = GatewayTestSupport.node("A1", "A", ga[0], new int[] {ca[0], ca[1]}, toB);
        try (RunningServer a2 = GatewayTestSupport.node("A2", "A", ga[1], new int[] {ca[1], ca[0]}, toB);
             GoGatewayNode b = GoGatewayNode.start("B1", "B", goGw, List.of("A=nats://127.0.0.1:" + ga[0]), 0,
                     List.of())) {
            try {
                awaitConnected(a1, "B");
                awaitConnected(a2, "B");
                awaitConnected(b, "A");
                await("B1 knows A2's gateway URL", () -> {
                    try {
                        return b.monitor("/varz").contains("127.0.0.1:" + ga[1]);
                    } catch (Exception e) {
                        return false;
                    }
                });
            } finally {
                a1.close();
            }
            // B1's outbound to A went to A1 (its only configured URL); now it finds A2.
            try {
                await("B1's outbound to A on A2", () -> gateways(a2).inboundViews().containsKey("B"));
            } catch (RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nB1's log:\n" + b.log(), e);
            }
            try (Connection na = connect(a2.url()); Connection nb = connect(b.url())) {
                MixedGatewayTest.pubSub(nb, na, "after.a1.left");
                MixedGatewayTest.requestReply(na, nb, "svc.after.a1.left");
            }
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> all, T node) {
        all.add(node);
        return node;
    }
}
