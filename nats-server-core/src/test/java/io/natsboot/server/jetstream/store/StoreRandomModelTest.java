package io.natsboot.server.jetstream.store;

import io.natsboot.server.subject.Subjects;
import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random appends, deletes, filtered purges (with sequence or keep), compactions and per-subject / total limits
 * against a plain sorted-map model; the file store is also reopened now and then (with small blocks, so block
 * rewrites and deletions happen).
 */
class StoreRandomModelTest {
    @TempDir
    Path tmp;

    private record M(String subject, String data) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:1", "file:1", "file:2", "file:3", "file:4", "sealed:5", "sealedaes:6"})
    void matchesModel(String kindAndSeed) throws Exception {
        String kind = kindAndSeed.substring(0, kindAndSeed.indexOf(':'));
        Random r = new Random(Long.parseLong(kindAndSeed.substring(kindAndSeed.indexOf(':') + 1)));
        StoreLimits limits = new StoreLimits(300, -1, 0, 20, -1, false, false);
        FileStoreOptions opts = new FileStoreOptions(1024, false, Duration.ofMinutes(2));
        CapturingLog log = new CapturingLog();
        // "sealed": the file store with encryption at rest (ChaCha20-Poly1305, or AES-GCM for "sealedaes")
        StoreCipher cipher = !kind.startsWith("sealed") ? null : (StoreCipher) StoreCipher.forServerKey("test key",
                StoreCipher.Kind.CHACHA).newDataKey(kind.equals("sealedaes") ? StoreCipher.Kind.AES
                : StoreCipher.Kind.CHACHA)[1];
        MessageStore s = kind.equals("memory") ? new MemoryStore(limits)
                : new FileStore(tmp.resolve(kindAndSeed.replace(':', '-')), opts, limits, log, cipher);
        // A few blocks' entries loaded at most: every step also goes through dropping and re-reading blocks.
        long loadedBound = 40 + r.nextInt(60);
        if (s instanceof FileStore f) {
            f.setLoadedEntryBound(loadedBound);
        }
        TreeMap<Long, M> model = new TreeMap<>();
        long last = 0;
        long floor = 1;
        try {
            for (int i = 0; i < 6000; i++) {
                int op = r.nextInt(100);
                if (op < 70) {
                    String subj = "a." + r.nextInt(30) + (r.nextBoolean() ? ".x" : ".y");
                    String data = "d" + i;
                    StoredMessage m = s.append(subj, null, data.getBytes(), 0);
                    last++;
                    assertThat(m.seq()).isEqualTo(last);
                    model.put(last, new M(subj, data));
                    applyLimits(model, limits);
                } else if (op < 80 && !model.isEmpty()) {
                    long seq = model.firstKey() + r.nextInt((int) (last - model.firstKey() + 1));
                    assertThat(s.remove(seq)).isEqualTo(model.remove(seq) != null);
                } else if (op < 86) {
                    String filter = "a." + r.nextInt(30) + ".*";
                    long upTo = r.nextBoolean() ? 0 : last - r.nextInt(50);
                    long keep = upTo == 0 && r.nextBoolean() ? r.nextInt(3) : 0;
                    List<Long> victims = new ArrayList<>();
                    for (Map.Entry<Long, M> e : model.entrySet()) {
                        if (Subjects.matches(filter, e.getValue().subject()) && (upTo <= 0 || e.getKey() < upTo)) {
                            victims.add(e.getKey());
                        }
                    }
                    if (keep > 0) {
                        victims = victims.subList(0, (int) Math.max(0, victims.size() - keep));
                    }
                    victims.forEach(model::remove);
                    assertThat(s.purge(filter, upTo, keep)).isEqualTo(victims.size());
                } else if (op < 88) {
                    long to = last - r.nextInt(100);
                    long n = model.headMap(to).size();
                    model.headMap(to).clear();
                    assertThat(s.compact(to)).isEqualTo(n);
                } else if (op < 90 && s instanceof FileStore) {
                    s.close();
                    s = new FileStore(tmp.resolve(kindAndSeed.replace(':', '-')), opts, limits, log, cipher);
                    ((FileStore) s).setLoadedEntryBound(loadedBound);
                } else if (!model.isEmpty()) {
                    long seq = model.floorKey(model.firstKey() + r.nextInt((int) (last - model.firstKey() + 1)));
                    StoredMessage m = s.load(seq);
                    assertThat(m).isNotNull();
                    assertThat(m.subject()).isEqualTo(model.get(seq).subject());
                    assertThat(new String(m.data())).isEqualTo(model.get(seq).data());
                }
                StoreState st = s.state();
                assertThat(st.msgs()).as("op %d (%d)", i, op).isEqualTo(model.size());
                assertThat(st.lastSeq()).isEqualTo(Math.max(last, st.lastSeq()));
                if (!model.isEmpty()) {
                    assertThat(st.firstSeq()).isEqualTo(model.firstKey());
                    String subj = model.lastEntry().getValue().subject();
                    assertThat(s.loadLast(subj).seq()).isEqualTo(lastOf(model, subj));
                }
            }
            for (Map.Entry<Long, M> e : model.entrySet()) {
                assertThat(s.load(e.getKey()).data()).isEqualTo(e.getValue().data().getBytes());
            }
        } finally {
            s.close();
        }
        assertThat(log.lines()).noneMatch(l -> l.startsWith("[ERR]") || l.startsWith("[WRN]"));
    }

    private static long lastOf(TreeMap<Long, M> model, String subject) {
        for (Map.Entry<Long, M> e : model.descendingMap().entrySet()) {
            if (e.getValue().subject().equals(subject)) {
                return e.getKey();
            }
        }
        return -1;
    }

    private static void applyLimits(TreeMap<Long, M> model, StoreLimits l) {
        Map<String, List<Long>> bySubject = new TreeMap<>();
        for (Map.Entry<Long, M> e : model.entrySet()) {
            bySubject.computeIfAbsent(e.getValue().subject(), k -> new ArrayList<>()).add(e.getKey());
        }
        for (List<Long> seqs : bySubject.values()) {
            for (int i = 0; i < seqs.size() - l.maxMsgsPerSubject(); i++) {
                model.remove(seqs.get(i));
            }
        }
        while (model.size() > l.maxMsgs()) {
            model.pollFirstEntry();
        }
    }
}
