package io.natsboot.server.subject;

import static io.natsboot.server.subject.TestSub.all;
import static io.natsboot.server.subject.TestSub.expectedShape;
import static io.natsboot.server.subject.TestSub.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionTrieTest {

    private static SubscriptionTrie<TestSub> trie(boolean cache) {
        return new SubscriptionTrie<>(cache);
    }

    private static List<String> subjectsOf(MatchResult<TestSub> r) {
        return all(r).stream().map(TestSub::subject).sorted().collect(Collectors.toList());
    }

    static Stream<Arguments> observedRows() {
        return Stream.of(true, false).flatMap(cache -> ObservedMatches.ROWS.stream().map(row -> Arguments.of(cache, row)));
    }

    /** The trie delivers exactly what nats-server 2.9.10 delivered, with and without the cache. */
    @ParameterizedTest(name = "cache={0} {1}")
    @MethodSource("observedRows")
    void matchesLikeNatsServer(boolean cache, ObservedMatches.Row row) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        ObservedMatches.PATTERNS.forEach(p -> trie.insert(TestSub.plain(p)));
        List<String> expected = row.delivered().stream().sorted().collect(Collectors.toList());

        assertThat(subjectsOf(trie.match(row.published()))).isEqualTo(expected);
        // Again, answered from the cache when it is on.
        assertThat(subjectsOf(trie.match(row.published()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void emptyTrieAndEmptyResult(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        MatchResult<TestSub> r = trie.match("foo.bar");
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.plainCount()).isZero();
        assertThat(r.queueGroupCount()).isZero();
        assertThat(r.fanout()).isZero();
        assertThat(MatchResult.<TestSub>empty()).isSameAs(MatchResult.empty());
        assertThat(trie.match("foo..bar")).isSameAs(MatchResult.empty());
        assertThat(trie.count()).isZero();
        assertThat(trie.nodeCount()).isZero();
    }

    /**
     * Observed on nats-server 2.9.10: members of queue q on foo.*, foo.> and foo.bar share 100 messages published
     * to foo.bar (36/33/31), so the match result holds one group per queue name, not per (pattern, name).
     */
    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void queueGroupsAreMergedByNameAcrossPatterns(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        TestSub qStar = TestSub.queue("foo.*", "q");
        TestSub qTail = TestSub.queue("foo.>", "q");
        TestSub qLit = TestSub.queue("foo.bar", "q");
        TestSub qLit2 = TestSub.queue("foo.bar", "q");
        TestSub r = TestSub.queue("foo.bar", "r");
        TestSub all = TestSub.plain(">");
        TestSub lit = TestSub.plain("foo.bar");
        List.of(qStar, qTail, qLit, qLit2, r, all, lit).forEach(trie::insert);

        MatchResult<TestSub> m = trie.match("foo.bar");
        assertThat(shape(m)).isEqualTo(Map.of(
                "plain", sortedIds(all, lit),
                "queue:q", sortedIds(qStar, qTail, qLit, qLit2),
                "queue:r", sortedIds(r)));
        assertThat(m.fanout()).isEqualTo(4); // two plain copies + one per group
        assertThat(m.isEmpty()).isFalse();

        MatchResult<TestSub> other = trie.match("foo.baz");
        assertThat(shape(other)).isEqualTo(Map.of("plain", sortedIds(all), "queue:q", sortedIds(qStar, qTail)));

        // A queue named like a subject is just a name.
        TestSub odd = TestSub.queue("foo.bar", "q.*.>");
        trie.insert(odd);
        assertThat(shape(trie.match("foo.bar"))).containsEntry("queue:q.*.>", sortedIds(odd));
    }

    @Test
    void queueGroupAccessors() {
        SubscriptionTrie<TestSub> trie = trie(true);
        TestSub a = TestSub.queue("x", "g1");
        TestSub b = TestSub.queue("x", "g1");
        TestSub c = TestSub.queue("x", "g2");
        List.of(a, b, c).forEach(trie::insert);
        MatchResult<TestSub> m = trie.match("x");
        assertThat(m.plainCount()).isZero();
        assertThat(m.queueGroupCount()).isEqualTo(2);
        Map<String, Set<TestSub>> groups = new HashMap<>();
        for (int g = 0; g < m.queueGroupCount(); g++) {
            Set<TestSub> members = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < m.queueGroupSize(g); i++) {
                members.add(m.queueMember(g, i));
            }
            groups.put(m.queueName(g), members);
        }
        assertThat(groups.get("g1")).containsExactlyInAnyOrder(a, b);
        assertThat(groups.get("g2")).containsExactly(c);
        int g1 = m.queueName(0).equals("g1") ? 0 : 1;
        assertThatThrownBy(() -> m.queueMember(g1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.queueMember(1 - g1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(m.toString()).contains("g1=", "g2=");
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void emptyQueueNameIsPlain(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        TestSub s = TestSub.queue("foo", "");
        trie.insert(s);
        assertThat(shape(trie.match("foo"))).isEqualTo(Map.of("plain", sortedIds(s)));
        assertThat(trie.remove(s)).isTrue();
        assertThat(trie.nodeCount()).isZero();
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void subscriptionsAreDistinctByIdentity(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        TestSub a = TestSub.plain("foo.bar");
        TestSub b = TestSub.plain("foo.bar");
        trie.insert(a);
        trie.insert(b);
        long gen = trie.generation();
        trie.insert(a); // same object again: no-op
        assertThat(trie.generation()).isEqualTo(gen);
        assertThat(trie.count()).isEqualTo(2);
        assertThat(all(trie.match("foo.bar"))).containsExactlyInAnyOrder(a, b);

        // Removing a look-alike that was never inserted does nothing.
        assertThat(trie.remove(TestSub.plain("foo.bar"))).isFalse();
        assertThat(trie.remove(TestSub.queue("foo.bar", "q"))).isFalse();
        assertThat(trie.generation()).isEqualTo(gen);

        assertThat(trie.remove(a)).isTrue();
        assertThat(trie.remove(a)).isFalse();
        assertThat(all(trie.match("foo.bar"))).containsExactly(b);
        assertThat(trie.count()).isEqualTo(1);
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void aSubscriptionAppearsOnceEvenWhenManyPatternsMatch(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        List<TestSub> subs = new ArrayList<>();
        for (String p : List.of(">", "*.>", "a.>", "a.*.>", "*.*.c", "a.b.c", "a.*.*", "*.b.*", "*.*.*")) {
            subs.add(TestSub.plain(p));
            subs.add(TestSub.plain(p));
            subs.add(TestSub.queue(p, "q"));
        }
        subs.forEach(trie::insert);
        for (int round = 0; round < 2; round++) {
            List<TestSub> matched = all(trie.match("a.b.c"));
            assertThat(matched).hasSize(subs.size());
            Set<TestSub> unique = Collections.newSetFromMap(new IdentityHashMap<>());
            unique.addAll(matched);
            assertThat(unique).hasSize(subs.size());
        }
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void invalidSubjectsAreRejectedOnInsert(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        for (String bad : List.of("", ".", "foo.", ".foo", "foo..bar", "foo.>.bar", ">.>", "a b")) {
            assertThatThrownBy(() -> trie.insert(TestSub.plain(bad))).isInstanceOf(IllegalArgumentException.class);
            assertThat(trie.remove(TestSub.plain(bad))).isFalse();
        }
        assertThat(trie.count()).isZero();
        assertThat(trie.nodeCount()).isZero();
        assertThat(trie.generation()).isZero();
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void removePrunesEmptyNodes(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        TestSub deep = TestSub.plain("a.b.c.d");
        TestSub mid = TestSub.plain("a.b");
        TestSub star = TestSub.plain("a.*.c");
        TestSub tail = TestSub.queue("a.b.>", "q");
        List.of(deep, mid, star, tail).forEach(trie::insert);
        // a, b, c, d, *, c(under *), >
        assertThat(trie.nodeCount()).isEqualTo(7);

        assertThat(trie.remove(deep)).isTrue(); // prunes d and c under b
        assertThat(trie.nodeCount()).isEqualTo(5);
        assertThat(trie.remove(mid)).isTrue(); // b still holds '>'
        assertThat(trie.nodeCount()).isEqualTo(5);
        assertThat(trie.remove(tail)).isTrue(); // prunes > and b
        assertThat(trie.nodeCount()).isEqualTo(3);
        assertThat(trie.remove(star)).isTrue();
        assertThat(trie.nodeCount()).isZero();
        assertThat(trie.count()).isZero();
        assertThat(trie.match("a.b.c.d").isEmpty()).isTrue();

        // A failed removal along a partly existing path leaves the trie alone.
        trie.insert(mid);
        assertThat(trie.remove(TestSub.plain("a.b.c"))).isFalse();
        assertThat(trie.remove(TestSub.plain("a"))).isFalse();
        assertThat(trie.nodeCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void manySubscribersOnOneSubject(boolean cache) {
        // Exercises the identity index of large per-node sets, including shrinking back below it.
        SubscriptionTrie<TestSub> trie = trie(cache);
        List<TestSub> subs = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            subs.add(i % 3 == 0 ? TestSub.queue("updates", "w") : TestSub.plain("updates"));
        }
        subs.forEach(trie::insert);
        subs.forEach(trie::insert); // duplicates are no-ops even with the index
        assertThat(trie.count()).isEqualTo(subs.size());
        assertThat(shape(trie.match("updates"))).isEqualTo(expectedShape(subs, "updates"));

        List<TestSub> shuffled = new ArrayList<>(subs);
        Collections.shuffle(shuffled, new Random(1));
        List<TestSub> remaining = new ArrayList<>(subs);
        for (int i = 0; i < shuffled.size(); i++) {
            assertThat(trie.remove(shuffled.get(i))).isTrue();
            remaining.remove(shuffled.get(i));
            if (i % 500 == 0 || shuffled.size() - i < 20) {
                assertThat(shape(trie.match("updates"))).isEqualTo(expectedShape(remaining, "updates"));
            }
        }
        assertThat(trie.nodeCount()).isZero();
    }

    @Test
    void cacheStaysCorrectWhenOverlappingSubscriptionsComeAndGo() {
        SubscriptionTrie<TestSub> trie = trie(true);
        List<String> subjects = List.of("foo", "foo.bar", "foo.baz", "foo.bar.baz", "bar", "bar.foo", "foo.*", "x.y.z");
        List<String> patterns = List.of("foo.bar", "foo.*", "foo.>", "*.bar", "*", ">", "*.*", "foo.*.baz",
                "foo.bar.baz", "bar.>", "foo.*", "x.y.z", "*.>");
        List<TestSub> live = new ArrayList<>();
        Random random = new Random(42);
        for (int step = 0; step < 2000; step++) {
            // Fill the cache with every subject, then change the subscriptions and look again.
            for (String s : subjects) {
                assertThat(shape(trie.match(s))).as("step %d subject %s", step, s).isEqualTo(expectedShape(live, s));
            }
            if (live.isEmpty() || random.nextInt(3) > 0) {
                String p = patterns.get(random.nextInt(patterns.size()));
                TestSub sub = random.nextBoolean() ? TestSub.plain(p) : TestSub.queue(p, "q" + random.nextInt(2));
                long before = trie.generation();
                trie.insert(sub);
                assertThat(trie.generation()).isNotEqualTo(before);
                live.add(sub);
            } else {
                TestSub sub = live.remove(random.nextInt(live.size()));
                long before = trie.generation();
                assertThat(trie.remove(sub)).isTrue();
                assertThat(trie.generation()).isNotEqualTo(before);
            }
        }
        assertThat(trie.stats().cacheHitRate()).isGreaterThan(0);
    }

    @Test
    void literalInsertOnlyDropsItsOwnCacheEntry() {
        SubscriptionTrie<TestSub> trie = trie(true);
        trie.insert(TestSub.plain("foo.*"));
        trie.match("foo.bar");
        trie.match("foo.baz");
        trie.match("foo.*");
        assertThat(trie.stats().numCache()).isEqualTo(3);

        TestSub lit = TestSub.plain("foo.bar");
        trie.insert(lit);
        assertThat(trie.stats().numCache()).isEqualTo(2);
        assertThat(all(trie.match("foo.bar"))).contains(lit);

        // A wildcard insert drops the entries it matches: all three (a published "foo.*" is literal for it).
        trie.insert(TestSub.plain("foo.*"));
        assertThat(trie.stats().numCache()).isZero();
    }

    @Test
    void cacheIsBoundedAndStillCorrect() {
        int max = 64;
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(max);
        List<TestSub> subs = List.of(TestSub.plain("s.*"), TestSub.plain("s.>"), TestSub.queue("s.*", "q"),
                TestSub.plain("s.7"));
        subs.forEach(trie::insert);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1000; i++) {
                String subject = "s." + i;
                assertThat(shape(trie.match(subject))).isEqualTo(expectedShape(subs, subject));
                assertThat(trie.stats().numCache()).isLessThanOrEqualTo(max);
            }
        }
        assertThat(trie.stats().numCache()).isGreaterThan(max / 2);
    }

    @Test
    void disabledCacheCachesNothing() {
        SubscriptionTrie<TestSub> trie = trie(false);
        trie.insert(TestSub.plain("foo"));
        for (int i = 0; i < 10; i++) {
            assertThat(trie.match("foo").plainCount()).isEqualTo(1);
        }
        SubscriptionTrie.Stats stats = trie.stats();
        assertThat(stats.numCache()).isZero();
        assertThat(stats.numMatches()).isEqualTo(10);
        assertThat(stats.cacheHitRate()).isZero();
    }

    @Test
    void stats() {
        SubscriptionTrie<TestSub> trie = trie(true);
        TestSub a = TestSub.plain("foo.bar");
        TestSub b = TestSub.plain("foo.*");
        TestSub c = TestSub.queue("foo.*", "q");
        TestSub d = TestSub.queue("foo.>", "q");
        TestSub gone = TestSub.plain("zzz");
        List.of(a, b, c, d, gone).forEach(trie::insert);
        trie.remove(gone);

        trie.match("foo.bar"); // miss: a, b + group q -> fanout 3
        trie.match("foo.bar"); // hit
        trie.match("foo.baz"); // miss: b + group q -> fanout 2
        trie.match("nothing"); // miss: fanout 0
        trie.match("foo..bar"); // miss, not cached

        SubscriptionTrie.Stats s = trie.stats();
        assertThat(s.numSubscriptions()).isEqualTo(4);
        assertThat(s.numInserts()).isEqualTo(5);
        assertThat(s.numRemoves()).isEqualTo(1);
        assertThat(s.numMatches()).isEqualTo(5);
        assertThat(s.numCache()).isEqualTo(3);
        assertThat(s.cacheHitRate()).isCloseTo(0.2, within(1e-9));
        assertThat(s.maxFanout()).isEqualTo(3);
        assertThat(s.avgFanout()).isCloseTo(5.0 / 3, within(1e-9));

        SubscriptionTrie.Stats sum = s.plus(new SubscriptionTrie.Stats(1, 1, 1, 0, 5, 1.0, 7, 7.0));
        assertThat(sum.numSubscriptions()).isEqualTo(5);
        assertThat(sum.numCache()).isEqualTo(4);
        assertThat(sum.numInserts()).isEqualTo(6);
        assertThat(sum.numMatches()).isEqualTo(10);
        assertThat(sum.cacheHitRate()).isCloseTo(0.6, within(1e-9));
        assertThat(sum.maxFanout()).isEqualTo(7);
        assertThat(sum.avgFanout()).isCloseTo(3.0, within(1e-9));
    }

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void forEachVisitsEverySubscriptionOnce(boolean cache) {
        SubscriptionTrie<TestSub> trie = trie(cache);
        List<TestSub> subs = List.of(TestSub.plain("a"), TestSub.plain("a"), TestSub.plain("a.b"),
                TestSub.queue("a.b", "q"), TestSub.queue("a.*", "q"), TestSub.plain(">"), TestSub.plain("*.b.>"));
        subs.forEach(trie::insert);
        List<TestSub> seen = new ArrayList<>();
        // The action may call back into the trie: it runs outside the lock.
        trie.forEach(s -> {
            seen.add(s);
            trie.match(s.subject());
        });
        assertThat(seen).containsExactlyInAnyOrderElementsOf(subs);
    }

    /** The publish hot path: a cached match, iterated, allocates nothing. */
    @Test
    void cachedMatchDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        SubscriptionTrie<TestSub> trie = trie(true);
        List.of(TestSub.plain("orders.*"), TestSub.plain(">"), TestSub.queue("orders.new", "w"),
                TestSub.queue("orders.new", "w")).forEach(trie::insert);
        String subject = "orders.new";
        long sink = 0;
        for (int i = 0; i < 20_000; i++) { // warm-up; also fills the cache
            sink += consume(trie.match(subject));
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            sink += consume(trie.match(subject));
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(sink).isEqualTo(120_000L * 3);
        // Allow for the measurement call itself; 100k allocating matches would be megabytes.
        assertThat(allocated).isLessThan(4096);
    }

    private static int consume(MatchResult<TestSub> r) {
        int n = 0;
        for (int i = 0; i < r.plainCount(); i++) {
            n += r.plain(i) != null ? 1 : 0;
        }
        for (int g = 0; g < r.queueGroupCount(); g++) {
            n += r.queueMember(g, r.queueGroupSize(g) - 1) != null ? 1 : 0;
        }
        return n;
    }

    private static List<Integer> sortedIds(TestSub... subs) {
        return Stream.of(subs).map(s -> s.id).sorted().collect(Collectors.toList());
    }
}
