package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster permissions: a node imports only what its import permission allows (it asks routes for nothing
 * else) and exports only what its export permission allows (it ignores routes' interest in anything else).
 * The same file on our node and on a nats-server node must give the same deliveries.
 */
class ClusterPermissionsTest {
    static final String CONF = """
            cluster {
              permissions {
                import: { allow: ["in.>"] }
                export: { allow: ["out.>"], deny: ["out.secret"] }
              }
            }
            """;

    @RequiresBinary("nats-server")
    @Test
    void importAndExportPermissionsBehaveAsNatsServers(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("perms.conf");
        Files.writeString(conf, CONF);
        Map<String, Boolean> ours;
        try (RunningServer restricted = RunningServer.start(b -> {
                try {
                    assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return b.host("127.0.0.1").port(0).serverName("R").clusterListen("127.0.0.1:-1").clusterName("P");
            });
             RunningServer open = ClusterTestSupport.nodeIn("P", "O", ClusterTestSupport.routeUrl(restricted))) {
            await("route", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(restricted) == 1);
            try (RawClient raw = new RawClient(restricted.server().cluster().port())) {
                // Go's JSON encoder escapes '>' as \u003e
                assertThat(raw.readLine()).contains("\"import\":{\"allow\":[\"in.\\u003e\"]}")
                        .contains("\"export\":{\"allow\":[\"out.\\u003e\"],\"deny\":[\"out.secret\"]}");
            }
            ours = deliveries(restricted.url(), open.url());
        }
        Map<String, Boolean> theirs;
        try (GoNode restricted = GoNode.startWithConfig(conf, "R", "P");
             RunningServer open = ClusterTestSupport.nodeIn("P", "O", restricted.routeUrl())) {
            await("route", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(open) == 1);
            theirs = deliveries(restricted.url(), open.url());
        }
        assertThat(ours).isEqualTo(theirs);
        // and what nats-server does, spelled out:
        assertThat(theirs).containsEntry("open->restricted in.a", true)
                .containsEntry("open->restricted other.a", false)
                .containsEntry("restricted->open out.a", true)
                .containsEntry("restricted->open out.secret", false)
                .containsEntry("restricted->open other.b", false);
    }

    @Test
    void reloadingTheSameClusterBlockIsAcceptedAndAChangedOneRefused(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("perms.conf");
        Files.writeString(conf, CONF);
        io.natsboot.server.config.ServerOptions a = load(conf);
        io.natsboot.server.config.ServerOptions b = load(conf);
        io.natsboot.server.config.ConfigReload.diff(a, b, 4222); // a SIGHUP with nothing changed
        Files.writeString(conf, CONF.replace("in.>", "in2.>"));
        io.natsboot.server.config.ServerOptions c = load(conf);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.natsboot.server.config.ConfigReload.diff(a, c, 4222))
                .hasMessageStartingWith("config reload not supported for Cluster");
    }

    private static io.natsboot.server.config.ServerOptions load(Path conf) throws Exception {
        io.natsboot.server.config.ServerOptions.Builder b = io.natsboot.server.config.ServerOptions.builder()
                .clusterListen("127.0.0.1:6222");
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        return b.build();
    }

    /** Which subjects cross in which direction between a restricted and an open node. */
    private static Map<String, Boolean> deliveries(String restrictedUrl, String openUrl) throws Exception {
        Map<String, Boolean> out = new TreeMap<>();
        try (Connection onRestricted = Nats.connect(restrictedUrl); Connection onOpen = Nats.connect(openUrl)) {
            for (String subject : List.of("in.a", "other.a")) {
                out.put("open->restricted " + subject, crosses(onOpen, onRestricted, subject, "in.marker"));
            }
            for (String subject : List.of("out.a", "out.secret", "other.b")) {
                out.put("restricted->open " + subject, crosses(onRestricted, onOpen, subject, "out.marker"));
            }
        }
        return out;
    }

    /**
     * Whether {@code subject} published on {@code from} reaches a subscriber on {@code to}. {@code marker} is a
     * subject the permissions let through in the same direction: its interest is sent after the subject's (so
     * once the marker crosses, the subject's interest was accepted or refused), and a marker published after
     * the subject arrives after anything that crossed.
     */
    private static boolean crosses(Connection from, Connection to, String subject, String markerPrefix)
            throws Exception {
        String marker = markerPrefix + "." + subject.replace('.', '_'); // one per check: no earlier interest
        Subscription s = to.subscribe(subject);
        Subscription m = to.subscribe(marker);
        to.flush(Duration.ofSeconds(2));
        await(marker + " crosses", Duration.ofSeconds(5), () -> {
            try {
                from.publish(marker, "probe".getBytes(StandardCharsets.UTF_8));
                from.flush(Duration.ofSeconds(1));
                return m.nextMessage(Duration.ofMillis(100)) != null;
            } catch (Exception e) {
                return false;
            }
        });
        for (int i = 0; i < 3; i++) {
            from.publish(subject, new byte[] {1});
        }
        from.publish(marker, "end".getBytes(StandardCharsets.UTF_8));
        from.flush(Duration.ofSeconds(2));
        Message next;
        do {
            next = m.nextMessage(Duration.ofSeconds(2)); // late probes first
            assertThat(next).as("the end marker on %s", marker).isNotNull();
        } while (!"end".equals(new String(next.getData(), StandardCharsets.UTF_8)));
        // The client read the subject's messages, if any, before the marker, and queued them already.
        boolean got = s.getPendingMessageCount() > 0;
        s.unsubscribe();
        m.unsubscribe();
        return got;
    }
}
