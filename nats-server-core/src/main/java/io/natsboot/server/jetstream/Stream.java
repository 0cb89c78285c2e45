package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.jetstream.store.FileStore;
import io.natsboot.server.jetstream.store.MemoryStore;
import io.natsboot.server.jetstream.store.MessageStore;
import io.natsboot.server.jetstream.store.StoreException;
import io.natsboot.server.jetstream.store.StoreLimits;
import io.natsboot.server.jetstream.store.StoreState;
import io.natsboot.server.jetstream.store.StoredMessage;
import io.natsboot.server.subject.Subjects;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stream: its configuration, its store, the publish path (duplicate window, expected-* headers, rollups,
 * limits, pub acks, republish) and its consumers. Everything that changes the stream runs under its monitor.
 */
public final class Stream {
    static final String MSG_ID = "Nats-Msg-Id";
    static final String EXPECTED_STREAM = "Nats-Expected-Stream";
    static final String EXPECTED_LAST_SEQ = "Nats-Expected-Last-Sequence";
    static final String EXPECTED_LAST_SUBJ_SEQ = "Nats-Expected-Last-Subject-Sequence";
    static final String EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id";
    static final String ROLLUP = "Nats-Rollup";

    final JsAccount account;
    private final JetStream js;
    volatile StreamConfig config;
    final Instant created;
    final MessageStore store;
    private final Path dir;
    /** The stream's data cipher when the server encrypts at rest (see StreamKeys); null: plain files. */
    private io.natsboot.server.jetstream.store.StoreCipher cipher;
    private final LinkedHashMap<String, long[]> dedupe = new LinkedHashMap<>();
    private String lastMsgId = "";
    /** The duplicate window and last message id were read back from the store (after the first publish). */
    private boolean dedupeLoaded;
    final TreeMap<String, Consumer> consumers = new TreeMap<>();
    private final List<JetStreamTransport.Subscription> subscriptions = new ArrayList<>();
    /** Mirror or source state: origin stream name -> next origin sequence to copy. */
    private final Map<String, long[]> sourceNext = new LinkedHashMap<>();
    private boolean closed;
    /** Mirror and sources reached through an API prefix, and the configuration they were started for. */
    private final List<ExternalSource> externals = new ArrayList<>();
    private String externalsStartedFor = "";
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> removedByStore =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    Stream(JetStream js, JsAccount account, StreamConfig config, Instant created, Path dir) throws IOException {
        this.js = js;
        this.account = account;
        this.config = config;
        this.created = created;
        this.dir = dir;
        StoreLimits limits = limitsOf(config);
        if (config.storage == StreamConfig.Storage.MEMORY || dir == null) {
            this.store = new MemoryStore(limits);
        } else {
            Files.createDirectories(dir);
            this.cipher = StreamKeys.forStream(dir, js.options().keyCipher());
            this.store = new FileStore(dir.resolve("msgs"), js.options().fileStore(), limits, js.log(), cipher);
        }
        // Called under the store's lock: only queue the sequence; consumers (which lock themselves and then the
        // store) learn about it from drainRemoved(), outside any lock, so the lock order stays consumer -> store.
        store.setRemovalListener((seq, subject) -> removedByStore.add(seq));
        // The duplicate window is rebuilt on the first publish (rebuildDedupe), as nats-server 2.9 does: at start
        // it would read every message stored within the window, all of a stream filled a minute ago.
    }

    /**
     * A stream opened on stored messages (start-up, restore) knows the {@code Nats-Msg-Id}s of the messages still
     * inside the duplicate window again, and the last message's id, as nats-server rebuilds them. Reads back from
     * the last message only as far as the window reaches.
     */
    private void rebuildDedupe() {
        dedupeLoaded = true;
        StoreState st = store.state();
        if (st.msgs() == 0 || config.duplicates <= 0) {
            return;
        }
        long cutoff = GoFormat.epochNanos(Instant.now()) - config.duplicates;
        java.util.ArrayDeque<StoredMessage> inWindow = new java.util.ArrayDeque<>();
        for (long seq = st.lastSeq(); seq >= st.firstSeq() && seq > 0; seq--) {
            StoredMessage m = store.load(seq);
            if (m == null) {
                continue;
            }
            if (seq == st.lastSeq()) {
                String id = m.headers() == null || m.headers().length == 0 ? null : NatsHeaders.get(m.headers(), MSG_ID);
                lastMsgId = id == null ? "" : id;
            }
            if (m.timestamp() < cutoff) {
                break;
            }
            inWindow.addFirst(m);
        }
        for (StoredMessage m : inWindow) {
            String id = m.headers() == null || m.headers().length == 0 ? null : NatsHeaders.get(m.headers(), MSG_ID);
            if (id != null && !id.isEmpty()) {
                dedupe.put(id, new long[] {m.seq(), m.timestamp()});
            }
        }
    }

    static StoreLimits limitsOf(StreamConfig c) {
        return new StoreLimits(c.maxMsgs, c.maxBytes, c.maxAge, c.maxMsgsPerSubject, (int) c.maxMsgSize,
                c.discardNew, c.discardNewPerSubject);
    }

    String name() {
        return config.name;
    }

    // ---- persistence of the configuration -------------------------------------------------------------

    void writeMeta() throws IOException {
        if (dir == null || config.storage == StreamConfig.Storage.MEMORY) {
            return;
        }
        Map<String, Object> m = JsonOut.obj();
        m.put("config", config.toJson());
        m.put("created", GoFormat.rfc3339NanoOrZero(created));
        StreamKeys.write(dir.resolve("meta.json"), JsonOut.write(m).getBytes(StandardCharsets.UTF_8), cipher);
    }

    Path dir() {
        return dir;
    }

    io.natsboot.server.jetstream.store.StoreCipher cipher() {
        return cipher;
    }

    // ---- subscriptions ---------------------------------------------------------------------------------

    synchronized void subscribe() {
        for (JetStreamTransport.Subscription s : subscriptions) {
            s.unsubscribe();
        }
        subscriptions.clear();
        for (String subject : config.subjects) {
            subscriptions.add(js.transport().subscribe(account.name, subject, this::onPublish));
        }
    }

    // ---- publish path ----------------------------------------------------------------------------------

    private void onPublish(String subject, String reply, byte[] hdr, byte[] payload) {
        byte[] ack;
        StoredMessage stored;
        boolean answer = reply != null && !reply.isEmpty() && !config.noAck;
        // Inside a client's read, a file stream keeps the records in memory and writes them with one system
        // call when the read is done, then sends their PubAcks (HeldAcks): never a PubAck before its write.
        io.natsboot.server.connection.ReadBatch batch =
                store instanceof FileStore ? io.natsboot.server.connection.ReadBatch.current() : null;
        HeldAcks hold = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (batch != null) {
                if (held == null) {
                    held = new HeldAcks(batch);
                    batch.beforeFlush(held);
                }
                if (held.batch == batch) {
                    hold = held;
                }
            }
            Result r;
            if (hold != null) {
                FileStore fs = (FileStore) store;
                fs.holdWrites();
                try {
                    r = process(subject, hdr, payload);
                } finally {
                    fs.releaseWrites();
                }
            } else {
                r = process(subject, hdr, payload);
            }
            if (r == null) {
                return;
            }
            ack = r.ack;
            stored = r.stored;
            if (hold != null && answer) {
                hold.add(reply, ack, stored != null);
            }
        }
        if (answer && hold == null) {
            js.transport().publishReply(account.name, reply, null, ack);
        }
        if (stored != null) {
            afterStore(stored);
        }
    }

    /** The file stream's held writes and PubAcks of one client read (one at a time; see onPublish). */
    private HeldAcks held;

    /** PubAcks held until the records they acknowledge are written; run when the client's read is done. */
    private final class HeldAcks implements Runnable {
        final io.natsboot.server.connection.ReadBatch batch;
        final ArrayList<String> replies = new ArrayList<>();
        final ArrayList<byte[]> acks = new ArrayList<>();
        /** Per PubAck: whether it acknowledges a stored (held) record; false for an error or a duplicate. */
        final java.util.BitSet storing = new java.util.BitSet();

        HeldAcks(io.natsboot.server.connection.ReadBatch batch) {
            this.batch = batch;
        }

        void add(String reply, byte[] ack, boolean stores) {
            storing.set(acks.size(), stores);
            replies.add(reply);
            acks.add(ack);
        }

        @Override
        public void run() {
            synchronized (Stream.this) {
                if (held == this) {
                    held = null;
                }
            }
            byte[] failed = null;
            try {
                ((FileStore) store).flushWrites();
            } catch (StoreException | RuntimeException e) {
                js.log().error("JetStream stream '" + account.name + " > " + config.name + "': " + e.getMessage());
                failed = errorAck(ApiError.streamStoreFailed(e.getMessage()));
            }
            for (int i = 0, n = acks.size(); i < n; i++) {
                js.transport().publishReply(account.name, replies.get(i), null,
                        failed != null && storing.get(i) ? failed : acks.get(i));
            }
        }
    }

    private record Result(byte[] ack, StoredMessage stored) {
    }

    private byte[] errorAck(ApiError e) {
        Map<String, Object> m = JsonOut.obj();
        m.put("error", e.toJson());
        m.put("stream", config.name);
        m.put("seq", 0);
        return JsonOut.write(m).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] okAck(long seq, boolean duplicate) {
        StringBuilder b = new StringBuilder("{\"stream\":");
        io.natsboot.server.protocol.Json.quote(b, config.name);
        if (!js.options().domain().isEmpty()) {
            b.append(", \"domain\":");
            io.natsboot.server.protocol.Json.quote(b, js.options().domain());
        }
        b.append(", \"seq\":").append(seq);
        if (duplicate) {
            b.append(",\"duplicate\": true");
        }
        b.append('}');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Stores one published message; null when nothing is to be answered. */
    private Result process(String subject, byte[] hdr, byte[] payload) {
        if (!dedupeLoaded) {
            rebuildDedupe();
        }
        StreamConfig cfg = config;
        if (cfg.sealed) {
            return new Result(errorAck(ApiError.STREAM_SEALED), null);
        }
        String msgId = null;
        String rollup = null;
        if (hdr != null && hdr.length > 0) {
            msgId = NatsHeaders.get(hdr, MSG_ID);
            if (msgId != null && !msgId.isEmpty()) {
                pruneDedupe();
                long[] dup = dedupe.get(msgId);
                if (dup != null) {
                    return new Result(okAck(dup[0], true), null);
                }
            }
            String es = NatsHeaders.get(hdr, EXPECTED_STREAM);
            if (es != null && !es.isEmpty() && !es.equals(cfg.name)) {
                return new Result(errorAck(ApiError.STREAM_NOT_MATCH), null);
            }
            String els = NatsHeaders.get(hdr, EXPECTED_LAST_SEQ);
            if (els != null) {
                long last = store.state().lastSeq();
                if (parseSeq(els) != last) {
                    return new Result(errorAck(ApiError.streamWrongLastSequence(last)), null);
                }
            }
            String elid = NatsHeaders.get(hdr, EXPECTED_LAST_MSG_ID);
            if (elid != null && !elid.isEmpty() && !elid.equals(lastMsgId)) {
                return new Result(errorAck(ApiError.streamWrongLastMsgId(lastMsgId)), null);
            }
            String elss = NatsHeaders.get(hdr, EXPECTED_LAST_SUBJ_SEQ);
            if (elss != null) {
                StoredMessage last = store.loadLast(subject);
                long lseq = last == null ? 0 : last.seq();
                if (parseSeq(elss) != lseq) {
                    return new Result(errorAck(ApiError.streamWrongLastSequence(lseq)), null);
                }
            }
            rollup = NatsHeaders.get(hdr, ROLLUP);
            if (rollup != null && !rollup.isEmpty()) {
                if (!cfg.allowRollup || cfg.denyPurge) {
                    return new Result(errorAck(ApiError.streamRollupFailed("rollup not permitted")), null);
                }
                if (!rollup.equals("sub") && !rollup.equals("all")) {
                    // nats-server 2.9.10 drops such a message without an answer.
                    js.log().warn("JetStream stream '" + account.name + " > " + cfg.name + "': rollup value invalid: \""
                            + rollup + "\"");
                    return null;
                }
            } else {
                rollup = null;
            }
        }
        int hdrLen = hdr == null ? 0 : hdr.length;
        if (cfg.maxMsgSize >= 0 && hdrLen + payload.length > cfg.maxMsgSize) {
            return new Result(errorAck(ApiError.STREAM_MESSAGE_EXCEEDS_MAXIMUM), null);
        }
        if (hdrLen > 65535) {
            return new Result(errorAck(ApiError.STREAM_HEADER_EXCEEDS_MAXIMUM), null);
        }
        if (js.serverLimitExceeded(cfg.storage)) {
            return new Result(errorAck(ApiError.INSUFFICIENT_RESOURCES), null);
        }
        StoredMessage m;
        try {
            m = store.append(subject, hdr, payload, 0);
        } catch (StoreException e) {
            return new Result(errorAck(ApiError.streamStoreFailed(e.getMessage())), null);
        }
        if (AccountLimitCheck.exceededAfterStore(js, account, cfg)) {
            // nats-server stores first and takes the message back out: its sequence stays used.
            store.remove(m.seq());
            js.log().warn("JetStream resource limits exceeded for account: " + GoFormat.quote(account.name));
            return new Result(errorAck(ApiError.ACCOUNT_RESOURCES_EXCEEDED), null);
        }
        if (msgId != null && !msgId.isEmpty()) {
            dedupe.put(msgId, new long[] {m.seq(), m.timestamp()});
        }
        // nats-server tracks the id of the last stored message, empty when it had none.
        lastMsgId = msgId == null ? "" : msgId;
        if ("sub".equals(rollup)) {
            store.purge(subject, m.seq(), 0);
        } else if ("all".equals(rollup)) {
            store.purge("", m.seq(), 0);
        }
        return new Result(okAck(m.seq(), false), m);
    }

    private static long parseSeq(String s) {
        try {
            return Long.parseUnsignedLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void pruneDedupe() {
        long cutoff = GoFormat.epochNanos(Instant.now()) - config.duplicates;
        Iterator<long[]> it = dedupe.values().iterator();
        while (it.hasNext()) {
            if (it.next()[1] < cutoff) {
                it.remove();
            } else {
                break;
            }
        }
    }

    /** Tells consumers about messages the store removed by its limits (outside every lock). */
    void drainRemoved() {
        if (removedByStore.isEmpty()) {
            return;
        }
        List<Consumer> cs;
        synchronized (this) {
            cs = new ArrayList<>(consumers.values());
        }
        Long seq;
        while ((seq = removedByStore.poll()) != null) {
            for (Consumer c : cs) {
                c.streamRemoved(seq);
            }
        }
    }

    /** After a message is stored (outside the stream's lock): retention, consumers, republish, mirrors. */
    void afterStore(StoredMessage m) {
        drainRemoved();
        StreamConfig cfg = config;
        if (cfg.retention == StreamConfig.Retention.INTEREST) {
            boolean interest;
            synchronized (this) {
                interest = consumers.values().stream().anyMatch(c -> c.matchesFilter(m.subject()));
            }
            if (!interest) {
                store.remove(m.seq());
                return;
            }
        }
        List<Consumer> cs;
        synchronized (this) {
            cs = new ArrayList<>(consumers.values());
        }
        for (Consumer c : cs) {
            c.signal();
        }
        if (cfg.republish != null && Subjects.matches(cfg.republish.source, m.subject())) {
            republish(cfg.republish, m);
        }
        js.streamStored(this, m);
    }

    private void republish(StreamConfig.RePublish rp, StoredMessage m) {
        String dest = SubjectTransform.apply(rp.source, rp.destination, m.subject());
        StoreState st = store.state();
        List<String> kv = NatsHeaders.kv("Nats-Stream", config.name, "Nats-Subject", m.subject(),
                "Nats-Sequence", Long.toString(m.seq()), "Nats-Last-Sequence", Long.toString(lastSeqBefore(m, st)));
        byte[] payload = m.data();
        if (rp.headersOnly) {
            kv.add("Nats-Msg-Size");
            kv.add(Integer.toString(m.data().length));
            payload = new byte[0];
        }
        js.transport().publish(account.name, dest, null, NatsHeaders.append(m.headers(), kv), payload);
    }

    private long lastSeqBefore(StoredMessage m, StoreState st) {
        StoredMessage prev = null;
        for (long s = m.seq() - 1; s >= Math.max(1, st.firstSeq()) && prev == null; s--) {
            StoredMessage c = store.load(s);
            if (c != null && c.subject().equals(m.subject())) {
                prev = c;
            }
            if (m.seq() - s > 1024) {
                break;
            }
        }
        return prev == null ? 0 : prev.seq();
    }

    // ---- mirrors and sources (local) ---------------------------------------------------------------------

    /** Copies what is new in {@code origin} into this stream (a mirror keeps sequences, a source does not). */
    void pullFrom(Stream origin) {
        StreamConfig cfg = config;
        StreamConfig.Source src = null;
        if (cfg.mirror != null && cfg.mirror.name.equals(origin.name()) && cfg.mirror.external == null) {
            src = cfg.mirror;
        } else {
            for (StreamConfig.Source s : cfg.sources) {
                if (s.name.equals(origin.name()) && s.external == null) {
                    src = s;
                }
            }
        }
        if (src == null) {
            return;
        }
        List<StoredMessage> copied = new ArrayList<>();
        synchronized (this) {
            long[] next = sourceNext.computeIfAbsent(origin.name(), k -> new long[] {0});
            if (next[0] == 0) {
                next[0] = startSeq(src, origin);
            }
            String filter = src.filterSubject.isEmpty() ? null : src.filterSubject;
            lastSourceActivity = System.nanoTime();
            while (true) {
                StoredMessage om = origin.store.loadNext(filter, next[0]);
                if (om == null) {
                    break;
                }
                next[0] = om.seq() + 1;
                try {
                    if (src == cfg.mirror) {
                        long last = store.state().lastSeq();
                        copied.add(om.seq() > last
                                ? store.appendAt(om.seq(), om.subject(), om.headers(), om.data(), om.timestamp())
                                : null);
                    } else {
                        byte[] h = NatsHeaders.append(om.headers(), NatsHeaders.kv("Nats-Stream-Source",
                                origin.name() + " " + om.seq()));
                        copied.add(store.append(om.subject(), h, om.data(), 0));
                    }
                } catch (StoreException e) {
                    js.log().warn("JetStream stream '" + account.name + " > " + cfg.name + "': copy from '"
                            + origin.name() + "' failed: " + e.getMessage());
                }
            }
        }
        for (StoredMessage m : copied) {
            if (m != null) {
                afterStore(m);
            }
        }
    }

    private long startSeq(StreamConfig.Source src, Stream origin) {
        if (src.optStartSeq > 0) {
            return src.optStartSeq;
        }
        if (src.optStartTime != null) {
            long t = GoFormat.epochNanos(src.optStartTime);
            for (StoredMessage m = origin.store.loadNext(null, 0); m != null; m = origin.store.loadNext(null, m.seq() + 1)) {
                if (m.timestamp() >= t) {
                    return m.seq();
                }
            }
            return origin.store.state().lastSeq() + 1;
        }
        return 1;
    }

    // ---- mirrors and sources through an API prefix (ExternalSource) --------------------------------------

    /** Starts the external mirror/sources of the configuration (again, when it changed them); stops the others. */
    void syncExternalSources() {
        List<ExternalSource> stop;
        List<ExternalSource> start = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            StreamConfig c = config;
            StringBuilder sig = new StringBuilder();
            if (c.mirror != null && c.mirror.external != null) {
                sig.append("m:").append(JsonOut.write(c.mirror.toJson()));
            }
            for (StreamConfig.Source src : c.sources) {
                if (src.external != null) {
                    sig.append("s:").append(JsonOut.write(src.toJson()));
                }
            }
            if (sig.toString().equals(externalsStartedFor)) {
                return;
            }
            externalsStartedFor = sig.toString();
            stop = new ArrayList<>(externals);
            externals.clear();
            if (c.mirror != null && c.mirror.external != null) {
                start.add(new ExternalSource(this, js, c.mirror, true));
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (StreamConfig.Source src : c.sources) {
                if (src.external != null) {
                    ExternalSource e = new ExternalSource(this, js, src, false);
                    // one per index name (origin and API prefix), the first listed, as nats-server keys them
                    if (names.add(e.indexName)) {
                        start.add(e);
                    }
                }
            }
            externals.addAll(start);
        }
        stop.forEach(ExternalSource::stop);
        for (ExternalSource e : start) {
            e.start(resumeSequence(e));
        }
    }

    /** Where an external mirror/source goes on: after the last copied origin sequence, 0 when nothing was copied. */
    private long resumeSequence(ExternalSource e) {
        if (e.mirror) {
            long last = store.state().lastSeq();
            return last == 0 ? 0 : last + 1;
        }
        // a source: the newest message that came from it says how far it got (nats-server scans the same way)
        String prefix = e.indexName + " ";
        StoreState st = store.state();
        for (long seq = st.lastSeq(); seq >= Math.max(1, st.firstSeq()); seq--) {
            StoredMessage m = store.load(seq);
            if (m == null || m.headers() == null) {
                continue;
            }
            String v = NatsHeaders.get(m.headers(), "Nats-Stream-Source");
            if (v != null && v.startsWith(prefix)) {
                try {
                    return Long.parseLong(v.substring(prefix.length()).trim()) + 1;
                } catch (NumberFormatException ex) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Stores a message an external mirror/source received (null: not stored); afterStore is the caller's. */
    StoredMessage storeFromOrigin(ExternalSource from, String subject, byte[] hdr, byte[] data, long originSeq,
            long timestamp) {
        synchronized (this) {
            if (closed) {
                return null;
            }
            try {
                if (from.mirror) {
                    if (originSeq <= store.state().lastSeq()) {
                        return null;
                    }
                    return store.appendAt(originSeq, subject, hdr, data, timestamp);
                }
                byte[] h = NatsHeaders.append(hdr, NatsHeaders.kv("Nats-Stream-Source",
                        from.indexName + " " + originSeq));
                return store.append(subject, h, data, 0);
            } catch (StoreException e) {
                js.log().warn("JetStream stream '" + account.name + " > " + config.name + "': copy from '"
                        + from.source.name + "' failed: " + e.getMessage());
                return null;
            }
        }
    }

    private ExternalSource external(StreamConfig.Source src) {
        synchronized (this) {
            for (ExternalSource e : externals) {
                if (e.source == src) {
                    return e;
                }
            }
            String api = src.external.get("api") instanceof String a ? a : "";
            String indexName = src.name + ":" + ExternalSource.hash(api);
            for (ExternalSource e : externals) {
                if (e.indexName.equals(indexName)) {
                    return e;
                }
            }
        }
        return null;
    }

    // ---- info -----------------------------------------------------------------------------------------

    Map<String, Object> stateJson(String subjectsFilter, boolean deletedDetails) {
        StoreState s = store.state();
        Map<String, Object> m = JsonOut.obj();
        m.put("messages", s.msgs());
        m.put("bytes", s.bytes());
        m.put("first_seq", s.msgs() == 0 && s.lastSeq() == 0 ? 0 : s.firstSeq());
        m.put("first_ts", GoFormat.rfc3339NanoOfEpochNanos(s.firstTimestamp()));
        m.put("last_seq", s.lastSeq());
        m.put("last_ts", GoFormat.rfc3339NanoOfEpochNanos(s.lastTimestamp()));
        if (s.numSubjects() > 0) {
            m.put("num_subjects", s.numSubjects());
        }
        if (subjectsFilter != null && !subjectsFilter.isEmpty()) {
            Map<String, Long> counts = store.subjectCounts(subjectsFilter);
            if (!counts.isEmpty()) {
                m.put("subjects", new LinkedHashMap<String, Object>(counts));
            }
        }
        if (s.numDeleted() > 0) {
            if (deletedDetails) {
                List<Long> d = new ArrayList<>();
                for (long x : store.deletedSeqs()) {
                    d.add(x);
                }
                m.put("deleted", d);
            }
            m.put("num_deleted", s.numDeleted());
        }
        synchronized (this) {
            m.put("consumer_count", consumers.values().stream().filter(c -> !c.config.direct).count());
        }
        return m;
    }

    Map<String, Object> infoJson(String subjectsFilter, boolean deletedDetails) {
        return infoJson(subjectsFilter, deletedDetails, false);
    }

    /** Stream info; {@code withSources} adds mirror and sources progress (INFO and LIST do, CREATE does not). */
    Map<String, Object> infoJson(String subjectsFilter, boolean deletedDetails, boolean withSources) {
        return infoJson(subjectsFilter, deletedDetails, withSources, false);
    }

    /**
     * Stream info; {@code withDomain}: the JetStream domain after the state, as nats-server's StreamInfo has it in
     * INFO, LIST and UPDATE answers (not in CREATE, not in /jsz).
     */
    Map<String, Object> infoJson(String subjectsFilter, boolean deletedDetails, boolean withSources,
            boolean withDomain) {
        Map<String, Object> m = JsonOut.obj();
        m.put("config", config.toJson());
        m.put("created", GoFormat.rfc3339NanoOrZero(created));
        m.put("state", stateJson(subjectsFilter, deletedDetails));
        if (withDomain && !js.options().domain().isEmpty()) {
            m.put("domain", js.options().domain());
        }
        if (withSources) {
            StreamConfig c = config;
            if (c.mirror != null) {
                ExternalSource e = c.mirror.external == null ? null : external(c.mirror);
                m.put("mirror", e != null ? e.info() : sourceInfo(c.mirror.name));
            }
            if (!c.sources.isEmpty()) {
                List<Object> l = new ArrayList<>();
                java.util.Set<ExternalSource> shown = new java.util.HashSet<>();
                for (StreamConfig.Source s : c.sources) {
                    ExternalSource e = s.external == null ? null : external(s);
                    if (e != null && !shown.add(e)) {
                        continue; // a second source of the same origin and API prefix is the same copy
                    }
                    l.add(e != null ? e.info() : sourceInfo(s.name));
                }
                m.put("sources", l);
            }
        }
        return m;
    }

    private Map<String, Object> sourceInfo(String origin) {
        Map<String, Object> m = JsonOut.obj();
        m.put("name", origin);
        Stream o = account.stream(origin);
        long[] next;
        synchronized (this) {
            next = sourceNext.get(origin);
        }
        long lag = 0;
        if (o != null && next != null) {
            lag = Math.max(0, o.store.state().lastSeq() - (next[0] - 1));
        }
        m.put("lag", lag);
        if (o == null) {
            m.put("active", -1);
            m.put("error", ApiError.STREAM_NOT_FOUND.toJson());
        } else {
            m.put("active", Math.max(0, System.nanoTime() - lastSourceActivity));
        }
        return m;
    }

    private volatile long lastSourceActivity = System.nanoTime();

    /** Internal consumers nats-server would run on other streams of the account for this mirror and sources. */
    int internalConsumers() {
        StreamConfig c = config;
        int n = 0;
        if (c.mirror != null && c.mirror.external == null && account.stream(c.mirror.name) != null) {
            n++;
        }
        for (StreamConfig.Source s : c.sources) {
            if (s.external == null && account.stream(s.name) != null) {
                n++;
            }
        }
        return n;
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    synchronized void update(StreamConfig cfg) throws IOException {
        this.config = cfg;
        store.setLimits(limitsOf(cfg));
        writeMeta();
        subscribe();
    }

    void stop(boolean delete) {
        List<Consumer> cs;
        List<ExternalSource> ext;
        synchronized (this) {
            closed = true;
            ext = new ArrayList<>(externals);
            externals.clear();
            for (JetStreamTransport.Subscription s : subscriptions) {
                s.unsubscribe();
            }
            subscriptions.clear();
            cs = new ArrayList<>(consumers.values());
        }
        ext.forEach(ExternalSource::stop);
        for (Consumer c : cs) {
            c.stop(delete);
        }
        if (delete) {
            store.destroy();
            if (dir != null) {
                js.deleteTree(dir);
            }
        } else {
            store.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Called by a consumer when it acknowledged a message: work queue and interest retention remove it. */
    void acknowledged(Consumer by, long seq) {
        StreamConfig cfg = config;
        if (cfg.retention == StreamConfig.Retention.WORKQUEUE) {
            store.remove(seq);
        } else if (cfg.retention == StreamConfig.Retention.INTEREST) {
            StoredMessage m = store.load(seq);
            if (m == null) {
                return;
            }
            List<Consumer> cs;
            synchronized (this) {
                cs = new ArrayList<>(consumers.values());
            }
            for (Consumer c : cs) {
                if (c.matchesFilter(m.subject()) && !c.hasAcked(seq)) {
                    return;
                }
            }
            store.remove(seq);
        }
    }

    /** Interest retention after a consumer went away: messages no remaining consumer waits for are removed. */
    void recheckInterest() {
        if (config.retention != StreamConfig.Retention.INTEREST) {
            return;
        }
        List<Consumer> cs;
        synchronized (this) {
            cs = new ArrayList<>(consumers.values());
        }
        for (StoredMessage m = store.loadNext(null, 0); m != null; m = store.loadNext(null, m.seq() + 1)) {
            boolean wanted = false;
            for (Consumer c : cs) {
                if (c.matchesFilter(m.subject()) && !c.hasAcked(m.seq())) {
                    wanted = true;
                    break;
                }
            }
            if (!wanted) {
                store.remove(m.seq());
            }
        }
    }

    JetStream js() {
        return js;
    }
}
