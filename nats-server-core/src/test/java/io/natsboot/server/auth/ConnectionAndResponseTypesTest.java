package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Users' {@code allowed_connection_types} and service exports' {@code response_type}, the same configuration
 * file run by ours and by nats-server 2.9.10: a user limited to WEBSOCKET is refused on the plain port (and the
 * other way round); a chunked/stream service may answer a request several times, a singleton one only once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RequiresBinary("nats-server")
class ConnectionAndResponseTypesTest {
    static String conf(int wsPort) {
        return """
                websocket { listen: "127.0.0.1:%d", no_tls: true }
                accounts {
                  S: {
                    users: [ {user: s, password: s} ]
                    exports: [
                      {service: "chunk.>", response_type: chunked}
                      {service: "stream.>", response: stream, threshold: "10s"}
                      {service: "single.>"}
                    ]
                  }
                  R: {
                    users: [ {user: r, password: r} ]
                    imports: [
                      {service: {account: S, subject: "chunk.>"}}
                      {service: {account: S, subject: "stream.>"}}
                      {service: {account: S, subject: "single.>"}}
                    ]
                  }
                }
                authorization {
                  users: [
                    {user: wsonly, password: p, allowed_connection_types: ["WEBSOCKET"]}
                    {user: stdonly, password: p, connection_types: standard}
                    {user: both, password: p, clients: ["STANDARD", "websocket"]}
                  ]
                }
                """.formatted(wsPort);
    }

    private Path dir;
    private RunningServer ours;
    private int oursWs;
    private Process reference;
    private int refPort;
    private int refWs;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("conntypes");
        oursWs = Ports.free();
        Path oursConf = dir.resolve("ours.conf");
        Files.writeString(oursConf, conf(oursWs));
        ours = RunningServer.start(AccountsTest.load(oursConf));
        refWs = Ports.free();
        Path refConf = dir.resolve("ref.conf");
        Files.writeString(refConf, conf(refWs));
        refPort = Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", refConf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        Ports.awaitListening(refPort);
        Ports.awaitListening(refWs);
        Ports.awaitListening(oursWs);
    }

    @AfterAll
    void stop() {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
        }
    }

    private Connection connect(String server, boolean websocket, String user, String pass) throws Exception {
        boolean mine = server.equals("ours");
        String url = websocket ? "ws://127.0.0.1:" + (mine ? oursWs : refWs)
                : "nats://127.0.0.1:" + (mine ? ours.port() : refPort);
        return Nats.connect(new Options.Builder().server(url).userInfo(user, pass).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(3)).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void aUserMayConnectOnlyTheWaysItIsAllowed(String server) throws Exception {
        assertThatThrownBy(() -> connect(server, false, "wsonly", "p").close())
                .hasMessageContaining("Authorization Violation");
        assertThatThrownBy(() -> connect(server, true, "stdonly", "p").close())
                .hasMessageContaining("Authorization Violation");
        for (boolean ws : new boolean[] {false, true}) {
            try (Connection c = connect(server, ws, "both", "p")) {
                c.flush(Duration.ofSeconds(2));
            }
        }
        try (Connection c = connect(server, true, "wsonly", "p"); Connection d = connect(server, false, "stdonly", "p")) {
            c.flush(Duration.ofSeconds(2));
            d.flush(Duration.ofSeconds(2));
        }
    }

    /** Three answers to one request through the import; what the requester gets. */
    private List<String> answers(String server, String subject) throws Exception {
        try (Connection responder = connect(server, false, "s", "s");
             Connection requester = connect(server, false, "r", "r")) {
            responder.createDispatcher(m -> {
                for (int i = 1; i <= 3; i++) {
                    responder.publish(m.getReplyTo(), ("part" + i).getBytes(StandardCharsets.UTF_8));
                }
            }).subscribe(subject);
            responder.flush(Duration.ofSeconds(2));
            Subscription inbox = requester.subscribe("my.inbox");
            requester.flush(Duration.ofSeconds(2));
            requester.publish(subject, "my.inbox", "q".getBytes(StandardCharsets.UTF_8));
            List<String> got = new ArrayList<>();
            Message m = inbox.nextMessage(Duration.ofSeconds(3)); // the first answer comes in any case
            while (m != null) {
                got.add(new String(m.getData(), StandardCharsets.UTF_8));
                m = got.size() == 3 ? null : inbox.nextMessage(Duration.ofMillis(700));
            }
            return got;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void chunkedAndStreamServicesAnswerSeveralTimesSingletonOnce(String server) throws Exception {
        assertThat(answers(server, "chunk.x")).containsExactly("part1", "part2", "part3");
        assertThat(answers(server, "stream.x")).containsExactly("part1", "part2", "part3");
        assertThat(answers(server, "single.x")).containsExactly("part1");
    }
}
