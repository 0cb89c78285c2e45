package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover with real processes (bin/nats-server): a three-node NATS Boot cluster, jnats clients on the node
 * that is killed with SIGKILL move to another node, keep their subscriptions, and request/reply works again;
 * the restarted node rejoins the mesh and gets interest again.
 */
class ClusterFailoverIT {

    private static Path script() {
        Path p = Path.of("../bin/nats-server");
        return Files.exists(p) ? p.toAbsolutePath().normalize() : Path.of("bin/nats-server").toAbsolutePath();
    }

    /** One node: its ports stay fixed so it can be restarted in place. */
    private static final class Node {
        final String name;
        final int port = GoNodePorts.free();
        final int clusterPort = GoNodePorts.free();
        final int httpPort = GoNodePorts.free();
        final List<String> routes = new ArrayList<>();
        Process process;

        Node(String name) {
            this.name = name;
        }

        void start(Path dir) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(script().toString(), "-a", "127.0.0.1", "-p",
                    Integer.toString(port), "-m", Integer.toString(httpPort), "-n", name, "--cluster",
                    "nats://127.0.0.1:" + clusterPort, "--cluster_name", "FAILOVER"));
            if (!routes.isEmpty()) {
                cmd.add("--routes");
                cmd.add(String.join(",", routes));
            }
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
            try {
                // The log is appended on restart, so its "Server is ready" may be the last run's: wait for accept.
                Waits.upTo(name + " accepting on " + port, Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                        .failFast(name + " exited", () -> !process.isAlive())
                        .until(() -> accepts(port));
            } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
                throw new IllegalStateException(name + " did not start: "
                        + Files.readString(dir.resolve(name + ".log")), e);
            }
        }

        private static boolean accepts(int port) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        String url() {
            return "nats://127.0.0.1:" + port;
        }

        String routeUrl() {
            return "nats://127.0.0.1:" + clusterPort;
        }

        int routes() {
            try {
                String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/routez")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                int i = body.indexOf("\"num_routes\":");
                return Integer.parseInt(body.substring(i + 13).trim().split("[,\\s}]")[0]);
            } catch (Exception e) {
                return -1;
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** Free ports (the helper lives in GoNode). */
    static final class GoNodePorts {
        static int free() {
            try {
                return GoNode.freePort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void clientsOfAKilledNodeMoveOnAndTheNodeRejoins(@TempDir Path dir) throws Exception {
        Node a = new Node("A");
        Node b = new Node("B");
        Node c = new Node("C");
        // Every node lists the others (the Docker documentation's layout), so a restarted node redials them
        // and they redial it.
        a.routes.addAll(List.of(b.routeUrl(), c.routeUrl()));
        b.routes.addAll(List.of(a.routeUrl(), c.routeUrl()));
        c.routes.addAll(List.of(a.routeUrl(), b.routeUrl()));
        List<Connection> clients = new ArrayList<>();
        try {
            a.start(dir);
            b.start(dir);
            c.start(dir);
            await("full mesh", Duration.ofSeconds(15), () -> a.routes() == 2 && b.routes() == 2 && c.routes() == 2);

            // The responder on B, a subscriber and a requester on A.
            Connection responder = Nats.connect(new Options.Builder().server(b.url()).build());
            clients.add(responder);
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
            d.subscribe("failover.svc");
            responder.flush(Duration.ofSeconds(2));

            CopyOnWriteArrayList<String> events = new CopyOnWriteArrayList<>();
            AtomicLong disconnectedAt = new AtomicLong();
            AtomicLong reconnectedAt = new AtomicLong();
            ConnectionListener listener = (conn, type) -> {
                events.add(type.name());
                if (type == ConnectionListener.Events.DISCONNECTED) {
                    disconnectedAt.compareAndSet(0, System.nanoTime());
                } else if (type == ConnectionListener.Events.RECONNECTED) {
                    reconnectedAt.compareAndSet(0, System.nanoTime());
                }
            };
            // jnats defaults, apart from the listener: the other nodes come from connect_urls.
            Connection onA = Nats.connect(new Options.Builder().server(a.url()).connectionListener(listener).build());
            clients.add(onA);
            Subscription sub = onA.subscribe("failover.events");
            onA.flush(Duration.ofSeconds(2));
            await("connect_urls name all nodes", Duration.ofSeconds(5),
                    () -> onA.getServers().size() >= 3);
            Message first = onA.request("failover.svc", "before".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2));
            assertThat(first).isNotNull();

            // In-flight requests while the node dies.
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread requester = new Thread(() -> {
                for (int i = 0; i < 200 && !Thread.currentThread().isInterrupted(); i++) {
                    try {
                        Message m = onA.request("failover.svc", ("r" + i).getBytes(StandardCharsets.UTF_8),
                                Duration.ofMillis(500));
                        if (m != null) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            requester.start();
            await("requests in flight", Duration.ofSeconds(5), () -> ok.get() >= 3);
            a.kill();
            await("jnats reconnected to another node", Duration.ofSeconds(5), () -> reconnectedAt.get() != 0);
            long took = TimeUnit.NANOSECONDS.toMillis(reconnectedAt.get() - disconnectedAt.get());
            assertThat(took).as("reconnect time, events %s", events).isLessThan(2000);
            assertThat(onA.getConnectedUrl()).doesNotContain(":" + a.port);

            // Its subscription was restored on the new node: a publish from C reaches it.
            Connection onC = Nats.connect(new Options.Builder().server(c.url()).build());
            clients.add(onC);
            await("restored subscription receives", Duration.ofSeconds(5), () -> {
                try {
                    onC.publish("failover.events", "after".getBytes(StandardCharsets.UTF_8));
                    onC.flush(Duration.ofSeconds(1));
                    return sub.nextMessage(Duration.ofMillis(200)) != null;
                } catch (Exception e) {
                    return false;
                }
            });
            requester.join(30_000);
            Message again = onA.request("failover.svc", "after".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2));
            assertThat(new String(again.getData(), StandardCharsets.UTF_8)).isEqualTo("after");
            assertThat(ok.get()).as("requests answered around the failover (failed %s)", failed.get())
                    .isGreaterThan(100);

            // Restart A in place: B and C redial their configured route and it gets interest again.
            a.start(dir);
            await("A rejoined", Duration.ofSeconds(15), () -> a.routes() == 2 && b.routes() == 2 && c.routes() == 2);
            Connection onNewA = Nats.connect(new Options.Builder().server(a.url()).build());
            clients.add(onNewA);
            Message viaA = onNewA.request("failover.svc", "rejoined".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2));
            assertThat(new String(viaA.getData(), StandardCharsets.UTF_8)).isEqualTo("rejoined");
            Subscription subOnA = onNewA.subscribe("failover.back");
            onNewA.flush(Duration.ofSeconds(2));
            await("interest from the restarted node reaches B", Duration.ofSeconds(5), () -> {
                try {
                    responder.publish("failover.back", new byte[] {1});
                    responder.flush(Duration.ofSeconds(1));
                    return subOnA.nextMessage(Duration.ofMillis(200)) != null;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            for (Connection conn : clients) {
                conn.close();
            }
            a.stop();
            b.stop();
            c.stop();
        }
    }
}
