package io.natsboot.server.monitor;

import io.natsboot.server.goformat.GoFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A URL query parsed like Go's {@code url.ParseQuery} (pairs with a bad escape or a semicolon are
 * dropped, {@code +} is a space), with nats-server's monitor decoders and their 400 error texts.
 */
final class QueryParams {
    private final Map<String, List<String>> values;

    private QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    static QueryParams parse(String rawQuery) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String part : rawQuery.split("&", -1)) {
                if (part.isEmpty() || part.indexOf(';') >= 0) {
                    continue;
                }
                int eq = part.indexOf('=');
                String k = unescape(eq < 0 ? part : part.substring(0, eq), true);
                String v = eq < 0 ? "" : unescape(part.substring(eq + 1), true);
                if (k == null || v == null) {
                    continue;
                }
                m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return new QueryParams(m);
    }

    /** Go's QueryUnescape / PathUnescape; null for a malformed escape. */
    static String unescape(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte c = in[i];
            if (c == '%') {
                if (i + 2 >= in.length) {
                    return null;
                }
                int hi = Character.digit(in[i + 1], 16);
                int lo = Character.digit(in[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The first value of {@code key}, or "" (Go's {@code Values.Get}). */
    String get(String key) {
        List<String> l = values.get(key);
        return l == null || l.isEmpty() ? "" : l.get(0);
    }

    /** nats-server's decodeBool: "" is false. */
    boolean bool(String key) throws MonitorException {
        String s = get(key);
        if (s.isEmpty()) {
            return false;
        }
        try {
            return GoFormat.parseBool(s);
        } catch (GoFormat.NumError e) {
            throw new MonitorException("Error decoding boolean for '" + key + "': " + e.getMessage());
        }
    }

    /** nats-server's decodeInt: "" is 0. */
    long integer(String key) throws MonitorException {
        String s = get(key);
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return GoFormat.atoi(s);
        } catch (GoFormat.NumError e) {
            throw new MonitorException("Error decoding int for '" + key + "': " + e.getMessage());
        }
    }

    /** nats-server's decodeUint64: "" is 0. */
    long uint64(String key) throws MonitorException {
        String s = get(key);
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return GoFormat.parseUint(s);
        } catch (GoFormat.NumError e) {
            throw new MonitorException("Error decoding uint64 for '" + key + "': " + e.getMessage());
        }
    }

    /** nats-server's decodeState: open (default), closed, any/all, case-insensitive. */
    ConnState state() throws MonitorException {
        String s = get("state");
        if (s.isEmpty()) {
            return ConnState.OPEN;
        }
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "open":
                return ConnState.OPEN;
            case "closed":
                return ConnState.CLOSED;
            case "any":
            case "all":
                return ConnState.ALL;
            default:
                throw new MonitorException("Error decoding state for " + s);
        }
    }

    /** nats-server's decodeSubs: {@code detail} (any case) or a boolean. Returns {subs, detail}. */
    boolean[] subs() throws MonitorException {
        boolean detail = get("subs").toLowerCase(java.util.Locale.ROOT).equals("detail");
        boolean subs = !detail && bool("subs");
        return new boolean[] {subs, detail};
    }
}
