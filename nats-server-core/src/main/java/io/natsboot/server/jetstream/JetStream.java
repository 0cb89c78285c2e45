package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.jetstream.store.FileStoreOptions;
import io.natsboot.server.jetstream.store.StoredMessage;
import io.natsboot.server.log.ServerLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * JetStream on one server: accounts, their streams and consumers, the API handler and the timers (max age,
 * consumer state flush, inactive ephemerals). It reaches clients only through {@link JetStreamTransport}.
 *
 * <p>On disk (file streams): {@code <store_dir>/jetstream/<account>/streams/<stream>/meta.json} (config,
 * created), {@code .../msgs/} (the file store) and {@code .../obs/<consumer>/{meta.json,state.json}}.
 */
public final class JetStream implements AutoCloseable {

    /** Server-wide settings: {@code storeDir} is the directory that holds {@code jetstream/} (nats' -sd). */
    public record Options(Path storeDir, long maxMemory, long maxStore, String domain, FileStoreOptions fileStore,
            io.natsboot.server.jetstream.store.StoreCipher keyCipher) {
        public Options {
            domain = domain == null ? "" : domain;
            fileStore = fileStore == null ? FileStoreOptions.DEFAULTS : fileStore;
        }

        /** Without encryption at rest. */
        public Options(Path storeDir, long maxMemory, long maxStore, String domain, FileStoreOptions fileStore) {
            this(storeDir, maxMemory, maxStore, domain, fileStore, null);
        }
    }

    private final Options options;
    private final JetStreamTransport transport;
    private final ServerLog log;
    private final ScheduledExecutorService timer;
    private final Map<String, JsAccount> accounts = new ConcurrentHashMap<>();
    /** Accounts without JetStream: their API subscription answering "not enabled". */
    private final Map<String, JetStreamTransport.Subscription> disabled = new ConcurrentHashMap<>();
    private final JetStreamApi api;

    public JetStream(Options options, JetStreamTransport transport, ServerLog log) {
        this.options = options;
        this.transport = transport;
        this.log = log;
        this.timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "jetstream-timer");
            t.setDaemon(true);
            return t;
        });
        this.api = new JetStreamApi(this);
        timer.scheduleWithFixedDelay(this::housekeeping, 1, 1, TimeUnit.SECONDS);
    }

    Options options() {
        return options;
    }

    private volatile String serverName = "";

    /** The server's name (advisories' {@code server}, /jsz's stream leader); set by the server at start. */
    public void serverName(String name) {
        this.serverName = name == null ? "" : name;
    }

    String serverName() {
        return serverName;
    }

    ServerLog log() {
        return log;
    }

    JetStreamTransport transport() {
        return transport;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    public JetStreamApi api() {
        return api;
    }

    /** Enables JetStream in an account without limits. */
    public void enableAccount(String account) throws IOException {
        enableAccount(account, AccountLimits.UNLIMITED);
    }

    /**
     * Enables JetStream in an account with {@code limits}: recovers its streams from disk and subscribes the API.
     * For an account that has it already, only the limits are replaced (an account JWT update).
     */
    public void enableAccount(String account, AccountLimits limits) throws IOException {
        enableAccount(account, limits, Map.of());
    }

    /**
     * Enables JetStream with tiered limits ({@code tiers} by name, e.g. {@code R1}; when not empty they apply and
     * {@code limits} are reported as zero, as nats-server does), or replaces an enabled account's limits.
     */
    public void enableAccount(String account, AccountLimits limits, Map<String, AccountLimits> tiers)
            throws IOException {
        JsAccount current = accounts.get(account);
        if (current != null && current.recovered && options.domain().isEmpty() && current.tiers.equals(tiers)
                && current.limits.equals(tiers.isEmpty() ? limits : AccountLimits.ZERO)) {
            return; // nothing changes (a login after the first-login recovery): no wait for the lock
        }
        enableAccountLocked(account, limits, tiers);
    }

    private synchronized void enableAccountLocked(String account, AccountLimits limits, Map<String, AccountLimits> tiers)
            throws IOException {
        JsAccount existing = accounts.get(account);
        if (existing != null) {
            existing.tiers = Map.copyOf(tiers);
            existing.limits = tiers.isEmpty() ? limits : AccountLimits.ZERO;
            if (!options.domain().isEmpty()) {
                // a configuration reload replaced the account's mappings: the domain's come back
                transport.addDomainMappings(account, options.domain());
            }
            return;
        }
        JetStreamTransport.Subscription answering = disabled.remove(account);
        if (answering != null) {
            answering.unsubscribe();
        }
        JsAccount a = new JsAccount(account);
        a.tiers = Map.copyOf(tiers);
        a.limits = tiers.isEmpty() ? limits : AccountLimits.ZERO;
        accounts.put(account, a);
        recover(a);
        a.apiSubscription = transport.subscribe(account, "$JS.API.>", (s, r, h, p) -> api.handle(a, s, r, h, p));
        if (!options.domain().isEmpty()) {
            transport.addDomainMappings(account, options.domain());
        }
        a.recovered = true;
    }

    /**
     * An account without JetStream while the server has it: its {@code $JS.API} requests are answered with
     * 503/10039 as nats-server 2.9.10 answers them ({@code system}: the system account, where only INFO is).
     * Nothing happens for an account that has JetStream.
     */
    public void accountWithoutJetStream(String account, boolean system) {
        if (knows(account)) {
            return; // without the lock, which another account's recovery may hold
        }
        accountWithoutJetStreamLocked(account, system);
    }

    private synchronized void accountWithoutJetStreamLocked(String account, boolean system) {
        if (knows(account)) {
            return;
        }
        disabled.put(account, transport.subscribe(account, "$JS.API.>",
                (s, r, h, p) -> api.answerNotEnabled(account, system, s, r, p)));
    }

    /**
     * Turns JetStream off in an account (an account JWT whose limits no longer allow it): its streams stop (their
     * data stays on disk, as nats-server keeps it) and its requests get the not-enabled answer.
     */
    public synchronized void disableAccount(String account) {
        JsAccount a = accounts.remove(account);
        if (a == null) {
            return;
        }
        if (a.apiSubscription != null) {
            a.apiSubscription.unsubscribe();
        }
        for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
            s.stop(false);
        }
        accountWithoutJetStream(account, false);
    }

    /** Whether the account has JetStream here, or answers as an account without it. */
    public boolean knows(String account) {
        return accounts.containsKey(account) || disabled.containsKey(account);
    }

    /** Whether the account has JetStream here. */
    public boolean enabled(String account) {
        return accounts.containsKey(account);
    }

    /** The account's limits, or null when it has no JetStream. */
    public AccountLimits limits(String account) {
        JsAccount a = accounts.get(account);
        return a == null ? null : a.limits;
    }

    List<JsAccount> accountList() {
        return new ArrayList<>(accounts.values());
    }

    /**
     * /jsz's {@code account_details} (see {@link JszDetails}); {@code leader} is this server's name, shown as the
     * leader of every stream.
     */
    public List<Map<String, Object>> jszAccounts(String account, boolean allAccounts, boolean streams,
            boolean consumers, boolean config, int offset, int limit, String leader) {
        return JszDetails.accounts(this, account, allAccounts, streams, consumers, config, offset, limit, leader);
    }

    /** What every stream of one storage kind reserves on this server (their positive max_bytes). */
    long reserved(StreamConfig.Storage storage) {
        long r = 0;
        for (JsAccount a : accounts.values()) {
            for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
                StreamConfig c = s.config;
                StreamConfig.Storage st = c.storage == null ? StreamConfig.Storage.FILE : c.storage;
                if (c.maxBytes > 0 && st == storage) {
                    r += c.maxBytes;
                }
            }
        }
        return r;
    }

    JsAccount account(String name) {
        return accounts.get(name);
    }

    Path streamDir(JsAccount a, String stream) {
        return options.storeDir() == null ? null
                : options.storeDir().resolve("jetstream").resolve(a.name).resolve("streams").resolve(stream);
    }

    /**
     * Where an account's snapshots are staged (hard links of the files being sent) and restores are uploaded and
     * extracted, next to its streams so that links and the final move stay on one file system.
     */
    Path snapshotStaging(JsAccount a) {
        Path base = options.storeDir() == null ? Path.of(System.getProperty("java.io.tmpdir"), "natsboot-js")
                : options.storeDir().resolve("jetstream");
        return base.resolve(a.name).resolve("__snapshots__");
    }

    // ---- recovery -----------------------------------------------------------------------------------

    private void recover(JsAccount a) throws IOException {
        if (options.storeDir() == null) {
            return;
        }
        // Snapshots and restores that were running when the server stopped are gone with it.
        deleteTree(snapshotStaging(a));
        Path streams = options.storeDir().resolve("jetstream").resolve(a.name).resolve("streams");
        if (!Files.isDirectory(streams)) {
            return;
        }
        StreamEncrypter.tidy(this, streams);
        List<Path> dirs;
        try (Stream<Path> l = Files.list(streams)) {
            // stream names have no dots: a dotted directory is an encryption's work copy (StreamEncrypter)
            dirs = l.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().contains(".")).sorted().toList();
        }
        List<io.natsboot.server.jetstream.Stream> recovered = new ArrayList<>();
        for (Path d : dirs) {
            Path meta = d.resolve("meta.json");
            if (!Files.exists(meta)) {
                continue;
            }
            try {
                if (options.keyCipher() != null && !Files.exists(d.resolve(StreamKeys.FILE))) {
                    StreamEncrypter.encrypt(this, a.name, d, options.keyCipher());
                }
                // nats-server 2.9.10's two lines, the count in Go's comma grouping ("Restored 2,000 messages")
                log.info("  Starting restore for stream '" + a.name + " > " + d.getFileName() + "'");
                io.natsboot.server.jetstream.Stream s = openStream(a, d);
                recovered.add(s);
                log.info("  Restored " + String.format(java.util.Locale.ROOT, "%,d", s.store.state().msgs())
                        + " messages for stream '" + a.name + " > " + s.name() + "'");
            } catch (StreamKeys.KeyError e) {
                log.warn("  " + e.getMessage()); // nats-server's text; the stream stays on disk, not loaded
            } catch (RuntimeException | IOException e) {
                log.warn("  Error recovering stream in " + d + ": " + e.getMessage());
            }
        }
        for (io.natsboot.server.jetstream.Stream s : recovered) {
            pumpSources(s);
        }
    }

    /**
     * Opens the stream whose files are in {@code d} ({@code meta.json}, messages, consumers), adds it to the
     * account and subscribes its subjects: start-up recovery and snapshot restore.
     */
    io.natsboot.server.jetstream.Stream openStream(JsAccount a, Path d) throws IOException {
        io.natsboot.server.jetstream.store.StoreCipher cipher = StreamKeys.forStream(d, options.keyCipher());
        JsonIn j = JsonIn.parse(StreamKeys.read(d.resolve("meta.json"), cipher));
        StreamConfig cfg = StreamConfig.parse(j.obj("config"));
        Instant created = Instant.parse(j.str("created"));
        io.natsboot.server.jetstream.Stream s = new io.natsboot.server.jetstream.Stream(this, a, cfg, created, d);
        synchronized (a) {
            a.streams.put(cfg.name, s);
        }
        recoverConsumers(s);
        s.subscribe();
        return s;
    }

    /**
     * A restore whose request asks for memory storage, as nats-server 2.9.10 does it: the stream runs in memory
     * with the request's configuration, empty, with the archived consumers' configurations and fresh delivery
     * state; the extracted files in {@code d} stay as archived (not written to), so a restart finds the archived
     * file stream there, with its messages and consumer state.
     */
    io.natsboot.server.jetstream.Stream openRestoredInMemory(JsAccount a, Path d, StreamConfig cfg, Instant created)
            throws IOException {
        io.natsboot.server.jetstream.Stream s = new io.natsboot.server.jetstream.Stream(this, a, cfg, created, null);
        synchronized (a) {
            a.streams.put(cfg.name, s);
        }
        recoverConsumers(s, d.resolve("obs"), StreamKeys.forStream(d, options.keyCipher()), false);
        s.subscribe();
        return s;
    }

    private void recoverConsumers(io.natsboot.server.jetstream.Stream s) throws IOException {
        recoverConsumers(s, s.dir().resolve("obs"), s.cipher(), true);
    }

    /** The consumers stored under {@code obs}: kept in their directories with their state, or ({@code !stored}) in memory. */
    private void recoverConsumers(io.natsboot.server.jetstream.Stream s, Path obs,
            io.natsboot.server.jetstream.store.StoreCipher cipher, boolean stored) throws IOException {
        if (!Files.isDirectory(obs)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> l = Files.list(obs)) {
            dirs = l.filter(Files::isDirectory).sorted().toList();
        }
        for (Path d : dirs) {
            try {
                JsonIn j = JsonIn.parse(StreamKeys.read(d.resolve("meta.json"), cipher));
                ConsumerConfig cfg = ConsumerConfig.parse(j.obj("config"));
                Consumer c = new Consumer(s, j.str("name"), cfg, Instant.parse(j.str("created")), stored ? d : null);
                c.readState();
                synchronized (s) {
                    s.consumers.put(c.name, c);
                }
                c.start();
                log.info("  Restored consumer '" + s.account.name + " > " + s.name() + " > " + c.name + "'");
            } catch (RuntimeException | IOException e) {
                log.warn("  Error recovering consumer in " + d + ": " + e.getMessage());
            }
        }
    }

    // ---- cross-stream work ----------------------------------------------------------------------------

    /** A stream stored a message: mirrors and sources in the same account copy it. */
    void streamStored(io.natsboot.server.jetstream.Stream origin, StoredMessage m) {
        for (io.natsboot.server.jetstream.Stream s : origin.account.streamList()) {
            if (s != origin && dependsOn(s.config, origin.name())) {
                s.pullFrom(origin);
            }
        }
    }

    void pumpSources(io.natsboot.server.jetstream.Stream s) {
        s.syncExternalSources();
        StreamConfig c = s.config;
        List<String> origins = new ArrayList<>();
        if (c.mirror != null) {
            origins.add(c.mirror.name);
        }
        for (StreamConfig.Source src : c.sources) {
            origins.add(src.name);
        }
        for (String o : origins) {
            io.natsboot.server.jetstream.Stream origin = s.account.stream(o);
            if (origin != null) {
                s.pullFrom(origin);
            }
        }
        // Streams that source from this one may have been waiting for it.
        for (io.natsboot.server.jetstream.Stream other : s.account.streamList()) {
            if (other != s && dependsOn(other.config, s.name())) {
                other.pullFrom(s);
            }
        }
    }

    private static boolean dependsOn(StreamConfig c, String origin) {
        if (c.mirror != null && c.mirror.name.equals(origin) && c.mirror.external == null) {
            return true;
        }
        for (StreamConfig.Source s : c.sources) {
            if (s.name.equals(origin) && s.external == null) {
                return true;
            }
        }
        return false;
    }

    private volatile long lastServerLimitLog;

    /**
     * Server-wide memory / file limits (max_memory_store, max_file_store) as nats-server 2.9.10 checks them before
     * a message is stored: refused once the usage of that storage is already above the limit (so the message that
     * crosses it is still stored), with the error "JetStream resource limits exceeded for server" (logged at most
     * once a second here).
     */
    boolean serverLimitExceeded(StreamConfig.Storage storage) {
        StreamConfig.Storage kind = storage == null ? StreamConfig.Storage.FILE : storage;
        long limit = kind == StreamConfig.Storage.MEMORY ? options.maxMemory() : options.maxStore();
        if (limit <= 0) {
            return false;
        }
        long used = 0;
        for (JsAccount a : accounts.values()) {
            for (io.natsboot.server.jetstream.Stream st : a.streamList()) {
                if ((st.config.storage == null ? StreamConfig.Storage.FILE : st.config.storage) == kind) {
                    used += st.store.state().bytes();
                }
            }
        }
        if (used <= limit) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastServerLimitLog > 1_000_000_000L) {
            lastServerLimitLog = now;
            log.error("JetStream resource limits exceeded for server");
        }
        return true;
    }

    /** Usage summed over the enabled accounts, for monitoring (/varz, /jsz). */
    public record Stats(long memory, long storage, int accounts, long apiTotal, long apiErrors, long streams,
            long consumers, long messages, long bytes, long reservedMemory, long reservedStorage) {
    }

    public Options config() {
        return options;
    }

    public Stats stats() {
        long mem = 0, file = 0, total = 0, errors = 0, streams = 0, consumers = 0, msgs = 0, bytes = 0;
        int n = 0;
        for (JsAccount a : accounts.values()) {
            n++;
            long[] u = usage(a);
            mem += u[0];
            file += u[1];
            consumers += u[2];
            total += a.apiTotal.get();
            errors += a.apiErrors.get();
            for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
                streams++;
                msgs += s.store.state().msgs();
                bytes += s.store.state().bytes();
            }
        }
        return new Stats(mem, file, n, total, errors, streams, consumers, msgs, bytes,
                reserved(StreamConfig.Storage.MEMORY), reserved(StreamConfig.Storage.FILE));
    }

    long[] usage(JsAccount a) {
        long mem = 0;
        long file = 0;
        long consumers = 0;
        for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
            long b = s.store.state().bytes();
            if (s.config.storage == StreamConfig.Storage.MEMORY) {
                mem += b;
            } else {
                file += b;
            }
            synchronized (s) {
                consumers += s.consumers.size();
            }
            consumers += s.internalConsumers();
        }
        return new long[] {mem, file, consumers};
    }

    private void housekeeping() {
        try {
            long now = GoFormat.epochNanos(Instant.now());
            for (JsAccount a : accounts.values()) {
                for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
                    s.store.expire(now);
                    s.drainRemoved();
                    List<Consumer> cs;
                    synchronized (s) {
                        cs = new ArrayList<>(s.consumers.values());
                    }
                    for (Consumer c : cs) {
                        c.flushState();
                        if (c.inactiveExpired()) {
                            api.deleteConsumer(s, c);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            log.error("JetStream housekeeping: " + e);
        }
    }

    private static final char[] NUID_CHARS =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    /**
     * Publishes an advisory ({@code io.nats.jetstream.advisory.v1.<type>}) on {@code $JS.EVENT.ADVISORY.<subject>}
     * in the account, with a fresh id and time first, then {@code fields} (name, value, ...), as nats-server does.
     */
    void advisory(String account, String subject, String type, Object... fields) {
        event(account, "$JS.EVENT.ADVISORY." + subject, "io.nats.jetstream.advisory.v1." + type, fields);
    }

    /** A metric ({@code io.nats.jetstream.metric.v1.<type>}) on {@code subject}, shaped as advisories are. */
    void metric(String account, String subject, String type, Object... fields) {
        event(account, subject, "io.nats.jetstream.metric.v1." + type, fields);
    }

    private void event(String account, String subject, String type, Object... fields) {
        Map<String, Object> m = JsonOut.obj();
        m.put("type", type);
        char[] id = new char[22];
        for (int i = 0; i < id.length; i++) {
            id[i] = NUID_CHARS[random.nextInt(NUID_CHARS.length)];
        }
        m.put("id", new String(id));
        m.put("timestamp", GoFormat.rfc3339NanoOrZero(Instant.now()));
        for (int i = 0; i + 1 < fields.length; i += 2) {
            m.put((String) fields[i], fields[i + 1]);
        }
        if (!options.domain().isEmpty()) {
            m.put("domain", options.domain());
        }
        transport.publish(account, subject, null, null,
                JsonOut.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A fresh 22-character id in nats' NUID alphabet (advisory ids, snapshot and restore subjects). */
    String nuid() {
        char[] id = new char[22];
        for (int i = 0; i < id.length; i++) {
            id[i] = NUID_CHARS[random.nextInt(NUID_CHARS.length)];
        }
        return new String(id);
    }

    void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.error("JetStream: could not delete " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        for (JsAccount a : accounts.values()) {
            if (a.apiSubscription != null) {
                a.apiSubscription.unsubscribe();
            }
            for (io.natsboot.server.jetstream.Stream s : a.streamList()) {
                s.stop(false);
            }
        }
        accounts.clear();
        disabled.values().forEach(JetStreamTransport.Subscription::unsubscribe);
        disabled.clear();
        timer.shutdownNow();
        api.close();
    }
}
