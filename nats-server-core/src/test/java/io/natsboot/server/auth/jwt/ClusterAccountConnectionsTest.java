package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An account's connection limit across a cluster: the other servers' counts (their
 * {@code $SYS.ACCOUNT.<acc>.SERVER.CONNS} events) count too. Two nats-server 2.9.10 nodes, then two of ours, same
 * configuration: with one client on each node and a limit of 2, a third login is refused; once the other node's
 * client left, it is taken.
 */
@RequiresBinary("nats-server")
class ClusterAccountConnectionsTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
    }

    private record Node(int port, String routeUrl) {
    }

    private Path conf() throws Exception {
        a.limits().put("conn", 2);
        Path dir = Files.createTempDirectory("cluster-conns");
        Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        Path f = dir.resolve("s.conf");
        Files.writeString(f, "operator: \"" + dir.resolve("op.jwt") + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  "
                + a.publicKey() + ": \"" + a.jwt() + "\"\n}\n");
        return f;
    }

    private Node go(Path conf, String name, String... routes) throws Exception {
        int port = Ports.free();
        int cluster = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(RequiredBinaries.path("nats-server").toString(), "-c",
                conf.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-n", name, "--cluster",
                "nats://127.0.0.1:" + cluster, "--cluster_name", "c"));
        if (routes.length > 0) {
            cmd.add("--routes");
            cmd.add(String.join(",", routes));
        }
        Path log = Files.createTempFile("go-" + name, ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(() -> {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        });
        Waits.forLogLine(p, log, "Server is ready", Duration.ofSeconds(10));
        return new Node(port, "nats://127.0.0.1:" + cluster);
    }

    private Node ours(Path conf, String name, String... routes) {
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("c").routes(List.of(routes));
        });
        started.add(s);
        return new Node(s.port(), "nats://127.0.0.1:" + s.server().cluster().port());
    }

    private RawClient login(Node n, String user) throws Exception {
        TrustChain.User u = a.user(user);
        RawClient c = new RawClient(n.port());
        started.add(c);
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(
                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
        return c;
    }

    /** The scenario on two clustered nodes; returns what the third logins read. */
    private List<String> scenario(Node n1, Node n2) throws Exception {
        TrustChain.User su = sys.user("sys");
        Connection watcher = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + n1.port())
                .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                .maxReconnects(0).build());
        started.add(watcher::close);
        Subscription events = watcher.subscribe("$SYS.ACCOUNT." + a.publicKey() + ".SERVER.CONNS");
        watcher.flush(Duration.ofSeconds(5));
        // the route is up when the second node's interest in the events reached the first
        Waits.upTo("the route", Duration.ofSeconds(15)).until(() -> {
            try (RawClient probe = login(n2, "probe")) {
                return OperatorModeDifferentialTest.untilPongOrClose(probe).equals("PONG\r\n")
                        && nextEvent(events, "\"conns\":1") != null;
            }
        });
        drain(events);
        List<String> out = new ArrayList<>();
        RawClient c1 = login(n1, "c1");
        assertThat(c1.readLine()).isEqualTo("PONG\r\n");
        RawClient c2 = login(n2, "c2");
        assertThat(c2.readLine()).isEqualTo("PONG\r\n");
        assertThat(nextEvent(events, "\"conns\":1")).as("n2's count").isNotNull();
        out.add(loginUntil(n1, "c3", "-ERR"));
        c2.close();
        assertThat(nextEvent(events, "\"conns\":0")).as("n2's count after c2 left").isNotNull();
        out.add(loginUntil(n1, "c3-again", "PONG"));
        return out;
    }

    /**
     * Logs in to {@code node} until the answer starts with {@code expected} (at most 5 s) and returns the last
     * answer: the node takes the other node's CONNS event through its route, maybe a moment after this test's
     * subscriber saw it. A node that never counts the other's clients keeps answering otherwise, and that answer
     * is what the scenario records.
     */
    private String loginUntil(Node node, String name, String expected) throws Exception {
        String last;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            try (RawClient c = login(node, name)) {
                last = OperatorModeDifferentialTest.untilPongOrClose(c);
            }
        } while (!last.startsWith(expected) && System.nanoTime() < deadline);
        return last;
    }

    /** The next CONNS event containing {@code text} (from the second node: the first one's say other counts). */
    private static String nextEvent(Subscription events, String text) throws InterruptedException {
        while (true) {
            Message m = events.nextMessage(Duration.ofSeconds(5));
            if (m == null) {
                return null;
            }
            String json = new String(m.getData(), StandardCharsets.UTF_8);
            if (json.contains(text) && json.contains("\"name\":\"n2\"")) {
                return json;
            }
        }
    }

    private static void drain(Subscription events) throws InterruptedException {
        while (events.nextMessage(Duration.ofMillis(200)) != null) {
            // older events
        }
    }

    @Test
    void theOtherServersConnectionsCountAgainstTheLimit() throws Exception {
        Path conf = conf();
        Node g1 = go(conf, "n1");
        Node g2 = go(conf, "n2", g1.routeUrl());
        List<String> theirs = scenario(g1, g2);
        assertThat(theirs).containsExactly("-ERR 'maximum account active connections exceeded'\r\n<closed>",
                "PONG\r\n");
        stopAll();
        Node j1 = ours(conf, "n1");
        Node j2 = ours(conf, "n2", j1.routeUrl());
        assertThat(scenario(j1, j2)).isEqualTo(theirs);
    }
}
