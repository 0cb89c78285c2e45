package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a JVM appending to a file store, in a loop: after every kill, every append the child saw return
 * (and every delete) is there on reopening, and the store keeps going from where it was.
 */
class FileStoreCrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesKill9() throws Exception {
        Path store = dir.resolve("store");
        Set<Long> acked = new HashSet<>();
        Set<Long> deleted = new HashSet<>();
        Random random = new Random(42);
        long maxAcked = 0;
        for (int round = 0; round < 8; round++) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    FileStoreCrashChild.class.getName(), store.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int target = 300 + random.nextInt(3000);
            int seen = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                String first = in.readLine();
                assertThat(first).as("child start").startsWith("READY ");
                assertThat(Long.parseLong(first.substring(6))).isGreaterThanOrEqualTo(maxAcked);
                String line;
                while (seen < target && (line = in.readLine()) != null) {
                    long seq = Long.parseLong(line.substring(2));
                    if (line.charAt(0) == 'A') {
                        acked.add(seq);
                        maxAcked = Math.max(maxAcked, seq);
                        seen++;
                    } else {
                        deleted.add(seq);
                    }
                }
                p.destroyForcibly(); // SIGKILL on Linux
                p.waitFor();
            }
            assertThat(seen).isEqualTo(target);
            CapturingLog log = new CapturingLog();
            try (FileStore s = new FileStore(store, FileStoreCrashChild.OPTIONS, StoreLimits.NONE, log)) {
                assertThat(s.state().lastSeq()).isGreaterThanOrEqualTo(maxAcked);
                for (long seq : acked) {
                    StoredMessage m = s.load(seq);
                    if (deleted.contains(seq)) {
                        assertThat(m).as("deleted seq %d", seq).isNull();
                    } else if (m == null && seq % 10 == 5 && seq + 5 >= maxAcked) {
                        // The child deleted it right after the last append we read; its "D" line was not read.
                        deleted.add(seq);
                    } else {
                        assertThat(m).as("round %d seq %d", round, seq).isNotNull();
                        assertThat(m.data()).isEqualTo(FileStoreCrashChild.payload(seq));
                        assertThat(m.subject()).isEqualTo(FileStoreCrashChild.subject(seq));
                    }
                }
            }
            assertThat(log.lines()).noneMatch(l -> l.startsWith("[ERR]"));
        }
    }
}
