package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client whose certificate expires while it is connected keeps its connection (neither server re-checks a
 * certificate after the handshake), and is refused when it reconnects: the handshake fails, the client
 * reports it and, out of reconnect attempts, closes. The same jnats scenario runs against nats-server 2.9.10
 * with the same certificates and against ours; what the client sees must be the same.
 */
@RequiresBinary("nats-server")
class TlsExpiredClientCertificateTest {
    private static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    /** What the client saw: its connection events in order and the errors it reported. */
    record Seen(List<String> events, Set<String> errors, String serverLog, String freshConnect) {
    }

    @Test
    void refusedOnReconnectAsByNatsServer() throws Exception {
        Path log = Files.createTempFile("expired-cert-nats-server", ".log");
        int port;
        port = io.natsboot.server.support.Ports.free();
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-a", "127.0.0.1", "-p", Integer.toString(port),
                "--tlsverify", "--tlscert", certs.path("server-cert.pem"), "--tlskey", certs.path("server-key.pem"),
                "--tlscacert", certs.path("ca.pem")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Seen reference;
        try {
            Waits.upTo(Duration.ofSeconds(10)).until(() -> read(log).contains("Server is ready"));
            reference = scenario("expiring-ref", port, () -> read(log));
        } finally {
            p.destroy();
            p.waitFor();
        }
        Seen ours;
        try (RunningServer s = RunningServer.start(b -> b.tls(certs.serverTls(true)))) {
            ours = scenario("expiring-ours", s.port(), () -> String.join("\n", s.log().lines()));
        }
        // every reconnect attempt refused, then closed for want of attempts: no RECONNECTED
        assertThat(reference.events()).as("nats-server").startsWith("CONNECTED", "DISCONNECTED").endsWith("CLOSED")
                .doesNotContain("RECONNECTED");
        assertThat(ours.events()).isEqualTo(reference.events());
        // nats-server's client reads a bad_certificate alert; ours reports a failed attempt too (the JDK sends
        // certificate_unknown once the client's side of the TLS 1.3 handshake is done: see security.md)
        assertThat(reference.errors()).anyMatch(e -> e.contains("bad_certificate"));
        assertThat(ours.errors()).isNotEmpty();
        String expired = "TLS handshake error: tls: failed to verify client certificate: x509: certificate has expired"
                + " or is not yet valid: current time ";
        assertThat(reference.serverLog()).contains(expired);
        assertThat(ours.serverLog()).startsWith("[ERR] 127.0.0.1:").contains(expired)
                .matches(".* is after \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$");
        // a client started afresh with the expired certificate cannot connect to either
        assertThat(reference.freshConnect()).startsWith("java.io.IOException: Unable to connect");
        assertThat(ours.freshConnect()).startsWith("java.io.IOException: Unable to connect");
    }

    private static Seen scenario(String leaf, int port, Supplier<String> serverLog) throws Exception {
        Instant notAfter = certs.clientLeafExpiring(leaf, Duration.ofSeconds(4));
        List<String> events = new CopyOnWriteArrayList<>();
        Set<String> errors = java.util.Collections.synchronizedSet(new TreeSet<>());
        ConnectionListener onEvent = (c, type) -> {
            if (type != ConnectionListener.Events.DISCOVERED_SERVERS
                    && type != ConnectionListener.Events.RESUBSCRIBED) {
                events.add(type.name());
            }
        };
        ErrorListener onError = new ErrorListener() {
            @Override
            public void exceptionOccurred(Connection conn, Exception exp) {
                errors.add(exp.getClass().getName() + ": " + exp.getMessage());
            }
        };
        Options o = new Options.Builder().server("tls://127.0.0.1:" + port).sslContext(certs.clientContext(leaf))
                .connectionTimeout(Duration.ofSeconds(3)).maxReconnects(2).reconnectWait(Duration.ofMillis(100))
                .connectionListener(onEvent).errorListener(onError).build();
        Connection nc = Nats.connect(o);
        try {
            nc.flush(Duration.ofSeconds(3));
            Waits.upTo(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(notAfter.plusMillis(500)));
            // still connected with an expired certificate: nothing re-checks it after the handshake
            nc.flush(Duration.ofSeconds(3));
            nc.forceReconnect();
            try {
                Waits.upTo(Duration.ofSeconds(20)).until(() -> nc.getStatus() == Connection.Status.CLOSED);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("not closed: status " + nc.getStatus() + ", events " + events + ", errors "
                        + errors + ", server log:\n" + serverLog.get(), e);
            }
            Waits.upTo(Duration.ofSeconds(5)).until(() -> serverLog.get().contains("TLS handshake error"));
            String line = serverLog.get().lines().filter(l -> l.contains("TLS handshake error")).findFirst()
                    .orElse("");
            // a client started afresh with the expired certificate (a new TLS context: nothing to resume)
            String fresh;
            Options again = new Options.Builder().server("tls://127.0.0.1:" + port)
                    .sslContext(certs.clientContext(leaf)).connectionTimeout(Duration.ofSeconds(3)).noReconnect()
                    .errorListener(new ErrorListener() { }).build();
            try (Connection refused = Nats.connect(again)) {
                fresh = "connected: " + refused.getStatus();
            } catch (java.io.IOException e) {
                fresh = e.getClass().getName() + ": " + e.getMessage();
            }
            return new Seen(List.copyOf(events), new TreeSet<>(errors), line, fresh);
        } finally {
            nc.close();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
