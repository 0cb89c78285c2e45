package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sequential loads are served from a read-ahead window: they must see exactly what random loads see, while
 * appends grow the active block behind the window and after deletes compact a block (its offsets change) or
 * drop it.
 */
class FileStoreReadAheadTest {
    @TempDir
    Path dir;

    private final CapturingLog log = new CapturingLog();
    /** Blocks over 64 KiB, so that deleting most of a sealed one compacts it. */
    private static final FileStoreOptions BLOCKS_128K = new FileStoreOptions(128 * 1024, false, Duration.ofMinutes(2));

    private static byte[] payload(long seq) {
        return ("payload-" + seq + "-" + "y".repeat((int) (seq % 300))).getBytes(StandardCharsets.UTF_8);
    }

    private static void append(FileStore s, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            long seq = s.state().lastSeq() + 1;
            s.append("rd." + (seq % 5), seq % 4 == 0 ? "NATS/1.0\r\nK: v\r\n\r\n".getBytes() : null, payload(seq), 0);
        }
    }

    private static void assertSequential(FileStore s, long expectedCount) {
        long n = 0;
        for (StoredMessage m = s.loadNext(null, 0); m != null; m = s.loadNext(null, m.seq() + 1)) {
            assertThat(m.data()).as("seq %d", m.seq()).isEqualTo(payload(m.seq()));
            assertThat(m.subject()).isEqualTo("rd." + (m.seq() % 5));
            n++;
        }
        assertThat(n).isEqualTo(expectedCount);
    }

    @Test
    void sequentialLoadsMatchTheStoreThroughAppendsCompactionsAndDrops() throws Exception {
        try (FileStore s = new FileStore(dir, BLOCKS_128K, StoreLimits.NONE, log)) {
            append(s, 3000);
            assertThat(s.blockCount()).isGreaterThan(3);
            assertSequential(s, 3000);

            // Reading the tail of the active block, then appending behind the window and reading on.
            long last = s.state().lastSeq();
            assertThat(s.load(last - 1).data()).isEqualTo(payload(last - 1));
            assertThat(s.load(last).data()).isEqualTo(payload(last));
            append(s, 50);
            for (long seq = last + 1; seq <= last + 50; seq++) {
                assertThat(s.load(seq).data()).as("seq %d", seq).isEqualTo(payload(seq));
            }

            // Read a window in the first block, then delete most of it: the block is compacted in place.
            assertThat(s.load(1).data()).isEqualTo(payload(1));
            assertThat(s.load(2).data()).isEqualTo(payload(2));
            long removed = 0;
            for (long seq = 3; seq <= 600; seq++) {
                if (seq % 7 != 0 && s.remove(seq)) {
                    removed++;
                }
            }
            long count = 3050 - removed;
            assertThat(s.state().msgs()).isEqualTo(count);
            for (long seq = 1; seq <= 700; seq++) {
                StoredMessage m = s.load(seq);
                if (seq >= 3 && seq <= 600 && seq % 7 != 0) {
                    assertThat(m).as("seq %d", seq).isNull();
                } else {
                    assertThat(m.data()).as("seq %d", seq).isEqualTo(payload(seq));
                }
            }
            assertSequential(s, count);

            // Purging the front drops whole blocks, the one under the window among them.
            s.purge(null, 1500, 0);
            assertSequential(s, s.state().msgs());
        }
        try (FileStore s = new FileStore(dir, BLOCKS_128K, StoreLimits.NONE, log)) {
            assertSequential(s, s.state().msgs());
        }
    }
}
