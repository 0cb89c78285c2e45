package io.natsboot.server.auth;

import io.natsboot.server.subject.Subjects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's publish and subscribe permissions, with nats-server 2.9.10's decisions (client.go canSubscribe,
 * canQueueSubscribe, pubAllowedFullCheck). Immutable and shared by all connections of the user; a reload
 * makes new instances, so connections detect a change by identity.
 *
 * <p>A null allow list allows everything; an empty one allows nothing. Deny wins over allow. Subscribe entries
 * may be {@code "subject queue"}: they then only concern queue subscriptions (a queue name may be a
 * wildcard). Subjects being checked are compared with their wildcards as literal tokens, as nats-server's
 * sublist match does.
 */
public final class Permissions {
    /** allow_responses: the requester's reply subject may be published to {@code maxMsgs} times within {@code expires}. */
    public record ResponsePermission(int maxMsgs, Duration expires) {
        public static final ResponsePermission DEFAULT = new ResponsePermission(1, Duration.ofMinutes(2));
    }

    /** Allow and deny lists as written in the configuration; null = not given. */
    public record SubjectPermission(List<String> allow, List<String> deny) {
    }

    private record Entry(String subject, String queue) {
    }

    private final SubjectPermission publish;
    private final SubjectPermission subscribe;
    private final ResponsePermission response;
    private final List<String> pubAllow;
    private final List<String> pubDeny;
    private final List<Entry> subAllow;
    private final List<Entry> subDeny;

    public Permissions(SubjectPermission publish, SubjectPermission subscribe, ResponsePermission response) {
        // nats-server: allow_responses without a publish allow list turns off the blanket publish allow.
        if (response != null && (publish == null || publish.allow() == null)) {
            publish = new SubjectPermission(List.of(), publish == null ? null : publish.deny());
        }
        this.publish = publish;
        this.subscribe = subscribe;
        this.response = response;
        pubAllow = publish == null || publish.allow() == null ? null : List.copyOf(publish.allow());
        pubDeny = publish == null || publish.deny() == null || publish.deny().isEmpty() ? null
                : List.copyOf(publish.deny());
        subAllow = subscribe == null || subscribe.allow() == null ? null : entries(subscribe.allow());
        subDeny = subscribe == null || subscribe.deny() == null || subscribe.deny().isEmpty() ? null
                : entries(subscribe.deny());
    }

    private static List<Entry> entries(List<String> list) {
        List<Entry> out = new ArrayList<>();
        for (String s : list) {
            String t = s.strip();
            int sp = indexOfSpace(t);
            if (sp < 0) {
                out.add(new Entry(t, null));
            } else {
                out.add(new Entry(t.substring(0, sp), t.substring(sp + 1).strip()));
            }
        }
        return List.copyOf(out);
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    public SubjectPermission publish() {
        return publish;
    }

    public SubjectPermission subscribe() {
        return subscribe;
    }

    public ResponsePermission response() {
        return response;
    }

    /** Whether any publish check is needed at all. */
    public boolean checksPublish() {
        return pubAllow != null || pubDeny != null;
    }

    /** The static publish decision (before allow_responses' dynamic reply permissions). */
    public boolean canPublish(String subject) {
        boolean allowed = true;
        if (pubAllow != null) {
            allowed = anyMatch(pubAllow, subject);
        }
        if (allowed && pubDeny != null) {
            allowed = !anyMatch(pubDeny, subject);
        }
        return allowed;
    }

    private static boolean anyMatch(List<String> patterns, String subject) {
        for (int i = 0, n = patterns.size(); i < n; i++) {
            if (Subjects.matches(patterns.get(i), subject)) {
                return true;
            }
        }
        return false;
    }

    /** canSubscribe: plain entries of the allow list, then of the deny list. */
    public boolean canSubscribe(String subject) {
        boolean allowed = true;
        if (subAllow != null) {
            allowed = matchesPlain(subAllow, subject);
        }
        if (allowed && subDeny != null) {
            allowed = !matchesPlain(subDeny, subject);
        }
        return allowed;
    }

    /**
     * canQueueSubscribe, quirks included: when queue entries match the subject they alone decide (even when a
     * plain entry matched too).
     */
    public boolean canQueueSubscribe(String subject, String queue) {
        boolean allowed = true;
        if (subAllow != null) {
            allowed = matchesPlain(subAllow, subject);
            List<String> queues = matchingQueues(subAllow, subject);
            if (!queues.isEmpty()) {
                allowed = queueMatches(queue, queues);
            }
        }
        if (allowed && subDeny != null) {
            allowed = !matchesPlain(subDeny, subject);
            List<String> queues = matchingQueues(subDeny, subject);
            if (!queues.isEmpty()) {
                allowed = !queueMatches(queue, queues);
            }
        }
        return allowed;
    }

    /**
     * Whether a wildcard subscription may receive messages on denied subjects (nats-server's deny filter):
     * then each delivery to the connection is checked with {@link #deniedDelivery}.
     */
    public boolean needsDenyFilter(String subscribed) {
        if (subDeny == null || !Subjects.hasWildcard(subscribed)) {
            return false;
        }
        for (Entry e : subDeny) {
            if (e.queue == null && isSubsetMatch(e.subject, subscribed)) {
                return true;
            }
        }
        return false;
    }

    /** A message on {@code subject} must not be delivered (it matches a subscribe deny entry). */
    public boolean deniedDelivery(String subject) {
        return subDeny != null && matchesPlain(subDeny, subject);
    }

    private static boolean matchesPlain(List<Entry> entries, String subject) {
        for (int i = 0, n = entries.size(); i < n; i++) {
            Entry e = entries.get(i);
            if (e.queue == null && Subjects.matches(e.subject, subject)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> matchingQueues(List<Entry> entries, String subject) {
        List<String> out = null;
        for (Entry e : entries) {
            if (e.queue != null && Subjects.matches(e.subject, subject)) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(e.queue);
            }
        }
        return out == null ? List.of() : out;
    }

    private static boolean queueMatches(String queue, List<String> names) {
        for (String q : names) {
            if (queue.equals(q) || (Subjects.hasWildcard(q) && isSubsetMatch(queue, q))) {
                return true;
            }
        }
        return false;
    }

    /** nats-server's subjectIsSubsetMatch: every subject matched by {@code subject} is matched by {@code test}. */
    static boolean isSubsetMatch(String subject, String test) {
        String[] tokens = subject.split("\\.", -1);
        String[] t = test.split("\\.", -1);
        for (int i = 0; i < t.length; i++) {
            if (i >= tokens.length) {
                return false;
            }
            String t2 = t[i];
            if (t2.isEmpty()) {
                return false;
            }
            if (t2.equals(">")) {
                return true;
            }
            String t1 = tokens[i];
            if (t1.isEmpty() || t1.equals(">")) {
                return false;
            }
            if (t1.equals("*")) {
                if (!t2.equals("*")) {
                    return false;
                }
                continue;
            }
            if (t2.charAt(0) != '*' && !t1.equals(t2)) {
                return false;
            }
        }
        return tokens.length == t.length;
    }

    @Override
    public String toString() {
        return "Permissions[publish=" + publish + ", subscribe=" + subscribe + ", response=" + response + "]";
    }
}
