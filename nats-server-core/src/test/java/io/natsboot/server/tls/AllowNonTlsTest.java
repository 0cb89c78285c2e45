package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code allow_non_tls} (nats-server 2.9.10, compared with the Debian binary): with a tls block, INFO offers TLS
 * ({@code tls_available}, no {@code tls_required}); a client that sends CONNECT stays in plaintext, one that
 * starts a handshake gets TLS. Both kinds publish and receive.
 */
class AllowNonTlsTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @Test
    void plaintextAndTlsClientsBothServedAsByNatsServer(@TempDir Path dir) throws Exception {
        assertThat(Files.isExecutable(NATS_SERVER))
                .as("needs the reference nats-server 2.9.10 at %s (Debian package nats-server)", NATS_SERVER).isTrue();
        TestCertificates certs = TestCertificates.shared();
        int goPort;
        goPort = io.natsboot.server.support.Ports.free();
        Path conf = dir.resolve("go.conf");
        Files.writeString(conf, "host: 127.0.0.1\nport: " + goPort + "\nallow_non_tls: true\ntls: { cert_file: \""
                + certs.path("server-cert.pem") + "\", key_file: \"" + certs.path("server-key.pem") + "\" }\n");
        Process go = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("go.log").toFile()).start();
        try (RunningServer ours = RunningServer.start(b -> b.tls(certs.serverTls(false)).allowNonTls(true))) {
            io.natsboot.server.support.Ports.awaitListening(goPort);
            for (int port : new int[] {goPort, ours.port()}) {
                try (RawClient c = new RawClient(port)) {
                    String info = c.readInfo();
                    assertThat(info).as("port %d", port).contains("\"tls_available\":true").doesNotContain("tls_required");
                    c.send("CONNECT {\"verbose\":false}\r\nSUB plain 1\r\nPUB plain 2\r\nhi\r\nPING\r\n");
                    assertThat(c.readLine()).isEqualTo("MSG plain 1 2\r\n");
                    assertThat(c.readLine()).isEqualTo("hi\r\n");
                    assertThat(c.readLine()).isEqualTo("PONG\r\n");
                }
                Options tls = new Options.Builder().server("tls://localhost:" + port)
                        .sslContext(certs.clientContext(false)).connectionTimeout(Duration.ofSeconds(5)).noReconnect().build();
                try (Connection nc = Nats.connect(tls)) {
                    Subscription sub = nc.subscribe("secure");
                    nc.publish("secure", "over tls".getBytes(StandardCharsets.UTF_8));
                    Message m = sub.nextMessage(Duration.ofSeconds(5));
                    assertThat(m).as("port %d", port).isNotNull();
                    assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("over tls");
                }
            }
        } finally {
            go.destroy();
            go.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
