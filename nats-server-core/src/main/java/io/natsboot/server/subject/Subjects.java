package io.natsboot.server.subject;

/**
 * Subject syntax helpers (nats-server 2.9 rules, see protocol reference §1.8).
 *
 * <p>A subject is a list of tokens separated by {@code '.'}. A token that is exactly {@code *} is the
 * single-token wildcard; a token that is exactly {@code >} is the tail wildcard, which matches one or more
 * trailing tokens and must be the last token. Tokens such as {@code foo*} or {@code a>} are literal.
 *
 * <p>Whitespace (space, tab, CR, LF, form feed) is never valid inside a subject or queue name: on the wire it
 * separates arguments, so the parser cannot produce it, but callers from other paths (configuration,
 * monitoring queries) get a consistent answer. Any other character, including non-ASCII UTF-8, is allowed.
 *
 * <p>None of these methods allocate.
 */
public final class Subjects {

    /** Token separator. */
    public static final char SEPARATOR = '.';
    /** The single-token wildcard, when it is a whole token. */
    public static final char SINGLE_WILDCARD = '*';
    /** The tail wildcard, when it is a whole (last) token. */
    public static final char TAIL_WILDCARD = '>';

    private Subjects() {
    }

    /**
     * True if {@code subject} may be subscribed to: non-empty, no empty token (leading, trailing or double
     * dot), nothing after a {@code >} token, no whitespace. Wildcards are allowed.
     */
    public static boolean isValidSubscribeSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            return false;
        }
        int len = subject.length();
        int start = 0;
        while (true) {
            int end = tokenEnd(subject, start);
            if (end == start || hasWhitespace(subject, start, end)) {
                return false;
            }
            if (end == len) {
                return true;
            }
            if (isTail(subject, start, end)) {
                return false; // a token follows '>'
            }
            start = end + 1;
        }
    }

    /**
     * The pedantic-mode check for a PUB/HPUB subject: a valid subject with no wildcard token.
     * (In non-pedantic mode the server does not validate publish subjects at all.)
     */
    public static boolean isValidPublishSubject(String subject) {
        return isValidSubscribeSubject(subject) && isLiteral(subject);
    }

    /**
     * True if no token is exactly {@code *} or {@code >}. Says nothing about validity: {@code foo..bar} is
     * literal (and invalid).
     */
    public static boolean isLiteral(String subject) {
        int len = subject.length();
        int start = 0;
        while (true) {
            int end = tokenEnd(subject, start);
            if (end - start == 1) {
                char c = subject.charAt(start);
                if (c == SINGLE_WILDCARD || c == TAIL_WILDCARD) {
                    return false;
                }
            }
            if (end >= len) {
                return true;
            }
            start = end + 1;
        }
    }

    /** True if some token is exactly {@code *} or {@code >}. */
    public static boolean hasWildcard(String subject) {
        return !isLiteral(subject);
    }

    /**
     * The number of {@code '.'}-separated tokens, counting empty ones ({@code "foo..bar"} has 3);
     * 0 for the empty string.
     */
    public static int tokenCount(String subject) {
        if (subject.isEmpty()) {
            return 0;
        }
        int count = 1;
        for (int i = 0; i < subject.length(); i++) {
            if (subject.charAt(i) == SEPARATOR) {
                count++;
            }
        }
        return count;
    }

    /**
     * True if a queue group name is acceptable: non-empty and free of whitespace. Dots and wildcard
     * characters are allowed and carry no meaning ({@code q.*.>} is a plain name).
     */
    public static boolean isValidQueueName(String queue) {
        return queue != null && !queue.isEmpty() && !hasWhitespace(queue, 0, queue.length());
    }

    /**
     * True if every subject {@code sub} matches is also matched by {@code pattern} (e.g. {@code a.b} and
     * {@code a.*} are subsets of {@code a.>}; {@code a.>} is not a subset of {@code a.*}).
     */
    public static boolean subsetOf(String sub, String pattern) {
        String[] s = sub.split("\\.", -1);
        String[] p = pattern.split("\\.", -1);
        for (int i = 0; i < s.length; i++) {
            if (i >= p.length) {
                return false;
            }
            if (p[i].equals(">")) {
                return true;
            }
            if (s[i].equals(">")) {
                return false;
            }
            if (!p[i].equals("*") && !p[i].equals(s[i])) {
                return false;
            }
        }
        return s.length == p.length;
    }

    /**
     * True if the subscription {@code pattern} matches the published {@code subject}, the way the trie
     * would deliver it.
     *
     * <p>Wildcard tokens in {@code subject} are compared as literal tokens (non-pedantic PUB semantics):
     * pattern {@code foo.*} matches subject {@code foo.*}, pattern {@code foo.bar} does not. A subject with an
     * empty token matches nothing, and an invalid pattern matches nothing.
     */
    public static boolean matches(String pattern, String subject) {
        int pLen = pattern.length();
        int sLen = subject.length();
        if (pLen == 0 || sLen == 0) {
            return false;
        }
        int p = 0;
        int s = 0;
        while (true) {
            int pEnd = tokenEnd(pattern, p);
            int sEnd = tokenEnd(subject, s);
            if (pEnd == p || sEnd == s) {
                return false; // empty token on either side
            }
            if (isTail(pattern, p, pEnd)) {
                // '>' must be the last pattern token and takes all remaining (non-empty) subject tokens.
                return pEnd == pLen && noEmptyTokenFrom(subject, sEnd);
            }
            boolean single = pEnd - p == 1 && pattern.charAt(p) == SINGLE_WILDCARD;
            if (!single && (pEnd - p != sEnd - s || !pattern.regionMatches(p, subject, s, pEnd - p))) {
                return false;
            }
            boolean patternDone = pEnd == pLen;
            boolean subjectDone = sEnd == sLen;
            if (patternDone || subjectDone) {
                return patternDone && subjectDone;
            }
            p = pEnd + 1;
            s = sEnd + 1;
        }
    }

    /**
     * Splits a subject into tokens, or returns null if it is empty or has an empty token. Allocates; used on
     * the trie's slow paths only.
     */
    static String[] tokenize(String subject) {
        int count = tokenCount(subject);
        if (count == 0) {
            return null;
        }
        String[] tokens = new String[count];
        int start = 0;
        for (int i = 0; i < count; i++) {
            int end = tokenEnd(subject, start);
            if (end == start) {
                return null;
            }
            tokens[i] = subject.substring(start, end);
            start = end + 1;
        }
        return tokens;
    }

    static boolean isSingleWildcard(String token) {
        return token.length() == 1 && token.charAt(0) == SINGLE_WILDCARD;
    }

    static boolean isTailWildcard(String token) {
        return token.length() == 1 && token.charAt(0) == TAIL_WILDCARD;
    }

    /** Index of the '.' ending the token starting at {@code start}, or the length if it is the last token. */
    private static int tokenEnd(String s, int start) {
        int dot = s.indexOf(SEPARATOR, start);
        return dot < 0 ? s.length() : dot;
    }

    private static boolean isTail(String s, int start, int end) {
        return end - start == 1 && s.charAt(start) == TAIL_WILDCARD;
    }

    /**
     * Given {@code from} pointing at the end of a non-empty token (a '.' or the end), true if no empty token
     * follows: no "..", no trailing '.'.
     */
    private static boolean noEmptyTokenFrom(String s, int from) {
        int len = s.length();
        for (int i = from; i < len; i++) {
            if (s.charAt(i) == SEPARATOR && (i + 1 == len || s.charAt(i + 1) == SEPARATOR)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasWhitespace(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            switch (s.charAt(i)) {
                case ' ', '\t', '\r', '\n', '\f' -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }
}
