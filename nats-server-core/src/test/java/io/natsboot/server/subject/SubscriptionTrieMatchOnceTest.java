package io.natsboot.server.subject;

import static io.natsboot.server.subject.TestSub.all;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** matchOnce: the same subscribers as match, answered from the cache when there, never added to it. */
class SubscriptionTrieMatchOnceTest {

    private static List<String> subjectsOf(MatchResult<TestSub> r) {
        return all(r).stream().map(TestSub::subject).sorted().collect(Collectors.toList());
    }

    @Test
    void sameResultsAsMatchWithoutFillingTheCache() {
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(true);
        ObservedMatches.PATTERNS.forEach(p -> trie.insert(TestSub.plain(p)));
        for (ObservedMatches.Row row : ObservedMatches.ROWS) {
            List<String> expected = row.delivered().stream().sorted().collect(Collectors.toList());
            assertThat(subjectsOf(trie.matchOnce(row.published()))).as(row.published()).isEqualTo(expected);
        }
        assertThat(trie.stats().numCache()).isZero();

        // A subject already cached by match is answered from the cache, and the cache does not change.
        String published = ObservedMatches.ROWS.get(0).published();
        MatchResult<TestSub> cached = trie.match(published);
        int before = trie.stats().numCache();
        assertThat(trie.matchOnce(published)).isSameAs(cached);
        assertThat(trie.stats().numCache()).isEqualTo(before);
    }

    @Test
    void seesSubscriptionsAddedAfterAnEarlierMatchOnce() {
        SubscriptionTrie<TestSub> trie = new SubscriptionTrie<>(true);
        assertThat(trie.matchOnce("_INBOX.abc.1").isEmpty()).isTrue();
        trie.insert(TestSub.plain("_INBOX.abc.*"));
        assertThat(subjectsOf(trie.matchOnce("_INBOX.abc.1"))).containsExactly("_INBOX.abc.*");
        assertThat(trie.stats().numCache()).isZero();
    }
}
