package io.natsboot.server.subject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The subscription index (nats-server's "sublist"): a trie of subject tokens with a shared match cache.
 *
 * <h2>Structure</h2>
 * Each level maps literal tokens to child nodes and has one slot for a {@code *} child and one
 * for a {@code >} child. A subscription lives in the node reached by its subject's tokens, in the node's plain
 * set or in the member set of its queue name. Nodes and levels left empty by a removal are pruned at once, so
 * memory follows the live subscriptions.
 *
 * <h2>Concurrency</h2>
 * <ul>
 *   <li>Inserts and removes take the write lock of a {@link ReentrantReadWriteLock}.</li>
 *   <li>A match that hits the cache takes no lock: it is one {@link ConcurrentHashMap#get} plus a striped
 *       counter increment, and allocates nothing.</li>
 *   <li>A cache miss walks the trie under the read lock (so concurrent misses do not serialise) and stores its
 *       result in the cache <em>while still holding the read lock</em>. Because a writer cannot run during that
 *       window, a result computed before an insert or remove can never be stored after that writer's cache
 *       invalidation, which is what would make a stale entry.</li>
 *   <li>A writer changes the trie, then invalidates the cache entries it affects, then bumps
 *       {@link #generation()}, all under the write lock. A reader that sees the new generation therefore also
 *       sees the invalidation. A lock-free cache hit that races with a writer returns the pre-change result,
 *       which is correct for a match that overlaps the change.</li>
 * </ul>
 *
 * <h2>Cache</h2>
 * Keyed by the published subject; at most {@value #DEFAULT_CACHE_MAX} entries by default (nats-server's
 * slCacheMax). When it overflows, about a quarter of the entries, chosen at random, are dropped. An insert or
 * remove never scans the subscriptions: a literal pattern affects exactly one cache key (removed directly), and
 * a wildcard pattern is tested against each cached subject (bounded by the cache size). Affected entries are
 * dropped rather than patched; the next match rebuilds them. Subjects with an empty token are never cached,
 * since they match nothing anyway.
 *
 * <h2>Semantics</h2>
 * See {@link MatchResult} for queue groups. Wildcard tokens in a published subject are matched as literal
 * tokens: a subject {@code foo.*} reaches subscriptions {@code foo.*} and {@code foo.>}, not {@code foo.bar}.
 * A subscription's {@link Interest#subject()} and {@link Interest#queue()} must not change while it is
 * inserted. A null or empty queue means a plain subscription.
 *
 * @param <S> the subscription type; compared by identity
 */
public final class SubscriptionTrie<S extends Interest> {

    /** Default bound of the match cache, as nats-server's slCacheMax. */
    public static final int DEFAULT_CACHE_MAX = 1024;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Level<S> root = new Level<>();

    /** Null when caching is disabled. */
    private final ConcurrentHashMap<String, MatchResult<S>> cache;
    private final int cacheMax;
    /** Size an overflowing cache is cut back to. */
    private final int cacheSweepTo;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    // Written under the write lock only; volatile so count() and generation() need no lock.
    private volatile long generation;
    private volatile int count;
    // Guarded by the lock.
    private long inserts;
    private long removes;
    // Hit on every match from any thread, so striped counters rather than one contended atomic.
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();

    /** A trie with the match cache enabled. */
    public SubscriptionTrie() {
        this(true);
    }

    /** A trie with the match cache enabled or disabled. */
    public SubscriptionTrie(boolean cacheEnabled) {
        this(cacheEnabled ? DEFAULT_CACHE_MAX : 0);
    }

    /** A trie whose match cache holds at most {@code cacheMax} subjects; 0 disables the cache. */
    SubscriptionTrie(int cacheMax) {
        if (cacheMax < 0) {
            throw new IllegalArgumentException("cacheMax < 0: " + cacheMax);
        }
        this.cacheMax = cacheMax;
        this.cacheSweepTo = cacheMax - Math.max(1, cacheMax / 4);
        // Sized so that it never resizes below the bound (plus a little overshoot from concurrent misses).
        this.cache = cacheMax == 0 ? null : new ConcurrentHashMap<>(cacheMax + cacheMax / 4);
    }

    /**
     * Adds a subscription. Inserting an object that is already present is a no-op.
     *
     * @throws IllegalArgumentException if the subject is not a valid subscribe subject
     */
    public void insert(S sub) {
        String subject = sub.subject();
        if (!Subjects.isValidSubscribeSubject(subject)) {
            throw new IllegalArgumentException("Invalid subject: " + subject);
        }
        String[] tokens = Subjects.tokenize(subject);
        String queue = queueOf(sub);
        Lock w = lock.writeLock();
        w.lock();
        try {
            Level<S> level = root;
            Node<S> node = null;
            for (int i = 0; i < tokens.length; i++) {
                node = level.childForInsert(tokens[i]);
                if (i + 1 < tokens.length) {
                    level = node.nextForInsert();
                }
            }
            if (!node.add(sub, queue)) {
                return; // the very same object is already there
            }
            count++;
            inserts++;
            changed(subject);
        } finally {
            w.unlock();
        }
    }

    /**
     * Removes this subscription object (by identity), pruning nodes left empty.
     *
     * @return false if it was not present
     */
    public boolean remove(S sub) {
        String subject = sub.subject();
        String[] tokens = subject == null ? null : Subjects.tokenize(subject);
        if (tokens == null) {
            return false;
        }
        String queue = queueOf(sub);
        Lock w = lock.writeLock();
        w.lock();
        try {
            // Remember the path so that empty nodes can be pruned bottom-up.
            int depth = tokens.length;
            @SuppressWarnings({"unchecked", "rawtypes"})
            Level<S>[] levels = new Level[depth];
            @SuppressWarnings({"unchecked", "rawtypes"})
            Node<S>[] nodes = new Node[depth];
            Level<S> level = root;
            for (int i = 0; i < depth; i++) {
                if (level == null) {
                    return false;
                }
                Node<S> node = level.child(tokens[i]);
                if (node == null) {
                    return false;
                }
                levels[i] = level;
                nodes[i] = node;
                level = node.next;
            }
            if (!nodes[depth - 1].remove(sub, queue)) {
                return false;
            }
            prune(levels, nodes, tokens);
            count--;
            removes++;
            changed(subject);
            return true;
        } finally {
            w.unlock();
        }
    }

    /** Number of subscriptions. */
    public int count() {
        return count;
    }

    /**
     * Changes on every successful insert and remove. A volatile read; callers use it to validate their own
     * per-connection caches of {@link #match} results.
     */
    public long generation() {
        return generation;
    }

    /**
     * The subscriptions interested in a published (non-null) subject. Never returns null. A subject with an empty token matches
     * nothing; wildcard tokens in it are treated as literal tokens.
     */
    public MatchResult<S> match(String subject) {
        return match(subject, true);
    }

    /**
     * As {@link #match}, for a subject that will not be published again (a request's reply inbox: a PubAck, an
     * API response): a cached result is used, but a miss is not added to the cache, so one-shot subjects neither
     * evict the subjects that repeat nor make every few hundred publishes sweep the cache.
     */
    public MatchResult<S> matchOnce(String subject) {
        return match(subject, false);
    }

    /** A cache hit, or a walk of the trie whose result is cached when {@code remember}. */
    private MatchResult<S> match(String subject, boolean remember) {
        ConcurrentHashMap<String, MatchResult<S>> c = cache;
        if (c != null) {
            MatchResult<S> hit = c.get(subject);
            if (hit != null) {
                cacheHits.increment();
                return hit;
            }
        }
        cacheMisses.increment();
        String[] tokens = Subjects.tokenize(subject);
        if (tokens == null) {
            return MatchResult.empty();
        }
        Lock r = lock.readLock();
        r.lock();
        try {
            MatchResult<S> result = collect(tokens);
            if (remember && c != null) {
                // Still under the read lock: no writer can have invalidated this subject since we walked the trie.
                c.put(subject, result);
                if (c.size() > cacheMax) {
                    sweep(c);
                }
            }
            return result;
        } finally {
            r.unlock();
        }
    }

    /**
     * Calls {@code action} for every subscription. The subscriptions are copied under the lock and the action
     * runs outside it, so it may call back into the trie; it sees a snapshot.
     */
    public void forEach(Consumer<? super S> action) {
        List<S> snapshot;
        Lock r = lock.readLock();
        r.lock();
        try {
            snapshot = new ArrayList<>(count);
            root.collectAll(snapshot);
        } finally {
            r.unlock();
        }
        snapshot.forEach(action);
    }

    /** Counters in the shape of nats-server's /subsz. */
    public Stats stats() {
        Lock r = lock.readLock();
        r.lock();
        try {
            int numCache = 0;
            int maxFanout = 0;
            long totalFanout = 0;
            if (cache != null) {
                for (MatchResult<S> result : cache.values()) {
                    int fanout = result.fanout();
                    numCache++;
                    totalFanout += fanout;
                    maxFanout = Math.max(maxFanout, fanout);
                }
            }
            long hits = cacheHits.sum();
            long matches = hits + cacheMisses.sum();
            return new Stats(count, numCache, inserts, removes, matches,
                    matches == 0 ? 0 : (double) hits / matches,
                    maxFanout, numCache == 0 ? 0 : (double) totalFanout / numCache);
        } finally {
            r.unlock();
        }
    }

    /** Number of trie nodes; 0 when empty. For tests of pruning. */
    int nodeCount() {
        Lock r = lock.readLock();
        r.lock();
        try {
            return root.nodeCount();
        } finally {
            r.unlock();
        }
    }

    /**
     * Statistics in the shape of nats-server's sublist stats (/subsz). Fan-outs are computed over the cached
     * results, as nats-server does, so they are 0 when the cache is disabled or empty.
     *
     * @param numSubscriptions subscriptions in the trie
     * @param numCache         cached match results
     * @param numInserts       successful inserts since creation
     * @param numRemoves       successful removes since creation
     * @param numMatches       calls to match
     * @param cacheHitRate     fraction of matches answered from the cache
     * @param maxFanout        largest fan-out (plain subscribers + queue groups) among cached results
     * @param avgFanout        mean fan-out among cached results
     */
    public record Stats(int numSubscriptions, int numCache, long numInserts, long numRemoves, long numMatches,
                        double cacheHitRate, int maxFanout, double avgFanout) {

        /** Combines the stats of several tries (e.g. one per account) into one /subsz view. */
        public Stats plus(Stats o) {
            long matches = numMatches + o.numMatches;
            double hits = cacheHitRate * numMatches + o.cacheHitRate * o.numMatches;
            int cached = numCache + o.numCache;
            double fanoutSum = avgFanout * numCache + o.avgFanout * o.numCache;
            return new Stats(numSubscriptions + o.numSubscriptions, cached, numInserts + o.numInserts,
                    numRemoves + o.numRemoves, matches, matches == 0 ? 0 : hits / matches,
                    Math.max(maxFanout, o.maxFanout), cached == 0 ? 0 : fanoutSum / cached);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals. Everything below runs under the lock.

    private static String queueOf(Interest sub) {
        String queue = sub.queue();
        return queue == null || queue.isEmpty() ? null : queue;
    }

    /** After a successful insert or remove of a subscription on {@code pattern}. Order matters, see class doc. */
    private void changed(String pattern) {
        if (cache != null && !cache.isEmpty()) {
            if (Subjects.isLiteral(pattern)) {
                cache.remove(pattern);
            } else {
                cache.keySet().removeIf(subject -> Subjects.matches(pattern, subject));
            }
        }
        generation = generation + 1; // single writer under the write lock, so no lost update
    }

    /**
     * Cuts an overflowing cache back to {@link #cacheSweepTo}. Entries are picked at random: taking the first
     * ones in iteration order would always evict the same hash buckets. Runs under the read lock, so it only
     * races with other readers, and one sweep at a time is enough.
     */
    private void sweep(ConcurrentHashMap<String, MatchResult<S>> c) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            int size = c.size();
            int excess = size - cacheSweepTo;
            if (excess <= 0) {
                return;
            }
            double p = (double) excess / size;
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Iterator<String> it = c.keySet().iterator();
            while (excess > 0 && it.hasNext()) {
                it.next();
                if (random.nextDouble() < p) {
                    it.remove();
                    excess--;
                }
            }
            // The random pass can fall a little short; make sure the bound holds.
            it = c.keySet().iterator();
            while (c.size() > cacheMax && it.hasNext()) {
                it.next();
                it.remove();
            }
        } finally {
            sweeping.set(false);
        }
    }

    private MatchResult<S> collect(String[] tokens) {
        List<Node<S>> found = new ArrayList<>();
        collect(root, tokens, 0, found);
        return build(found);
    }

    /**
     * Adds to {@code found} every node under {@code level} matching {@code tokens[i..]}. Each node at most once.
     * The order is nats-server's (it decides, e.g., which of a requester's subscriptions gets a no-responders
     * status): at each level '>' first, then the '*' branch, then the literal branch; except on the last token,
     * where the literal node comes before the '*' node.
     */
    private static <S> void collect(Level<S> level, String[] tokens, int i, List<Node<S>> found) {
        if (level.tail != null) {
            found.add(level.tail); // '>' takes tokens[i..], which is at least one token
        }
        boolean last = i + 1 == tokens.length;
        if (level.star != null && !last) {
            descend(level.star, tokens, i, found);
        }
        if (level.literals != null) {
            // A published '*' or '>' token finds nothing here: wildcard children live in their own slots.
            Node<S> literal = level.literals.get(tokens[i]);
            if (literal != null) {
                descend(literal, tokens, i, found);
            }
        }
        if (level.star != null && last) {
            found.add(level.star);
        }
    }

    private static <S> void descend(Node<S> node, String[] tokens, int i, List<Node<S>> found) {
        if (i + 1 == tokens.length) {
            found.add(node);
        } else if (node.next != null) {
            collect(node.next, tokens, i + 1, found);
        }
    }

    /** Flattens the matched nodes into a result, merging queue members by queue name (see {@link MatchResult}). */
    private static <S> MatchResult<S> build(List<Node<S>> found) {
        int plainTotal = 0;
        boolean anyQueue = false;
        for (Node<S> node : found) {
            plainTotal += node.plainSize();
            anyQueue |= node.queues != null;
        }
        Object[] plain = MatchResult.NO_SUBS;
        if (plainTotal > 0) {
            plain = new Object[plainTotal];
            int at = 0;
            for (Node<S> node : found) {
                if (node.plain != null) {
                    at = node.plain.copyTo(plain, at);
                }
            }
        }
        if (!anyQueue) {
            return plainTotal == 0 ? MatchResult.empty()
                    : new MatchResult<>(plain, MatchResult.NO_NAMES, MatchResult.NO_GROUPS, MatchResult.NO_SUBS);
        }
        Map<String, List<SubSet>> groups = new LinkedHashMap<>();
        int memberTotal = 0;
        for (Node<S> node : found) {
            if (node.queues != null) {
                for (Map.Entry<String, SubSet> e : node.queues.entrySet()) {
                    groups.computeIfAbsent(e.getKey(), k -> new ArrayList<>(2)).add(e.getValue());
                    memberTotal += e.getValue().size();
                }
            }
        }
        String[] names = new String[groups.size()];
        int[] groupStart = new int[groups.size() + 1];
        Object[] members = new Object[memberTotal];
        int g = 0;
        int at = 0;
        for (Map.Entry<String, List<SubSet>> e : groups.entrySet()) {
            names[g] = e.getKey();
            groupStart[g] = at;
            for (SubSet set : e.getValue()) {
                at = set.copyTo(members, at);
            }
            g++;
        }
        groupStart[g] = at;
        return new MatchResult<>(plain, names, groupStart, members);
    }

    /** Removes empty nodes bottom-up along the path of a removed subscription. */
    private static <S> void prune(Level<S>[] levels, Node<S>[] nodes, String[] tokens) {
        for (int i = nodes.length - 1; i >= 0; i--) {
            Node<S> node = nodes[i];
            if (node.next != null && node.next.isEmpty()) {
                node.next = null;
            }
            if (!node.isEmpty()) {
                return;
            }
            levels[i].removeChild(tokens[i]);
        }
    }

    /** One token position: literal children plus the '*' and '>' slots. */
    private static final class Level<S> {
        /** Rebuild the literal map when it shrinks to a quarter of its peak, as HashMap never shrinks itself. */
        private static final int SHRINK_MIN_PEAK = 64;

        HashMap<String, Node<S>> literals;
        int literalsPeak;
        Node<S> star;
        Node<S> tail;

        Node<S> child(String token) {
            if (Subjects.isSingleWildcard(token)) {
                return star;
            }
            if (Subjects.isTailWildcard(token)) {
                return tail;
            }
            return literals == null ? null : literals.get(token);
        }

        Node<S> childForInsert(String token) {
            if (Subjects.isSingleWildcard(token)) {
                return star != null ? star : (star = new Node<>());
            }
            if (Subjects.isTailWildcard(token)) {
                return tail != null ? tail : (tail = new Node<>());
            }
            if (literals == null) {
                literals = new HashMap<>();
            }
            Node<S> node = literals.get(token);
            if (node == null) {
                node = new Node<>();
                literals.put(token, node);
                literalsPeak = Math.max(literalsPeak, literals.size());
            }
            return node;
        }

        void removeChild(String token) {
            if (Subjects.isSingleWildcard(token)) {
                star = null;
            } else if (Subjects.isTailWildcard(token)) {
                tail = null;
            } else {
                literals.remove(token);
                if (literals.isEmpty()) {
                    literals = null;
                    literalsPeak = 0;
                } else if (literalsPeak >= SHRINK_MIN_PEAK && literals.size() < literalsPeak / 4) {
                    literals = new HashMap<>(literals);
                    literalsPeak = literals.size();
                }
            }
        }

        boolean isEmpty() {
            return star == null && tail == null && literals == null;
        }

        int nodeCount() {
            int n = 0;
            if (star != null) {
                n += star.nodeCount();
            }
            if (tail != null) {
                n += tail.nodeCount();
            }
            if (literals != null) {
                for (Node<S> node : literals.values()) {
                    n += node.nodeCount();
                }
            }
            return n;
        }

        void collectAll(List<S> out) {
            if (star != null) {
                star.collectAll(out);
            }
            if (tail != null) {
                tail.collectAll(out);
            }
            if (literals != null) {
                for (Node<S> node : literals.values()) {
                    node.collectAll(out);
                }
            }
        }
    }

    /** The end of one subject pattern: its subscriptions, and the level for longer patterns. */
    private static final class Node<S> {
        Level<S> next;
        /** Plain subscriptions; null when none. */
        SubSet plain;
        /** Queue name to members; null when none, and never holds an empty set. */
        HashMap<String, SubSet> queues;

        Level<S> nextForInsert() {
            return next != null ? next : (next = new Level<>());
        }

        boolean add(Object sub, String queue) {
            if (queue == null) {
                if (plain == null) {
                    plain = new SubSet();
                }
                return plain.add(sub);
            }
            if (queues == null) {
                queues = new HashMap<>(4);
            }
            return queues.computeIfAbsent(queue, q -> new SubSet()).add(sub);
        }

        boolean remove(Object sub, String queue) {
            if (queue == null) {
                if (plain == null || !plain.remove(sub)) {
                    return false;
                }
                if (plain.size() == 0) {
                    plain = null;
                }
                return true;
            }
            SubSet members = queues == null ? null : queues.get(queue);
            if (members == null || !members.remove(sub)) {
                return false;
            }
            if (members.size() == 0) {
                queues.remove(queue);
                if (queues.isEmpty()) {
                    queues = null;
                }
            }
            return true;
        }

        int plainSize() {
            return plain == null ? 0 : plain.size();
        }

        boolean isEmpty() {
            return plain == null && queues == null && next == null;
        }

        int nodeCount() {
            return 1 + (next == null ? 0 : next.nodeCount());
        }

        void collectAll(List<S> out) {
            if (plain != null) {
                plain.addTo(out);
            }
            if (queues != null) {
                for (SubSet members : queues.values()) {
                    members.addTo(out);
                }
            }
            if (next != null) {
                next.collectAll(out);
            }
        }
    }

    /**
     * A set compared by identity, stored in an array for fast copying into results. Small sets are searched
     * linearly; large ones (thousands of subscribers on one subject) get an identity index so that add and
     * remove stay O(1). Removal swaps the last element into the hole; order carries no meaning.
     */
    private static final class SubSet {
        private static final int INDEX_FROM = 16;

        private Object[] items = new Object[2];
        private int size;
        private IdentityHashMap<Object, Integer> index;

        int size() {
            return size;
        }

        boolean add(Object sub) {
            if (indexOf(sub) >= 0) {
                return false;
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size] = sub;
            if (index != null) {
                index.put(sub, size);
            }
            size++;
            if (index == null && size > INDEX_FROM) {
                index = new IdentityHashMap<>(size * 2);
                for (int i = 0; i < size; i++) {
                    index.put(items[i], i);
                }
            }
            return true;
        }

        boolean remove(Object sub) {
            int i = indexOf(sub);
            if (i < 0) {
                return false;
            }
            int last = --size;
            Object moved = items[last];
            items[i] = moved;
            items[last] = null;
            if (index != null) {
                index.remove(sub);
                if (i != last) {
                    index.put(moved, i);
                }
                if (size < INDEX_FROM / 2) {
                    index = null;
                }
            }
            if (items.length > 8 && size < items.length / 4) {
                items = Arrays.copyOf(items, items.length / 2);
            }
            return true;
        }

        /** Copies the members into {@code dst} at {@code at}; returns the next free position. */
        int copyTo(Object[] dst, int at) {
            System.arraycopy(items, 0, dst, at, size);
            return at + size;
        }

        @SuppressWarnings("unchecked")
        <T> void addTo(List<T> out) {
            for (int i = 0; i < size; i++) {
                out.add((T) items[i]);
            }
        }

        private int indexOf(Object sub) {
            if (index != null) {
                Integer i = index.get(sub);
                return i == null ? -1 : i;
            }
            for (int i = 0; i < size; i++) {
                if (items[i] == sub) {
                    return i;
                }
            }
            return -1;
        }
    }
}
