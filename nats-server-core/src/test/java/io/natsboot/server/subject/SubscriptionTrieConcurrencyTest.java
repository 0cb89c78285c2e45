package io.natsboot.server.subject;

import static io.natsboot.server.subject.TestSub.all;
import static io.natsboot.server.subject.TestSub.expectedShape;
import static io.natsboot.server.subject.TestSub.shape;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers insert and remove while readers match. A small vocabulary keeps the subscriptions overlapping, so
 * every write invalidates cache entries that readers are busy refilling.
 */
class SubscriptionTrieConcurrencyTest {

    private static final String[] WORDS = {"a", "b", "c"};
    private static final int WRITERS = 4;
    private static final int READERS = 4;
    private static final int WRITES_PER_WRITER = 10_000;

    /** cacheMax 0 = no cache; 16 = constant eviction; 1024 = the default. */
    @ParameterizedTest(name = "cacheMax={0}")
    @ValueSource(ints = {0, 16, 1024})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentInsertRemoveMatch(int cacheMax) throws Exception {
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(cacheMax);
        Random setup = new Random(cacheMax);

        // Never removed: every reader must always see the ones that match.
        List<TestSub> stable = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            stable.add(i % 4 == 0 ? TestSub.queue(randomPattern(setup), "s") : TestSub.plain(randomPattern(setup)));
        }
        stable.forEach(trie::insert);

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<TestSub> finalLive = new ConcurrentLinkedQueue<>();
        List<Future<?>> writers = new ArrayList<>();
        List<Future<?>> readers = new ArrayList<>();
        try {
            for (int w = 0; w < WRITERS; w++) {
                int seed = w;
                writers.add(pool.submit(() -> {
                    start.await();
                    writer(trie, new Random(seed * 31L + cacheMax), finalLive);
                    return null;
                }));
            }
            for (int r = 0; r < READERS; r++) {
                int seed = 100 + r;
                readers.add(pool.submit(() -> {
                    start.await();
                    reader(trie, new Random(seed), stable, writing);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : writers) {
                f.get();
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get();
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        // Final consistency: the trie holds exactly the stable subscriptions plus what the writers left in.
        List<TestSub> expected = new ArrayList<>(stable);
        expected.addAll(finalLive);
        assertThat(trie.count()).isEqualTo(expected.size());
        List<TestSub> seen = new ArrayList<>();
        trie.forEach(seen::add);
        assertThat(identitySet(seen)).hasSize(seen.size()).isEqualTo(identitySet(expected));
        for (String subject : allSubjects()) {
            assertThat(shape(trie.match(subject))).as(subject).isEqualTo(expectedShape(expected, subject));
        }

        expected.forEach(s -> assertThat(trie.remove(s)).isTrue());
        assertThat(trie.count()).isZero();
        assertThat(trie.nodeCount()).isZero();
        for (String subject : allSubjects()) {
            assertThat(trie.match(subject).isEmpty()).as(subject).isTrue();
        }
        SubscriptionTrie.Stats stats = trie.stats();
        assertThat(stats.numInserts() - stats.numRemoves()).isZero();
        if (cacheMax > 0) {
            assertThat(stats.numCache()).isLessThanOrEqualTo(cacheMax);
        }
    }

    /**
     * One hot subject: readers keep refilling its cache entry while a writer toggles a wildcard subscription
     * covering it and checks after every change that the change is visible (read-your-writes), so a reader
     * storing a result computed before the change would be caught.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noStaleResultAfterWriteReturns() throws Exception {
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(true);
        TestSub other = TestSub.plain("a.b");
        trie.insert(other);
        AtomicBoolean writing = new AtomicBoolean(true);
        int readerCount = 2;
        ExecutorService pool = Executors.newFixedThreadPool(readerCount);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < readerCount; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get()) {
                        assertThat(containsIdentity(all(trie.match("a.b")), other)).isTrue();
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 30_000; i++) {
                TestSub toggled = i % 2 == 0 ? TestSub.plain("a.*") : TestSub.queue("*.b", "q");
                trie.insert(toggled);
                assertThat(containsIdentity(all(trie.match("a.b")), toggled)).as("after insert %d", i).isTrue();
                assertThat(trie.remove(toggled)).isTrue();
                assertThat(containsIdentity(all(trie.match("a.b")), toggled)).as("after remove %d", i).isFalse();
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get();
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(trie.count()).isEqualTo(1);
        assertThat(trie.nodeCount()).isEqualTo(2);
    }

    /**
     * Random inserts and removes of its own subscriptions. After each change it matches a subject the
     * subscription's pattern covers and requires the change to be visible: a stale cache entry stored by a
     * racing reader would fail here.
     */
    private static void writer(SubscriptionTrie<TestSub> trie, Random random, ConcurrentLinkedQueue<TestSub> finalLive) {
        List<TestSub> live = new ArrayList<>();
        for (int i = 0; i < WRITES_PER_WRITER; i++) {
            TestSub sub;
            boolean inserted;
            if (live.isEmpty() || random.nextInt(100) < 55) {
                String p = randomPattern(random);
                sub = random.nextInt(4) == 0 ? TestSub.queue(p, "q" + random.nextInt(2)) : TestSub.plain(p);
                long gen = trie.generation();
                trie.insert(sub);
                assertThat(trie.generation()).isNotEqualTo(gen);
                live.add(sub);
                inserted = true;
            } else {
                sub = live.remove(random.nextInt(live.size()));
                assertThat(trie.remove(sub)).isTrue();
                inserted = false;
            }
            String subject = concreteSubject(sub.subject(), random);
            boolean present = containsIdentity(all(trie.match(subject)), sub);
            assertThat(present).as("%s %s, then matched %s", inserted ? "inserted" : "removed", sub, subject)
                    .isEqualTo(inserted);
        }
        finalLive.addAll(live);
    }

    /** Matches random subjects; each result must be internally consistent and include every matching stable sub. */
    private static void reader(SubscriptionTrie<TestSub> trie, Random random, List<TestSub> stable, AtomicBoolean writing) {
        List<String> subjects = allSubjects();
        while (writing.get()) {
            String subject = subjects.get(random.nextInt(subjects.size()));
            MatchResult<TestSub> r = trie.match(subject);
            List<TestSub> matched = all(r);
            Set<TestSub> unique = identitySet(matched);
            assertThat(unique).as("duplicates for %s", subject).hasSize(matched.size());
            for (TestSub s : matched) {
                assertThat(Subjects.matches(s.subject(), subject)).as("%s in result for %s", s, subject).isTrue();
            }
            for (TestSub s : stable) {
                if (Subjects.matches(s.subject(), subject)) {
                    assertThat(unique).as("stable %s missing for %s", s, subject).contains(s);
                }
            }
            Set<String> names = new java.util.HashSet<>();
            for (int g = 0; g < r.queueGroupCount(); g++) {
                assertThat(names.add(r.queueName(g))).isTrue();
                assertThat(r.queueGroupSize(g)).isPositive();
            }
        }
    }

    /** 1-3 tokens over WORDS, with '*' and a final '>' now and then. */
    private static String randomPattern(Random random) {
        int n = 1 + random.nextInt(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int r = random.nextInt(10);
            if (i == n - 1 && r == 0) {
                sb.append('>');
            } else if (r < 3) {
                sb.append('*');
            } else {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            }
        }
        return sb.toString();
    }

    /** A literal subject the pattern matches. */
    private static String concreteSubject(String pattern, Random random) {
        StringBuilder sb = new StringBuilder();
        for (String token : Subjects.tokenize(pattern)) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            if (token.equals("*")) {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            } else if (token.equals(">")) {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
                if (random.nextBoolean()) {
                    sb.append('.').append(WORDS[random.nextInt(WORDS.length)]);
                }
            } else {
                sb.append(token);
            }
        }
        return sb.toString();
    }

    /** Every literal subject of 1-4 tokens over WORDS. */
    private static List<String> allSubjects() {
        List<String> out = new ArrayList<>();
        List<String> level = List.of("");
        for (int depth = 1; depth <= 4; depth++) {
            List<String> next = new ArrayList<>();
            for (String prefix : level) {
                for (String w : WORDS) {
                    next.add(prefix.isEmpty() ? w : prefix + "." + w);
                }
            }
            out.addAll(next);
            level = next;
        }
        return out;
    }

    private static boolean containsIdentity(List<TestSub> list, TestSub sub) {
        for (TestSub s : list) {
            if (s == sub) {
                return true;
            }
        }
        return false;
    }

    private static Set<TestSub> identitySet(List<TestSub> list) {
        Set<TestSub> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(list);
        return set;
    }
}
