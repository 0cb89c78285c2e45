package io.natsboot.benchmarks;

import io.natsboot.server.subject.Interest;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.SubscriptionTrie;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SubscriptionTrie#match} on a trie of {@code subs} subscriptions, with the shared match cache warm
 * ({@code cache=warm}: every subject below was matched once before measuring, so each match is a cache hit) or
 * disabled ({@code cache=off}: every match walks the trie and builds a result).
 *
 * <p>The trie: 90% literal subscriptions {@code lit.a<i>.b<j>.c<k>} (up to 100 x 100 x 100), 10% wildcard
 * subscriptions in the {@code wc} space over n tokens per level, n = sqrt(subs/30): one each on
 * {@code wc.X.Y.*}, {@code wc.X.*.Z}, {@code wc.*.Y.Z} for every pair, plus {@code wc.X.*.*},
 * {@code wc.*.Y.>}, {@code wc.*.*.Z} for every token, plus {@code wc.>}.
 *
 * <p>Published subjects (256 of each kind, taken in turn; 768 in all, within the cache's 1024 entries):
 * <ul>
 *   <li>{@code literalHit}: an existing {@code lit.a.b.c}; one subscriber.</li>
 *   <li>{@code miss}: {@code lit.a.b.n<k>} next to an existing {@code lit.a.b.c<k>}: walks three levels, then
 *       finds nothing.</li>
 *   <li>{@code wildcard}: {@code wc.x.y.z}; every level has a literal and a {@code *} branch to follow,
 *       and seven subscriptions match (the three pair patterns, the three single ones, {@code wc.>}).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class TrieMatchBenchmark {
    private static final int SUBJECTS = 256;

    @Param({"10000", "1000000"})
    public int subs;

    @Param({"warm", "off"})
    public String cache;

    private SubscriptionTrie<Sub> trie;
    private final String[] hit = new String[SUBJECTS];
    private final String[] miss = new String[SUBJECTS];
    private final String[] wild = new String[SUBJECTS];
    private int next;

    /** A subscription as the trie sees one: a subject and no queue. */
    static final class Sub implements Interest {
        private final String subject;

        Sub(String subject) {
            this.subject = subject;
        }

        @Override
        public String subject() {
            return subject;
        }

        @Override
        public String queue() {
            return null;
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        trie = new SubscriptionTrie<>("warm".equals(cache));
        int n = Math.max(2, (int) Math.sqrt(subs / 30.0));
        List<String> patterns = new ArrayList<>();
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                patterns.add("wc.x" + x + ".y" + y + ".*");
                patterns.add("wc.x" + x + ".*.z" + y);
                patterns.add("wc.*.y" + x + ".z" + y);
            }
            patterns.add("wc.x" + x + ".*.*");
            patterns.add("wc.*.y" + x + ".>");
            patterns.add("wc.*.*.z" + x);
        }
        patterns.add("wc.>");
        for (String p : patterns) {
            trie.insert(new Sub(p));
        }
        int literals = subs - patterns.size();
        if (literals <= 0 || literals > 1_000_000) {
            throw new IllegalArgumentException("subs out of range: " + subs);
        }
        for (int i = 0; i < literals; i++) {
            trie.insert(new Sub(literal(i)));
        }
        if (trie.count() != subs) {
            throw new IllegalStateException("trie holds " + trie.count() + ", expected " + subs);
        }

        // Distinct subjects of each kind, so that each one is a separate cache entry.
        SplittableRandom random = new SplittableRandom(42);
        Set<String> hits = new LinkedHashSet<>();
        Set<String> misses = new LinkedHashSet<>();
        Set<String> wilds = new LinkedHashSet<>();
        while (hits.size() < SUBJECTS) {
            String s = literal(random.nextInt(literals));
            if (hits.add(s)) {
                int dot = s.lastIndexOf('.');
                misses.add(s.substring(0, dot) + ".n" + s.substring(dot + 2)); // lit.a.b.c7 -> lit.a.b.n7
            }
        }
        while (wilds.size() < SUBJECTS) {
            wilds.add("wc.x" + random.nextInt(n) + ".y" + random.nextInt(n) + ".z" + random.nextInt(n));
        }
        hits.toArray(hit);
        misses.toArray(miss);
        wilds.toArray(wild);
        for (int i = 0; i < SUBJECTS; i++) {
            expect(hit[i], 1);
            expect(miss[i], 0);
            expect(wild[i], 7);
        }
        if ("warm".equals(cache) && trie.stats().numCache() != 3 * SUBJECTS) {
            throw new IllegalStateException("cache holds " + trie.stats().numCache() + " results, expected "
                    + 3 * SUBJECTS);
        }
    }

    private static String literal(int i) {
        return "lit.a" + (i / 10_000) + ".b" + (i / 100 % 100) + ".c" + (i % 100);
    }

    private void expect(String subject, int fanout) {
        int got = trie.match(subject).fanout();
        if (got != fanout) {
            throw new IllegalStateException(subject + " matched " + got + ", expected " + fanout);
        }
    }

    private int index() {
        return next++ & (SUBJECTS - 1);
    }

    @Benchmark
    public MatchResult<Sub> literalHit() {
        return trie.match(hit[index()]);
    }

    @Benchmark
    public MatchResult<Sub> miss() {
        return trie.match(miss[index()]);
    }

    @Benchmark
    public MatchResult<Sub> wildcard() {
        return trie.match(wild[index()]);
    }
}
