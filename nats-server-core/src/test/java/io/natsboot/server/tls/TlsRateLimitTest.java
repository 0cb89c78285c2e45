package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
@RequiresBinary("nats-server")
class TlsRateLimitTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    /**
     * Opens limit + 1 connections at once: what the last one got after INFO, up to the close. The first INFO
     * arrives after the server opened its rate window (at accept), so {@code windowOpenedBefore[0]}, taken
     * after it, bounds the window's start from above.
     */
    private static String overTheLimit(int port, int limit, long[] windowOpenedBefore) throws Exception {
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                RawClient c = new RawClient(port);
                open.add(c);
                assertThat(c.readInfo()).contains("\"tls_required\":true");
                if (i == 0) {
                    windowOpenedBefore[0] = System.nanoTime();
                }
            }
            try (RawClient last = new RawClient(port)) {
                last.readInfo();
                if (System.nanoTime() - windowOpenedBefore[0] > INCONCLUSIVE_NANOS) {
                    return null; // the connections did not all fall into one window (a busy machine)
                }
                return last.readUntilClose(3000);
            }
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
    }

    /** Past this since the window opened, the last connection may fall into the next one: try again. */
    private static final long INCONCLUSIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(700);

    /**
     * {@link #overTheLimit} until its connections fall into one rate window (5 tries): each retry starts after a
     * pause longer than a window, so it opens a window of its own.
     */
    private static String overTheLimitInOneWindow(int port, int limit, long[] windowOpenedBefore) throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            String result = overTheLimit(port, limit, windowOpenedBefore);
            if (result != null) {
                return result;
            }
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1100);
            Waits.upTo("a new rate window", Duration.ofSeconds(3)).until(() -> System.nanoTime() - next > 0);
        }
        throw new AssertionError("the machine is too busy to open " + (limit + 1) + " connections within "
                + TimeUnit.NANOSECONDS.toMillis(INCONCLUSIVE_NANOS) + " ms");
    }

    @Test
    void throttlesAsNatsServer() throws Exception {
        int refPort = Ports.free();
        Path conf = dir.resolve("rate.conf");
        Files.writeString(conf, "listen: 127.0.0.1:" + refPort + "\ntls { cert_file: \"" + certs.path("server-cert.pem")
                + "\", key_file: \"" + certs.path("server-key.pem") + "\", connection_rate_limit: 2 }\n");
        Path refLog = dir.resolve("ref.log");
        Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(refLog.toFile()).start();
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.port(0);
        })) {
            // Ready by its log, not by a probe connection, which would open a rate window of its own.
            Waits.forLogLine(ref, refLog, "Server is ready", Duration.ofSeconds(10));
            String theirs = overTheLimitInOneWindow(refPort, 2, new long[1]);
            long[] ourWindowOpenedBefore = new long[1];
            String mine = overTheLimitInOneWindow(ours.port(), 2, ourWindowOpenedBefore);
            assertThat(theirs).isEqualTo("-ERR 'Connection throttling is active. Please try again later.'\r\n<closed>");
            assertThat(mine).isEqualTo(theirs);
            // A new window: our window (same JVM clock) started before that instant and lasts one second.
            long windowEnd = ourWindowOpenedBefore[0] + TimeUnit.SECONDS.toNanos(1);
            Waits.upTo("our rate window ended", Duration.ofSeconds(3))
                    .until(() -> System.nanoTime() - windowEnd > 0);
            assertThat(RawClient.tlsHandshakeSucceeds(ours.port(), certs.clientContext(false), p -> { }))
                    .as("a client in the next window is served (TLS handshake, PING/PONG)").isTrue();
            // Both warn once a second about what they refused.
            String warning = "[WRN] Rejected 1 connections due to TLS rate limiting";
            Waits.upTo(warning, Duration.ofSeconds(3)).until(() -> ours.log().lines().contains(warning));
            Waits.forLogLine(ref, refLog, warning, Duration.ofSeconds(3));
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
