package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subject mappings in a mixed cluster of our node and a nats-server 2.9.10 node with the same mappings: the node
 * a client publishes to maps once, the route carries the mapped subject and the other node does not map it again
 * ({@code a -> b} does not go on to {@code b -> c}), and a destination scoped to the cluster's name applies on both.
 */
@RequiresBinary("nats-server")
class MappingsMixedClusterTest {
    private static final String CONF = """
            mappings {
              a: b
              b: c
              "o.*": "o.{{partition(4,1)}}.$1"
              cs: [{destination: cs.c1, weight: 100%, cluster: c1}]
            }
            """;
    private static final List<String> PUBLISHES = List.of("a", "b", "o.x", "o.y", "cs", "plain");

    @Test
    void publishesAreMappedOnceWhereTheyEnterTheCluster(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("m.conf");
        Files.writeString(conf, CONF);
        try (GoNode go = GoNode.startWithConfig(conf, "G", "c1");
                RunningServer ours = RunningServer.start(b -> {
                    try {
                        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return b.serverName("J").clusterListen("127.0.0.1:-1").clusterName("c1")
                            .routes(List.of(go.routeUrl()));
                })) {
            await("our route", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(ours) == 1);
            try (Connection onGo = Nats.connect(go.url()); Connection onOurs = Nats.connect(ours.url())) {
                List<String> expected = relay(onGo, onGo, () -> true); // nats-server alone
                assertThat(expected).startsWith("b", "c").contains("cs.c1", "plain").hasSize(PUBLISHES.size());
                // published on our node, received on nats-server's
                assertThat(relay(onOurs, onGo, () -> true)).isEqualTo(expected);
                // published on nats-server's node, received on ours
                assertThat(relay(onGo, onOurs, () -> true)).isEqualTo(expected);
                // our node alone
                assertThat(relay(onOurs, onOurs, () -> true)).isEqualTo(expected);
            }
        }
    }

    /** Subscribes to {@code >} on {@code to}, waits until a probe crosses, publishes the list on {@code from}. */
    private static List<String> relay(Connection from, Connection to, java.util.function.BooleanSupplier ready)
            throws Exception {
        Subscription all = to.subscribe(">");
        try {
            to.flush(Duration.ofSeconds(5));
            Waits.upTo("interest to cross the route", Duration.ofSeconds(10)).until(() -> {
                from.publish("zz.probe", new byte[0]);
                from.flush(Duration.ofSeconds(2));
                Message m = all.nextMessage(Duration.ofMillis(100));
                return ready.getAsBoolean() && m != null;
            });
            for (String s : PUBLISHES) {
                from.publish(s, new byte[0]);
            }
            from.publish("zz.end", new byte[0]);
            from.flush(Duration.ofSeconds(5));
            List<String> out = new ArrayList<>();
            while (true) {
                Message m = all.nextMessage(Duration.ofSeconds(5));
                assertThat(m).as("the end marker").isNotNull();
                if (m.getSubject().equals("zz.end")) {
                    return out;
                }
                if (!m.getSubject().equals("zz.probe")) {
                    out.add(m.getSubject());
                }
            }
        } finally {
            all.unsubscribe();
            to.flush(Duration.ofSeconds(5));
        }
    }
}
