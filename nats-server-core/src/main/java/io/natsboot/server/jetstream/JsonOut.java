package io.natsboot.server.jetstream;

import io.natsboot.server.protocol.Json;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes maps, lists and scalars as Go's {@code json.Marshal} does (compact, HTML-escaped strings). API responses
 * are built as {@link LinkedHashMap}s in the field order of nats-server's structs.
 */
public final class JsonOut {
    private JsonOut() {
    }

    /** A new ordered object. */
    public static Map<String, Object> obj() {
        return new LinkedHashMap<>();
    }

    public static String write(Object v) {
        StringBuilder b = new StringBuilder(256);
        write(b, v);
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    public static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            Json.quote(b, s);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                Json.quote(b, e.getKey()).append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof Collection<?> c) {
            b.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, o);
            }
            b.append(']');
        } else if (v instanceof Number n) {
            b.append(n);
        } else {
            throw new IllegalArgumentException("not JSON: " + v.getClass());
        }
    }
}
