package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One connection publishing 256,000 x 1 KiB to a subject it subscribes to, reading slower than it writes: nats-server
 * holds the publisher back (it stops reading it) and delivers every message; so must we, instead of cutting the
 * connection as a slow consumer at max_pending (64 MiB). Compared with nats-server 2.9.10.
 */
class SelfSubscribedPublisherDifferentialTest {
    private static final int COUNT = 256_000;
    private static final int SIZE = 1024;

    /** MSG frames the connection received before the end of the stream (or all of them). */
    private static long publishToItself(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            s.setReceiveBufferSize(16 * 1024); // a slow reader: small socket buffer, small reads
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            FatalErrorCloseDifferentialTest.readLine(in); // INFO
            out.write("CONNECT {\"verbose\":false}\r\nSUB self 1\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(FatalErrorCloseDifferentialTest.readLine(in)).isEqualTo("PONG");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] frame = ("PUB self " + SIZE + "\r\n" + "x".repeat(SIZE) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] chunk = new byte[frame.length * 64];
                for (int i = 0; i < 64; i++) {
                    System.arraycopy(frame, 0, chunk, i * frame.length, frame.length);
                }
                try {
                    for (int i = 0; i < COUNT / 64; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException e) {
                    // cut as a slow consumer: the count read says how far it got
                }
            });
            // small reads (1 KiB buffer): slower than the writes, so the server's queue to us backs up
            InputStream slow = new java.io.BufferedInputStream(in, 1024);
            long received = 0;
            try {
                while (received < COUNT) {
                    String line = FatalErrorCloseDifferentialTest.readLine(slow);
                    if (line.startsWith("MSG ")) {
                        assertThat(line).isEqualTo("MSG self 1 " + SIZE);
                        slow.skipNBytes(SIZE + 2);
                        received++;
                    } else if (line.isEmpty()) {
                        break; // end of stream
                    }
                    // PING from the server's timer: not answered, the run is shorter than ping_interval x ping_max
                }
            } catch (IOException e) {
                // reset after a slow-consumer cut
            }
            writer.get(60, TimeUnit.SECONDS);
            return received;
        }
    }

    @Test
    void everyMessageArrivesAndThePublisherIsHeldBack(@TempDir Path dir) throws Exception {
        assertThat(Files.isExecutable(Path.of(DifferentialTest.NATS_SERVER)))
                .as("needs nats-server 2.9.10 at " + DifferentialTest.NATS_SERVER + " (Debian package nats-server)")
                .isTrue();
        long theirs;
        try (DifferentialTest.NatsServerProcess nats = new DifferentialTest.NatsServerProcess(
                DifferentialTest.Profile.DEFAULT, dir)) {
            theirs = publishToItself(nats.port);
        }
        long ours;
        try (RunningServer server = RunningServer.start()) {
            ours = publishToItself(server.port());
            assertThat(server.server().context().slowConsumers.sum()).as("slow consumers").isZero();
        }
        assertThat(theirs).as("nats-server delivers all").isEqualTo(COUNT);
        assertThat(ours).isEqualTo(theirs);
    }
}
