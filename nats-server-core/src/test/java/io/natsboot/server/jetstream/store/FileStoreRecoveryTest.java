package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FileStoreRecoveryTest {
    @TempDir
    Path dir;

    private final CapturingLog log = new CapturingLog();
    private static final FileStoreOptions SMALL = new FileStoreOptions(2048, false, Duration.ofMinutes(2));

    private FileStore open() throws Exception {
        return new FileStore(dir, SMALL, StoreLimits.NONE, log);
    }

    private static byte[] payload(long seq) {
        return ("payload-" + seq + "-" + "x".repeat((int) (seq % 50))).getBytes(StandardCharsets.UTF_8);
    }

    private void fill(FileStore s, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            long seq = s.state().lastSeq() + 1;
            s.append("sub." + (seq % 4), seq % 3 == 0 ? "NATS/1.0\r\nA: b\r\n\r\n".getBytes() : null, payload(seq), 0);
        }
    }

    private void assertAll(FileStore s, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            StoredMessage m = s.load(seq);
            assertThat(m).as("seq %d", seq).isNotNull();
            assertThat(m.data()).isEqualTo(payload(seq));
            assertThat(m.subject()).isEqualTo("sub." + (seq % 4));
        }
    }

    @Test
    void restartKeepsMessagesDeletesAndState() throws Exception {
        StoreState before;
        try (FileStore s = open()) {
            fill(s, 300);
            assertThat(s.blockCount()).isGreaterThan(3);
            s.remove(17);
            s.remove(250);
            s.purge("sub.1", 100, 0);
            before = s.state();
        }
        try (FileStore s = open()) {
            assertThat(s.state()).isEqualTo(before);
            assertThat(s.load(17)).isNull();
            assertThat(s.load(250)).isNull();
            assertThat(s.load(5)).isNull(); // sub.1 below 100
            assertThat(s.load(101)).isNotNull();
            assertThat(s.append("n", null, null, 0).seq()).isEqualTo(301);
        }
        assertThat(log.lines()).noneMatch(l -> l.startsWith("[WRN]") || l.startsWith("[ERR]"));
    }

    @Test
    void purgeAllAndCompactSurviveRestart() throws Exception {
        try (FileStore s = open()) {
            fill(s, 100);
            s.purge("", 0, 0);
            assertThat(s.blockCount()).isEqualTo(1);
        }
        try (FileStore s = open()) {
            StoreState st = s.state();
            assertThat(st.msgs()).isZero();
            assertThat(st.firstSeq()).isEqualTo(101);
            fill(s, 50);
            s.compact(120);
        }
        try (FileStore s = open()) {
            assertThat(s.state().firstSeq()).isEqualTo(120);
            assertThat(s.state().msgs()).isEqualTo(31);
            assertAll(s, 120, 150);
        }
    }

    @Test
    void missingAndDamagedIndexesAreRebuilt() throws Exception {
        try (FileStore s = open()) {
            fill(s, 200);
        }
        Path[] idx;
        try (Stream<Path> f = Files.list(dir)) {
            idx = f.filter(p -> p.toString().endsWith(".idx")).sorted().toArray(Path[]::new);
        }
        assertThat(idx.length).isGreaterThan(2);
        Files.delete(idx[0]);
        try (RandomAccessFile r = new RandomAccessFile(idx[1].toFile(), "rw")) {
            r.seek(30);
            r.write(0x55);
        }
        try (FileStore s = open()) {
            assertThat(s.state().msgs()).isEqualTo(200);
            assertAll(s, 1, 200);
        }
        assertThat(log.contains("damaged, rebuilding")).isTrue();
        assertThat(idx[0]).exists();
    }

    @Test
    void tornLastRecordIsTruncatedWithWarning() throws Exception {
        try (FileStore s = open()) {
            fill(s, 30);
        }
        Path last = lastBlock();
        long size = Files.size(last);
        try (RandomAccessFile r = new RandomAccessFile(last.toFile(), "rw")) {
            r.setLength(size - 5);
        }
        try (FileStore s = open()) {
            assertThat(s.state().lastSeq()).isEqualTo(29);
            assertAll(s, 1, 29);
            assertThat(s.append("sub.2", null, payload(30), 0).seq()).isEqualTo(30);
        }
        assertThat(log.contains("torn record")).isTrue();
        try (FileStore s = open()) {
            assertAll(s, 1, 29);
            assertThat(s.load(30).data()).isEqualTo(payload(30));
        }
    }

    @Test
    void damagedEarlierBlockIsReportedAndSkipped() throws Exception {
        try (FileStore s = open()) {
            fill(s, 200);
        }
        Path first = dir.resolve("1.blk");
        Files.delete(dir.resolve("1.idx"));
        try (RandomAccessFile r = new RandomAccessFile(first.toFile(), "rw")) {
            r.seek(200);
            r.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        try (FileStore s = open()) {
            StoreState st = s.state();
            assertThat(st.lastSeq()).isEqualTo(200);
            assertThat(st.msgs()).isLessThan(200).isGreaterThan(150);
            assertAll(s, 40, 200);
            assertThat(s.load(1)).isNotNull();
        }
        assertThat(log.lines()).anyMatch(l -> l.startsWith("[ERR]") && l.contains("skipping the rest of the block"));
    }

    @Test
    void torndDeleteRecordIsTruncated() throws Exception {
        try (FileStore s = open()) {
            fill(s, 10);
            s.remove(3);
        }
        Path del = dir.resolve("1.del");
        Files.write(del, new byte[] {0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
        try (FileStore s = open()) {
            assertThat(s.load(3)).isNull();
            assertThat(s.state().msgs()).isEqualTo(9);
        }
        assertThat(Files.size(del)).isEqualTo(8);
    }

    private Path lastBlock() throws Exception {
        try (Stream<Path> f = Files.list(dir)) {
            return f.filter(p -> p.toString().endsWith(".blk"))
                    .max((a, b) -> Long.compare(id(a), id(b))).orElseThrow();
        }
    }

    private static long id(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(0, n.indexOf('.')));
    }
}
