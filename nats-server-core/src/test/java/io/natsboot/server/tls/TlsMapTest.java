package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS {@code verify_and_map}: the client certificate names the user. The mapping order (e-mail, DNS and URI
 * SANs, then the subject as a DN in order and reordered, then Go's printed subject with and without domain
 * components) is checked against the real nats-server 2.9.10 with the same configuration and certificates:
 * same answer and the same debug lines for every certificate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsMapTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @TempDir
    static Path dir;
    static TestCertificates certs;

    /** Client certificates: keytool subject (RFC 2253 order) and SANs. */
    private static final String[][] LEAVES = {
        {"sans", "CN=sans user, O=Acme", "san=email:alice@acme.io,dns:app.acme.io,uri:spiffe://acme.io/app"},
        {"dn", "CN=dn user, OU=Eng, O=Acme, L=LA, ST=CA, C=US", null},
        {"multi", "CN=multi user+OU=Ops, O=Acme", null},
        {"dc", "CN=dc user, DC=acme, DC=io", null},
        {"mailattr", "CN=bob, O=Acme, EMAILADDRESS=bob@acme.io", null},
        {"twoou", "CN=two, OU=B, OU=A, O=Acme\\, Inc.", null},
        {"nobody", "CN=nobody", null}};

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
        List<CompletableFuture<Void>> made = new ArrayList<>();
        for (String[] l : LEAVES) {
            made.add(CompletableFuture.runAsync(() -> {
                try {
                    certs.clientLeaf(l[0], l[1], l[2]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(made.toArray(new CompletableFuture[0])).join();
    }

    private static String conf(int port, String users, String extraTls) {
        return """
                listen: 127.0.0.1:%d
                tls { cert_file: "%s", key_file: "%s", ca_file: "%s", verify_and_map: true %s }
                authorization { users = [ %s ] }
                """.formatted(port, certs.path("server-cert.pem"), certs.path("server-key.pem"),
                certs.path("ca.pem"), extraTls, users);
    }

    private static String users(String... names) {
        return java.util.Arrays.stream(names).map(n -> "{user: \"" + n.replace("\\", "\\\\") + "\"}")
                .collect(Collectors.joining(", "));
    }

    /** Three user lists; each certificate can match at most one user of a list, so the map order cannot matter. */
    private static final List<String> SCENARIOS = List.of(
            users("alice@acme.io", "CN=dn user,OU=Eng,O=Acme,L=LA,ST=CA,C=US", "OU=Ops+CN=multi user,O=Acme",
                    "CN=dc user,DC=io,DC=acme", "CN=bob,O=Acme", "CN=two,OU=A+OU=B,O=Acme\\, Inc."),
            users("app.acme.io", "C=US,ST=CA,L=LA,O=Acme,OU=Eng,CN=dn user", "CN=multi user,OU=Ops,O=Acme",
                    "CN=dc user", "CN=bob,O=Acme,emailAddress=bob@acme.io", "cn=two,ou=B,ou=A,o=Acme\\, Inc."),
            users("spiffe://acme.io/app", "CN=DN USER,OU=Eng,O=Acme,L=LA,ST=CA,C=US", "cn=dc user , dc=acme,dc=io",
                    "CN=sans user,O=Acme"));

    @RequiresBinary("nats-server")
    @Test
    void mapsEveryCertificateAsNatsServerDoes() throws Exception {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < SCENARIOS.size(); i++) {
            String scenario = SCENARIOS.get(i);
            Path conf = dir.resolve("map" + i + ".conf");
            int refPort = Ports.free();
            Files.writeString(conf, conf(refPort, scenario, ""));
            Path refLog = dir.resolve("ref" + i + ".log");
            Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-D")
                    .redirectErrorStream(true).redirectOutput(refLog.toFile()).start();
            try (RunningServer ours = RunningServer.start(b -> load(b, conf).port(0))) {
                Ports.awaitListening(refPort);
                for (String[] leaf : LEAVES) {
                    Session theirs = session(refPort, leaf[0], null);
                    Session mine = session(ours.port(), leaf[0], null);
                    assertThat(mine.answer).as("answer for %s in scenario %d", leaf[0], i).isEqualTo(theirs.answer);
                    List<String> refLines = awaitLines(refLog, theirs.clientPort, theirs.answer);
                    List<String> ourLines = linesOf(ours.log().lines(), mine.clientPort);
                    assertThat(ourLines).as("debug lines for %s in scenario %d", leaf[0], i).isEqualTo(refLines);
                    seen.addAll(refLines);
                }
            } finally {
                ref.destroy();
                ref.waitFor(5, TimeUnit.SECONDS);
            }
        }
        // every step of the mapping was taken by some certificate
        assertThat(seen).contains("Using email found in cert for auth [\"alice@acme.io\"]",
                "Using SAN found in cert for auth [\"app.acme.io\"]",
                "Using URI found in cert for auth [\"spiffe://acme.io/app\"]",
                "Using DistinguishedNameMatch for auth [\"C=US,ST=CA,L=LA,O=Acme,OU=Eng,CN=dn user\"]",
                "RDNSequence could not be used for auth [\"CN=dc user,DC=io,DC=acme\"]",
                "Using certificate subject for auth [\"CN=bob,O=Acme\"]",
                "Using certificate subject for auth [\"CN=multi user,OU=Ops,O=Acme\"]",
                "User in cert [\"CN=nobody\"], not found");
    }

    @Test
    void mappedUserGetsItsPermissionsAndNameWithJnats() throws Exception {
        Path conf = dir.resolve("perms.conf");
        Files.writeString(conf, conf(0, "{user: \"app.acme.io\", permissions: {publish: \"ok.>\", subscribe: \"ok.>\"}}, "
                + "{user: \"CN=dn user,OU=Eng,O=Acme,L=LA,ST=CA,C=US\"}", ""));
        try (RunningServer s = RunningServer.start(b -> load(b, conf).port(0))) {
            try (Connection nc = connect(s, "sans")) {
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
                var sub = nc.subscribe("ok.x");
                nc.publish("ok.x", "hi".getBytes(StandardCharsets.UTF_8));
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
                // what /connz?auth=1 shows as authorized_user
                assertThat(s.server().context().clients()).extracting(c -> c.user()).containsExactly("app.acme.io");
            }
            assertThat(s.log().lines()).anyMatch(l -> l.endsWith("Using SAN found in cert for auth [\"app.acme.io\"]"));
            Session raw = session(s.port(), "sans", "PUB no.x 0\r\n\r\n");
            assertThat(raw.answer).isEqualTo("+OK|-ERR 'Permissions Violation for Publish to \"no.x\"'");
            try (Connection nc = connect(s, "dn")) {
                nc.publish("anything", new byte[0]);
                nc.flush(Duration.ofSeconds(2));
            }
            assertThatThrownBy(() -> connect(s, "nobody")).hasMessageContaining("Authorization Violation");
            assertThat(s.log().lines()).anyMatch(l -> l.contains("[ERR]") && l.endsWith("authentication error - User \"\""));
        }
    }

    @Test
    void userInConnectIsOverriddenWithAWarningAndAPasswordStillCounts() throws Exception {
        Path conf = dir.resolve("pass.conf");
        Files.writeString(conf, conf(0, "{user: \"app.acme.io\", password: \"s3cret\"}", ""));
        try (RunningServer s = RunningServer.start(b -> load(b, conf).port(0))) {
            Session noPass = session(s.port(), "sans", null);
            assertThat(noPass.answer).isEqualTo("-ERR 'Authorization Violation'");
            Session withPass = new Session(s.port(), "sans",
                    "CONNECT {\"verbose\":true,\"user\":\"mallory\",\"pass\":\"s3cret\"}\r\nPING\r\n", null);
            assertThat(withPass.answer).isEqualTo("+OK|PONG");
            assertThat(s.log().lines()).contains(
                    "[WRN] User \"mallory\" found in connect proto, but user required from cert");
        }
    }

    @Test
    void withoutAClientCertificateNobodyIsMapped() throws Exception {
        // verify_and_map then verify: false, as nats-server: the map stays, client certificates are not asked for
        Path conf = dir.resolve("nocert.conf");
        Files.writeString(conf, conf(0, users("CN=client"), ", verify: false"));
        try (RunningServer s = RunningServer.start(b -> load(b, conf).port(0))) {
            assertThat(s.server().options().tls().verify()).isFalse();
            assertThat(s.server().options().tls().map()).isTrue();
            Session none = session(s.port(), null, null);
            assertThat(none.answer).isEqualTo("-ERR 'Authorization Violation'");
            assertThat(linesOf(s.log().lines(), none.clientPort))
                    .containsExactly("User required in cert, no peer certificates found");
        }
    }

    // ---- helpers ----

    private static io.natsboot.server.config.ServerOptions.Builder load(
            io.natsboot.server.config.ServerOptions.Builder b, Path conf) {
        try {
            ConfigFileOptions.Outcome o = ConfigFileOptions.load(conf.toString(), b);
            assertThat(o.errors()).isEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return b;
    }

    private static Connection connect(RunningServer s, String leaf) throws Exception {
        return Nats.connect(new Options.Builder().server("tls://127.0.0.1:" + s.port())
                .sslContext(certs.clientContext(leaf)).connectionTimeout(Duration.ofSeconds(3)).noReconnect()
                .build());
    }

    private static Session session(int port, String leaf, String more) throws Exception {
        return new Session(port, leaf, "CONNECT {\"verbose\":true}\r\n" + (more == null ? "PING\r\n" : more), more);
    }

    /** One raw session: plaintext INFO, the TLS handshake with a leaf's certificate, the given lines, the answers. */
    private static final class Session {
        final int clientPort;
        final String answer;

        Session(int port, String leaf, String send, String more) throws Exception {
            try (Socket plain = new Socket("127.0.0.1", port)) {
                clientPort = plain.getLocalPort();
                plain.setSoTimeout(3000);
                SSLSocket tls = RawClient.startTls(plain, certs.clientContext(leaf), port);
                tls.startHandshake();
                tls.getOutputStream().write(send.getBytes(StandardCharsets.UTF_8));
                tls.getOutputStream().flush();
                List<String> lines = new ArrayList<>();
                InputStream tin = tls.getInputStream();
                StringBuilder line = new StringBuilder();
                int c;
                try {
                    while (lines.size() < 2 && (c = tin.read()) >= 0) {
                        if (c == '\n') {
                            String l = line.toString().strip();
                            line.setLength(0);
                            lines.add(l);
                            if (l.startsWith("-ERR 'Authorization")) {
                                break;
                            }
                        } else {
                            line.append((char) c);
                        }
                    }
                } catch (IOException e) {
                    lines.add("closed: " + e.getClass().getSimpleName());
                }
                answer = String.join("|", lines);
            }
        }
    }

    private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile(
            "(for auth \\[|User in cert \\[|User required in cert|not found)");

    /** The mapping debug lines of one client (by its port), without date and connection prefix. */
    private static List<String> linesOf(List<String> log, int clientPort) {
        String prefix = "127.0.0.1:" + clientPort + " - cid:";
        List<String> out = new ArrayList<>();
        for (String l : log) {
            int at = l.indexOf(prefix);
            if (at >= 0 && MAPPING.matcher(l).find()) {
                String rest = l.substring(at + prefix.length());
                out.add(rest.substring(rest.indexOf(" - ") + 3));
            }
        }
        return out;
    }

    /** nats-server's lines for a client, once its answer has been logged (debug lines come before). */
    private static List<String> awaitLines(Path log, int clientPort, String answer) throws Exception {
        java.util.function.Predicate<String> decision = l -> l.contains("127.0.0.1:" + clientPort + " - ")
                && (l.contains("authentication error") || l.contains("Using "));
        try {
            Waits.upTo(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Files.readAllLines(log).stream().anyMatch(decision));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("nats-server logged no decision for client port " + clientPort + " (" + answer
                    + "):\n" + String.join("\n", Files.readAllLines(log)), e);
        }
        return linesOf(Files.readAllLines(log), clientPort);
    }
}
