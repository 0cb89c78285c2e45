package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service import across gateways: account CLI imports {@code svc.>} from account SVC; the requester (CLI) is in
 * one cluster, the only responder (SVC) in another. The request crosses in account SVC with a {@code _GR_} routed
 * reply to the service import's {@code _R_} response subject, the answer comes back through {@code _GR_} and the
 * requester's cluster maps it back to CLI's inbox. Ours, nats-server 2.9.10 and mixed, both directions.
 */
@RequiresBinary("nats-server")
class GatewayServiceImportTest {
    @TempDir
    Path dir;

    static final String ACCOUNTS = "accounts {\n"
            + "  SVC { users: [ {user: svc, password: svc} ], exports: [ {service: \"svc.>\"} ] }\n"
            + "  CLI { users: [ {user: cli, password: cli} ], imports: [ {service: {account: SVC, subject: \"svc.>\"}} ] }\n"
            + "}\n";

    /** A gateway node: its client URL. */
    private interface Node extends AutoCloseable {
        String url();
    }

    private Node ours(String name, String gateway, int port, String otherName, int otherPort) throws Exception {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, ACCOUNTS + "server_name: " + name + "\ngateway { name: " + gateway
                + ", listen: \"127.0.0.1:" + port + "\", gateways: [ {name: " + otherName
                + ", urls: [\"nats://127.0.0.1:" + otherPort + "\"]} ] }\n");
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

            public void close() {
                s.close();
            }

            @Override
            public String toString() {
                return "ours " + name;
            }
        };
    }

    private static Node go(String name, String gateway, int port, String otherName, int otherPort) throws Exception {
        GoGatewayNode g = GoGatewayNode.start(name, gateway, port, List.of(otherName + "=nats://127.0.0.1:" + otherPort),
                0, List.of(), "", ACCOUNTS);
        return new Node() {
            public String url() {
                return g.url();
            }

            public void close() throws Exception {
                g.close();
            }
        };
    }

    @FunctionalInterface
    private interface Starter {
        Node start(String name, String gateway, int port, String otherName, int otherPort) throws Exception;
    }

    private static Connection connect(String url, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, user).connectionTimeout(Duration.ofSeconds(2))
                .build());
    }

    private static void scenario(Starter requesterSide, Starter responderSide) throws Exception {
        int gwA = GatewayTestSupport.port();
        int gwB = GatewayTestSupport.port();
        try (Node a = requesterSide.start("A1", "A", gwA, "B", gwB); Node b = responderSide.start("B1", "B", gwB, "A", gwA);
             Connection requester = connect(a.url(), "cli"); Connection responder = connect(b.url(), "svc")) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                    ("answer to " + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            d.subscribe("svc.>");
            responder.flush(Duration.ofSeconds(2));
            Message[] got = new Message[1];
            await("an answer from the service in the other cluster", () -> {
                try {
                    got[0] = requester.request("svc.echo", "ping".getBytes(StandardCharsets.UTF_8),
                            Duration.ofMillis(500));
                } catch (Exception e) {
                    got[0] = null;
                }
                return got[0] != null;
            });
            assertThat(new String(got[0].getData(), StandardCharsets.UTF_8)).isEqualTo("answer to ping");
            for (int i = 0; i < 20; i++) {
                Message m = requester.request("svc.n" + i, ("r" + i).getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(2));
                assertThat(m).as("request " + i).isNotNull();
                assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("answer to r" + i);
            }
        }
    }

    @Test
    void natsServerBothSides() throws Exception {
        scenario(GatewayServiceImportTest::go, GatewayServiceImportTest::go);
    }

    @Test
    void oursBothSides() throws Exception {
        scenario(this::ours, this::ours);
    }

    @Test
    void ourRequesterNatsServerResponder() throws Exception {
        scenario(this::ours, GatewayServiceImportTest::go);
    }

    @Test
    void natsServerRequesterOurResponder() throws Exception {
        scenario(GatewayServiceImportTest::go, this::ours);
    }
}
