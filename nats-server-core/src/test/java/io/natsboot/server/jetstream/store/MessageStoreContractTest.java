package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The same behaviour from the memory store and the file store. */
class MessageStoreContractTest {
    @TempDir
    Path tmp;

    private MessageStore open(String kind, StoreLimits limits) throws Exception {
        if (kind.equals("memory")) {
            return new MemoryStore(limits);
        }
        return new FileStore(tmp.resolve("s"), new FileStoreOptions(4096, false, FileStoreOptions.DEFAULT_SYNC_INTERVAL),
                limits, new CapturingLog());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void appendLoadAndState(String kind) throws Exception {
        try (MessageStore s = open(kind, StoreLimits.NONE)) {
            StoreState empty = s.state();
            assertThat(empty.firstSeq()).isEqualTo(1);
            assertThat(empty.lastSeq()).isZero();
            StoredMessage m1 = s.append("a.1", null, b("one"), 0);
            StoredMessage m2 = s.append("a.2", b("NATS/1.0\r\nX: y\r\n\r\n"), b("two"), 0);
            s.append("b.1", null, b("three"), 0);
            assertThat(m1.seq()).isEqualTo(1);
            assertThat(m2.seq()).isEqualTo(2);
            StoredMessage l = s.load(2);
            assertThat(l.subject()).isEqualTo("a.2");
            assertThat(new String(l.data())).isEqualTo("two");
            assertThat(new String(l.headers())).startsWith("NATS/1.0");
            assertThat(l.timestamp()).isEqualTo(m2.timestamp());
            assertThat(s.load(4)).isNull();
            assertThat(s.loadLast("a.*").seq()).isEqualTo(2);
            assertThat(s.loadLast("b.1").seq()).isEqualTo(3);
            assertThat(s.loadNext("b.>", 1).seq()).isEqualTo(3);
            assertThat(s.loadNext(">", 2).seq()).isEqualTo(2);
            assertThat(s.numPending("a.*", 2)).isEqualTo(1);
            StoreState st = s.state();
            assertThat(st.msgs()).isEqualTo(3);
            assertThat(st.numSubjects()).isEqualTo(3);
            if (kind.equals("memory")) {
                assertThat(st.bytes()).isEqualTo((3 + 3 + 16) + (3 + 18 + 3 + 16) + (3 + 5 + 16));
            } else {
                assertThat(st.bytes()).isEqualTo((22 + 3 + 3 + 8) + (22 + 3 + 4 + 18 + 3 + 8) + (22 + 3 + 5 + 8));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void removeAndPurge(String kind) throws Exception {
        try (MessageStore s = open(kind, StoreLimits.NONE)) {
            for (int i = 0; i < 10; i++) {
                s.append("k." + (i % 3), null, b("m" + i), 0);
            }
            assertThat(s.remove(5)).isTrue();
            assertThat(s.remove(5)).isFalse();
            assertThat(s.state().numDeleted()).isEqualTo(1);
            assertThat(s.deletedSeqs()).containsExactly(5);
            assertThat(s.purge("k.0", 0, 1)).isEqualTo(3); // seqs 1,4,7,10 -> keep 10
            assertThat(s.subjectCounts(">")).isEqualTo(Map.of("k.0", 1L, "k.1", 2L, "k.2", 3L));
            assertThat(s.purge("", 3, 0)).isEqualTo(1); // below 3: seq 2
            assertThat(s.state().firstSeq()).isEqualTo(3);
            assertThat(s.purge(null, 0, 0)).isEqualTo(5);
            StoreState st = s.state();
            assertThat(st.msgs()).isZero();
            assertThat(st.firstSeq()).isEqualTo(11);
            assertThat(st.lastSeq()).isEqualTo(10);
            assertThat(s.append("x", null, null, 0).seq()).isEqualTo(11);
            assertThat(s.compact(20)).isEqualTo(1);
            assertThat(s.append("x", null, null, 0).seq()).isEqualTo(20);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void limitsDiscardOld(String kind) throws Exception {
        try (MessageStore s = open(kind, new StoreLimits(5, -1, 0, 2, -1, false, false))) {
            List<Long> removed = new ArrayList<>();
            s.setRemovalListener((seq, subj) -> removed.add(seq));
            for (int i = 0; i < 4; i++) {
                s.append("same", null, b("v" + i), 0);
            }
            assertThat(s.subjectCounts("same")).containsEntry("same", 2L);
            assertThat(removed).containsExactly(1L, 2L);
            for (int i = 0; i < 6; i++) {
                s.append("o." + i, null, b("v"), 0);
            }
            assertThat(s.state().msgs()).isEqualTo(5);
            assertThat(s.state().firstSeq()).isEqualTo(6);
            s.setLimits(new StoreLimits(2, -1, 0, -1, -1, false, false));
            assertThat(s.state().msgs()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void limitsDiscardNew(String kind) throws Exception {
        try (MessageStore s = open(kind, new StoreLimits(2, -1, 0, -1, 10, true, false))) {
            s.append("a", null, b("1"), 0);
            s.append("b", null, b("2"), 0);
            assertThatThrownBy(() -> s.append("c", null, b("3"), 0)).hasMessage("maximum messages exceeded");
            assertThatThrownBy(() -> s.append("c", null, b("12345678901"), 0))
                    .hasMessage("message size exceeds maximum allowed");
            assertThat(s.state().lastSeq()).isEqualTo(2);
        }
        try (MessageStore s = new MemoryStore(new StoreLimits(-1, 40, 0, -1, -1, true, false))) {
            s.append("a", null, b("12345678901234567890"), 0);
            assertThatThrownBy(() -> s.append("a", null, b("12345678901234567890"), 0)).hasMessage("maximum bytes exceeded");
        }
        try (MessageStore s = new MemoryStore(new StoreLimits(-1, -1, 0, 1, -1, true, true))) {
            s.append("a", null, null, 0);
            assertThatThrownBy(() -> s.append("a", null, null, 0)).hasMessage("maximum messages per subject exceeded");
            s.append("b", null, null, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void maxAgeExpires(String kind) throws Exception {
        try (MessageStore s = open(kind, new StoreLimits(-1, -1, 1_000_000_000L, -1, -1, false, false))) {
            long old = IndexedStore.now() - 5_000_000_000L;
            s.append("a", null, null, old);
            s.append("b", null, null, 0);
            assertThat(s.state().msgs()).isEqualTo(1);
            s.expire(IndexedStore.now() + 2_000_000_000L);
            assertThat(s.state().msgs()).isZero();
            assertThat(s.state().lastSeq()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "file"})
    void appendAtSkipsSequences(String kind) throws Exception {
        try (MessageStore s = open(kind, StoreLimits.NONE)) {
            s.append("a", null, null, 0);
            s.appendAt(5, "a", null, b("x"), 0);
            assertThat(s.state().numDeleted()).isEqualTo(3);
            assertThat(s.append("a", null, null, 0).seq()).isEqualTo(6);
            assertThatThrownBy(() -> s.appendAt(3, "a", null, null, 0)).isInstanceOf(StoreException.class);
        }
    }
}
