package io.natsboot.server.protocol;

import java.util.Locale;
import java.util.Map;

/**
 * The options a client sets with CONNECT. Absent fields keep their previous values (a second
 * CONNECT re-applies), and before any CONNECT verbose, pedantic and echo are on, as nats-server.
 * Keys match case-insensitively and a value of the wrong type is an error, like Go's decoder.
 */
public final class ConnectOptions {
    public boolean verbose = true;
    public boolean pedantic = true;
    public boolean echo = true;
    public boolean headers;
    public boolean noResponders;
    public boolean tlsRequired;
    public int protocol;
    public String name;
    public String lang;
    public String version;
    public String user;
    public String pass;
    public String authToken;
    public String jwt;
    public String nkey;
    public String sig;
    public String account;
    public boolean newAccount;

    /** Applies a CONNECT JSON object; throws {@link Json.JsonException} for bad JSON or a wrong type. */
    public void apply(String json) {
        Map<String, Object> m = Json.parseObject(json);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "verbose": verbose = bool(e.getKey(), v, verbose); break;
                case "pedantic": pedantic = bool(e.getKey(), v, pedantic); break;
                case "echo": echo = bool(e.getKey(), v, echo); break;
                case "headers": headers = bool(e.getKey(), v, headers); break;
                case "no_responders": noResponders = bool(e.getKey(), v, noResponders); break;
                case "tls_required": tlsRequired = bool(e.getKey(), v, tlsRequired); break;
                case "new_account": newAccount = bool(e.getKey(), v, newAccount); break;
                case "protocol": protocol = integer(e.getKey(), v, protocol); break;
                case "name": name = str(e.getKey(), v, name); break;
                case "lang": lang = str(e.getKey(), v, lang); break;
                case "version": version = str(e.getKey(), v, version); break;
                case "user": user = str(e.getKey(), v, user); break;
                case "pass": pass = str(e.getKey(), v, pass); break;
                case "auth_token": authToken = str(e.getKey(), v, authToken); break;
                case "jwt": jwt = str(e.getKey(), v, jwt); break;
                case "nkey": nkey = str(e.getKey(), v, nkey); break;
                case "sig": sig = str(e.getKey(), v, sig); break;
                case "account": account = str(e.getKey(), v, account); break;
                default:
                    // Unknown fields are ignored.
            }
        }
    }

    private static boolean bool(String k, Object v, boolean prev) {
        if (v == null) {
            return prev;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw typeError(k, v, "bool");
    }

    private static int integer(String k, Object v, int prev) {
        if (v == null) {
            return prev;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw typeError(k, v, "int");
    }

    private static String str(String k, Object v, String prev) {
        if (v == null) {
            return prev;
        }
        if (v instanceof String s) {
            return s;
        }
        throw typeError(k, v, "string");
    }

    private static Json.JsonException typeError(String k, Object v, String goType) {
        String kind = v instanceof String ? "string" : v instanceof Boolean ? "bool"
                : v instanceof Number ? "number" : v instanceof Map ? "object" : "array";
        return new Json.JsonException("json: cannot unmarshal " + kind + " into Go struct field "
                + "connectInfo." + k + " of type " + goType);
    }

    /** The CONNECT JSON as traced: the password replaced by [REDACTED]. */
    public static String redact(String json) {
        return json.replaceAll("(\"pass\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"", "$1\"[REDACTED]\"");
    }
}
