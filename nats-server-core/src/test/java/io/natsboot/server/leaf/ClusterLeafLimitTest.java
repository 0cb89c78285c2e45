package io.natsboot.server.leaf;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An account's leaf limit ({@code limits.leaf}) across a cluster: nats-server 2.9.10 counts only its own leaf
 * connections against it, not those the other servers report (the {@code leafnodes} of their
 * {@code $SYS.ACCOUNT.<acc>.SERVER.CONNS} events). Two nats-server 2.9.10 nodes, then two of ours, same
 * configuration: with a limit of 1 and a leaf on the second node, a leaf logging in to the first is taken, and so is
 * one after the other leaf left.
 */
@RequiresBinary("nats-server")
class ClusterLeafLimitTest {
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

    private record Node(int port, int leafPort, String routeUrl) {
    }

    private Path conf(String name, int leafPort) throws Exception {
        a.limits().put("leaf", 1);
        Path dir = Files.createTempDirectory("cluster-leafs-" + name);
        Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        Path f = dir.resolve("s.conf");
        Files.writeString(f, "operator: \"" + dir.resolve("op.jwt") + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  "
                + a.publicKey() + ": \"" + a.jwt() + "\"\n}\nleafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
        return f;
    }

    private Node go(String name, String... routes) throws Exception {
        int port = Ports.free();
        int cluster = Ports.free();
        int leafPort = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(RequiredBinaries.path("nats-server").toString(), "-c",
                conf(name, leafPort).toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-n", name,
                "--cluster", "nats://127.0.0.1:" + cluster, "--cluster_name", "c"));
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
        return new Node(port, leafPort, "nats://127.0.0.1:" + cluster);
    }

    private Node ours(String name, String... routes) throws Exception {
        int leafPort = Ports.free();
        Path conf = conf(name, leafPort);
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0).serverName(name).clusterListen("127.0.0.1:-1").clusterName("c")
                    .routes(List.of(routes));
        });
        started.add(s);
        return new Node(s.port(), leafPort, "nats://127.0.0.1:" + s.server().cluster().port());
    }

    /** What a leaf logging in as a new user of A reads (INFO and interest left out): PONG, or the -ERR and close. */
    private String leafOutcome(Node n, String user) throws Exception {
        return LeafLiveAccountUpdatesDifferentialTest.refusedLogin(n.leafPort(), a.user(user));
    }

    /** Logs a leaf in until its outcome starts with {@code expected} (the other node's event may come late). */
    private String leafUntil(Node n, String user, String expected) throws Exception {
        String last;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            last = leafOutcome(n, user);
        } while (!last.startsWith(expected) && System.nanoTime() < deadline);
        return last;
    }

    private List<String> scenario(Node n1, Node n2) throws Exception {
        TrustChain.User su = sys.user("sys");
        Connection watcher = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + n1.port())
                .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                .maxReconnects(0).build());
        started.add(watcher::close);
        Subscription events = watcher.subscribe("$SYS.ACCOUNT." + a.publicKey() + ".SERVER.CONNS");
        watcher.flush(Duration.ofSeconds(5));
        RawClient leaf = null;
        // the route is up when the second node's event about its leaf reaches the first
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            leaf = LeafLiveAccountUpdatesDifferentialTest.leafLogin(n2.leafPort(), a.user("on-n2"));
            started.add(leaf);
            if (nextEvent(events, "\"leafnodes\":1") != null) {
                break;
            }
            leaf.close();
        }
        List<String> out = new ArrayList<>();
        out.add(leafOutcome(n1, "on-n1"));
        leaf.close();
        assertThat(nextEvent(events, "\"leafnodes\":0")).as("n2's count after its leaf left").isNotNull();
        out.add(leafUntil(n1, "on-n1-again", "PONG"));
        return out;
    }

    private static String nextEvent(Subscription events, String text) throws InterruptedException {
        while (true) {
            Message m = events.nextMessage(Duration.ofSeconds(3));
            if (m == null) {
                return null;
            }
            String json = new String(m.getData(), StandardCharsets.UTF_8);
            if (json.contains(text) && json.contains("\"name\":\"n2\"")) {
                return json;
            }
        }
    }

    @Test
    void theOtherServersLeafsCountAgainstTheLeafLimit() throws Exception {
        Node g1 = go("n1");
        Node g2 = go("n2", g1.routeUrl());
        List<String> theirs = scenario(g1, g2);
        assertThat(theirs).containsExactly("PONG\r\n", "PONG\r\n");
        stopAll();
        Node j1 = ours("n1");
        Node j2 = ours("n2", j1.routeUrl());
        assertThat(scenario(j1, j2)).isEqualTo(theirs);
    }
}
