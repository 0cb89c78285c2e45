package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Imports and exports of account JWTs, with activation tokens, against nats-server 2.9.10 with the same files:
 * a public stream export imported under a prefix, a service export that needs a token (imported with one, without
 * one, and with a token issued to another account).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportsExportsDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private TrustChain.Account e;
    private TrustChain.Account i;
    private TrustChain.Account j;
    private TrustChain.Account k;
    private Process reference;
    private int refPort;
    private RunningServer ours;

    @BeforeAll
    void start() throws Exception {
        e = chain.account("E", n -> n.put("exports", List.of(
                Map.of("name", "events", "subject", "events.>", "type", "stream"),
                Map.of("name", "help", "subject", "help.>", "type", "service", "token_req", true))));
        i = chain.account("I");
        j = chain.account("J");
        String tokenForI = e.activation(i, "help.>", "service");
        i.nats.put("imports", List.of(
                Map.of("name", "ev", "subject", "events.>", "account", e.publicKey(), "type", "stream", "to", "from_e"),
                Map.of("name", "h", "subject", "help.me", "account", e.publicKey(), "type", "service",
                        "token", tokenForI)));
        j.nats.put("imports", List.of(
                Map.of("name", "none", "subject", "help.other", "account", e.publicKey(), "type", "service")));
        k = chain.account("K", n -> n.put("imports", List.of(Map.of("name", "stolen", "subject", "help.me",
                "account", e.publicKey(), "type", "service", "token", tokenForI))));
        Path dir = Files.createTempDirectory("imports");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        StringBuilder conf = new StringBuilder("operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {\n");
        for (TrustChain.Account a : List.of(e, i, j, k)) {
            conf.append("  ").append(a.publicKey()).append(": \"").append(a.jwt()).append("\"\n");
        }
        Path file = dir.resolve("server.conf");
        Files.writeString(file, conf.append("}\n"));
        refPort = Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", file.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        ours = RunningServer.fromConfigFile(file);
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static Connection connect(int port, TrustChain.User u) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .maxReconnects(0).build());
    }

    /** What a scenario saw, as text, for comparing the two servers. */
    private String scenario(int port) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection inE = connect(port, e.user("e")); Connection inI = connect(port, i.user("i"));
                Connection inJ = connect(port, j.user("j"))) {
            Dispatcher helper = inE.createDispatcher(m -> inE.publish(m.getReplyTo(),
                    ("re:" + m.getSubject()).getBytes(StandardCharsets.UTF_8)));
            helper.subscribe("help.>");
            inE.flush(Duration.ofSeconds(2));
            io.nats.client.Subscription events = inI.subscribe("from_e.events.>");
            io.nats.client.Subscription leak = inJ.subscribe(">");
            inI.flush(Duration.ofSeconds(2));
            inJ.flush(Duration.ofSeconds(2));
            inE.publish("events.a", "1".getBytes(StandardCharsets.UTF_8));
            inE.flush(Duration.ofSeconds(2));
            Message m = events.nextMessage(Duration.ofSeconds(2));
            out.append("stream: ").append(m == null ? "none" : m.getSubject()).append('\n');
            out.append("service with token: ").append(request(inI, "help.me")).append('\n');
            out.append("service without token: ").append(request(inJ, "help.other")).append('\n');
            inJ.flush(Duration.ofSeconds(2));
            Message leaked = leak.nextMessage(Duration.ofMillis(200));
            out.append("J saw: ").append(leaked == null ? "nothing" : leaked.getSubject()).append('\n');
        }
        // an account importing with another account's token fails validation: its users cannot log in
        try (Connection inK = connect(port, k.user("k"))) {
            out.append("K connected\n");
        } catch (io.nats.client.AuthenticationException ex) {
            out.append("K refused: ").append(ex.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static String request(Connection c, String subject) throws Exception {
        CompletableFuture<Message> f = c.request(subject, new byte[0]);
        try {
            Message m = f.get(2, TimeUnit.SECONDS);
            return m.isStatusMessage() ? "status " + m.getStatus().getCode()
                    : new String(m.getData(), StandardCharsets.UTF_8);
        } catch (ExecutionException ex) {
            return "failed: " + ex.getCause().getClass().getSimpleName();
        } catch (java.util.concurrent.TimeoutException ex) {
            return "timeout";
        }
    }

    @Test
    void startWarningsNameTheInvalidAccount() {
        assertThat(ours.log().lines()).contains("[WRN] Trusted Operators should utilize a System Account",
                "[WRN] Account [" + k.publicKey() + "] has validation issues:",
                "[WRN]   - activation token doesn't match account it is being included in, \"help.me\"");
    }

    @Test
    void sameOutcomesOnBothServers() throws Exception {
        String theirs = scenario(refPort);
        assertThat(theirs).startsWith("stream: from_e.events.a\nservice with token: re:help.me\n");
        assertThat(scenario(ours.port())).isEqualTo(theirs);
    }
}
