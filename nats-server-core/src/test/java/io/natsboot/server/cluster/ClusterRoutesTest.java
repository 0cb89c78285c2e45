package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitMesh;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitRouteInterest;
import static io.natsboot.server.cluster.ClusterTestSupport.routes;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Route lifecycle: partition and heal, route authorization, duplicates, cluster names. */
class ClusterRoutesTest {

    private static RunningServer authNode(String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("AUTH")
                .clusterUser("ruser").clusterPassword("T0pS3cr3t").routes(List.of(routes)));
    }

    private static String authRoute(RunningServer s) {
        return "nats-route://ruser:T0pS3cr3t@127.0.0.1:" + s.server().cluster().port();
    }

    @Test
    void partitionAndHealResynchronisesInterestWithoutDuplicates() throws Exception {
        try (RunningServer a = ClusterTestSupport.node("A");
             RunningServer b = ClusterTestSupport.node("B", ClusterTestSupport.routeUrl(a));
             Connection onA = Nats.connect(a.url()); Connection onB = Nats.connect(b.url())) {
            awaitMesh(a, b);
            Subscription sub = onB.subscribe("heal.x");
            onB.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "heal.x", 1);
            // Cut the link: close B's route (B dialled it, so B redials after about a second).
            RouteConnection link = b.server().cluster().registered().get(0);
            link.closeForReason("Client Closed");
            awaitRouteInterest(a, "heal.x", 0);
            // While partitioned nothing crosses; B is still subscribed.
            onA.publish("heal.x", "lost".getBytes(StandardCharsets.UTF_8));
            onA.flush(Duration.ofSeconds(1));
            // Heal: the configured route comes back and B's interest is sent again in its burst.
            awaitMesh(a, b);
            awaitRouteInterest(a, "heal.x", 1);
            for (int i = 0; i < 200; i++) {
                onA.publish("heal.x", ("h" + i).getBytes(StandardCharsets.UTF_8));
            }
            onA.flush(Duration.ofSeconds(2));
            Set<String> got = new HashSet<>();
            int count = 0;
            io.nats.client.Message m;
            while ((m = sub.nextMessage(Duration.ofMillis(500))) != null) {
                count++;
                got.add(new String(m.getData(), StandardCharsets.UTF_8));
            }
            assertThat(got).as("all after the heal").hasSize(200).doesNotContain("lost");
            assertThat(count).as("nothing twice").isEqualTo(200);
            assertThat(a.log().contains("Router connection closed: Client Closed")).isTrue();
        }
    }

    @Test
    void routeAuthorizationAndImplicitRoutesWithOurCredentials() throws Exception {
        try (RunningServer a = authNode("A");
             RunningServer b = authNode("B", authRoute(a));
             RunningServer c = authNode("C", authRoute(a))) {
            // C learns B from A's gossip (an URL without credentials) and dials it with the cluster's own.
            awaitMesh(a, b, c);
            try (Connection onB = Nats.connect(b.url()); Connection onC = Nats.connect(c.url())) {
                Subscription s = onC.subscribe("auth.x");
                onC.flush(Duration.ofSeconds(2));
                awaitRouteInterest(b, "auth.x", 1);
                onB.publish("auth.x", "ok".getBytes(StandardCharsets.UTF_8));
                assertThat(s.nextMessage(Duration.ofSeconds(2))).isNotNull();
            }
            // A peer without credentials gets nats-server's answer.
            try (RawClient raw = new RawClient(a.server().cluster().port())) {
                assertThat(raw.readLine()).contains("\"auth_required\":true");
                raw.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
                        + "\"headers\":true,\"name\":\"NX\",\"cluster\":\"AUTH\",\"user\":\"ruser\",\"pass\":\"bad\"}\r\n");
                assertThat(raw.readUntilClose(2000)).isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
            }
            // Anything before CONNECT is a violation too.
            try (RawClient raw = new RawClient(a.server().cluster().port())) {
                raw.readLine();
                raw.send("PING\r\n");
                assertThat(raw.readUntilClose(2000)).isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
            }
            // Silence: the cluster authorization timeout (2 s); the first route PING (1 s) comes before it, as
            // from nats-server.
            try (RawClient raw = new RawClient(a.server().cluster().port())) {
                raw.readLine();
                assertThat(raw.readUntilClose(4000))
                        .isEqualTo("PING\r\n-ERR 'Authentication Timeout'\r\n<closed>");
            }
        }
    }

    @Test
    void simultaneousDialsKeepOneRoutePerPeer() throws Exception {
        // Both nodes list each other: each dials and each accepts; one connection per peer survives.
        int portA = GoNode.freePort();
        int portB = GoNode.freePort();
        try (RunningServer a = RunningServer.start(x -> x.serverName("A").clusterListen("127.0.0.1:" + portA)
                .clusterName("DUP").routes(List.of("nats://127.0.0.1:" + portB)));
             RunningServer b = RunningServer.start(x -> x.serverName("B").clusterListen("127.0.0.1:" + portB)
                .clusterName("DUP").routes(List.of("nats://127.0.0.1:" + portA)))) {
            awaitMesh(a, b);
            // Nothing flaps: once every dial has ended (a refused one is retried) and every closed solicited
            // route has its redial decision logged, no route is left to close or redial. All of them were
            // duplicates closed while the survivor stood, so none is redialled.
            await("every dial decided on both nodes", Duration.ofSeconds(10),
                    () -> dialsSettled(a) && dialsSettled(b));
            for (RunningServer n : List.of(a, b)) {
                assertThat(n.log().lines()).filteredOn(l -> l.contains("Router connection closed: "))
                        .allMatch(l -> l.endsWith("Router connection closed: Duplicate Route"));
                assertThat(n.log().lines()).noneMatch(l -> l.contains("Attempting reconnect for solicited route"));
            }
            assertThat(routes(a)).isEqualTo(1);
            assertThat(routes(b)).isEqualTo(1);
            try (Connection onA = Nats.connect(a.url()); Connection onB = Nats.connect(b.url())) {
                Subscription s = onB.subscribe("dup.x");
                onB.flush(Duration.ofSeconds(2));
                awaitRouteInterest(a, "dup.x", 1);
                for (int i = 0; i < 20; i++) {
                    onA.publish("dup.x", new byte[] {(byte) i});
                }
                onA.publish("dup.x", "end".getBytes(StandardCharsets.UTF_8)); // after them on the same route
                int n = 0;
                io.nats.client.Message m;
                while ((m = s.nextMessage(Duration.ofSeconds(2))) != null && m.getData().length == 1) {
                    n++;
                }
                assertThat(m).as("the end marker").isNotNull();
                assertThat(n).isEqualTo(20);
            }
        }
    }

    @Test
    void aRouteThatStopsReadingIsClosedAsASlowConsumerAndCounted() throws Exception {
        try (RunningServer a = RunningServer.start(x -> x.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("SLOW").maxPending(1024 * 1024).maxPayload(64 * 1024));
             RawClient peer = new RawClient(a.server().cluster().port());
             Connection publisher = Nats.connect(a.url())) {
            peer.readLine();
            // A fake peer that registers, asks for everything on "firehose", then never reads again.
            peer.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
                    + "\"headers\":true,\"name\":\"NSLOW\",\"cluster\":\"SLOW\"}\r\n"
                    + "INFO {\"server_id\":\"NSLOW\",\"server_name\":\"slow\",\"proto\":2,\"host\":\"127.0.0.1\","
                    + "\"port\":1,\"headers\":true,\"cluster\":\"SLOW\"}\r\nRS+ $G firehose\r\n");
            awaitRouteInterest(a, "firehose", 1);
            byte[] chunk = new byte[32 * 1024];
            Cluster cluster = a.server().cluster();
            for (int i = 0; i < 20_000 && cluster.slowConsumerRoutes.sum() == 0; i++) {
                publisher.publish("firehose", chunk);
                if (i % 100 == 0) {
                    publisher.flush(Duration.ofSeconds(5));
                }
            }
            await("the route closed as a slow consumer", Duration.ofSeconds(10),
                    () -> cluster.slowConsumerRoutes.sum() == 1 && routes(a) == 0);
            assertThat(a.server().context().slowConsumers.sum()).isEqualTo(1);
            assertThat(a.log().contains("Slow Consumer Detected: MaxPending of 1048576 Exceeded")).isTrue();
            assertThat(a.log().contains("Router connection closed: Slow Consumer (Pending Bytes)")).isTrue();
            // The publisher was never the one to pay: it is still connected and served.
            assertThat(publisher.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            Subscription own = publisher.subscribe("after");
            publisher.publish("after", new byte[] {1});
            assertThat(own.nextMessage(Duration.ofSeconds(2))).isNotNull();
        }
    }

    @Test
    void advertiseOptions() throws Exception {
        try (RunningServer a = RunningServer.start(x -> x.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("ADV").clusterAdvertise("10.1.2.3:7222").clientAdvertise("nats.example.com:4333"));
             RunningServer quiet = RunningServer.start(x -> x.serverName("Q").clusterListen("127.0.0.1:-1")
                .clusterName("ADV").noAdvertise(true).routes(List.of(ClusterTestSupport.routeUrl(a))))) {
            awaitMesh(a, quiet);
            // cluster_advertise: peers are told where to dial; client_advertise: what clients are told.
            try (RawClient raw = new RawClient(a.server().cluster().port())) {
                String info = raw.readLine();
                assertThat(info).contains("\"host\":\"10.1.2.3\",\"port\":7222")
                        .contains("\"ip\":\"nats-route://10.1.2.3:7222/\"")
                        .contains("\"connect_urls\":[\"nats.example.com:4333\"]");
            }
            // no_advertise: Q's clients are not told about A, and Q's route INFO carries no client URLs.
            try (RawClient client = new RawClient(quiet.port())) {
                assertThat(client.readLine()).doesNotContain("connect_urls");
            }
            try (RawClient raw = new RawClient(quiet.server().cluster().port())) {
                assertThat(raw.readLine()).doesNotContain("connect_urls");
            }
            await("A advertises itself to its clients", Duration.ofSeconds(5),
                    () -> a.server().context().connectUrls().contains("nats.example.com:4333"));
        }
    }

    @Test
    void generatedClusterNameIsAdoptedFromANamedPeer() throws Exception {
        try (RunningServer named = ClusterTestSupport.node("N");
             RunningServer dynamic = RunningServer.start(x -> x.serverName("D").clusterListen("127.0.0.1:-1")
                     .routes(List.of(ClusterTestSupport.routeUrl(named))))) {
            awaitMesh(named, dynamic);
            assertThat(dynamic.server().cluster().name()).isEqualTo("TEST");
            assertThat(dynamic.log().contains("Cluster name was dynamically generated, consider setting one")).isTrue();
            assertThat(dynamic.log().contains("Cluster name updated to TEST")).isTrue();
        }
    }

    @Test
    void aNodeListedInItsOwnRoutesIgnoresThatRoute() throws Exception {
        int port = GoNode.freePort();
        try (RunningServer self = RunningServer.start(x -> x.serverName("S").clusterListen("127.0.0.1:" + port)
                .clusterName("SELF").routes(List.of("nats://127.0.0.1:" + port)))) {
            // The redial decision for the closed solicited route is logged as nats-server logs it.
            String decision = "[DBG] Detected route to self, ignoring \"nats://127.0.0.1:" + port + "\"";
            await("the self route was detected", Duration.ofSeconds(5), () -> self.log().lines().contains(decision));
            assertThat(self.log().lines()).as("not redialled")
                    .noneMatch(l -> l.contains("Attempting reconnect for solicited route"))
                    .filteredOn(l -> l.contains("Trying to connect to route")).hasSize(1);
            assertThat(routes(self)).isZero();
        }
    }

    private static long count(RunningServer s, String fragment) {
        return s.log().lines().stream().filter(l -> l.contains(fragment)).count();
    }

    /**
     * Every dial of {@code s} ended (refused, or connected: "Route connect msg sent"), one registered route and
     * no other open route connection, and each closed solicited route has its redial decision logged.
     */
    private static boolean dialsSettled(RunningServer s) {
        long dials = count(s, "Trying to connect to route on ");
        long refused = count(s, "Error trying to connect to route");
        long connected = count(s, "Route connect msg sent");
        long decided = count(s, "Not attempting reconnect for solicited route")
                + count(s, "Attempting reconnect for solicited route");
        var registered = s.server().cluster().registered();
        if (registered.size() != 1 || s.server().cluster().openRoutes().size() != 1) {
            return false;
        }
        long survivorSolicited = registered.get(0).didSolicit() ? 1 : 0;
        return dials == refused + connected && connected == decided + survivorSolicited;
    }
}
