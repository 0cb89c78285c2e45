package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.jetstream.store.FileStore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One {@code $JS.API.STREAM.SNAPSHOT.<stream>} after the request was checked, on a thread of its own, as
 * nats-server 2.9.10 runs it: a point-in-time copy of the stream's files (hard links, see
 * {@link FileStore#linkFiles}), the answer (config and state), the {@code SNAPSHOT_CREATE} advisory, the archive
 * in chunks of {@code chunk_size} to the deliver subject, each with the reply
 * {@code $JS.SNAPSHOT.ACK.<stream>.<id>.<chunk length>.<index>} the client answers for flow control (up to 8 MiB
 * unanswered, then a wait of up to 10 ms per chunk for an answer), an empty message to end it, the
 * {@code SNAPSHOT_COMPLETE} advisory. Memory: one chunk and the compressor's block.
 */
final class StreamSnapshot {
    static final int DEFAULT_CHUNK_SIZE = 128 * 1024;
    /** A larger chunk_size is lowered to this, so one snapshot cannot ask for an arbitrary buffer. */
    static final int MAX_CHUNK_SIZE = 64 * 1024 * 1024;
    static final long WINDOW = 8L * 1024 * 1024;
    /** Streams being snapshotted: one snapshot of a stream at a time, as nats-server's file store allows. */
    private static final java.util.Set<Stream> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final JetStream js;
    private final Stream stream;
    private final String deliver;
    private final int chunkSize;
    private final boolean checkMsgs;
    private final boolean withConsumers;
    private final Map<String, Object> client;

    StreamSnapshot(JetStream js, Stream stream, String deliver, int chunkSize, boolean checkMsgs, boolean withConsumers,
                   Map<String, Object> client) {
        this.js = js;
        this.stream = stream;
        this.deliver = deliver;
        this.chunkSize = chunkSize <= 0 ? DEFAULT_CHUNK_SIZE : Math.min(chunkSize, MAX_CHUNK_SIZE);
        this.checkMsgs = checkMsgs;
        this.withConsumers = withConsumers;
        this.client = client;
    }

    /** Runs the snapshot; {@code respond} sends the API answer (success or error). */
    void run(Consumer<Map<String, Object>> respond) {
        String acc = stream.account.name;
        String name = stream.name();
        js.log().info((checkMsgs ? "Starting health check and snapshot for stream '" : "Starting snapshot for stream '")
                + acc + " > " + name + "'");
        Instant start = Instant.now();
        Path staging = null;
        try {
            Staged staged;
            try {
                if (!(stream.store instanceof FileStore fs)) {
                    throw new IOException("no impl");
                }
                mine = RUNNING.add(stream);
                if (!mine) {
                    throw new IOException("snapshot in progress");
                }
                if (checkMsgs) {
                    long bad = fs.damagedRecords();
                    if (bad > 0) {
                        throw new IOException("snapshot check detected " + bad + " bad messages");
                    }
                }
                staging = js.snapshotStaging(stream.account).resolve("snap-" + js.nuid());
                staged = stage(fs, staging);
            } catch (IOException | RuntimeException e) {
                js.log().warn("Snapshot of stream '" + acc + " > " + name + "' failed: " + e.getMessage());
                Map<String, Object> m = JetStreamApi.response("stream_snapshot_response");
                m.put("error", ApiError.streamSnapshot(String.valueOf(e.getMessage())).toJson());
                respond.accept(m);
                return;
            }
            Map<String, Object> m = JetStreamApi.response("stream_snapshot_response");
            m.put("config", stream.config.toJson());
            m.put("state", staged.state);
            respond.accept(m);
            js.advisory(acc, "STREAM.SNAPSHOT_CREATE." + name, "snapshot_create", "stream", name, "state", staged.state,
                    "client", client);

            send(staged);

            Instant end = Instant.now();
            js.advisory(acc, "STREAM.SNAPSHOT_COMPLETE." + name, "snapshot_complete", "stream", name,
                    "start", GoFormat.rfc3339NanoOrZero(start), "end", GoFormat.rfc3339NanoOrZero(end), "client", client);
            js.log().info("Completed snapshot of " + friendlyBytes((Long) staged.state.get("bytes")) + " for stream '"
                    + acc + " > " + name + "' in " + GoFormat.duration(java.time.Duration.between(start, end)));
        } finally {
            if (staging != null) {
                js.deleteTree(staging);
            }
            release();
        }
    }

    /**
     * Whether a snapshot of {@code stream} is being taken or sent: nats-server's file store refuses message
     * deletes meanwhile ("snapshot in progress"), and so does ours.
     */
    static boolean running(Stream stream) {
        return RUNNING.contains(stream);
    }

    /** This snapshot holds its stream's one place (see RUNNING). */
    private boolean mine;

    private void release() {
        if (mine) {
            mine = false;
            RUNNING.remove(stream);
        }
    }

    /** The files to send (archive name, file, length) and the stream state at the moment they were taken. */
    private record Staged(List<Object[]> files, Map<String, Object> state) {
    }

    private Staged stage(FileStore fs, Path staging) throws IOException {
        List<Object[]> files = new ArrayList<>();
        List<io.natsboot.server.jetstream.Consumer> consumers = new ArrayList<>();
        if (withConsumers) {
            synchronized (stream) {
                consumers.addAll(stream.consumers.values());
            }
            for (io.natsboot.server.jetstream.Consumer c : consumers) {
                c.flushState();
            }
        }
        // The messages first (under the store's lock), then the consumers: a consumer's state may then point a
        // little past the copied messages (nothing lost on restore), never miss messages it had acknowledged.
        Map<String, Object> state = stream.stateJson(null, false);
        SortedMap<String, Long> msgs = fs.linkFiles(staging.resolve("msgs"));
        Path meta = staging.resolve("meta.json");
        Files.createDirectories(staging);
        Map<String, Object> mm = JsonOut.obj();
        mm.put("config", stream.config.toJson());
        mm.put("created", GoFormat.rfc3339NanoOrZero(stream.created));
        StreamKeys.write(meta, JsonOut.write(mm).getBytes(StandardCharsets.UTF_8), stream.cipher());
        files.add(new Object[] {"meta.json", meta, Files.size(meta)});
        Path key = stream.dir().resolve(StreamKeys.FILE);
        if (Files.exists(key)) {
            Files.copy(key, staging.resolve(StreamKeys.FILE));
            files.add(new Object[] {StreamKeys.FILE, staging.resolve(StreamKeys.FILE), Files.size(key)});
        }
        for (Map.Entry<String, Long> e : msgs.entrySet()) {
            files.add(new Object[] {"msgs/" + e.getKey(), staging.resolve("msgs").resolve(e.getKey()), e.getValue()});
        }
        Path obs = stream.dir().resolve("obs");
        for (io.natsboot.server.jetstream.Consumer c : consumers) {
            Path from = obs.resolve(c.name);
            Path to = staging.resolve("obs").resolve(c.name);
            for (String f : List.of("meta.json", "state.json")) {
                if (Files.exists(from.resolve(f))) {
                    Files.createDirectories(to);
                    Files.copy(from.resolve(f), to.resolve(f));
                    files.add(new Object[] {"obs/" + c.name + "/" + f, to.resolve(f), Files.size(to.resolve(f))});
                }
            }
        }
        return new Staged(files, state);
    }

    /** Streams the archive in chunks with the ack window, then the empty message that ends it. */
    private void send(Staged staged) {
        String acc = stream.account.name;
        JetStreamTransport t = js.transport();
        // nats-server gives the client up to 2 s to subscribe to the deliver subject.
        long until = System.nanoTime() + 2_000_000_000L;
        while (!t.hasInterest(acc, deliver) && System.nanoTime() < until) {
            pause(10);
        }
        String ackPrefix = "$JS.SNAPSHOT.ACK." + stream.name() + "." + js.nuid();
        AtomicLong out = new AtomicLong();
        Object acked = new Object();
        JetStreamTransport.Subscription ackSub = t.subscribe(acc, ackPrefix + ".>", (s, r, h, p) -> {
            String[] tok = s.split("\\.");
            long len = tok.length > 5 ? parseLong(tok[5]) : 0;
            if (out.addAndGet(-len) < WINDOW) {
                synchronized (acked) {
                    acked.notifyAll();
                }
            }
        });
        try (ChunkStream chunks = new ChunkStream(chunkSize, (chunk, index) -> {
            if (out.get() > WINDOW) {
                synchronized (acked) {
                    try {
                        acked.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Lost();
                    }
                }
                if (!t.hasInterest(acc, deliver)) {
                    throw new Lost();
                }
            }
            t.publish(acc, deliver, ackPrefix + "." + chunk.length + "." + index, null, chunk);
            out.addAndGet(chunk.length);
        }); SnapshotArchive.Writer w = new SnapshotArchive.Writer(chunks)) {
            for (Object[] f : staged.files) {
                w.add((String) f[0], (Path) f[1], (Long) f[2]);
            }
        } catch (Lost lost) {
            js.log().warn("Snapshot of stream '" + acc + " > " + stream.name() + "': the receiver went away");
        } catch (IOException e) {
            js.log().warn("Snapshot of stream '" + acc + " > " + stream.name() + "' failed: " + e.getMessage());
        } finally {
            ackSub.unsubscribe();
            // the stream is free for the next snapshot before the receiver learns this one ended (as there)
            release();
            t.publish(acc, deliver, null, null, new byte[0]);
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The receiver of the chunks stopped listening. */
    private static final class Lost extends RuntimeException {
        Lost() {
            super(null, null, false, false);
        }
    }

    interface ChunkSink {
        void send(byte[] chunk, int index);
    }

    /** Collects bytes into chunks of a fixed size and hands each full one (and the last, shorter one) on. */
    static final class ChunkStream extends OutputStream {
        private final byte[] buf;
        private final ChunkSink sink;
        private int len;
        private int index;
        private boolean closed;

        ChunkStream(int size, ChunkSink sink) {
            this.buf = new byte[size];
            this.sink = sink;
        }

        @Override
        public void write(int b) {
            buf[len++] = (byte) b;
            if (len == buf.length) {
                emit();
            }
        }

        @Override
        public void write(byte[] b, int off, int n) {
            while (n > 0) {
                int k = Math.min(n, buf.length - len);
                System.arraycopy(b, off, buf, len, k);
                len += k;
                off += k;
                n -= k;
                if (len == buf.length) {
                    emit();
                }
            }
        }

        private void emit() {
            if (len > 0) {
                sink.send(java.util.Arrays.copyOf(buf, len), ++index);
                len = 0;
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                emit();
            }
        }
    }

    /** Go's friendlyBytes, as nats-server's snapshot and restore log lines print sizes. */
    static String friendlyBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int exp = (int) (Math.log(bytes) / Math.log(1024));
        String pre = "KMGTPE".substring(exp - 1, exp);
        return String.format(java.util.Locale.ROOT, "%.2f %sB", bytes / Math.pow(1024, exp), pre);
    }
}
