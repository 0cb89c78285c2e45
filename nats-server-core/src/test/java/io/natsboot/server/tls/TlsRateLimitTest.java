package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS {@code connection_rate_limit}: past the limit in a second, a new client gets INFO and nats-server's
 * throttling -ERR in plaintext and is closed; compared with nats-server 2.9.10 on the same file.
 */
class TlsRateLimitTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    /** Opens limit + 1 connections at once: what the last one got after INFO, up to the close. */
    private static String overTheLimit(int port, int limit) throws Exception {
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                RawClient c = new RawClient(port);
                open.add(c);
                assertThat(c.readInfo()).contains("\"tls_required\":true");
            }
            try (RawClient last = new RawClient(port)) {
                last.readInfo();
                return last.readUntilClose(3000);
            }
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void throttlesAsNatsServer() throws Exception {
        assertThat(Files.isExecutable(NATS_SERVER)).as("needs the real nats-server at %s", NATS_SERVER).isTrue();
        int refPort = Ports.free();
        Path conf = dir.resolve("rate.conf");
        Files.writeString(conf, "listen: 127.0.0.1:" + refPort + "\ntls { cert_file: \"" + certs.path("server-cert.pem")
                + "\", key_file: \"" + certs.path("server-key.pem") + "\", connection_rate_limit: 2 }\n");
        Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref.log").toFile()).start();
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.port(0);
        })) {
            Ports.awaitListening(refPort);
            Thread.sleep(1100); // the probe connection above opened a window on nats-server
            String theirs = overTheLimit(refPort, 2);
            String mine = overTheLimit(ours.port(), 2);
            assertThat(theirs).isEqualTo("-ERR 'Connection throttling is active. Please try again later.'\r\n<closed>");
            assertThat(mine).isEqualTo(theirs);
            // a new second, a new window
            Thread.sleep(1100);
            try (RawClient again = new RawClient(ours.port())) {
                assertThat(again.readInfo()).contains("\"tls_required\":true");
                again.setTimeout(300);
                assertThat(again.readUntilClose(300)).doesNotContain("throttling");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!ours.log().contains("Rejected 1 connections due to TLS rate limiting")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ours.log().lines()).contains("[WRN] Rejected 1 connections due to TLS rate limiting");
            assertThat(Files.readString(dir.resolve("ref.log")))
                    .contains("[WRN] Rejected 1 connections due to TLS rate limiting");
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
