package io.natsboot.server.auth.jwt;

import io.nats.client.support.JsonValue;
import java.util.ArrayList;
import java.util.List;

/** Readers for the JSON shapes of NATS claims (jnats' {@link JsonValue}), lenient as Go's decoder is for absent keys. */
final class Claims {
    private Claims() {
    }

    static JsonValue get(JsonValue obj, String key) {
        if (obj == null || obj.map == null) {
            return null;
        }
        JsonValue v = obj.map.get(key);
        return v == null || v == JsonValue.NULL || v.type == JsonValue.Type.NULL ? null : v;
    }

    static String string(JsonValue obj, String key) {
        JsonValue v = get(obj, key);
        return v == null ? null : v.string;
    }

    static Long longValue(JsonValue obj, String key) {
        JsonValue v = get(obj, key);
        return v == null || v.number == null ? null : v.number.longValue();
    }

    static long longOr(JsonValue obj, String key, long dflt) {
        Long v = longValue(obj, key);
        return v == null ? dflt : v;
    }

    static boolean bool(JsonValue obj, String key) {
        JsonValue v = get(obj, key);
        return v != null && Boolean.TRUE.equals(v.bool);
    }

    /** A string list; a single string is taken as a comma-separated list (jwt's older "src" form). */
    static List<String> strings(JsonValue obj, String key) {
        JsonValue v = get(obj, key);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v.array != null) {
            for (JsonValue e : v.array) {
                if (e.string != null) {
                    out.add(e.string);
                }
            }
        } else if (v.string != null) {
            for (String s : v.string.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        }
        return List.copyOf(out);
    }

    static List<JsonValue> array(JsonValue obj, String key) {
        JsonValue v = get(obj, key);
        return v == null || v.array == null ? List.of() : v.array;
    }
}
