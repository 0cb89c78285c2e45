package io.natsboot.server.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer helpers for the protocol's CONNECT/INFO objects, so the
 * engine needs no JSON library. Values: Map (insertion order), List, String, Long, Double,
 * Boolean, null. Anything after the top-level value other than whitespace is an error, like Go's
 * encoding/json.
 */
public final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Thrown for malformed input; the message reads like a JSON decoder error. */
    public static final class JsonException extends RuntimeException {
        JsonException(String msg) {
            super(msg);
        }
    }

    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) {
            throw new JsonException("invalid character '" + p.s.charAt(p.i) + "' after top-level value");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new JsonException("json: cannot unmarshal non-object into Go value");
        }
        return (Map<String, Object>) v;
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else {
                break;
            }
        }
    }

    private Object value() {
        if (i >= s.length()) {
            throw new JsonException("unexpected end of JSON input");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new JsonException("invalid character '" + c + "' looking for beginning of value");
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw new JsonException("invalid literal at offset " + i);
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw new JsonException(invalidCharacter(peek()) + " looking for beginning of object key string");
            }
            String k = string();
            ws();
            if (peek() != ':') {
                throw new JsonException(invalidCharacter(peek()) + " after object key");
            }
            i++;
            ws();
            m.put(k, value());
            ws();
            char c = peek();
            i++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new JsonException(invalidCharacter(c) + " after object key:value pair");
            }
        }
    }

    /** Go's encoding/json wording: {@code invalid character 'x'} (quoteChar: ' and " as themselves, escapes). */
    static String invalidCharacter(char c) {
        String q;
        if (c == '\'') {
            q = "'\\''";
        } else if (c == '"') {
            q = "'\"'";
        } else if (c >= 0x20 && c < 0x7f) {
            q = "'" + c + "'";
        } else if (c == '\n') {
            q = "'\\n'";
        } else if (c == '\r') {
            q = "'\\r'";
        } else if (c == '\t') {
            q = "'\\t'";
        } else if (c < 0x20) {
            q = String.format("'\\x%02x'", (int) c);
        } else {
            q = "'" + c + "'";
        }
        return "invalid character " + q;
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            ws();
            l.add(value());
            ws();
            char c = peek();
            i++;
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw new JsonException(invalidCharacter(c) + " after array element");
            }
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw new JsonException("unexpected end of JSON input");
        }
        return s.charAt(i);
    }

    private String string() {
        i++;
        StringBuilder b = null;
        int start = i;
        while (true) {
            char c = peek();
            if (c == '"') {
                String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
                i++;
                return out;
            }
            if (c < 0x20) {
                throw new JsonException("invalid character in string literal");
            }
            if (c == '\\') {
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, start, i);
                i++;
                char e = peek();
                i++;
                switch (e) {
                    case '"': b.append('"'); break;
                    case '\\': b.append('\\'); break;
                    case '/': b.append('/'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length()) {
                            throw new JsonException("unexpected end of JSON input");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw new JsonException("invalid character in \\u escape");
                        }
                        i += 4;
                        break;
                    default:
                        throw new JsonException("invalid character in string escape code");
                }
                start = i;
            } else {
                i++;
            }
        }
    }

    private Object number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        boolean frac = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                i++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                frac = true;
                i++;
            } else {
                break;
            }
        }
        String n = s.substring(start, i);
        try {
            if (!frac) {
                return Long.parseLong(n);
            }
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw new JsonException("invalid number " + n);
        }
    }

    /** Appends {@code ,"name":["a","b"]} for a non-empty list, nothing for an empty one (Go's omitempty). */
    public static void stringArrayOmitEmpty(StringBuilder b, String name, java.util.List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        b.append(",\"").append(name).append("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            quote(b, values.get(i));
        }
        b.append(']');
    }

    /** Appends {@code s} as a JSON string literal, escaped exactly as Go's encoder does (escapeHTML on). */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                    b.append(c);
                    continue;
                }
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    default:
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                }
                continue;
            }
            if (c == '\u2028' || c == '\u2029') {
                b.append("\\u202").append(HEX[c & 0xF]);
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
                continue;
            }
            if (Character.isSurrogate(c)) {
                // Go replaces invalid UTF-8 with U+FFFD; a lone surrogate is Java's equivalent.
                b.append("\\ufffd");
                continue;
            }
            b.append(c);
        }
        b.append('"');
        return b;
    }
}
