package io.natsboot.server.subject;

import java.util.Arrays;

/**
 * The subscriptions interested in one published subject: plain subscribers, each of which gets a copy, and
 * queue groups, each of which gets one copy delivered to one chosen member.
 *
 * <p><b>Queue groups are keyed by queue name alone.</b> Members of queue {@code q} subscribed on
 * {@code foo.*}, on {@code foo.>} and on {@code foo.bar} all form one group {@code q} for a message on
 * {@code foo.bar}, so exactly one of them receives it. This is what nats-server 2.9.10 does (observed: 100
 * publishes to {@code foo.bar} gave 100 deliveries spread over the three members, not 300); the trie stores
 * members per (pattern, queue) but the result merges them by name.
 *
 * <p>Immutable and array-backed; the accessors allocate nothing, so a cached result can be iterated on the
 * publish path for free. Picking a queue member is {@code queueMember(g, random.nextInt(queueGroupSize(g)))}.
 * One subscription object appears at most once in a result.
 *
 * @param <S> the subscription type
 */
public final class MatchResult<S> {

    static final Object[] NO_SUBS = {};
    static final String[] NO_NAMES = {};
    static final int[] NO_GROUPS = {0};
    private static final MatchResult<?> EMPTY = new MatchResult<>(NO_SUBS, NO_NAMES, NO_GROUPS, NO_SUBS);

    private final Object[] plain;
    private final String[] queueNames;
    /** Group g's members are {@code queueMembers[groupStart[g] .. groupStart[g + 1])}; length is groups + 1. */
    private final int[] groupStart;
    private final Object[] queueMembers;

    /** Takes ownership of the arrays; the trie builds them and never touches them again. */
    MatchResult(Object[] plain, String[] queueNames, int[] groupStart, Object[] queueMembers) {
        this.plain = plain;
        this.queueNames = queueNames;
        this.groupStart = groupStart;
        this.queueMembers = queueMembers;
    }

    /** The shared empty result. */
    @SuppressWarnings("unchecked")
    public static <S> MatchResult<S> empty() {
        return (MatchResult<S>) EMPTY;
    }

    /** True if nothing is interested: no plain subscriber and no queue group. */
    public boolean isEmpty() {
        return plain.length == 0 && queueNames.length == 0;
    }

    /** Number of plain (non-queue) subscribers. */
    public int plainCount() {
        return plain.length;
    }

    /** Plain subscriber {@code i}, 0 ≤ i &lt; {@link #plainCount()}. */
    @SuppressWarnings("unchecked")
    public S plain(int i) {
        return (S) plain[i];
    }

    /** Number of distinct queue names matched. */
    public int queueGroupCount() {
        return queueNames.length;
    }

    /** The name of queue group {@code g}. */
    public String queueName(int g) {
        return queueNames[g];
    }

    /** Number of members of queue group {@code g} (always at least 1). */
    public int queueGroupSize(int g) {
        return groupStart[g + 1] - groupStart[g];
    }

    /** Member {@code i} of queue group {@code g}. */
    @SuppressWarnings("unchecked")
    public S queueMember(int g, int i) {
        int size = queueGroupSize(g);
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("member " + i + " of group of size " + size);
        }
        return (S) queueMembers[groupStart[g] + i];
    }

    /** Copies a message makes when delivered: one per plain subscriber plus one per queue group (nats-server's fanout). */
    public int fanout() {
        return plain.length + queueNames.length;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MatchResult{plain=").append(Arrays.toString(plain));
        for (int g = 0; g < queueNames.length; g++) {
            sb.append(", ").append(queueNames[g]).append('=')
                    .append(Arrays.toString(Arrays.copyOfRange(queueMembers, groupStart[g], groupStart[g + 1])));
        }
        return sb.append('}').toString();
    }
}
