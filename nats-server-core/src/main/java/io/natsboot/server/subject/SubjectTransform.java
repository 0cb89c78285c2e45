package io.natsboot.server.subject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One subject transform of nats-server 2.9.10: a source subject (possibly with wildcards) and a destination
 * that says how to build the new subject from the published one's tokens.
 *
 * <p>Destination tokens are literal, or {@code $n} (the n-th {@code *} of the source, 1-based), or a mustache
 * function: {@code {{wildcard(n)}}}, {@code {{partition(buckets, n...)}}} (FNV-1a of the named tokens modulo
 * buckets), {@code {{splitFromLeft(n, pos)}}}, {@code {{splitFromRight(n, pos)}}}, {@code {{sliceFromLeft(n,
 * size)}}}, {@code {{sliceFromRight(n, size)}}} and {@code {{split(n, separator)}}} (function names match with
 * their first letter and the From/Left/Right parts in either case, as nats-server's patterns do). A trailing
 * {@code >} in both takes the rest of the published subject.
 *
 * <p>Quirks kept from nats-server: a source without wildcards leaves its destination untouched ({@code foo ->
 * bar.$1} publishes to {@code bar.$1}); a wildcard index of 0 or below names the first token; a split or slice
 * that would not cut leaves the token whole; empty pieces of a split are skipped. Errors carry nats-server's
 * texts ({@link MappingException}). Immutable and thread-safe.
 */
public final class SubjectTransform {

    /** What a destination token does. */
    private enum Kind { LITERAL, WILDCARD, PARTITION, SPLIT_FROM_LEFT, SPLIT_FROM_RIGHT, SLICE_FROM_LEFT,
        SLICE_FROM_RIGHT, SPLIT }

    /** A subject mapping error with nats-server's text. */
    public static final class MappingException extends Exception {
        public MappingException(String message) {
            super(message, null, false, false);
        }
    }

    static final String INVALID_DESTINATION = "invalid mapping destination";
    static final String INVALID_SUBJECT = "invalid subject";
    private static final String BAD_DEST_SUBJECT = INVALID_DESTINATION + ": invalid subject";
    private static final String NOT_ALL_WILDCARDS = INVALID_DESTINATION + ": not using all of the token wildcard(s)";
    private static final String UNKNOWN_FUNCTION = INVALID_DESTINATION + ": unknown function";
    private static final String INDEX_OUT_OF_RANGE = INVALID_DESTINATION + ": wildcard index out of range";
    private static final String NOT_ENOUGH_ARGS = INVALID_DESTINATION + ": not enough arguments passed to the function";
    private static final String INVALID_ARG = INVALID_DESTINATION
            + ": function argument is invalid or in the wrong format";
    private static final String TOO_MANY_ARGS = INVALID_DESTINATION + ": too many arguments passed to the function";

    // nats-server's function patterns: searched (not anchored) inside a {{...}} token, first match wins.
    private static final Pattern WILDCARD = fn("[wW]ildcard");
    private static final Pattern PARTITION = fn("[pP]artition");
    private static final Pattern SPLIT_FROM_LEFT = fn("[sS]plit[fF]rom[lL]eft");
    private static final Pattern SPLIT_FROM_RIGHT = fn("[sS]plit[fF]rom[rR]ight");
    private static final Pattern SLICE_FROM_LEFT = fn("[sS]lice[fF]rom[lL]eft");
    private static final Pattern SLICE_FROM_RIGHT = fn("[sS]lice[fF]rom[rR]ight");
    private static final Pattern SPLIT = fn("[sS]plit");
    private static final Pattern[] FUNCTIONS = {PARTITION, WILDCARD, SPLIT_FROM_LEFT, SPLIT_FROM_RIGHT,
        SLICE_FROM_LEFT, SLICE_FROM_RIGHT, SPLIT};
    private static final Pattern ARG_SEPARATOR = Pattern.compile(",[\\t\\n\\f\\r ]*");

    private static Pattern fn(String name) {
        return Pattern.compile("\\{\\{[\\t\\n\\f\\r ]*" + name + "[\\t\\n\\f\\r ]*\\((.*)\\)[\\t\\n\\f\\r ]*}}");
    }

    private final String source;
    private final String destination;
    private final String[] destTokens;
    private final int sourceTokenCount;
    /** Null when the source has no wildcard: the destination is used as it is. */
    private final Kind[] kinds;
    private final int[][] indexes;
    private final int[] intArgs;
    private final String[] stringArgs;

    private SubjectTransform(String source, String destination, String[] destTokens, int sourceTokenCount,
            Kind[] kinds, int[][] indexes, int[] intArgs, String[] stringArgs) {
        this.source = source;
        this.destination = destination;
        this.destTokens = destTokens;
        this.sourceTokenCount = sourceTokenCount;
        this.kinds = kinds;
        this.indexes = indexes;
        this.intArgs = intArgs;
        this.stringArgs = stringArgs;
    }

    public String source() {
        return source;
    }

    public String destination() {
        return destination;
    }

    /**
     * nats-server's ValidateMappingDestination: no empty token, nothing after {@code >}, no whitespace outside a
     * function token, and every {@code {{...}}} token a known function.
     */
    public static void validateDestination(String dest) throws MappingException {
        boolean tail = false;
        for (String t : tokens(dest)) {
            int n = t.length();
            if (n == 0 || tail) {
                throw new MappingException(BAD_DEST_SUBJECT + " in " + t);
            }
            if (mustache(t)) {
                boolean known = false;
                for (Pattern p : FUNCTIONS) {
                    if (p.matcher(t).find()) {
                        known = true;
                        break;
                    }
                }
                if (!known) {
                    throw new MappingException(UNKNOWN_FUNCTION + " in " + t);
                }
                continue;
            }
            if (t.equals(">")) {
                tail = true;
            } else if (hasWhitespace(t)) {
                throw new MappingException(BAD_DEST_SUBJECT);
            }
        }
    }

    /** nats-server's newTransform: both subjects checked, the destination's functions resolved. */
    public static SubjectTransform compile(String src, String dest) throws MappingException {
        Info s = Info.of(src);
        Info d = Info.of(dest);
        if (!s.valid || !d.valid || d.wildcards > 0 || s.tail != d.tail) {
            throw new MappingException(INVALID_SUBJECT);
        }
        if (s.wildcards == 0 && !s.tail) {
            return new SubjectTransform(src, dest, d.tokens, s.tokens.length, null, null, null, null);
        }
        // 1-based wildcard number -> source token index
        Map<Integer, Integer> wildcardAt = new HashMap<>();
        for (int i = 0; i < s.tokens.length; i++) {
            if (s.tokens[i].equals("*")) {
                wildcardAt.put(wildcardAt.size() + 1, i);
            }
        }
        int n = d.tokens.length;
        Kind[] kinds = new Kind[n];
        int[][] indexes = new int[n][];
        int[] ints = new int[n];
        String[] strings = new String[n];
        int used = 0;
        for (int i = 0; i < n; i++) {
            Placeholder p = placeholder(d.tokens[i]);
            kinds[i] = p.kind;
            ints[i] = p.intArg;
            strings[i] = p.stringArg;
            if (p.kind == Kind.LITERAL) {
                continue;
            }
            used += p.wildcards.length;
            int[] at = new int[p.wildcards.length];
            for (int k = 0; k < at.length; k++) {
                int w = p.wildcards[k];
                if (w > s.wildcards) {
                    throw new MappingException(INDEX_OUT_OF_RANGE + " in " + d.tokens[i] + ": [" + w + "]");
                }
                at[k] = wildcardAt.getOrDefault(w, 0); // nats-server: an index <= 0 reads token 0
            }
            indexes[i] = at;
        }
        if (used < s.wildcards) {
            throw new MappingException(NOT_ALL_WILDCARDS + " in " + dest);
        }
        return new SubjectTransform(src, dest, d.tokens, s.tokens.length, kinds, indexes, ints, strings);
    }

    /** The destination for a published subject that matches the source, given as its tokens. */
    public String apply(String[] tokens) {
        if (kinds == null) {
            return destination;
        }
        StringBuilder b = new StringBuilder(destination.length() + 16);
        int last = kinds.length - 1;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == Kind.LITERAL) {
                if (destTokens[i].equals(">")) {
                    break;
                }
                b.append(destTokens[i]);
            } else {
                String t = tokens[indexes[i][0]];
                switch (kinds[i]) {
                    case WILDCARD -> b.append(t);
                    case PARTITION -> b.append(partition(tokens, indexes[i], intArgs[i]));
                    case SPLIT_FROM_LEFT -> splitAt(b, t, intArgs[i]);
                    case SPLIT_FROM_RIGHT -> splitAt(b, t, t.length() - intArgs[i]);
                    case SLICE_FROM_LEFT -> sliceFromLeft(b, t, intArgs[i]);
                    case SLICE_FROM_RIGHT -> sliceFromRight(b, t, intArgs[i]);
                    case SPLIT -> split(b, t, stringArgs[i]);
                    default -> throw new IllegalStateException(kinds[i].name());
                }
            }
            if (i < last) {
                b.append('.');
            }
        }
        if (destTokens[destTokens.length - 1].equals(">")) {
            for (int i = sourceTokenCount - 1; i < tokens.length; i++) {
                b.append(tokens[i]);
                if (i < tokens.length - 1) {
                    b.append('.');
                }
            }
        }
        return b.toString();
    }

    /** {@link #apply(String[])} for a subject string. */
    public String apply(String subject) {
        return apply(tokens(subject));
    }

    private static String partition(String[] tokens, int[] from, int buckets) {
        int h = 0x811c9dc5; // FNV-1a, 32 bits, over the named tokens' bytes
        for (int i : from) {
            for (byte x : tokens[i].getBytes(StandardCharsets.UTF_8)) {
                h ^= x & 0xff;
                h *= 0x01000193;
            }
        }
        if (buckets <= 0) {
            return ""; // nats-server divides by zero here; we leave the token empty (nothing matches)
        }
        return Long.toString(Integer.toUnsignedLong(h) % buckets);
    }

    /** Cut {@code t} in two at {@code at} (a position from the left), unless that leaves a side empty. */
    private static void splitAt(StringBuilder b, String t, int at) {
        // splitFromRight passes length - n: n must be in (0, length) in both functions
        if (at > 0 && at < t.length()) {
            b.append(t, 0, at).append('.').append(t, at, t.length());
        } else {
            b.append(t);
        }
    }

    private static void sliceFromLeft(StringBuilder b, String t, int size) {
        int n = t.length();
        if (size <= 0 || size >= n) {
            b.append(t);
            return;
        }
        for (int i = 0; i + size <= n; i += size) {
            if (i != 0) {
                b.append('.');
            }
            b.append(t, i, i + size);
            if (i + size != n && i + 2 * size > n) {
                b.append('.').append(t, i + size, n);
                break;
            }
        }
    }

    private static void sliceFromRight(StringBuilder b, String t, int size) {
        int n = t.length();
        if (size <= 0 || size >= n) {
            b.append(t);
            return;
        }
        int rest = n % size;
        if (rest > 0) {
            b.append(t, 0, rest).append('.');
        }
        for (int i = rest; i + size <= n; i += size) {
            b.append(t, i, i + size);
            if (i + size < n) {
                b.append('.');
            }
        }
    }

    /** Go's strings.Split, pieces joined with dots, empty pieces left out as nats-server does. */
    private static void split(StringBuilder b, String t, String sep) {
        List<String> pieces = goSplit(t, sep);
        for (int j = 0; j < pieces.size(); j++) {
            String piece = pieces.get(j);
            b.append(piece);
            if (j < pieces.size() - 1 && !pieces.get(j + 1).isEmpty() && !(j == 0 && piece.isEmpty())) {
                b.append('.');
            }
        }
    }

    private static List<String> goSplit(String s, String sep) {
        List<String> out = new ArrayList<>();
        if (sep.isEmpty()) { // Go: one piece per UTF-8 sequence
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        int start = 0;
        int at;
        while ((at = s.indexOf(sep, start)) >= 0) {
            out.add(s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    // ---------------------------------------------------------------------------------------------------
    // Destination tokens

    private record Placeholder(Kind kind, int[] wildcards, int intArg, String stringArg) {
        static final Placeholder LITERAL = new Placeholder(Kind.LITERAL, new int[0], -1, "");
    }

    private static boolean mustache(String t) {
        int n = t.length();
        return n > 4 && t.startsWith("{{") && t.endsWith("}}");
    }

    /** nats-server's indexPlaceHolders. */
    private static Placeholder placeholder(String token) throws MappingException {
        if (token.length() <= 1) {
            return Placeholder.LITERAL;
        }
        if (token.charAt(0) == '$') {
            Integer n = atoi(token.substring(1));
            // other things use tokens starting with $: not a number is a literal
            return n == null ? Placeholder.LITERAL : new Placeholder(Kind.WILDCARD, new int[] {n}, -1, "");
        }
        if (!mustache(token)) {
            return Placeholder.LITERAL;
        }
        String[] args = args(WILDCARD, token);
        if (args != null) {
            if (args.length == 1 && args[0].isEmpty()) {
                throw new MappingException(NOT_ENOUGH_ARGS + " in " + token);
            }
            if (args.length > 1) {
                throw new MappingException(TOO_MANY_ARGS + " in " + token);
            }
            return new Placeholder(Kind.WILDCARD, new int[] {intArg(token, args[0])}, -1, "");
        }
        args = args(PARTITION, token);
        if (args != null) {
            if (args.length < 2) {
                throw new MappingException(NOT_ENOUGH_ARGS + " in " + token);
            }
            int buckets = intArg(token, args[0]);
            int[] from = new int[args.length - 1];
            for (int i = 1; i < args.length; i++) {
                from[i - 1] = intArg(token, args[i]);
            }
            return new Placeholder(Kind.PARTITION, from, buckets, "");
        }
        Kind[] indexAndInt = {Kind.SPLIT_FROM_LEFT, Kind.SPLIT_FROM_RIGHT, Kind.SLICE_FROM_LEFT, Kind.SLICE_FROM_RIGHT};
        Pattern[] patterns = {SPLIT_FROM_LEFT, SPLIT_FROM_RIGHT, SLICE_FROM_LEFT, SLICE_FROM_RIGHT};
        for (int k = 0; k < patterns.length; k++) {
            args = args(patterns[k], token);
            if (args != null) {
                checkTwo(token, args);
                int index = intArg(token, args[0]);
                return new Placeholder(indexAndInt[k], new int[] {index}, intArg(token, args[1]), "");
            }
        }
        args = args(SPLIT, token);
        if (args != null) {
            checkTwo(token, args);
            int index = intArg(token, args[0]);
            if (args[1].contains(" ") || args[1].contains(".")) {
                throw new MappingException(INVALID_ARG + " in " + token);
            }
            return new Placeholder(Kind.SPLIT, new int[] {index}, -1, args[1]);
        }
        throw new MappingException(UNKNOWN_FUNCTION + " in " + token);
    }

    private static void checkTwo(String token, String[] args) throws MappingException {
        if (args.length < 2) {
            throw new MappingException(NOT_ENOUGH_ARGS + " in " + token);
        }
        if (args.length > 2) {
            throw new MappingException(TOO_MANY_ARGS + " in " + token);
        }
    }

    private static String[] args(Pattern p, String token) {
        Matcher m = p.matcher(token);
        if (!m.find()) {
            return null;
        }
        return ARG_SEPARATOR.split(m.group(1), -1);
    }

    private static int intArg(String token, String arg) throws MappingException {
        Integer n = atoi(trimSpaces(arg));
        if (n == null) {
            throw new MappingException(INVALID_ARG + " in " + token);
        }
        return n;
    }

    /** Go's strconv.Atoi: optional sign, decimal digits, in int range (64-bit Go; we keep int). */
    private static Integer atoi(String s) {
        if (s.isEmpty()) {
            return null;
        }
        int i = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
        if (i == s.length()) {
            return null;
        }
        for (int k = i; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String trimSpaces(String s) {
        int a = 0;
        int z = s.length();
        while (a < z && s.charAt(a) == ' ') {
            a++;
        }
        while (z > a && s.charAt(z - 1) == ' ') {
            z--;
        }
        return s.substring(a, z);
    }

    private static boolean hasWhitespace(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    /** The tokens of a subject, empty ones kept (Go's strings.Split on "."). */
    static String[] tokens(String subject) {
        return subject.split("\\.", -1);
    }

    /** nats-server's subjectInfo: validity (no empty token, nothing after >), wildcard count, trailing >. */
    private record Info(boolean valid, String[] tokens, int wildcards, boolean tail) {
        static Info of(String subject) {
            if (subject.isEmpty()) {
                return new Info(false, new String[0], 0, false);
            }
            String[] t = SubjectTransform.tokens(subject);
            int wildcards = 0;
            boolean tail = false;
            for (String x : t) {
                if (x.isEmpty() || tail) {
                    return new Info(false, t, 0, false);
                }
                if (x.equals(">")) {
                    tail = true;
                } else if (x.equals("*")) {
                    wildcards++;
                }
            }
            return new Info(true, t, wildcards, tail);
        }
    }

    @Override
    public String toString() {
        return source + " -> " + destination;
    }
}
