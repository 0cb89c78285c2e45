package io.natsboot.server.subject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A subscription for tests: identity equality (no equals/hashCode), a unique id for readable assertions. */
final class TestSub implements Interest {

    private static final AtomicInteger IDS = new AtomicInteger();

    final int id = IDS.incrementAndGet();
    private final String subject;
    private final String queue;

    TestSub(String subject, String queue) {
        this.subject = subject;
        this.queue = queue;
    }

    static TestSub plain(String subject) {
        return new TestSub(subject, null);
    }

    static TestSub queue(String subject, String queue) {
        return new TestSub(subject, queue);
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public String queue() {
        return queue;
    }

    @Override
    public String toString() {
        return subject + (queue == null ? "" : "[" + queue + "]") + "#" + id;
    }

    /** Every subscription in a result, plain ones first, then queue members group by group. */
    static List<TestSub> all(MatchResult<TestSub> r) {
        List<TestSub> out = new ArrayList<>();
        for (int i = 0; i < r.plainCount(); i++) {
            out.add(r.plain(i));
        }
        for (int g = 0; g < r.queueGroupCount(); g++) {
            for (int i = 0; i < r.queueGroupSize(g); i++) {
                out.add(r.queueMember(g, i));
            }
        }
        return out;
    }

    /**
     * A canonical view of a result for comparison: "plain" → sorted ids, and each queue name → sorted ids.
     * Fails if a queue name appears twice, which the result must never do.
     */
    static Map<String, List<Integer>> shape(MatchResult<TestSub> r) {
        Map<String, List<Integer>> out = new TreeMap<>();
        List<Integer> plain = new ArrayList<>();
        for (int i = 0; i < r.plainCount(); i++) {
            plain.add(r.plain(i).id);
        }
        if (!plain.isEmpty()) {
            plain.sort(null);
            out.put("plain", plain);
        }
        for (int g = 0; g < r.queueGroupCount(); g++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < r.queueGroupSize(g); i++) {
                members.add(r.queueMember(g, i).id);
            }
            members.sort(null);
            if (out.put("queue:" + r.queueName(g), members) != null) {
                throw new AssertionError("queue " + r.queueName(g) + " appears twice in " + r);
            }
        }
        return out;
    }

    /** The same canonical view, computed by brute force with {@link Subjects#matches}. */
    static Map<String, List<Integer>> expectedShape(Collection<TestSub> subs, String subject) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (TestSub s : subs) {
            if (Subjects.matches(s.subject(), subject)) {
                out.computeIfAbsent(s.queue() == null ? "plain" : "queue:" + s.queue(), k -> new ArrayList<>()).add(s.id);
            }
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }
}
