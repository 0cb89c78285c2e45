package io.natsboot.server.connection;

import io.natsboot.server.subject.SubscriptionTrie;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An account: its own subject space (a subscription trie of its own) that clients of other accounts cannot
 * see, plus the streams and services it shares with other accounts (exports and imports, reference to
 * nats-server's accounts). Clients without an account belong to the global account {@code $G}.
 *
 * <p>Imports are resolved once at start: {@link #streamImporters} lists, on the exporting account, who
 * receives its messages and under which subject; {@link #serviceImports} lists, on the importing account,
 * which local subjects are requests to another account. Responses to imported services travel on
 * {@code _R_.} reply subjects the server makes up, mapped back in {@link #responses}.
 */
public final class Account {
    public static final String GLOBAL = "$G";

    private final String name;
    private final SubscriptionTrie<Subscription> trie;
    /** Accounts importing a stream of this one (set on the exporter). */
    private volatile List<StreamImport> streamImporters = List.of();
    /** Services this account imports (set on the importer). */
    private volatile List<ServiceImport> serviceImports = List.of();
    /** Pending responses: made-up reply subject in this (exporting) account -> where the answer goes. */
    final Map<String, Response> responses = new ConcurrentHashMap<>();
    private final AtomicLong responseIds = new AtomicLong();
    /** Whether a publish here may cross into another account (checked on every publish, so one field). */
    private volatile boolean crossTraffic;
    /** The prefix of made-up reply subjects, unique per account and server run. */
    private final String responsePrefix;

    /** A stream import, as seen by the exporter: deliver matches of {@code subject} to {@code importer}. */
    public record StreamImport(Account importer, String subject, String prefix) {
        /** The subject the importer sees for {@code published}. */
        String mapped(String published) {
            return prefix == null || prefix.isEmpty() ? published : prefix + "." + published;
        }
    }

    /**
     * A service import, as seen by the importer: publishes on {@code localSubject} become requests on
     * {@code remoteSubject} in {@code exporter}.
     */
    public record ServiceImport(Account exporter, String remoteSubject, String localSubject,
            boolean multipleResponses, long responseThresholdNanos) {
        public ServiceImport(Account exporter, String remoteSubject, String localSubject) {
            this(exporter, remoteSubject, localSubject, false, RESPONSE_THRESHOLD_NANOS);
        }
    }

    /**
     * Where answers on a made-up reply subject go. {@code multiple}: the export's response_type is stream or
     * chunked, so the mapping stays for every answer until {@code thresholdNanos} has passed (nats-server's
     * response threshold), instead of being dropped by the first answer (singleton).
     */
    record Response(Account importer, String reply, long createdNanos, boolean multiple, long thresholdNanos) {
        Response(Account importer, String reply, long createdNanos) {
            this(importer, reply, createdNanos, false, RESPONSE_THRESHOLD_NANOS);
        }
    }

    /** nats-server's default response threshold: an unanswered request's mapping is dropped after it. */
    static final long RESPONSE_THRESHOLD_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    /** The accounts block's {@code limits {}} of this account (config mode; JWT limits are OperatorAccounts'). */
    private volatile io.natsboot.server.config.AccountOptions.Limits configLimits =
            io.natsboot.server.config.AccountOptions.Limits.NONE;
    /** Clients holding one of this account's connection slots under {@link #configLimits}. */
    private final java.util.concurrent.atomic.AtomicLong configConnections = new java.util.concurrent.atomic.AtomicLong();

    public io.natsboot.server.config.AccountOptions.Limits configLimits() {
        return configLimits;
    }

    public void configLimits(io.natsboot.server.config.AccountOptions.Limits limits) {
        configLimits = limits == null ? io.natsboot.server.config.AccountOptions.Limits.NONE : limits;
    }

    /** Leaf connections bound to this account, under {@link #configLimits}' max_leafnodes. */
    private long configLeafs;

    /** Takes a connection slot under the account's max_connections; false (nothing taken) when all are used. */
    public synchronized boolean reserveConfigConnection() {
        long max = configLimits.maxConnections();
        if (max >= 0 && configConnections.get() >= max) {
            return false;
        }
        configConnections.incrementAndGet();
        return true;
    }

    public synchronized void releaseConfigConnection() {
        configConnections.decrementAndGet();
    }

    /**
     * A leaf connection's slot: as nats-server, a leaf counts against max_connections too, and against
     * max_leafnodes; false (nothing taken) when either is full.
     */
    public synchronized boolean reserveConfigLeaf() {
        io.natsboot.server.config.AccountOptions.Limits l = configLimits;
        if ((l.maxConnections() >= 0 && configConnections.get() >= l.maxConnections())
                || (l.maxLeafNodes() >= 0 && configLeafs >= l.maxLeafNodes())) {
            return false;
        }
        configConnections.incrementAndGet();
        configLeafs++;
        return true;
    }

    public synchronized void releaseConfigLeaf() {
        configConnections.decrementAndGet();
        configLeafs--;
    }

    /** Traffic of this account's connections that have closed, kept for /accstatz as nats-server keeps it. */
    private final LongAdder closedInMsgs = new LongAdder();
    private final LongAdder closedInBytes = new LongAdder();
    private final LongAdder closedOutMsgs = new LongAdder();
    private final LongAdder closedOutBytes = new LongAdder();
    private final LongAdder slowConsumers = new LongAdder();

    /** Message and byte totals: {@code in} from the account's clients, {@code out} delivered to them. */
    public record Traffic(long inMsgs, long inBytes, long outMsgs, long outBytes) {
    }

    public Account(String name) {
        this(name, true);
    }

    /** An account whose trie keeps a match cache or not (nats-server's disable_sublist_cache). */
    public Account(String name, boolean matchCache) {
        this.name = name;
        this.trie = new SubscriptionTrie<>(matchCache);
        this.responsePrefix = "_R_." + io.natsboot.server.protocol.ServerId.nuid().substring(0, 8) + ".";
    }

    public String name() {
        return name;
    }

    public SubscriptionTrie<Subscription> trie() {
        return trie;
    }

    public boolean isGlobal() {
        return GLOBAL.equals(name);
    }

    public List<StreamImport> streamImporters() {
        return streamImporters;
    }

    public void streamImporters(List<StreamImport> v) {
        streamImporters = List.copyOf(v);
        crossTraffic |= !v.isEmpty();
    }

    public List<ServiceImport> serviceImports() {
        return serviceImports;
    }

    public void serviceImports(List<ServiceImport> v) {
        serviceImports = List.copyOf(v);
        crossTraffic |= !v.isEmpty();
    }

    /** Some account imports a service of this one: answers may come back over routes. */
    private volatile boolean servesImports;

    void servesImports(boolean v) {
        servesImports = v;
        crossTraffic |= v;
    }

    /**
     * The wildcard under which answers to imported requests arrive in this account ({@code _R_.<id>.>}), or
     * null if no account imports a service of this one. The cluster advertises it to routes so a responder
     * on another node sends its answer here.
     */
    public String responseWildcard() {
        return servesImports ? responsePrefix + ">" : null;
    }

    /** True if a publish in this account may have to cross into another account. */
    boolean hasCrossAccountTraffic() {
        return crossTraffic;
    }

    /** A new reply subject in this account that routes one answer back to {@code reply} in {@code importer}. */
    String newResponse(Account importer, String reply) {
        return newResponse(importer, reply, false, RESPONSE_THRESHOLD_NANOS);
    }

    /**
     * As above; {@code multiple} (stream/chunked exports) keeps the mapping for every answer until
     * {@code thresholdNanos} has passed.
     */
    String newResponse(Account importer, String reply, boolean multiple, long thresholdNanos) {
        long id = responseIds.incrementAndGet();
        String subject = responsePrefix + id;
        long now = System.nanoTime();
        responses.put(subject, new Response(importer, reply, now, multiple, thresholdNanos));
        if ((id & 1023) == 0) {
            // Requests nobody answered must not pile up: drop mappings older than their threshold.
            responses.values().removeIf(r -> now - r.createdNanos() > Math.max(r.thresholdNanos(),
                    RESPONSE_THRESHOLD_NANOS));
        }
        crossTraffic = true; // from now on publishes here may be answers to route back
        return subject;
    }

    /** The pending response for a publish on {@code subject}, removed (one answer per request), or null. */
    Response takeResponse(String subject) {
        if (responses.isEmpty() || !subject.startsWith(responsePrefix)) {
            return null;
        }
        Response r = responses.get(subject);
        if (r == null) {
            return null;
        }
        if (!r.multiple()) {
            return responses.remove(subject); // one answer per request
        }
        if (System.nanoTime() - r.createdNanos() > r.thresholdNanos()) {
            responses.remove(subject, r); // the response threshold has passed: no more answers
            return null;
        }
        return r;
    }

    /** Subject mappings applied to what this account's clients publish (nats-server's account mappings). */
    private volatile io.natsboot.server.subject.SubjectMappings mappings = io.natsboot.server.subject.SubjectMappings.NONE;

    public io.natsboot.server.subject.SubjectMappings mappings() {
        return mappings;
    }

    public void mappings(io.natsboot.server.subject.SubjectMappings v) {
        mappings = v == null ? io.natsboot.server.subject.SubjectMappings.NONE : v;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Adds a closing connection's totals, so /accstatz keeps them after it is gone. */
    void addClosedTraffic(long inMsgs, long inBytes, long outMsgs, long outBytes) {
        closedInMsgs.add(inMsgs);
        closedInBytes.add(inBytes);
        closedOutMsgs.add(outMsgs);
        closedOutBytes.add(outBytes);
    }

    /** The totals of this account's closed connections. */
    public Traffic closedTraffic() {
        return new Traffic(closedInMsgs.sum(), closedInBytes.sum(), closedOutMsgs.sum(), closedOutBytes.sum());
    }

    /** Counts a slow consumer among this account's connections. */
    void countSlowConsumer() {
        slowConsumers.increment();
    }

    public long slowConsumers() {
        return slowConsumers.sum();
    }
}
