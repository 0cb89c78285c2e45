package io.natsboot.server.monitor;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.protocol.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Writes JSON exactly as Go's {@code encoding/json} does: {@code MarshalIndent(v, "", "  ")} when
 * pretty ("{@code "key": value}", empty containers as {@code {}} / {@code []}), {@code Marshal} when
 * compact; strings escaped with HTML escaping ({@code <} as {@code \u003c}), U+2028/U+2029
 * escaped, other non-ASCII written as is; floats in Go's shortest form.
 */
public final class JsonWriter {
    private final StringBuilder out;
    private final boolean pretty;
    private final String indentUnit;
    /** Per open container: number of values written so far. */
    private int[] counts = new int[16];
    private int depth;
    private boolean afterName;

    public JsonWriter(boolean pretty) {
        this(pretty, "  ");
    }

    /** {@code indentUnit} is MarshalIndent's indent (nats-server uses three spaces for /ipqueuesz). */
    public JsonWriter(boolean pretty, String indentUnit) {
        this.out = new StringBuilder(1024);
        this.pretty = pretty;
        this.indentUnit = indentUnit;
    }

    /** Something that writes itself as one JSON value. */
    public interface Writable {
        void writeJson(JsonWriter w);

        /** This value as JSON text, indented like nats-server's monitoring responses when {@code pretty}. */
        default String toJson(boolean pretty) {
            JsonWriter w = new JsonWriter(pretty);
            writeJson(w);
            return w.toString();
        }
    }

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next object member. */
    public JsonWriter name(String name) {
        beforeValue();
        quote(out, name);
        out.append(pretty ? ": " : ":");
        afterName = true;
        return this;
    }

    public JsonWriter value(String v) {
        if (v == null) {
            return nullValue();
        }
        beforeValue();
        quote(out, v);
        return this;
    }

    public JsonWriter value(long v) {
        beforeValue();
        out.append(v);
        return this;
    }

    /** A Go uint64 held in a long. */
    public JsonWriter unsignedValue(long v) {
        beforeValue();
        out.append(Long.toUnsignedString(v));
        return this;
    }

    /** A Go float64. */
    public JsonWriter value(double v) {
        beforeValue();
        out.append(GoFormat.jsonFloat(v));
        return this;
    }

    public JsonWriter value(boolean v) {
        beforeValue();
        out.append(v);
        return this;
    }

    /** A Go time.Time (RFC 3339 with nanoseconds, UTC as nats-server 2.9 writes them). */
    public JsonWriter value(Instant t) {
        return t == null ? nullValue() : value(GoFormat.rfc3339Nano(t));
    }

    /** A Go time.Duration: integer nanoseconds. */
    public JsonWriter value(Duration d) {
        return value(GoFormat.saturatedNanos(d));
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    public JsonWriter value(Writable v) {
        if (v == null) {
            return nullValue();
        }
        v.writeJson(this);
        return this;
    }

    /**
     * A tree of plain values as the JetStream engine builds its JSON (maps in field order, lists, strings, booleans,
     * numbers, null), written with this writer's layout.
     */
    public JsonWriter tree(Object v) {
        if (v == null) {
            return nullValue();
        }
        if (v instanceof String s) {
            return value(s);
        }
        if (v instanceof Boolean b) {
            return value(b.booleanValue());
        }
        if (v instanceof Double || v instanceof Float) {
            return value(((Number) v).doubleValue());
        }
        if (v instanceof Number n) {
            beforeValue();
            out.append(n);
            return this;
        }
        if (v instanceof Map<?, ?> m) {
            beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                name(String.valueOf(e.getKey()));
                tree(e.getValue());
            }
            return endObject();
        }
        if (v instanceof Collection<?> c) {
            beginArray();
            for (Object o : c) {
                tree(o);
            }
            return endArray();
        }
        throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }

    /** A []string; {@code null} writes {@code null} as Go does for a nil slice. */
    public JsonWriter stringArray(Collection<String> values) {
        if (values == null) {
            return nullValue();
        }
        beginArray();
        for (String v : values) {
            value(v);
        }
        return endArray();
    }

    /** A slice of objects; {@code null} writes {@code null}. */
    public JsonWriter array(Collection<? extends Writable> values) {
        if (values == null) {
            return nullValue();
        }
        beginArray();
        for (Writable v : values) {
            value(v);
        }
        return endArray();
    }

    /** A Go map[string]uint64: Go writes map keys sorted. */
    public JsonWriter countMap(Map<String, Long> map) {
        beginObject();
        map.keySet().stream().sorted().forEach(k -> name(k).value(map.get(k)));
        return endObject();
    }

    // ---- Field helpers with Go's omitempty --------------------------------------------------

    public JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, double v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, boolean v) {
        return name(name).value(v);
    }

    public JsonWriter field(String name, Instant v) {
        return name(name).value(v);
    }

    /** {@code omitempty} string. */
    public JsonWriter fieldOmitEmpty(String name, String v) {
        return v == null || v.isEmpty() ? this : field(name, v);
    }

    /** {@code omitempty} integer. */
    public JsonWriter fieldOmitEmpty(String name, long v) {
        return v == 0 ? this : field(name, v);
    }

    /** {@code omitempty} float. */
    public JsonWriter fieldOmitEmpty(String name, double v) {
        return v == 0 ? this : field(name, v);
    }

    /** {@code omitempty} bool. */
    public JsonWriter fieldOmitEmpty(String name, boolean v) {
        return v ? field(name, true) : this;
    }

    /** {@code omitempty} []string. */
    public JsonWriter fieldOmitEmpty(String name, Collection<String> v) {
        return v == null || v.isEmpty() ? this : name(name).stringArray(v);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    // ---- Internals ----------------------------------------------------------------------------

    private JsonWriter open(char c) {
        beforeValue();
        out.append(c);
        if (depth == counts.length) {
            counts = java.util.Arrays.copyOf(counts, depth * 2);
        }
        counts[depth++] = 0;
        return this;
    }

    private JsonWriter close(char c) {
        int n = counts[--depth];
        if (pretty && n > 0) {
            newline();
        }
        out.append(c);
        return this;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (counts[depth - 1]++ > 0) {
                out.append(',');
            }
            if (pretty) {
                newline();
            }
        }
    }

    private void newline() {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append(indentUnit);
        }
    }


    /** Go's encodeState.string with escapeHTML = true (shared with the protocol's INFO encoding). */
    static void quote(StringBuilder b, String s) {
        Json.quote(b, s);
    }
}
