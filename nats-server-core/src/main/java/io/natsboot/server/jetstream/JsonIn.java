package io.natsboot.server.jetstream;

import io.natsboot.server.protocol.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads from a parsed request, failing like Go's {@code json.Unmarshal} into a struct: a value of the wrong
 * type is an error ({@link InvalidJson}), a missing or null one the zero value, unknown fields are ignored.
 */
public final class JsonIn {
    private final Map<String, Object> m;

    /** The request is not valid JSON for the struct it should fill. */
    public static final class InvalidJson extends RuntimeException {
        public InvalidJson(String msg) {
            super(msg, null, false, false);
        }
    }

    public JsonIn(Map<String, Object> m) {
        this.m = m;
    }

    /** Parses a request body that must be an object ("null" is an empty one, as in Go). */
    @SuppressWarnings("unchecked")
    public static JsonIn parse(byte[] body) {
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        Object v;
        try {
            v = Json.parse(s);
        } catch (Json.JsonException e) {
            throw new InvalidJson(e.getMessage());
        }
        if (v == null) {
            return new JsonIn(Map.of());
        }
        if (!(v instanceof Map)) {
            throw new InvalidJson("cannot unmarshal into struct");
        }
        return new JsonIn((Map<String, Object>) v);
    }

    public boolean has(String k) {
        return m.get(k) != null;
    }

    public Map<String, Object> raw() {
        return m;
    }

    public String str(String k) {
        Object v = m.get(k);
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s)) {
            throw new InvalidJson(k + ": not a string");
        }
        return s;
    }

    public long i64(String k) {
        Object v = m.get(k);
        if (v == null) {
            return 0;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw new InvalidJson(k + ": not an integer");
    }

    public int i32(String k) {
        long v = i64(k);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidJson(k + ": overflows int32");
        }
        return (int) v;
    }

    public boolean bool(String k) {
        Object v = m.get(k);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new InvalidJson(k + ": not a bool");
        }
        return b;
    }

    /** A nested object, or null when absent. */
    @SuppressWarnings("unchecked")
    public JsonIn obj(String k) {
        Object v = m.get(k);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw new InvalidJson(k + ": not an object");
        }
        return new JsonIn((Map<String, Object>) v);
    }

    public List<String> strings(String k) {
        Object v = m.get(k);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw new InvalidJson(k + ": not an array");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (o != null && !(o instanceof String)) {
                throw new InvalidJson(k + ": not a string array");
            }
            out.add(o == null ? "" : (String) o);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public List<JsonIn> objects(String k) {
        Object v = m.get(k);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw new InvalidJson(k + ": not an array");
        }
        List<JsonIn> out = new ArrayList<>();
        for (Object o : l) {
            if (o != null && !(o instanceof Map)) {
                throw new InvalidJson(k + ": not an object array");
            }
            out.add(new JsonIn(o == null ? Map.of() : (Map<String, Object>) o));
        }
        return out;
    }

    /** An RFC 3339 time as Go parses it into time.Time; null when absent. */
    public java.time.Instant time(String k) {
        String s = str(k);
        if (!m.containsKey(k) || m.get(k) == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidJson(k + ": bad time");
        }
    }
}
