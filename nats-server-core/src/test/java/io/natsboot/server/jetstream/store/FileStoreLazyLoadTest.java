package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Start-up from block summaries: the state is right before any block is read, a block's entries are read on
 * first use (reads, per-subject lookups, limits, purges) and only a bounded number stay loaded, and damage
 * found in a block only when it is read is reported and corrects the state.
 */
class FileStoreLazyLoadTest {
    @TempDir
    Path dir;

    private final CapturingLog log = new CapturingLog();
    private static final FileStoreOptions SMALL = new FileStoreOptions(2048, false, Duration.ofMinutes(2));

    private FileStore open(StoreLimits limits) throws Exception {
        return new FileStore(dir, SMALL, limits, log);
    }

    private static byte[] payload(long seq) {
        return ("lazy-" + seq + "-" + "y".repeat((int) (seq % 40))).getBytes(StandardCharsets.UTF_8);
    }

    /** Subject of a sequence: "s.<seq % 7>", and "rare" for seq 5 only (its one message sits in the first block). */
    private static String subject(long seq) {
        return seq == 5 ? "rare" : "s." + (seq % 7);
    }

    private void fill(FileStore s, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            long seq = s.state().lastSeq() + 1;
            s.append(subject(seq), seq % 3 == 0 ? "NATS/1.0\r\nA: b\r\n\r\n".getBytes() : null, payload(seq), 0);
        }
    }

    @Test
    void stateIsRightBeforeAnyBlockIsReadAndOldMessagesLoadOnDemand() throws Exception {
        StoreState before;
        Map<String, Long> counts;
        int blockFiles;
        try (FileStore s = open(StoreLimits.NONE)) {
            fill(s, 1000);
            s.remove(3);
            s.remove(500);
            s.remove(1000); // the last sequence stays the last sequence after a restart
            before = s.state();
            counts = s.subjectCounts(">");
            blockFiles = s.blockCount();
        }
        assertThat(blockFiles).isGreaterThan(20);
        try (FileStore s = open(StoreLimits.NONE)) {
            assertThat(s.loadedBlocks()).as("blocks read at start").isZero();
            s.setLoadedEntryBound(100); // a block holds ~25 messages here
            assertThat(s.state()).isEqualTo(before);
            assertThat(s.state().lastSeq()).isEqualTo(1000);
            assertThat(s.state().numDeleted()).isEqualTo(3); // 3, 500 and the last, 1000
            assertThat(s.subjectCounts(">")).isEqualTo(counts);
            assertThat(s.numPending("s.2", 0)).isEqualTo(counts.get("s.2"));
            assertThat(s.loadedBlocks()).as("still nothing read").isZero();
            for (long seq = 1; seq < 1000; seq++) {
                StoredMessage m = s.load(seq);
                if (seq == 3 || seq == 500) {
                    assertThat(m).isNull();
                } else {
                    assertThat(m).as("seq %d", seq).isNotNull();
                    assertThat(m.subject()).isEqualTo(subject(seq));
                    assertThat(m.data()).isEqualTo(payload(seq));
                }
                assertThat(s.loadedBlocks()).isLessThanOrEqualTo(6);
            }
            assertThat(s.load(1000)).isNull();
            assertThat(s.deletedSeqs()).containsExactly(3, 500, 1000);
            assertThat(s.append("new", null, payload(1001), 0).seq()).isEqualTo(1001);
        }
        assertThat(log.lines()).noneMatch(l -> l.startsWith("[WRN]") || l.startsWith("[ERR]"));
    }

    @Test
    void perSubjectLookupsAcrossBlocksAfterRestart() throws Exception {
        try (FileStore s = open(StoreLimits.NONE)) {
            fill(s, 600);
        }
        try (FileStore s = open(StoreLimits.NONE)) {
            // last-by-subject where the subject's only message is in the first block (KV get of an old key)
            StoredMessage rare = s.loadLast("rare");
            assertThat(rare.seq()).isEqualTo(5);
            assertThat(rare.data()).isEqualTo(payload(5));
            assertThat(s.loadedBlocks()).isEqualTo(1);
            assertThat(s.loadLast("s.3").seq()).isEqualTo(598);
            assertThat(s.loadLast("s.*").seq()).isEqualTo(600);
            assertThat(s.loadLast("nope")).isNull();
            // next-by-subject across block boundaries, as a filtered consumer walks it
            long seq = 0;
            int n = 0;
            for (StoredMessage m = s.loadNext("s.4", 0); m != null; m = s.loadNext("s.4", m.seq() + 1)) {
                assertThat(m.seq()).isGreaterThan(seq);
                assertThat(m.seq() % 7).isEqualTo(4);
                seq = m.seq();
                n++;
            }
            assertThat(n).isEqualTo(600 / 7 + (600 % 7 >= 4 ? 1 : 0));
            assertThat(s.numPending("s.4", 300)).isEqualTo(s.subjectCounts("s.4").get("s.4")
                    - (300 / 7 + (300 % 7 > 4 ? 1 : 0)));
            assertThat(s.loadNext("rare", 6)).isNull();
        }
    }

    @Test
    void perSubjectLimitsApplyAfterRestart() throws Exception {
        StoreLimits two = new StoreLimits(-1, -1, 0, 2, -1, false, false);
        try (FileStore s = open(two)) {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 40; k++) {
                    s.append("kv." + k, null, ("v" + round + "-" + k).getBytes(), 0);
                }
            }
            assertThat(s.state().msgs()).isEqualTo(80);
        }
        try (FileStore s = open(two)) {
            assertThat(s.loadedBlocks()).isZero();
            assertThat(s.state().msgs()).isEqualTo(80);
            // a new value for kv.0, whose oldest kept value is in an early block: that block is read and it goes
            s.append("kv.0", null, "v3-0".getBytes(), 0);
            assertThat(s.subjectCounts("kv.0")).containsEntry("kv.0", 2L);
            assertThat(new String(s.loadLast("kv.0").data())).isEqualTo("v3-0");
            assertThat(s.loadNext("kv.0", 0).data()).isEqualTo("v2-0".getBytes());
            assertThat(s.state().msgs()).isEqualTo(80);
            // lower limit after restart: every subject down to one, the newest kept
            s.setLimits(new StoreLimits(-1, -1, 0, 1, -1, false, false));
            assertThat(s.state().msgs()).isEqualTo(40);
            for (int k = 0; k < 40; k++) {
                assertThat(new String(s.loadLast("kv." + k).data())).isEqualTo(k == 0 ? "v3-0" : "v2-" + k);
            }
        }
        try (FileStore s = open(new StoreLimits(-1, -1, 0, 1, -1, false, false))) {
            assertThat(s.state().msgs()).isEqualTo(40);
            assertThat(s.state().numSubjects()).isEqualTo(40);
            assertThat(new String(s.loadLast("kv.7").data())).isEqualTo("v2-7");
        }
    }

    @Test
    void purgesAndCompactionAfterRestartUseSummaries() throws Exception {
        try (FileStore s = open(StoreLimits.NONE)) {
            fill(s, 800);
        }
        try (FileStore s = open(StoreLimits.NONE)) {
            int blocksBefore = s.blockCount();
            assertThat(s.compact(400)).isEqualTo(399);
            assertThat(s.blockCount()).isLessThan(blocksBefore);
            assertThat(s.loadedBlocks()).as("only the block holding 400 was read").isEqualTo(1);
            assertThat(s.state().firstSeq()).isEqualTo(400);
            long s1 = s.subjectCounts("s.1").get("s.1");
            assertThat(s.purge("s.1", 0, 2)).isEqualTo(s1 - 2);
        }
        try (FileStore s = open(StoreLimits.NONE)) {
            StoreState st = s.state();
            assertThat(st.firstSeq()).isEqualTo(401); // 400 is on s.1: purged
            assertThat(s.subjectCounts("s.1")).containsEntry("s.1", 2L);
            assertThat(s.loadNext("s.1", 0).seq()).isEqualTo(792);
            assertThat(s.load(399)).isNull();
            assertThat(s.load(401).data()).isEqualTo(payload(401));
            assertThat(s.purge("", 0, 0)).isEqualTo(st.msgs());
        }
        try (FileStore s = open(StoreLimits.NONE)) {
            assertThat(s.state().msgs()).isZero();
            assertThat(s.state().firstSeq()).isEqualTo(801);
            assertThat(s.append("x", null, null, 0).seq()).isEqualTo(801);
        }
    }

    @Test
    void damageFoundWhenABlockIsFirstReadIsReportedAndCorrectsTheState() throws Exception {
        try (FileStore s = open(StoreLimits.NONE)) {
            fill(s, 300);
        }
        // Damage block 2 and its index in place: sizes unchanged, so its summary still looks current at start.
        try (RandomAccessFile r = new RandomAccessFile(dir.resolve("2.blk").toFile(), "rw")) {
            r.seek(100);
            r.write(new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        }
        try (RandomAccessFile r = new RandomAccessFile(dir.resolve("2.idx").toFile(), "rw")) {
            r.seek(50);
            r.write(0x5a);
        }
        long lost;
        try (FileStore s = open(StoreLimits.NONE)) {
            assertThat(s.state().msgs()).isEqualTo(300);
            assertThat(log.lines()).noneMatch(l -> l.startsWith("[ERR]"));
            long first2 = firstSeqOfBlock2(s);
            assertThat(s.load(first2)).isNotNull(); // before the damage
            assertThat(log.contains("damaged, rebuilding")).isTrue();
            assertThat(log.lines()).anyMatch(l -> l.startsWith("[ERR]") && l.contains("skipping the rest of the block"));
            assertThat(log.lines()).anyMatch(l -> l.startsWith("[ERR]") && l.contains("its summary said"));
            lost = 300 - s.state().msgs();
            assertThat(lost).isPositive();
            assertThat(s.state().lastSeq()).isEqualTo(300);
            assertThat(s.load(300).data()).isEqualTo(payload(300));
            assertThat(s.append("after", null, null, 0).seq()).isEqualTo(301);
        }
        try (FileStore s = open(StoreLimits.NONE)) {
            assertThat(s.state().msgs()).isEqualTo(300 - lost + 1);
            assertThat(s.load(1).data()).isEqualTo(payload(1));
        }
    }

    private static long firstSeqOfBlock2(FileStore s) {
        // blocks hold whole records in order: the first sequence not in 1.blk
        for (long seq = 1; ; seq++) {
            StoredMessage m = s.load(seq);
            if (m == null || s.loadedBlocks() > 1) {
                return seq;
            }
        }
    }

    @Test
    void sealedStoreStartsFromSealedSummaries() throws Exception {
        StoreCipher cipher = (StoreCipher) StoreCipher.forServerKey("lazy key", StoreCipher.Kind.CHACHA)
                .newDataKey(StoreCipher.Kind.AES)[1];
        StoreState before;
        try (FileStore s = new FileStore(dir, SMALL, StoreLimits.NONE, log, cipher)) {
            fill(s, 200);
            s.remove(50);
            before = s.state();
        }
        byte[] sum = Files.readAllBytes(dir.resolve("1.sum"));
        assertThat(new String(sum, StandardCharsets.ISO_8859_1)).doesNotContain("rare").doesNotContain("s.1");
        try (FileStore s = new FileStore(dir, SMALL, StoreLimits.NONE, log, cipher)) {
            assertThat(s.loadedBlocks()).isZero();
            assertThat(s.state()).isEqualTo(before);
            assertThat(s.loadLast("rare").data()).isEqualTo(payload(5));
            assertThat(s.load(199).data()).isEqualTo(payload(199));
        }
        assertThat(log.lines()).noneMatch(l -> l.startsWith("[WRN]") || l.startsWith("[ERR]"));
    }
}
