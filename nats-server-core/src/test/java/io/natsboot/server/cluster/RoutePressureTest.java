package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitRouteInterest;
import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A route delivering to a local receiver that is behind (over its stall threshold, half of max_pending up to
 * 4 MiB) stops reading for a moment after that read, so a burst slows down through TCP instead of filling the
 * receiver to max_pending; the pause is bounded, so a receiver that never reads is still cut as a slow consumer
 * and the others on its node keep receiving.
 */
class RoutePressureTest {
    private static final int SIZE = 1024;

    private static RunningServer node(String name, long maxPending, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("PRESSURE")
                .maxPending(maxPending).routes(List.of(routes)));
    }

    private static long pauses(RunningServer s) {
        return s.server().cluster().routePressurePauses.sum();
    }

    private static void publish(Connection nc, String subject, int count) throws Exception {
        byte[] payload = new byte[SIZE];
        for (int i = 0; i < count; i++) {
            nc.publish(subject, payload);
        }
        nc.flush(Duration.ofSeconds(10));
    }

    @Test
    void routePausesWhileALocalReceiverIsBehindAndNothingIsLost() throws Exception {
        // 20 MiB: over the 4 MiB stall threshold even after the kernel's socket buffers took their part,
        // under B's 32 MiB max_pending
        int count = 20 * 1024;
        try (RunningServer a = node("A", 64L << 20);
             RunningServer b = node("B", 32L << 20, ClusterTestSupport.routeUrl(a));
             RawClient reader = new RawClient(b.port())) {
            ClusterTestSupport.awaitMesh(a, b);
            reader.readInfo();
            reader.send("CONNECT {\"verbose\":false}\r\nSUB burst 1\r\nPING\r\n");
            assertThat(reader.readLine()).isEqualTo("PONG\r\n");
            awaitRouteInterest(a, "burst", 1);
            try (Connection pub = Nats.connect(a.url())) {
                // the reader does not read while the burst crosses the route
                publish(pub, "burst", count);
                await("a pause for the backed-up receiver", Duration.ofSeconds(10), () -> pauses(b) > 0);
                int got = 0;
                reader.setTimeout(10_000);
                while (got < count) {
                    String line = reader.readLine();
                    if (line.equals("PING\r\n")) {
                        // the server's first RTT ping (about 2 s after CONNECT) may fall inside the burst
                        reader.send("PONG\r\n");
                        continue;
                    }
                    assertThat(line).startsWith("MSG burst 1 " + SIZE);
                    reader.readBytes(SIZE + 2);
                    got++;
                }
            }
            assertThat(b.server().context().slowConsumers.sum()).isZero();
        }
    }

    @Test
    void aReceiverThatNeverReadsIsCutAndDoesNotHoldTheRoute() throws Exception {
        int count = 24 * 1024; // 24 MiB against a 1 MiB max_pending and a few MiB of socket buffers
        try (RunningServer a = node("A", 64L << 20);
             RunningServer b = node("B", 1L << 20, ClusterTestSupport.routeUrl(a));
             RawClient stuck = new RawClient(b.port());
             Connection healthy = Nats.connect(b.url())) {
            ClusterTestSupport.awaitMesh(a, b);
            stuck.readInfo();
            stuck.send("CONNECT {\"verbose\":false}\r\nSUB burst 1\r\nPING\r\n");
            assertThat(stuck.readLine()).isEqualTo("PONG\r\n");
            Subscription sub = healthy.subscribe("burst");
            healthy.flush(Duration.ofSeconds(2));
            awaitRouteInterest(a, "burst", 1);
            try (Connection pub = Nats.connect(a.url())) {
                publish(pub, "burst", count);
                for (int i = 0; i < count; i++) {
                    assertThat(sub.nextMessage(Duration.ofSeconds(10))).as("message %d", i).isNotNull();
                }
                pub.publish("after", "x".getBytes(StandardCharsets.UTF_8));
            }
            await("the stuck receiver cut as a slow consumer", Duration.ofSeconds(10),
                    () -> b.server().context().slowConsumers.sum() == 1);
        }
    }
}
