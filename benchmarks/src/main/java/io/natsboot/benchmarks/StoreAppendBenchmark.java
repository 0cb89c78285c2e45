package io.natsboot.benchmarks;

import io.natsboot.server.jetstream.store.FileStore;
import io.natsboot.server.jetstream.store.FileStoreOptions;
import io.natsboot.server.jetstream.store.MemoryStore;
import io.natsboot.server.jetstream.store.MessageStore;
import io.natsboot.server.jetstream.store.StoreCipher;
import io.natsboot.server.jetstream.store.StoreException;
import io.natsboot.server.jetstream.store.StoreLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appends to a JetStream message store: memory, file with nats-server 2.9's interval sync, and file forcing every
 * append to the device (what "sync always" costs), and file with encryption at rest (ChaCha20-Poly1305, AES-GCM).
 * 128-byte payloads on 16 subjects.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class StoreAppendBenchmark {
    @Param({"memory", "file", "file-sync-always", "file-chacha", "file-aes"})
    public String kind;

    private MessageStore store;
    private Path dir;
    private final byte[] payload = new byte[128];
    private final String[] subjects = new String[16];
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        for (int s = 0; s < subjects.length; s++) {
            subjects[s] = "orders.region" + s + ".created";
        }
        StoreLimits limits = new StoreLimits(1_000_000, -1, 0, -1, -1, false, false);
        if (kind.equals("memory")) {
            store = new MemoryStore(limits);
        } else {
            dir = Files.createTempDirectory("store-bench");
            FileStoreOptions o = new FileStoreOptions(FileStoreOptions.DEFAULT_BLOCK_SIZE, kind.equals("file-sync-always"),
                    FileStoreOptions.DEFAULT_SYNC_INTERVAL);
            // file-chacha / file-aes: encryption at rest (jetstream { key, cipher }) with a stream data key
            StoreCipher cipher = !kind.startsWith("file-") || kind.equals("file-sync-always") ? null
                    : (StoreCipher) StoreCipher.forServerKey("bench", StoreCipher.Kind.CHACHA).newDataKey(
                            kind.equals("file-aes") ? StoreCipher.Kind.AES : StoreCipher.Kind.CHACHA)[1];
            store = new FileStore(dir, o, limits, SilentLog.INSTANCE, cipher);
        }
    }

    @Benchmark
    public long append() throws StoreException {
        return store.append(subjects[i++ & 15], null, payload, 0).seq();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        if (dir != null) {
            try (Stream<Path> w = Files.walk(dir)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
