package io.natsboot.server.jetstream;

import io.natsboot.server.subject.Subjects;

import java.util.ArrayList;
import java.util.List;

/**
 * The subject mapping of republish (nats-server 2.9's transform): destination tokens {@code *}, {@code >} and
 * {@code {{wildcard(n)}}} take the matching wildcard tokens of the source subject, in order.
 */
final class SubjectTransform {
    private SubjectTransform() {
    }

    static boolean valid(String src, String dest) {
        if (!Subjects.isValidSubscribeSubject(src) || dest.isEmpty() || !Subjects.isValidSubscribeSubject(dest)) {
            return false;
        }
        int srcWild = 0;
        boolean srcFwc = false;
        for (String t : src.split("\\.")) {
            if (t.equals("*")) {
                srcWild++;
            } else if (t.equals(">")) {
                srcFwc = true;
            }
        }
        int destWild = 0;
        boolean destFwc = false;
        for (String t : dest.split("\\.")) {
            if (t.equals("*")) {
                destWild++;
            } else if (t.equals(">")) {
                destFwc = true;
            }
        }
        return destWild <= srcWild && (!destFwc || srcFwc);
    }

    /** Maps {@code subject} (which matches {@code src}) onto {@code dest}. */
    static String apply(String src, String dest, String subject) {
        String[] s = src.split("\\.");
        String[] in = subject.split("\\.");
        List<String> wild = new ArrayList<>();
        String tail = null;
        for (int i = 0; i < s.length; i++) {
            if (s[i].equals("*")) {
                wild.add(in[i]);
            } else if (s[i].equals(">")) {
                tail = String.join(".", java.util.Arrays.copyOfRange(in, i, in.length));
                break;
            }
        }
        StringBuilder b = new StringBuilder();
        int w = 0;
        for (String t : dest.split("\\.")) {
            if (b.length() > 0) {
                b.append('.');
            }
            if (t.equals("*")) {
                b.append(w < wild.size() ? wild.get(w++) : "*");
            } else if (t.equals(">")) {
                b.append(tail == null ? ">" : tail);
            } else if (t.startsWith("{{wildcard(") && t.endsWith(")}}")) {
                int n = Integer.parseInt(t.substring(11, t.length() - 3).trim());
                b.append(n >= 1 && n <= wild.size() ? wild.get(n - 1) : t);
            } else {
                b.append(t);
            }
        }
        return b.toString();
    }
}
