package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.auth.PinnedCerts;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS pinned_certs on the client port (routes: RouteTlsTest) and curve_preferences, and their config errors. */
class TlsPinnedCertsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static String clientKeyId;
    static String otherKeyId;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
        certs.clientLeaf("other", "CN=other", null);
        clientKeyId = keyId("client-cert.pem");
        otherKeyId = keyId("other-cert.pem");
    }

    private static String keyId(String pem) throws Exception {
        try (InputStream in = Files.newInputStream(certs.file(pem))) {
            return PinnedCerts.keyId(CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
    }

    /** The refused client is gone from the server. */
    private static final class ClientCount {
        static void awaitZero(RunningServer s) {
            Waits.upTo("no client left", Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(s.server().context().clientCount()).isZero());
        }
    }

    private static TlsOptions serverTls(boolean verify) {
        return certs.serverTls(verify);
    }

    private static Connection connect(RunningServer s, String leaf) throws Exception {
        return Nats.connect(new Options.Builder().server("tls://127.0.0.1:" + s.port())
                .sslContext(certs.clientContext(leaf)).connectionTimeout(Duration.ofSeconds(3)).noReconnect()
                .build());
    }

    @Test
    void keyIdIsTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
        try (InputStream in = Files.newInputStream(certs.file("client-cert.pem"))) {
            var cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            byte[] spki = cert.getPublicKey().getEncoded();
            assertThat(spki[0]).as("a DER SEQUENCE").isEqualTo((byte) 0x30);
            assertThat(clientKeyId).hasSize(64).matches("[0-9a-f]+").isEqualTo(java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(spki)));
        }
        assertThat(otherKeyId).isNotEqualTo(clientKeyId);
    }

    @Test
    void onlyPinnedClientCertificatesGetIn() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.tls(serverTls(true).withPinnedCerts(
                List.of(clientKeyId.toUpperCase(java.util.Locale.ROOT)))))) {
            try (Connection nc = connect(s, "client")) {
                nc.publish("pinned", new byte[0]);
                nc.flush(Duration.ofSeconds(2));
            }
            assertThatThrownBy(() -> connect(s, "other")).isInstanceOf(Exception.class);
            assertThat(s.log().lines()).anyMatch(l -> l.startsWith("[DBG] ")
                    && l.endsWith("Failed pinned cert test for key id: " + otherKeyId));
            assertThat(s.log().lines()).anyMatch(l -> l.startsWith("[ERR] ")
                    && l.endsWith("TLS handshake error: certificate not pinned"));
            ClientCount.awaitZero(s);
        }
        // without verify no certificate is asked for, so nobody is pinned (as nats-server)
        try (RunningServer s = RunningServer.start(b -> b.tls(serverTls(false).withPinnedCerts(List.of(clientKeyId))))) {
            assertThatThrownBy(() -> connect(s, null)).isInstanceOf(Exception.class);
            assertThat(s.log().lines()).anyMatch(
                    l -> l.endsWith("Failed pinned cert test as client did not provide a certificate"));
        }
    }

    @Test
    void configFileKeysAndTheirErrors() throws Exception {
        Path f = dir.resolve("pin.conf");
        Files.writeString(f, "tls {\n  cert_file: a.pem\n  key_file: b.pem\n  pinned_certs: [\"" + clientKeyId
                .toUpperCase(java.util.Locale.ROOT) + "\"]\n  curve_preferences: [\"CurveP384\", \"X25519\"]\n}\n");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        assertThat(b.build().tls().pinnedCerts()).containsExactly(clientKeyId);
        assertThat(b.build().tls().curvePreferences()).containsExactly("CurveP384", "X25519");

        // nats-server 2.9.10's texts and positions (the key lower-cased in the message)
        Files.writeString(f, "tls { cert_file: a.pem, key_file: b.pem, pinned_certs: [\"AAAA\"] }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message()).contains(
                "pin.conf:1:57: error parsing tls config, 'pinned_certs' key aaaa does not look like hex-encoded "
                        + "sha256 of DER encoded SubjectPublicKeyInfo");
        Files.writeString(f, "tls { cert_file: a.pem, key_file: b.pem, pinned_certs: \"" + clientKeyId + "\" }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message()).contains(
                "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER "
                        + "encoded SubjectPublicKeyInfo");
        Files.writeString(f, "tls { cert_file: a.pem, key_file: b.pem, curve_preferences: [\"P256\"] }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("pin.conf:1:62: unrecognized curve preference P256");
        Files.writeString(f, "tls { cert_file: a.pem, key_file: b.pem, curve_preferences: \"CurveP256\" }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("interface conversion: interface {} is string, not []interface {}");
    }

    @Test
    void curvePreferencesLimitTheKeyExchangeGroups() throws Exception {
        TlsOptions p384 = new TlsOptions(certs.path("server-cert.pem"), certs.path("server-key.pem"), null, false,
                Duration.ofSeconds(2), List.of(), List.of("CurveP384"), false, List.of(), false);
        if (Runtime.version().feature() < 20) {
            // the JDK takes named groups per engine from Java 20 on: refuse rather than ignore the setting
            assertThatThrownBy(() -> RunningServer.start(b -> b.tls(p384)))
                    .hasMessageContaining("curve_preferences needs Java 20 or newer");
            return;
        }
        try (RunningServer s = RunningServer.start(b -> b.tls(p384))) {
            assertThat(handshakeOffering(s.port(), "secp384r1")).isTrue();
            assertThat(handshakeOffering(s.port(), "secp256r1")).as("a group the server does not allow").isFalse();
        }
    }

    /** Whether a TLS 1.3 handshake succeeds when the client offers only this key exchange group. */
    private static boolean handshakeOffering(int port, String group) throws Exception {
        return RawClient.tlsHandshakeSucceeds(port, certs.clientContext(false), p -> {
            p.setProtocols(new String[] {"TLSv1.3"});
            try {
                SSLParameters.class.getMethod("setNamedGroups", String[].class).invoke(p, (Object) new String[] {group});
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
