package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client TLS: INFO in plaintext then the handshake, mutual TLS, plaintext clients, timeouts, options. */
class TlsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    private static UnaryOperator<ServerOptions.Builder> tls(boolean verify) {
        return b -> b.tls(certs.serverTls(verify));
    }

    private static Connection connect(RunningServer s, boolean withCert) throws Exception {
        Options o = new Options.Builder().server("tls://127.0.0.1:" + s.port())
                .sslContext(certs.clientContext(withCert)).connectionTimeout(Duration.ofSeconds(3))
                .maxReconnects(0).noReconnect().build();
        return Nats.connect(o);
    }

    @Test
    void infoIsPlaintextAndAdvertisesTls() throws Exception {
        try (RunningServer s = RunningServer.start(tls(false)); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains(",\"tls_required\":true,\"max_payload\":")
                    .doesNotContain("tls_verify").doesNotContain("tls_available");
        }
        try (RunningServer s = RunningServer.start(tls(true)); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains(",\"tls_required\":true,\"tls_verify\":true,\"max_payload\":");
        }
        try (RunningServer s = RunningServer.start(); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).doesNotContain("tls_");
        }
    }

    @Test
    void jnatsPublishesAndReceivesOverTls() throws Exception {
        try (RunningServer s = RunningServer.start(tls(false)); Connection nc = connect(s, false)) {
            Subscription sub = nc.subscribe("tls.test");
            nc.flush(Duration.ofSeconds(2));
            nc.publish("tls.test", "secret".getBytes(StandardCharsets.UTF_8));
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(m).isNotNull();
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("secret");
            assertThat(nc.getServerInfo().isTLSRequired()).isTrue();
        }
    }

    @Test
    void mutualTlsAcceptsAClientCertificateAndRejectsNone() throws Exception {
        try (RunningServer s = RunningServer.start(tls(true))) {
            try (Connection nc = connect(s, true)) {
                nc.flush(Duration.ofSeconds(2));
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
            assertThatThrownBy(() -> connect(s, false).close()).isNotNull();
            waitFor(() -> s.log().contains("TLS handshake error: "));
            assertThat(s.log().lines()).anyMatch(l -> l.startsWith("[ERR] 127.0.0.1:")
                    && l.contains("TLS handshake error: "));
        }
    }

    @Test
    void plaintextClientIsClosedWithoutReadableError() throws Exception {
        try (RunningServer s = RunningServer.start(tls(false)); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains("\"tls_required\":true");
            c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            String rest = c.readUntilClose(3000);
            assertThat(rest).endsWith("<closed>").doesNotContain("-ERR").doesNotContain("PONG");
            waitFor(() -> s.log().contains("TLS handshake error: tls: first record does not look like a TLS handshake"));
            waitFor(() -> s.server().context().clients().isEmpty());
        }
    }

    @Test
    void handshakeTimeoutClosesASilentClient() throws Exception {
        try (RunningServer s = RunningServer.start(b -> tls(false).apply(b)
                .tlsTimeout(Duration.ofMillis(300))); RawClient c = new RawClient(s.port())) {
            c.readInfo();
            long t0 = System.nanoTime();
            String rest = c.readUntilClose(3000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(rest).endsWith("<closed>").doesNotContain("-ERR");
            assertThat(ms).isLessThan(2500);
            waitFor(() -> s.log().contains("TLS handshake timeout"));
        }
    }

    @Test
    void authTimeoutDefaultsToTlsTimeoutPlusOneSecond() {
        ServerOptions plain = ServerOptions.builder().build();
        assertThat(plain.authTimeout()).isEqualTo(Duration.ofSeconds(2));
        ServerOptions t = ServerOptions.builder().tlsEnabled(true).tlsCert("c").tlsKey("k").build();
        assertThat(t.tls().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.authTimeout()).isEqualTo(Duration.ofSeconds(3));
        ServerOptions t2 = ServerOptions.builder().tlsEnabled(true).tlsTimeout(Duration.ofMillis(500)).build();
        assertThat(t2.authTimeout()).isEqualTo(Duration.ofMillis(1500));
        ServerOptions t3 = ServerOptions.builder().tlsEnabled(true).authTimeout(Duration.ofSeconds(7)).build();
        assertThat(t3.authTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void configFileTlsBlock() throws Exception {
        Path f = dir.resolve("tls.conf");
        Files.writeString(f, "port: -1\ntls {\n  cert_file: \"" + certs.path("server-cert.pem") + "\"\n"
                + "  key_file: \"" + certs.path("server-key.pem") + "\"\n  ca_file: \"" + certs.path("ca.pem")
                + "\"\n  verify: true\n  timeout: 0.5\n}\n");
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome out = ConfigFileOptions.load(f.toString(), b);
        assertThat(out.errors()).isEmpty();
        TlsOptions t = b.build().tls();
        assertThat(t.verify()).isTrue();
        assertThat(t.caFile()).isEqualTo(certs.path("ca.pem"));
        assertThat(t.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(b.build().authTimeout()).isEqualTo(Duration.ofMillis(1500));

        Files.writeString(f, "tls {\n  cert_file: a.pem\n  key_file: b.pem\n  verify_and_map: true\n"
                + "  cipher_suites: [\"TLS_AES_128_GCM_SHA256\"]\n  ocsp_peer: true\n}\n");
        ConfigFileOptions.Outcome refused = ConfigFileOptions.load(f.toString(), ServerOptions.builder());
        assertThat(refused.errors()).hasSize(1); // cipher_suites and verify_and_map are supported
        // nats-server 2.9.10 does not know ocsp_peer (2.10 added it); handshake_first and min_version, also 2.10's,
        // are supported (TlsHandshakeFirstTest)
        assertThat(refused.message()).contains("error parsing tls config, unknown field [\"ocsp_peer\"]");

        // nats-server's parseTLS: verify_and_map sets verify too; a later verify: false switches only that off
        Files.writeString(f, "tls {\n  cert_file: a.pem\n  key_file: b.pem\n  verify_and_map: true\n}\n");
        ServerOptions.Builder mapped = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), mapped).errors()).isEmpty();
        assertThat(mapped.build().tls().map()).isTrue();
        assertThat(mapped.build().tls().verify()).isTrue();
        Files.writeString(f, "tls {\n  cert_file: a.pem\n  key_file: b.pem\n  verify_and_map: \"yes\"\n"
                + "  verify: 1\n  insecure: true\n}\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("error parsing tls config, expected 'verify_and_map' to be a boolean")
                .contains("error parsing tls config, expected 'verify' to be a boolean");

        Files.writeString(f, "tls {\n  key_file: b.pem\n}\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("missing 'cert_file' option");
    }

    @Test
    void commandLineFlags() {
        CommandLine.Result r = CommandLine.parse(new String[] {"--tlsverify", "--tlscert", "c.pem", "--tlskey",
                "k.pem", "--tlscacert", "ca.pem"});
        assertThat(r.action()).isEqualTo(CommandLine.Action.RUN);
        TlsOptions t = r.options().tls();
        assertThat(t).isEqualTo(new TlsOptions("c.pem", "k.pem", "ca.pem", true, Duration.ofSeconds(2)));
        CommandLine.Result plain = CommandLine.parse(new String[] {"--tls", "--tlscert", "c.pem", "--tlskey", "k.pem"});
        assertThat(plain.options().tls().verify()).isFalse();
        assertThat(CommandLine.parse(new String[] {"--tlscert", "c.pem"}).options().tls()).isNull();
    }

    @Test
    void missingCertificateRefusesToStart() {
        assertThatThrownBy(() -> RunningServer.start(b -> b.tlsEnabled(true).tlsKey("k.pem")))
                .hasMessageContaining("TLS Server certificate must be present and valid");
        assertThatThrownBy(() -> RunningServer.start(b -> b.tls(new TlsOptions(certs.path("nope.pem"),
                certs.path("server-key.pem"), null, false, Duration.ofSeconds(2)))))
                .hasMessageContaining("error parsing X509 certificate/key pair");
    }

    /**
     * Differential check against the real nats-server 2.9.10 with the same certificates and flags: INFO
     * carries the same TLS fields in the same place, a plaintext CONNECT gets the same silent close and the
     * same log line, and a client without a certificate the same error text.
     */
    @RequiresBinary("nats-server")
    @Test
    void sameInfoAndCloseAsNatsServer() throws Exception {
        Path exe = Path.of("/usr/sbin/nats-server"); // as DifferentialTest
        int port;
        port = io.natsboot.server.support.Ports.free();
        Path log = dir.resolve("nats-server.log");
        Process p = new ProcessBuilder(exe.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port),
                "--tlsverify", "--tlscert", certs.path("server-cert.pem"), "--tlskey", certs.path("server-key.pem"),
                "--tlscacert", certs.path("ca.pem")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (RunningServer s = RunningServer.start(tls(true))) {
            waitFor(() -> {
                try {
                    return Files.readString(log).contains("Server is ready");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            String[] infos = new String[2];
            String[] rests = new String[2];
            int[] ports = {port, s.port()};
            for (int i = 0; i < 2; i++) {
                try (RawClient c = new RawClient(ports[i])) {
                    infos[i] = c.readInfo().replaceAll("\"(server_id|server_name)\":\"[^\"]*\"", "\"$1\":\"x\"")
                            .replaceAll("\"(port|client_id)\":\\d+", "\"$1\":0");
                    c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
                    rests[i] = c.readUntilClose(3000);
                }
            }
            // "go" names the runtime: nats-server's Go toolchain, our Java runtime (as MonitorDifferentialTest).
            assertThat(infos[1]).contains("\"go\":\"java" + System.getProperty("java.version") + "\"");
            for (int i = 0; i < 2; i++) {
                infos[i] = infos[i].replaceAll("\"go\":\"[^\"]*\"", "\"go\":\"x\"");
            }
            assertThat(infos[1]).isEqualTo(infos[0]);
            assertThat(rests[1]).isEqualTo(rests[0]).isEqualTo("<closed>");
            String handshake = "TLS handshake error: tls: first record does not look like a TLS handshake";
            waitFor(() -> s.log().contains(handshake));
            waitFor(() -> {
                try {
                    return Files.readString(log).contains(handshake);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c) {
        Waits.upTo(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(20))
                .until(c::getAsBoolean);
    }
}
