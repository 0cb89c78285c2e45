package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system account's events cross gateways as nats-server 2.9.10 sends them (its internal sends take the normal
 * publish path, gateways included, the system account being interest-only there): a system user in cluster B sees
 * {@code $SYS.ACCOUNT.APP.CONNECT}, {@code .SERVER.CONNS}, {@code .DISCONNECT} of a client of cluster A and A's
 * {@code $SYS.SERVER.<id>.STATSZ} and, when A stops, its {@code .SHUTDOWN}. Every pairing of ours and nats-server,
 * nats-server/nats-server as the reference.
 */
@RequiresBinary("nats-server")
class SystemEventsOverGatewayTest {
    private static final String ACCOUNTS = "accounts { SYS { users: [ {user: sys, password: pw} ] }, "
            + "APP { users: [ {user: app, password: pw} ] } }\nsystem_account: SYS\n";

    @TempDir
    Path dir;

    /** A one-node cluster: ours or nats-server, closed with the test. */
    private interface Node extends AutoCloseable {
        String url();

        void awaitGateways(String remote);
    }

    private Node ours(String name, int gatewayPort, String remote) throws Exception {
        StringBuilder c = new StringBuilder("server_name: ").append(name).append('\n').append(ACCOUNTS);
        c.append("gateway { name: ").append(name).append(", listen: \"127.0.0.1:").append(gatewayPort).append('"');
        if (remote != null) {
            int eq = remote.indexOf('=');
            c.append(", gateways: [ {name: ").append(remote, 0, eq).append(", url: \"").append(remote.substring(eq + 1))
                    .append("\"} ]");
        }
        c.append(" }\n");
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, c.toString());
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
        return new Node() {
            public String url() {
                return s.url();
            }

            public void awaitGateways(String r) {
                GatewayTestSupport.awaitConnected(s, r);
                GatewayTestSupport.awaitInbound(s, r);
            }

            public void close() {
                s.close();
            }
        };
    }

    private Node go(String name, int gatewayPort, String remote) throws Exception {
        GoGatewayNode n = GoGatewayNode.start(name, name, gatewayPort, remote == null ? List.of() : List.of(remote), 0,
                List.of(), "", ACCOUNTS);
        return new Node() {
            public String url() {
                return n.url();
            }

            public void awaitGateways(String r) {
                GatewayTestSupport.awaitConnected(n, r);
                GatewayTestSupport.awaitInbound(n, r);
            }

            public void close() throws Exception {
                n.close();
            }
        };
    }

    private static Connection connect(String url, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, "pw")
                .connectionTimeout(Duration.ofSeconds(2)).noReconnect().build());
    }

    private static boolean seen(Queue<Message> q, String subject, String... parts) {
        return q.stream().anyMatch(m -> m.getSubject().equals(subject)
                && List.of(parts).stream().allMatch(new String(m.getData(), StandardCharsets.UTF_8)::contains));
    }

    private static void awaitEvent(Queue<Message> q, String subject, String... parts) {
        Waits.upTo(subject + " with " + List.of(parts) + " in cluster B", Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20)).until(() -> seen(q, subject, parts));
    }

    /** Cluster A ({@code oursA}: ours, else nats-server) dials cluster B; B's system user watches A's events. */
    private void eventsCross(boolean oursA, boolean oursB) throws Exception {
        int bPort = GatewayTestSupport.port();
        String toB = "B=nats://127.0.0.1:" + bPort;
        try (Node b = oursB ? ours("B", bPort, null) : go("B", bPort, null);
             Node a = oursA ? ours("A", GatewayTestSupport.port(), toB) : go("A", 0, toB)) {
            a.awaitGateways("B");
            b.awaitGateways("A");
            Queue<Message> events = new ConcurrentLinkedQueue<>();
            Queue<Message> serverEvents = new ConcurrentLinkedQueue<>();
            try (Connection watcher = connect(b.url(), "sys"); Connection sysA = connect(a.url(), "sys")) {
                Dispatcher d = watcher.createDispatcher(events::add);
                d.subscribe("$SYS.ACCOUNT.APP.>");
                Dispatcher sd = watcher.createDispatcher(serverEvents::add);
                sd.subscribe("$SYS.SERVER.*.STATSZ");
                sd.subscribe("$SYS.SERVER.*.SHUTDOWN");
                watcher.flush(Duration.ofSeconds(2));
                // B's interest has reached A once a system publish made in A arrives in B
                Waits.upTo("B's $SYS.ACCOUNT.APP.> interest in A", Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50)).until(() -> {
                            sysA.publish("$SYS.ACCOUNT.APP.PROBE", new byte[0]);
                            return events.stream().anyMatch(m -> m.getSubject().endsWith(".PROBE"));
                        });
                try (Connection app = connect(a.url(), "app")) {
                    app.flush(Duration.ofSeconds(2));
                    awaitEvent(events, "$SYS.ACCOUNT.APP.CONNECT", "\"name\":\"A\"", "\"acc\":\"APP\"",
                            "\"user\":\"app\"");
                    awaitEvent(events, "$SYS.ACCOUNT.APP.SERVER.CONNS", "\"name\":\"A\"", "\"conns\":1,");
                }
                awaitEvent(events, "$SYS.ACCOUNT.APP.DISCONNECT", "\"name\":\"A\"", "\"acc\":\"APP\"",
                        "\"reason\":\"Client Closed\"");
                awaitEvent(events, "$SYS.ACCOUNT.APP.SERVER.CONNS", "\"name\":\"A\"", "\"conns\":0,");
                // the statsz timer doubles from 250 ms: the tick after B's interest arrived reaches B
                Waits.upTo("A's STATSZ in cluster B", Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> serverEvents.stream().anyMatch(m -> m.getSubject().endsWith(".STATSZ")
                                && new String(m.getData(), StandardCharsets.UTF_8)
                                .contains("\"name\":\"A\"")));
                a.close(); // closed again by the try: a no-op
                Waits.upTo("A's SHUTDOWN in cluster B", Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                        .until(() -> serverEvents.stream().anyMatch(m -> m.getSubject().endsWith(".SHUTDOWN")
                                && new String(m.getData(), StandardCharsets.UTF_8).contains("\"name\":\"A\"")));
            }
        }
    }

    @Test
    void fromOursToNatsServer() throws Exception {
        eventsCross(true, false);
    }

    @Test
    void fromNatsServerToOurs() throws Exception {
        eventsCross(false, true);
    }

    @Test
    void fromOursToOurs() throws Exception {
        eventsCross(true, true);
    }

    @Test
    void natsServerPairAsTheReference() throws Exception {
        eventsCross(false, false);
    }
}
