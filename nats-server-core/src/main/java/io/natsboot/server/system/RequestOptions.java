package io.natsboot.server.system;

import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of a $SYS request, read as Go's {@code json.Unmarshal} reads it into nats-server 2.9's
 * {@code *EventOptions} structs: keys matched without case, unknown keys ignored, {@code null} leaves a field
 * alone, a value of the wrong type is an error with Go's text. Every struct has the server filter
 * ({@code server_name}, {@code cluster}, {@code host} as substrings, {@code tags}, {@code domain}).
 */
final class RequestOptions {
    /** A body nats-server could not read: answered with code 400 and this text. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Go type names of the fields, for the error texts. */
    static final String STRING = "string";
    static final String BOOL = "bool";
    static final String INT = "int";
    static final String UINT64 = "uint64";
    static final String STRINGS = "[]string";

    private static final Map<String, String> FILTER = Map.of("server_name", STRING, "cluster", STRING,
            "host", STRING, "tags", "jwt.TagList", "domain", STRING);

    private final Map<String, Object> values;
    private final boolean present;

    private RequestOptions(Map<String, Object> values, boolean present) {
        this.values = values;
        this.present = present;
    }

    /**
     * Reads {@code payload} for the Go struct {@code struct} (e.g. {@code ConnzEventOptions}) whose own fields and
     * their Go types are {@code fields} (JSON names as the struct tags say).
     */
    static RequestOptions parse(byte[] payload, String struct, Map<String, String> fields) throws BadRequest {
        if (payload == null || payload.length == 0) {
            return new RequestOptions(Map.of(), false);
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (Json.JsonException e) {
            throw new BadRequest(e.getMessage());
        }
        if (parsed == null) {
            return new RequestOptions(Map.of(), true);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new BadRequest("json: cannot unmarshal " + kind(parsed) + " into Go value of type server." + struct);
        }
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.putAll(FILTER);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = match(all, (String) e.getKey());
            Object v = e.getValue();
            if (key == null || v == null) {
                continue;
            }
            String type = all.get(key);
            String problem = check(v, type);
            if (problem != null) {
                // an array element of the wrong kind names the element's type, as Go does
                boolean element = v instanceof List && (type.equals(STRINGS) || type.equals("jwt.TagList"));
                throw new BadRequest("json: cannot unmarshal " + problem + " into Go struct field " + struct + "."
                        + key + " of type " + (element ? STRING : type));
            }
            values.put(key, v);
        }
        return new RequestOptions(values, true);
    }

    /** Go prefers the exact key, then any case-insensitive match. */
    private static String match(Map<String, String> fields, String key) {
        if (fields.containsKey(key)) {
            return key;
        }
        for (String f : fields.keySet()) {
            if (f.equalsIgnoreCase(key)) {
                return f;
            }
        }
        return null;
    }

    /** Null when {@code v} fits {@code type}, else the JSON kind Go names in its error. */
    private static String check(Object v, String type) {
        switch (type) {
            case BOOL:
                return v instanceof Boolean ? null : kind(v);
            case INT: case UINT64: case "server.ConnState":
                if (v instanceof Long l) {
                    return type.equals(UINT64) && l < 0 ? "number " + l : null;
                }
                return v instanceof Double d ? "number " + GoNumber.format(d) : kind(v);
            case STRINGS: case "jwt.TagList":
                if (!(v instanceof List<?> list)) {
                    return kind(v);
                }
                for (Object o : list) {
                    if (o != null && !(o instanceof String)) {
                        return kind(o);
                    }
                }
                return null;
            default: // string and string types (server.SortOpt)
                return v instanceof String ? null : kind(v);
        }
    }

    private static String kind(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof List) {
            return "array";
        }
        return "object";
    }

    /** Small helper for numbers Go prints in errors. */
    private static final class GoNumber {
        static String format(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e21 ? Long.toString((long) d) : Double.toString(d);
        }
    }

    String string(String key) {
        Object v = values.get(key);
        return v instanceof String s ? s : "";
    }

    boolean bool(String key) {
        return Boolean.TRUE.equals(values.get(key));
    }

    long number(String key) {
        Object v = values.get(key);
        return v instanceof Long l ? l : 0;
    }

    List<String> strings(String key) {
        Object v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /**
     * nats-server's filterRequest: true when a filter in the body excludes this server (no answer then). Only a
     * body that was read is a filter.
     */
    boolean excludes(ServerContext context) {
        if (!present) {
            return false;
        }
        String name = string("server_name");
        if (!name.isEmpty() && !context.serverName().contains(name)) {
            return true;
        }
        String host = string("host");
        if (!host.isEmpty() && !context.infoHost().contains(host)) {
            return true;
        }
        String cluster = string("cluster");
        if (!cluster.isEmpty()) {
            String ours = context.clusterName();
            if (ours == null || !ours.contains(cluster)) {
                return true;
            }
        }
        if (!strings("tags").isEmpty()) {
            return true; // no server_tags here: any tag excludes this server
        }
        String domain = string("domain");
        return !domain.isEmpty(); // no JetStream domain here
    }
}
