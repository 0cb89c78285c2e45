package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code $JS.API.STREAM.RESTORE.<stream>} after the request was accepted, as nats-server 2.9.10 runs it: the
 * client publishes the archive in chunks to {@code $JS.SNAPSHOT.RESTORE.<stream>.<id>}, each with a reply subject
 * that gets an empty answer; the chunks go to a file (not memory); an empty message ends the upload and its reply
 * gets the stream's create answer (config, created, state) or {@code restore failed: ...}. A chunk without a reply
 * subject ends the restore (warning, no answer); five seconds without a chunk ends it as stalled.
 */
final class StreamRestore {
    private static final long STALL_NANOS = 5_000_000_000L;

    private final JetStream js;
    private final JsAccount account;
    private final StreamConfig config;
    private final Map<String, Object> client;
    private final Path staging;
    private final Path upload;
    private final OutputStream out;
    private final Instant start = Instant.now();
    private JetStreamTransport.Subscription sub;
    private ScheduledFuture<?> stallCheck;
    private long total;
    private long lastActivity = System.nanoTime();
    private boolean done;

    private StreamRestore(JetStream js, JsAccount account, StreamConfig config, Map<String, Object> client,
                          Path staging) throws IOException {
        this.js = js;
        this.account = account;
        this.config = config;
        this.client = client;
        this.staging = staging;
        Files.createDirectories(staging);
        this.upload = Files.createTempFile(staging, "js-restore-", "");
        this.out = Files.newOutputStream(upload);
    }

    /**
     * Starts a restore: the upload file, the {@code RESTORE_CREATE} advisory and the chunk subscription. Returns
     * the subject the client sends the chunks to; IOException when the temporary storage cannot be made.
     */
    static String start(JetStream js, JsAccount a, StreamConfig cfg, Map<String, Object> client) throws IOException {
        StreamRestore r = new StreamRestore(js, a, cfg, client, js.snapshotStaging(a));
        js.log().info("Starting restore for stream '" + a.name + " > " + cfg.name + "'");
        js.advisory(a.name, "STREAM.RESTORE_CREATE." + cfg.name, "restore_create", "stream", cfg.name, "client", client);
        String subject = "$JS.SNAPSHOT.RESTORE." + cfg.name + "." + js.nuid();
        synchronized (r) {
            r.sub = js.transport().subscribe(a.name, subject, r::onChunk);
            r.stallCheck = js.timer().scheduleWithFixedDelay(r::checkStalled, 1, 1, TimeUnit.SECONDS);
        }
        return subject;
    }

    private synchronized void onChunk(String subject, String reply, byte[] hdr, byte[] payload) {
        if (done) {
            return;
        }
        String who = "'" + account.name + " > " + config.name + "'";
        if (reply == null || reply.isEmpty()) {
            fail("restore for stream " + who + " requires reply subject for each chunk", null);
            return;
        }
        if (payload == null || payload.length == 0) {
            finishUpload();
            // Decoding and opening the stream read files: off the publisher's (network) thread.
            Thread t = new Thread(() -> complete(reply), "jetstream-restore");
            t.setDaemon(true);
            t.start();
            return;
        }
        lastActivity = System.nanoTime();
        total += payload.length;
        long maxStore = js.options().maxStore();
        if (maxStore > 0 && js.stats().storage() + total > maxStore) {
            js.log().error("JetStream resource limits exceeded for server");
            finishUpload();
            answerFailure(reply, ApiError.INSUFFICIENT_RESOURCES, "insufficient resources");
            return;
        }
        try {
            out.write(payload);
        } catch (IOException e) {
            finishUpload();
            js.transport().publish(account.name, reply, null, null,
                    "-ERR 'storage failure during restore'".getBytes(StandardCharsets.UTF_8));
            answerFailure(null, ApiError.streamRestore(String.valueOf(e.getMessage())), e.getMessage());
            return;
        }
        js.transport().publish(account.name, reply, null, null, new byte[0]);
    }

    /** Stops receiving: unsubscribes, stops the stall check, closes the upload file. */
    private void finishUpload() {
        done = true;
        if (sub != null) {
            sub.unsubscribe();
        }
        if (stallCheck != null) {
            stallCheck.cancel(false);
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the upload is read back or deleted next
        }
    }

    private synchronized void checkStalled() {
        if (!done && System.nanoTime() - lastActivity > STALL_NANOS) {
            js.log().warn("restore for stream '" + account.name + " > " + config.name + "' is stalled");
            finishUpload();
            cleanup();
        }
    }

    private void fail(String warning, String reply) {
        js.log().warn(warning);
        finishUpload();
        answerFailure(reply, ApiError.streamRestore(warning), warning);
    }

    /** The complete advisory, the warning and the error answer (to {@code reply} when there is one). */
    private void answerFailure(String reply, ApiError error, String why) {
        Instant end = Instant.now();
        completeAdvisory(end);
        js.log().warn("Restore failed for " + StreamSnapshot.friendlyBytes(total) + " for stream '" + config.name
                + " > " + account.name + "' in " + GoFormat.duration(java.time.Duration.between(start, end)));
        if (reply != null && !reply.isEmpty()) {
            Map<String, Object> m = JetStreamApi.response("stream_create_response");
            m.put("error", error.toJson());
            js.transport().publish(account.name, reply, null, null, JsonOut.write(m).getBytes(StandardCharsets.UTF_8));
        }
        cleanup();
    }

    private void completeAdvisory(Instant end) {
        js.advisory(account.name, "STREAM.RESTORE_COMPLETE." + config.name, "restore_complete", "stream", config.name,
                "start", GoFormat.rfc3339NanoOrZero(start), "end", GoFormat.rfc3339NanoOrZero(end), "bytes", total,
                "client", client);
    }

    private void cleanup() {
        try {
            Files.deleteIfExists(upload);
        } catch (IOException e) {
            js.log().warn("JetStream restore: could not delete " + upload + ": " + e.getMessage());
        }
    }

    /** The upload is complete: extract, check, move into place, open the stream with its consumers, answer. */
    private void complete(String reply) {
        Path dir = staging.resolve("snap-" + js.nuid());
        Stream opened;
        try {
            SnapshotArchive.extract(upload, dir);
            opened = install(dir);
        } catch (IOException | RuntimeException e) {
            js.deleteTree(dir);
            synchronized (this) {
                answerFailure(reply, ApiError.streamRestore(String.valueOf(e.getMessage())), e.getMessage());
            }
            return;
        }
        cleanup();
        js.advisory(account.name, "STREAM.CREATED." + config.name, "stream_action", "stream", config.name,
                "action", "create");
        List<io.natsboot.server.jetstream.Consumer> consumers;
        synchronized (opened) {
            consumers = new ArrayList<>(opened.consumers.values());
        }
        for (io.natsboot.server.jetstream.Consumer c : consumers) {
            js.advisory(account.name, "CONSUMER.CREATED." + config.name + "." + c.name, "consumer_action",
                    "stream", config.name, "consumer", c.name, "action", "create");
        }
        Instant end = Instant.now();
        completeAdvisory(end);
        js.log().info("Completed restore of " + StreamSnapshot.friendlyBytes(total) + " for stream '" + config.name
                + " > " + account.name + "' in " + GoFormat.duration(java.time.Duration.between(start, end)));
        Map<String, Object> m = JetStreamApi.response("stream_create_response");
        m.put("config", opened.config.toJson());
        m.put("created", GoFormat.rfc3339NanoOrZero(opened.created));
        m.put("state", opened.stateJson(null, false));
        js.transport().publish(account.name, reply, null, null, JsonOut.write(m).getBytes(StandardCharsets.UTF_8));
        js.timer().execute(() -> js.pumpSources(opened));
    }

    /**
     * Checks the extracted snapshot against the request, writes the request's configuration as the stream's
     * identity (keeping the snapshot's created time) and opens it in place of nothing: the name must still be
     * free and the subjects must not overlap another stream's.
     */
    private Stream install(Path dir) throws IOException {
        Path meta = dir.resolve("meta.json");
        if (!Files.exists(meta)) {
            throw new NoSuchFileException("open " + meta + ": no such file or directory");
        }
        io.natsboot.server.jetstream.store.StoreCipher cipher = StreamKeys.forStream(dir, js.options().keyCipher());
        JsonIn j;
        StreamConfig archived;
        try {
            j = JsonIn.parse(StreamKeys.read(meta, cipher));
            archived = StreamConfig.parse(j.obj("config"));
        } catch (JsonIn.InvalidJson e) {
            throw new IOException("invalid stream metadata in snapshot: " + e.getMessage());
        }
        if (!archived.name.equals(config.name)) {
            throw new IOException("stream names do not match");
        }
        boolean inMemory = config.storage == StreamConfig.Storage.MEMORY;
        if (!inMemory) { // a memory restore leaves the archived files as they are (see JetStream.openRestoredInMemory)
            Map<String, Object> mm = JsonOut.obj();
            mm.put("config", config.toJson());
            mm.put("created", j.str("created"));
            StreamKeys.write(meta, JsonOut.write(mm).getBytes(StandardCharsets.UTF_8), cipher);
        }
        Path target = js.streamDir(account, config.name);
        synchronized (account) {
            if (account.streams.containsKey(config.name)) {
                throw new IOException("stream name already in use");
            }
            for (Stream other : account.streams.values()) {
                for (String x : other.config.subjects) {
                    for (String y : config.subjects) {
                        if (SubjectOverlap.collide(x, y)) {
                            throw new IOException("subjects overlap with an existing stream");
                        }
                    }
                }
            }
            if (Files.exists(target)) {
                js.deleteTree(target);
            }
            Files.createDirectories(target.getParent());
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            return inMemory ? js.openRestoredInMemory(account, target, config, java.time.Instant.parse(j.str("created")))
                    : js.openStream(account, target);
        }
    }
}
