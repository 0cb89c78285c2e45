package io.natsboot.server.auth.jwt;

import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An account JWT's claims as nats-server shows them ({@code decoded_jwt} of /accountz): the jwt library's
 * AccountClaims struct encoded by Go, so fields in the struct's order, keys the struct does not know dropped, and
 * Go maps ({@code revocations}, {@code mappings}) with sorted keys. Values are kept as issued: a field missing from
 * the JWT stays missing (Go would write its zero value where the struct has no omitempty; JWTs written by the jwt
 * library or nsc carry those fields).
 */
public final class ClaimsJson {
    private static final List<String> TOP = List.of("aud", "exp", "jti", "iat", "iss", "name", "nbf", "sub", "nats");
    private static final List<String> ACCOUNT = List.of("imports", "exports", "limits", "signing_keys", "revocations",
            "default_permissions", "mappings", "authorization", "description", "info_url", "tags", "type", "version");
    private static final List<String> LIMITS = List.of("subs", "data", "payload", "imports", "exports", "wildcards",
            "disallow_bearer", "conn", "leaf", "mem_storage", "disk_storage", "streams", "consumer", "max_ack_pending",
            "mem_max_stream_bytes", "disk_max_stream_bytes", "max_bytes_required", "tiered_limits");
    private static final List<String> EXPORT = List.of("name", "subject", "type", "token_req", "revocations",
            "response_type", "response_threshold", "service_latency", "account_token_position", "advertise",
            "description", "info_url");
    private static final List<String> IMPORT = List.of("name", "subject", "account", "token", "to", "local_subject",
            "type", "share");
    private static final List<String> PERMISSIONS = List.of("pub", "sub", "resp");
    private static final List<String> PERMISSION = List.of("allow", "deny");
    private static final List<String> DESTINATION = List.of("subject", "weight", "cluster");

    private static final List<String> OPERATOR = List.of("signing_keys", "account_server_url", "operator_service_urls",
            "system_account", "assert_server_version", "strict_signing_key_usage", "tags", "type", "version");

    private ClaimsJson() {
    }

    /** An operator JWT's claims in the jwt library's OperatorClaims order (what nats-server prints of one). */
    public static Map<String, Object> operator(String token) {
        JsonValue claims = payload(token);
        Map<String, Object> out = ordered(claims, TOP);
        JsonValue nats = claims.map.get("nats");
        if (nats != null && nats.map != null) {
            out.put("nats", ordered(nats, OPERATOR));
        }
        return out;
    }

    /**
     * Go's %v of a list of operators in a reload refusal: each one's claims as {@code json.MarshalIndent(c, "", "  ")}
     * (the claims' String()), space separated, in brackets.
     */
    public static String operatorsText(List<String> tokens) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < tokens.size(); i++) {
            indented(b.append(i == 0 ? "" : " "), operator(tokens.get(i)), "");
        }
        return b.append(']').toString();
    }

    /** Go's MarshalIndent with a two-space indent: empty containers as {} and []. */
    private static void indented(StringBuilder b, Object v, String indent) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(indent).append("  ");
                io.natsboot.server.protocol.Json.quote(b, String.valueOf(e.getKey())).append(": ");
                indented(b, e.getValue(), indent + "  ");
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            b.append(indent).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                b.append(indent).append("  ");
                indented(b, l.get(i), indent + "  ");
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            b.append(indent).append(']');
        } else if (v instanceof String str) {
            io.natsboot.server.protocol.Json.quote(b, str);
        } else {
            b.append(v); // numbers, booleans, null
        }
    }

    private static JsonValue payload(String token) {
        String[] parts = token.strip().split("\\.");
        return JsonParser.parseUnchecked(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    /** The claims of {@code token} (an account JWT already verified) as a tree for JsonWriter.tree, in Go's order. */
    public static Map<String, Object> of(String token) {
        String[] parts = token.strip().split("\\.");
        String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        JsonValue claims = JsonParser.parseUnchecked(json);
        Map<String, Object> out = ordered(claims, TOP);
        JsonValue nats = claims.map.get("nats");
        if (nats != null && nats.map != null) {
            Map<String, Object> n = ordered(nats, ACCOUNT);
            reorder(n, nats, "limits", LIMITS);
            reorderEach(n, nats, "exports", EXPORT);
            reorderEach(n, nats, "imports", IMPORT);
            JsonValue perms = nats.map.get("default_permissions");
            if (perms != null && perms.map != null) {
                Map<String, Object> p = ordered(perms, PERMISSIONS);
                for (String k : List.of("pub", "sub")) {
                    JsonValue one = perms.map.get(k);
                    if (one != null && one.map != null) {
                        p.put(k, ordered(one, PERMISSION));
                    }
                }
                n.put("default_permissions", p);
            }
            JsonValue mappings = nats.map.get("mappings");
            if (mappings != null && mappings.map != null) {
                Map<String, Object> m = new TreeMap<>();
                mappings.map.forEach((src, dests) -> {
                    List<Object> list = new ArrayList<>();
                    if (dests.array != null) {
                        for (JsonValue d : dests.array) {
                            list.add(d.map == null ? plain(d) : ordered(d, DESTINATION));
                        }
                    }
                    m.put(src, list);
                });
                n.put("mappings", m);
            }
            out.put("nats", n);
        }
        return out;
    }

    private static void reorder(Map<String, Object> into, JsonValue parent, String key, List<String> order) {
        JsonValue v = parent.map.get(key);
        if (v != null && v.map != null) {
            into.put(key, ordered(v, order));
        }
    }

    private static void reorderEach(Map<String, Object> into, JsonValue parent, String key, List<String> order) {
        JsonValue v = parent.map.get(key);
        if (v != null && v.array != null) {
            List<Object> list = new ArrayList<>();
            for (JsonValue e : v.array) {
                list.add(e.map == null ? plain(e) : ordered(e, order));
            }
            into.put(key, list);
        }
    }

    /** The keys of {@code order} that {@code v} has, in that order, values as plain Java values. */
    private static Map<String, Object> ordered(JsonValue v, List<String> order) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : order) {
            JsonValue f = v.map.get(k);
            if (f != null) {
                out.put(k, plain(f));
            }
        }
        return out;
    }

    /** A JSON value as maps (Go's sorted keys), lists, strings, numbers, booleans, null. */
    private static Object plain(JsonValue v) {
        switch (v.type) {
            case STRING:
                return v.string;
            case BOOL:
                return v.bool;
            case INTEGER:
                return v.i;
            case LONG:
                return v.l;
            case DOUBLE:
                return v.d;
            case FLOAT:
                return v.f;
            case BIG_DECIMAL:
                return v.bd;
            case BIG_INTEGER:
                return v.bi;
            case MAP: {
                Map<String, Object> m = new TreeMap<>();
                v.map.forEach((k, x) -> m.put(k, plain(x)));
                return m;
            }
            case ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonValue x : v.array) {
                    l.add(plain(x));
                }
                return l;
            }
            default:
                return null;
        }
    }
}
