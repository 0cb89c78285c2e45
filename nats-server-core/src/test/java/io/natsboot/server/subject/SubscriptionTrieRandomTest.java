package io.natsboot.server.subject;

import static io.natsboot.server.subject.TestSub.expectedShape;
import static io.natsboot.server.subject.TestSub.shape;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A large random trie checked against a brute-force oracle ({@link Subjects#matches} over every subscription). */
class SubscriptionTrieRandomTest {

    private static final String[] WORDS = {"a", "b", "c", "d", "e", "f", "g", "h"};
    private static final int DISTINCT_PATTERNS = 100_000;
    private static final int QUERIES = 200;

    @ParameterizedTest(name = "cache={0}")
    @ValueSource(booleans = {true, false})
    void agreesWithBruteForce(boolean cache) {
        Random random = new Random(cache ? 7 : 8);
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(cache);

        Set<String> patterns = new LinkedHashSet<>();
        while (patterns.size() < DISTINCT_PATTERNS) {
            patterns.add(randomPattern(random));
        }
        List<TestSub> subs = new ArrayList<>(patterns.size() + patterns.size() / 10);
        for (String p : patterns) {
            subs.add(TestSub.plain(p));
            if (random.nextInt(20) == 0) {
                subs.add(TestSub.queue(p, "q" + random.nextInt(3)));
            }
            if (random.nextInt(50) == 0) {
                subs.add(TestSub.plain(p)); // a second subscriber on the same subject
            }
        }
        subs.forEach(trie::insert);
        assertThat(trie.count()).isEqualTo(subs.size());

        List<String> queries = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
            queries.add(randomSubject(random));
        }
        check(trie, subs, queries);

        // Remove a random half; queries already cached must not come back stale.
        Collections.shuffle(subs, random);
        List<TestSub> removed = new ArrayList<>(subs.subList(0, subs.size() / 2));
        List<TestSub> kept = new ArrayList<>(subs.subList(subs.size() / 2, subs.size()));
        for (TestSub s : removed) {
            assertThat(trie.remove(s)).isTrue();
        }
        assertThat(trie.count()).isEqualTo(kept.size());
        check(trie, kept, queries);

        for (TestSub s : kept) {
            assertThat(trie.remove(s)).isTrue();
        }
        assertThat(trie.count()).isZero();
        assertThat(trie.nodeCount()).isZero();
        for (String q : queries) {
            assertThat(trie.match(q).isEmpty()).isTrue();
        }
    }

    private static void check(SubscriptionTrie<TestSub> trie, List<TestSub> subs, List<String> queries) {
        for (String q : queries) {
            var expected = expectedShape(subs, q);
            assertThat(shape(trie.match(q))).as(q).isEqualTo(expected);
            assertThat(shape(trie.match(q))).as("again %s", q).isEqualTo(expected);
        }
    }

    /** 1-6 tokens from a small vocabulary, some '*', sometimes a final '>'. */
    private static String randomPattern(Random random) {
        int n = 1 + random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int r = random.nextInt(100);
            if (i == n - 1 && r < 5) {
                sb.append('>');
            } else if (r < 15) {
                sb.append('*');
            } else {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            }
        }
        return sb.toString();
    }

    /** Mostly literal subjects over the vocabulary plus an unknown word; some published wildcards and empty tokens. */
    private static String randomSubject(Random random) {
        int n = 1 + random.nextInt(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            int r = random.nextInt(200);
            if (r == 0) {
                sb.append('*');
            } else if (r == 1) {
                sb.append('>');
            } else if (r == 2) {
                // empty token
            } else if (r < 10) {
                sb.append("zz");
            } else {
                sb.append(WORDS[random.nextInt(WORDS.length)]);
            }
        }
        return sb.toString();
    }
}
