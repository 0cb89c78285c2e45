package io.natsboot.server.jetstream;

import io.natsboot.server.subject.Subjects;

/** Whether two subjects (wildcards allowed on both sides) can match a common literal subject. */
public final class SubjectOverlap {
    private SubjectOverlap() {
    }

    public static boolean collide(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        String[] x = a.split("\\.", -1);
        String[] y = b.split("\\.", -1);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            String p = x[i];
            String q = y[i];
            if (p.equals(">") || q.equals(">")) {
                return true;
            }
            if (!p.equals(q) && !p.equals("*") && !q.equals("*")) {
                return false;
            }
        }
        if (x.length == y.length) {
            return true;
        }
        // Different lengths: only a trailing '>' on the shorter one bridges the rest (handled above).
        return false;
    }

    /** Whether every subject {@code sub} matches is also matched by {@code pattern}. */
    public static boolean subsetOf(String sub, String pattern) {
        return Subjects.subsetOf(sub, pattern);
    }
}
