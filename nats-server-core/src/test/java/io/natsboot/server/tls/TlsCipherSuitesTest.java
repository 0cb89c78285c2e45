package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls {@code cipher_suites}: TLS 1.2 limited to the listed suites, TLS 1.3 untouched (as Go), and the configuration
 * errors of nats-server 2.9.10 for bad names, a non-array value and the tls keys 2.9.10 does not know
 * ({@code min_version}, {@code handshake_first}...), compared with the real binary.
 */
class TlsCipherSuitesTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    /** Start-TLS as a client does: read INFO in plaintext, then handshake with the given protocol and suites. */
    private static String handshake(int port, String protocol, String... suites) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(5000);
            SSLSocket tls = RawClient.startTls(plain, certs.clientContext(false), port);
            tls.setEnabledProtocols(new String[] {protocol});
            if (suites.length > 0) {
                tls.setEnabledCipherSuites(suites);
            }
            tls.startHandshake();
            String suite = tls.getSession().getCipherSuite();
            tls.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] pong = tls.getInputStream().readNBytes(6);
            assertThat(new String(pong, StandardCharsets.US_ASCII)).isEqualTo("PONG\r\n");
            return suite;
        }
    }

    @Test
    void limitsTls12ToTheListedSuites() throws Exception {
        TlsOptions tls = new TlsOptions(certs.path("server-cert.pem"), certs.path("server-key.pem"), null, false,
                Duration.ofSeconds(2), List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        try (RunningServer s = RunningServer.start(b -> b.tls(tls))) {
            assertThat(handshake(s.port(), "TLSv1.2")).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
            assertThatThrownBy(() -> handshake(s.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))
                    .isInstanceOf(SSLException.class);
            assertThat(handshake(s.port(), "TLSv1.3")).startsWith("TLS_AES_");
        }
        try (RunningServer s = RunningServer.start(b -> b.tls(certs.serverTls(false)))) {
            assertThat(handshake(s.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))
                    .as("without cipher_suites, the JDK's defaults").isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        }
    }

    @RequiresBinary("nats-server")
    @Test
    void configFileAsNatsServer() throws Exception {
        Path conf = dir.resolve("ciphers.conf");
        String tls = "tls { cert_file: \"" + certs.path("server-cert.pem") + "\", key_file: \""
                + certs.path("server-key.pem") + "\", ";
        Files.writeString(conf, tls + "cipher_suites: [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\", "
                + "\"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\"] }\n");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        assertThat(b.build().tls().cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

        assertThat(Files.isExecutable(NATS_SERVER)).as("needs the real nats-server at %s", NATS_SERVER).isTrue();
        // min_version and handshake_first, unknown to 2.9.10, are nats-server 2.10's and supported here
        // (TlsHandshakeFirstTest); the other keys that came after 2.9.10 are refused as 2.9.10 does.
        for (String bad : List.of("cipher_suites: [\"TLS_AES_128_GCM_SHA256\", \"FOO\"]",
                "cipher_suites: \"TLS_AES_128_GCM_SHA256\"", "cert_store: \"WindowsCurrentUser\"", "ocsp_peer: true")) {
            Files.writeString(conf, "listen: \"127.0.0.1:-1\"\n" + tls + bad + " }\n");
            Process p = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            ConfigFileOptions.Outcome o = ConfigFileOptions.load(conf.toString(), ServerOptions.builder());
            assertThat("nats-server: " + o.message()).as(bad)
                    .isEqualTo(out.lines().findFirst().orElseThrow() + "\n");
        }
    }
}
