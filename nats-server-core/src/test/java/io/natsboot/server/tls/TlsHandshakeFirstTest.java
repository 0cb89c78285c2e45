package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nats-server 2.10's TLS keys that our TLS issue names: {@code handshake_first} (the handshake before INFO,
 * jnats' {@code tlsFirst()}; "auto" falls back to plaintext INFO for clients that wait for it) and
 * {@code min_version}.
 */
class TlsHandshakeFirstTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    private static TlsOptions tls() {
        return certs.serverTls(false);
    }

    private static Connection connect(RunningServer s, boolean tlsFirst) throws Exception {
        Options.Builder o = new Options.Builder().server("tls://127.0.0.1:" + s.port())
                .sslContext(certs.clientContext(false)).connectionTimeout(Duration.ofSeconds(2)).noReconnect();
        if (tlsFirst) {
            o.tlsFirst();
        }
        return Nats.connect(o.build());
    }

    private static void roundTrip(Connection nc) throws Exception {
        Subscription sub = nc.subscribe("first.x");
        nc.publish("first.x", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(sub.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8))
                .isEqualTo("hello");
    }

    @Test
    void handshakeComesBeforeInfoWhichIsEncrypted() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.tls(tls().withHandshakeFirst(null)))) {
            try (Socket plain = new Socket("127.0.0.1", s.port())) {
                plain.setSoTimeout(300);
                InputStream in = plain.getInputStream();
                assertThatThrownBy(in::read).as("no plaintext INFO").isInstanceOf(SocketTimeoutException.class);
                plain.setSoTimeout(3000);
                SSLSocket tls = (SSLSocket) certs.clientContext(false).getSocketFactory()
                        .createSocket(plain, "localhost", s.port(), true);
                tls.startHandshake();
                StringBuilder info = new StringBuilder();
                InputStream tin = tls.getInputStream();
                int c;
                while ((c = tin.read()) >= 0 && c != '\n') {
                    info.append((char) c);
                }
                assertThat(info.toString()).startsWith("INFO {").contains("\"tls_required\":true");
                tls.getOutputStream().write("CONNECT {\"verbose\":false}\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(tin.readNBytes(6), StandardCharsets.US_ASCII))
                        .as(() -> String.join("\n", s.log().lines())).isEqualTo("PONG\r\n");
            }
            try (Connection nc = connect(s, true)) {
                roundTrip(nc);
            }
            // a client waiting for INFO in plaintext never gets one
            assertThatThrownBy(() -> connect(s, false)).isInstanceOf(Exception.class);
        }
    }

    @Test
    void autoServesBothKindsOfClients() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.tls(tls().withHandshakeFirst(
                TlsOptions.DEFAULT_HANDSHAKE_FIRST_FALLBACK)))) {
            try (Connection first = connect(s, true); Connection classic = connect(s, false)) {
                roundTrip(first);
                roundTrip(classic);
            }
            // the silent client gets plaintext INFO after the delay, then starts TLS as usual
            try (Socket plain = new Socket("127.0.0.1", s.port())) {
                plain.setSoTimeout(3000);
                SSLSocket tls = RawClient.startTls(plain, certs.clientContext(false), s.port());
                tls.startHandshake();
                tls.getOutputStream().write("CONNECT {\"verbose\":false}\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(tls.getInputStream().readNBytes(6), StandardCharsets.US_ASCII))
                        .isEqualTo("PONG\r\n");
            }
        }
    }

    @Test
    void minVersionRefusesOlderProtocols() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.tls(tls().withMinVersion("1.3")))) {
            assertThat(handshake(s.port(), "TLSv1.3")).isTrue();
            assertThat(handshake(s.port(), "TLSv1.2")).isFalse();
        }
        try (RunningServer s = RunningServer.start(b -> b.tls(tls()))) {
            assertThat(handshake(s.port(), "TLSv1.2")).as("1.2 by default").isTrue();
        }
    }

    private static boolean handshake(int port, String protocol) throws Exception {
        return RawClient.tlsHandshakeSucceeds(port, certs.clientContext(false),
                p -> p.setProtocols(new String[] {protocol}));
    }

    @Test
    void configFileKeys() throws Exception {
        Path f = dir.resolve("first.conf");
        String head = "tls { cert_file: a.pem, key_file: b.pem, ";
        Files.writeString(f, head + "handshake_first: true, min_version: \"1.3\" }\n");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        TlsOptions t = b.build().tls();
        assertThat(t.handshakeFirst()).isTrue();
        assertThat(t.handshakeFirstFallback()).isNull();
        assertThat(t.protocols()).containsExactly("TLSv1.3");

        Files.writeString(f, head + "first: auto }\n");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        assertThat(b.build().tls().handshakeFirstFallback()).isEqualTo(Duration.ofMillis(50));
        Files.writeString(f, head + "handshake_first: \"300ms\" }\n");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        assertThat(b.build().tls().handshakeFirstFallback()).isEqualTo(Duration.ofMillis(300));
        Files.writeString(f, head + "handshake_first: off }\n");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        assertThat(b.build().tls().handshakeFirst()).isFalse();

        Files.writeString(f, head + "handshake_first: \"soon\" }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("field \"handshake_first\" value \"soon\" is invalid");
        Files.writeString(f, head + "immediate: 5 }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("field \"immediate\" should be a boolean or string, got int64");
        Files.writeString(f, head + "min_version: \"1.1\" }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("error parsing tls config: unsupported TLS version: TLS 1.1");
        Files.writeString(f, head + "min_version: \"2.0\" }\n");
        assertThat(ConfigFileOptions.load(f.toString(), ServerOptions.builder()).message())
                .contains("error parsing tls config: unknown version: 2.0");
    }
}
