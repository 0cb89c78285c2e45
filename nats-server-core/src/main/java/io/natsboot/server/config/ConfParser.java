package io.natsboot.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The NATS configuration file format, read as nats-server 2.9.10 reads it (observed with the binary).
 *
 * <ul>
 *   <li>{@code key = value}, {@code key: value}, {@code key value}; keys bare or quoted; entries end at a new
 *       line, {@code ,} or {@code ;}; {@code #} and {@code //} comments; a later key replaces an earlier one.</li>
 *   <li>Values: {@code {}} maps, {@code []} arrays (items separated by {@code ,} or new lines),
 *       {@code "..."} strings (escapes {@code \t \n \r \" \\ \xXX}), {@code '...'} raw strings, bare strings
 *       (up to white space, new line, {@code , ; ] }}), integers with size suffixes, floats, booleans
 *       ({@code true/false/yes/no/on/off}, any case), {@code (...)} block strings.</li>
 *   <li>Size suffixes, any case: {@code k m g t p e} are powers of 1000; with {@code b}, {@code i} or
 *       {@code ib} ({@code kb}, {@code ki}, {@code kib}...) powers of 1024. A number followed by other
 *       letters is a string ({@code 2s}, {@code 4222abc}); so are IP addresses ({@code 10.0.0.1:4222}).</li>
 *   <li>{@code $NAME} takes the value of a key defined earlier in the enclosing maps (innermost first), or
 *       else of the environment variable (whose text is read as a value, so numbers stay numbers). A key
 *       used as a variable is marked {@linkplain Entry#usedAsVariable() used}; nats-server does not report
 *       such keys as unknown fields.</li>
 *   <li>{@code include file} reads another file into the current map, relative to the including file.</li>
 * </ul>
 *
 * Errors carry nats-server's messages: {@code Parse error on line N: '...'} for syntax,
 * {@code variable reference for 'X' on line N can not be found},
 * {@code error parsing include file 'f', <error>}, {@code open f: no such file or directory}.
 */
public final class ConfParser {

    /** Where a key was found: nats-server's {@code file:line:col} (its column is one more after line 1). */
    public record Pos(String file, int line, int col) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + col;
        }
    }

    /** A key's value and position. {@code value} is a String, Long, Double, Boolean, ConfMap or List of Entry. */
    public static final class Entry {
        private final String key;
        private final Object value;
        private final Pos pos;
        private boolean usedAsVariable;

        Entry(String key, Object value, Pos pos) {
            this.key = key;
            this.value = value;
            this.pos = pos;
        }

        public String key() {
            return key;
        }

        public Object value() {
            return value;
        }

        public Pos pos() {
            return pos;
        }

        public boolean usedAsVariable() {
            return usedAsVariable;
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** A map of entries in file order (a repeated key keeps its first place, takes the last value). */
    public static final class ConfMap {
        private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

        public Entry get(String key) {
            return entries.get(key);
        }

        public Iterable<Entry> entries() {
            return entries.values();
        }

        public int size() {
            return entries.size();
        }

        void put(Entry e) {
            entries.put(e.key, e);
        }

        /** Plain Java values (maps, lists, scalars), for tests and debugging. */
        public Map<String, Object> toPlain() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Entry e : entries.values()) {
                m.put(e.key, plain(e.value));
            }
            return m;
        }

        static Object plain(Object v) {
            if (v instanceof ConfMap cm) {
                return cm.toPlain();
            }
            if (v instanceof List<?> l) {
                List<Object> out = new ArrayList<>();
                for (Object o : l) {
                    out.add(plain(((Entry) o).value));
                }
                return out;
            }
            return v;
        }

        @Override
        public String toString() {
            return toPlain().toString();
        }
    }

    /** A configuration that does not parse; the message is nats-server's (without its "nats-server: "). */
    public static final class ConfException extends Exception {
        public ConfException(String message) {
            super(message, null, false, false);
        }
    }

    private static final char EOF = 0;

    private final String text;
    private final String fileName;
    private final Path dir;
    private final Function<String, String> env;
    private final Deque<ConfMap> scopes;
    private int pos;
    private int line = 1;
    private int lineStart;

    private ConfParser(String text, String fileName, Path dir, Function<String, String> env, Deque<ConfMap> scopes) {
        this.text = text;
        this.fileName = fileName;
        this.dir = dir;
        this.env = env;
        this.scopes = scopes;
    }

    /** Parses a file; names in messages are spelled as given. */
    public static ConfMap parseFile(String file) throws ConfException {
        return parseFile(file, System::getenv);
    }

    public static ConfMap parseFile(String file, Function<String, String> env) throws ConfException {
        ConfMap top = new ConfMap();
        Deque<ConfMap> scopes = new ArrayDeque<>();
        scopes.push(top);
        Path p = Path.of(file);
        new ConfParser(read(p, file), file, parentOf(p), env, scopes).parseTop(top);
        return top;
    }

    /** Parses text; {@code fileName} for messages, includes relative to the working directory. */
    public static ConfMap parseString(String text, String fileName, Function<String, String> env)
            throws ConfException {
        ConfMap top = new ConfMap();
        Deque<ConfMap> scopes = new ArrayDeque<>();
        scopes.push(top);
        new ConfParser(text, fileName, Path.of(""), env, scopes).parseTop(top);
        return top;
    }

    private static Path parentOf(Path p) {
        Path parent = p.getParent();
        return parent == null ? Path.of("") : parent;
    }

    private static String read(Path p, String shown) throws ConfException {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfException("open " + shown + ": no such file or directory");
        } catch (AccessDeniedException e) {
            throw new ConfException("open " + shown + ": permission denied");
        } catch (IOException e) {
            if (Files.isDirectory(p)) {
                throw new ConfException("read " + shown + ": is a directory");
            }
            throw new ConfException("open " + shown + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Reading characters (line counted when a new line is read, as nats-server's lexer does)

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : EOF;
    }

    private char peek(int ahead) {
        return pos + ahead < text.length() ? text.charAt(pos + ahead) : EOF;
    }

    private char next() {
        if (pos >= text.length()) {
            pos++;
            return EOF;
        }
        char c = text.charAt(pos++);
        if (c == '\n') {
            line++;
            lineStart = pos - 1;
        }
        return c;
    }

    private ConfException error(String msg) {
        return new ConfException("Parse error on line " + line + ": '" + msg + "'");
    }

    private static boolean isWhite(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isNl(char c) {
        return c == '\n' || c == '\r';
    }

    private boolean atComment() {
        char c = peek();
        return c == '#' || (c == '/' && peek(1) == '/');
    }

    private void skipComment() {
        while (pos < text.length() && text.charAt(pos) != '\n') {
            pos++;
        }
    }

    /** Skips blanks, new lines, comments and the given separators. */
    private void skipFill(String separators) {
        while (true) {
            char c = peek();
            if (isWhite(c) || isNl(c) || (c != EOF && separators.indexOf(c) >= 0)) {
                next();
            } else if (atComment()) {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipWhite() {
        while (isWhite(peek())) {
            next();
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Structure

    private void parseTop(ConfMap into) throws ConfException {
        while (true) {
            skipFill(",;}");
            if (pos >= text.length()) {
                return;
            }
            parseKeyValue(into, Ctx.TOP);
        }
    }

    private enum Ctx { TOP, MAP }

    private void parseKeyValue(ConfMap into, Ctx ctx) throws ConfException {
        // nats-server's lexer places a quoted key after its opening quote, as a quoted array item
        boolean quotedKey = pos < text.length() && (text.charAt(pos) == '"' || text.charAt(pos) == '\'');
        Pos keyPos = new Pos(fileName, line, pos - lineStart + (quotedKey ? 1 : 0));
        String key = parseKey();
        int afterKey = pos;
        // The separator: blanks, then an optional '=' or ':', then blanks.
        skipWhite();
        char c = peek();
        if (c == '=' || c == ':') {
            next();
            skipWhite();
        }
        if (key.equals("include") && keyPos != null) {
            String file = parseIncludeName();
            include(file, into);
            endOfValue(ctx);
            return;
        }
        c = peek();
        if (c == EOF && ctx == Ctx.MAP) { // nats-server's texts for a map that ends with its last key
            next();
            throw pos - 1 == afterKey && !quotedKey ? error("Unexpected EOF processing map key.")
                    : valueEndError(ValueEnd.MAP, EOF);
        }
        if (isNl(c) || c == EOF) {
            next();
            throw error(c == EOF ? "Unexpected EOF." : "Expected value but found new line");
        }
        Object value = parseValue(ctx == Ctx.TOP ? ValueEnd.TOP : ValueEnd.MAP);
        into.put(new Entry(key, value, keyPos));
        endOfValue(ctx);
    }

    private String parseKey() throws ConfException {
        char c = peek();
        if (c == '"' || c == '\'') {
            next();
            StringBuilder sb = new StringBuilder();
            while (true) {
                char d = next();
                if (d == c) {
                    return sb.toString();
                }
                if (d == EOF || isNl(d)) {
                    throw error("Unexpected EOF processing key.");
                }
                sb.append(d);
            }
        }
        int start = pos;
        while (true) {
            c = peek();
            if (c == EOF || isWhite(c) || isNl(c) || c == '=' || c == ':' || c == '{' || c == '[') {
                break;
            }
            next();
        }
        if (pos == start) {
            next();
            throw error("Unexpected key separator '" + c + "'.");
        }
        return text.substring(start, pos);
    }

    private String parseIncludeName() throws ConfException {
        char c = peek();
        if (c == '"' || c == '\'') {
            next();
            int start = pos;
            while (peek() != c) {
                if (peek() == EOF || isNl(peek())) {
                    next();
                    throw error("Unexpected EOF.");
                }
                next();
            }
            String s = text.substring(start, pos);
            next();
            return s;
        }
        int start = pos;
        while (true) {
            c = peek();
            if (c == EOF || isWhite(c) || isNl(c) || c == ';' || c == ',' || c == '}') {
                break;
            }
            next();
        }
        return text.substring(start, pos);
    }

    private void include(String file, ConfMap into) throws ConfException {
        Path p = dir.resolve(file).normalize();
        String shown = p.toString().isEmpty() ? "." : p.toString();
        try {
            new ConfParser(read(p, shown), file, parentOf(p), env, scopes).parseInto(into);
        } catch (ConfException e) {
            throw new ConfException("error parsing include file '" + file + "', " + e.getMessage());
        }
    }

    /** An included file's entries go straight into the including map. */
    private void parseInto(ConfMap into) throws ConfException {
        while (true) {
            skipFill(",;");
            if (pos >= text.length()) {
                return;
            }
            if (peek() == '}') {
                next(); // nats-server tolerates a stray '}' here as at the top
                continue;
            }
            parseKeyValue(into, Ctx.TOP);
        }
    }

    /** After a value: blanks and a comment, then a new line, ',' / ';', the end of the map, or EOF. */
    private void endOfValue(Ctx ctx) throws ConfException {
        skipWhite();
        if (atComment()) {
            skipComment();
        }
        char c = peek();
        if (isNl(c) || c == ',' || c == ';' || c == '}' || (c == EOF && ctx == Ctx.TOP)) {
            return;
        }
        next(); // in a map, the end of the file right after a value is nats-server's terminator error (NUL)
        if (ctx == Ctx.TOP) {
            throw error("Expected a top-level value to end with a new line, comment or EOF, but got '" + c
                    + "' instead.");
        }
        throw error("Expected a map value terminator \",\" or a map terminator \"}\", but got '" + c
                + "' instead.");
    }

    private enum ValueEnd { TOP, MAP, ARRAY }

    private Object parseValue(ValueEnd end) throws ConfException {
        char c = peek();
        switch (c) {
            case '{':
                next();
                return parseMap();
            case '[':
                next();
                return parseArray();
            case '"':
                next();
                return parseQuoted();
            case '\'':
                next();
                return parseRaw();
            case '(':
                next();
                return parseBlock();
            case '$':
                next();
                return parseVariable();
            default:
                break;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return parseNumberish(end);
        }
        String s = bareString();
        if (s.isEmpty()) {
            next();
            throw error("Expected value but found '" + c + "' instead.");
        }
        switch (s.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on":
                return Boolean.TRUE;
            case "false": case "no": case "off":
                return Boolean.FALSE;
            default:
                return s;
        }
    }

    private static boolean endsBare(char c) {
        return c == EOF || isWhite(c) || isNl(c) || c == ',' || c == ';' || c == ']' || c == '}';
    }

    private String bareString() {
        int start = pos;
        while (!endsBare(peek())) {
            next();
        }
        return text.substring(start, pos);
    }

    private static boolean isSuffix(char c) {
        return "kKmMgGtTpPeE".indexOf(c) >= 0 && c != EOF;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object parseNumberish(ValueEnd end) throws ConfException {
        int start = pos;
        if (peek() == '-') {
            next();
        }
        while (isDigit(peek())) {
            next();
        }
        char c = peek();
        if (c == '.') {
            // A float, or an IP address (a string) when a second '.' or a ':' follows.
            next();
            while (isDigit(peek())) {
                next();
            }
            c = peek();
            if (c == '.' || c == ':') {
                bareString();
                return text.substring(start, pos);
            }
            String f = text.substring(start, pos);
            if (!endsBare(c) && c != '#') {
                next();
                throw valueEndError(end, c);
            }
            try {
                return Double.parseDouble(f);
            } catch (NumberFormatException e) {
                throw error("Invalid float value: \"" + f + "\"");
            }
        }
        if (c == ':' && pos > start) {
            bareString(); // 0:4222 and the like
            return text.substring(start, pos);
        }
        if (isSuffix(c)) {
            int digitsEnd = pos;
            next();
            while ("bBiI".indexOf(peek()) >= 0 && peek() != EOF) {
                next();
            }
            char after = peek();
            if (endsBare(after) || isDigit(after)) {
                return sized(text.substring(start, digitsEnd), text.substring(digitsEnd, pos));
            }
            bareString();
            return text.substring(start, pos);
        }
        if (c == ']' && pos > start && text.charAt(start) != '-') {
            // nats-server's lexer does not end a plain integer at ']': "1]" (to the next terminator) is a
            // string, so it refuses "[1]" with its array terminator error; "[-1]", "[1k]", "[1.5]" are fine
            next();
            bareString();
            return text.substring(start, pos);
        }
        if (!endsBare(c) && c != '#') {
            bareString(); // 2s, 4222abc: strings
            return text.substring(start, pos);
        }
        String digits = text.substring(start, pos);
        if (digits.equals("-")) {
            return digits;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("Invalid integer value: \"" + digits + "\"");
        }
    }

    private ConfException valueEndError(ValueEnd end, char c) {
        switch (end) {
            case TOP:
                return error("Expected a top-level value to end with a new line, comment or EOF, but got '" + c
                        + "' instead.");
            case ARRAY:
                return error("Expected an array value terminator \",\" or an array terminator \"]\", but got '"
                        + c + "' instead.");
            default:
                return error("Expected a map value terminator \",\" or a map terminator \"}\", but got '" + c
                        + "' instead.");
        }
    }

    private Long sized(String digits, String suffix) throws ConfException {
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("Invalid integer value: \"" + digits + suffix + "\"");
        }
        String s = suffix.toLowerCase(Locale.ROOT);
        int power = "kmgtpe".indexOf(s.charAt(0)) + 1;
        String rest = s.substring(1);
        long base;
        switch (rest) {
            case "":
                base = 1000;
                break;
            case "b": case "i": case "ib":
                base = 1024;
                break;
            default:
                throw error("Invalid size suffix: \"" + suffix + "\"");
        }
        long m = 1;
        for (int i = 0; i < power; i++) {
            m *= base;
        }
        return n * m;
    }

    private ConfMap parseMap() throws ConfException {
        ConfMap m = new ConfMap();
        scopes.push(m);
        try {
            while (true) {
                skipFill(",;");
                char c = peek();
                if (c == '}') {
                    next();
                    return m;
                }
                if (c == EOF) {
                    next();
                    throw error("Unexpected EOF processing map.");
                }
                parseKeyValue(m, Ctx.MAP);
            }
        } finally {
            scopes.pop();
        }
    }

    private List<Entry> parseArray() throws ConfException {
        List<Entry> items = new ArrayList<>();
        while (true) {
            skipFill("");
            char c = peek();
            if (c == ']') {
                next();
                return items;
            }
            if (c == EOF) { // nats-server: its array terminator error, naming the NUL it reads at the end
                next();
                throw valueEndError(ValueEnd.ARRAY, EOF);
            }
            // nats-server's lexer places a quoted string after its opening quote
            boolean quoted = pos < text.length() && (text.charAt(pos) == '"' || text.charAt(pos) == '\'');
            Pos p = new Pos(fileName, line, pos - lineStart + (quoted ? 1 : 0));
            items.add(new Entry(null, parseValue(ValueEnd.ARRAY), p));
            skipWhite();
            if (atComment()) {
                skipComment();
            }
            c = peek();
            if (c == ',' || isNl(c)) {
                next();
            } else if (c != ']') {
                next();
                throw valueEndError(ValueEnd.ARRAY, c);
            }
        }
    }

    private String parseQuoted() throws ConfException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == EOF) {
                throw error("Unexpected EOF.");
            }
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case 't': sb.append('\t'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case 'x': {
                    char h1 = next();
                    char h2 = next();
                    int v1 = Character.digit(h1, 16);
                    int v2 = Character.digit(h2, 16);
                    if (v1 < 0 || v2 < 0) {
                        throw error("Expected two hexadecimal digits after '\\x', but got '" + h1 + h2
                                + "' instead.");
                    }
                    sb.append((char) (v1 * 16 + v2));
                    break;
                }
                default:
                    throw error("Invalid escape character '" + e + "'. Only the following escape characters are"
                            + " allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
            }
        }
    }

    private String parseRaw() throws ConfException {
        int start = pos;
        while (true) {
            char c = next();
            if (c == EOF) {
                throw error("Unexpected EOF.");
            }
            if (c == '\'') {
                return text.substring(start, pos - 1);
            }
        }
    }

    /** {@code ( ... )}: everything up to a line holding just ")". */
    private String parseBlock() throws ConfException {
        int start = pos;
        while (true) {
            char c = next();
            if (c == EOF) {
                throw error("Unexpected EOF.");
            }
            if (c == ')' && text.lastIndexOf('\n', pos - 2) >= start - 1
                    && text.substring(text.lastIndexOf('\n', pos - 2) + 1, pos - 1).isBlank()
                    && (isNl(peek()) || peek() == EOF)) {
                String body = text.substring(start, pos - 1);
                return body.strip().isEmpty() ? "" : body.replaceFirst("^[ \\t]*\\r?\\n", "")
                        .replaceFirst("\\r?\\n[ \\t]*$", "");
            }
        }
    }

    private Object parseVariable() throws ConfException {
        int start = pos;
        while (true) {
            char c = peek();
            if (Character.isLetterOrDigit(c) || c == '_') {
                next();
            } else {
                break;
            }
        }
        String name = text.substring(start, pos);
        int refLine = line;
        for (ConfMap scope : scopes) {
            Entry e = scope.get(name);
            if (e != null) {
                e.usedAsVariable = true;
                return e.value;
            }
        }
        String v = env.apply(name);
        if (v != null) {
            try {
                ConfMap holder = parseString("pkey=" + v, fileName, n -> null);
                Entry e = holder.get("pkey");
                if (e != null && holder.size() == 1) {
                    return e.value;
                }
            } catch (ConfException ignored) {
                // not a value on its own: the raw text
            }
            return v;
        }
        throw new ConfException("variable reference for '" + name + "' on line " + refLine
                + " can not be found");
    }
}
