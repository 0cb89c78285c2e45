package io.natsboot.server.websocket;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nats-server's origin rules for the upgrade request: with {@code same_origin} the {@code Origin} must name the
 * request's own host and port; with {@code allowed_origins} its host must be listed with the same scheme and
 * port. A request without an {@code Origin} (nor {@code Sec-WebSocket-Origin}) passes: only browsers send one.
 */
final class OriginCheck {
    private record Allowed(String scheme, String port) {
    }

    private final boolean sameOrigin;
    /** Host (lower case) -> scheme and port; one entry per host, the last listed wins, as nats-server's map. */
    private final Map<String, Allowed> allowed = new HashMap<>();

    OriginCheck(boolean sameOrigin, List<String> allowedOrigins) {
        this.sameOrigin = sameOrigin;
        for (String o : allowedOrigins) {
            URI u = parse(o);
            if (u == null) {
                continue;
            }
            String[] hp = hostAndPort("https".equals(u.getScheme()), u.getRawAuthority());
            if (hp != null) {
                allowed.put(hp[0], new Allowed(u.getScheme(), hp[1]));
            }
        }
    }

    /**
     * Null when the origin is accepted, else nats-server's reason ("not same origin", "not in the allowed list",
     * or a parse error).
     */
    String check(String origin, String requestHost, boolean tls) {
        if (!sameOrigin && allowed.isEmpty()) {
            return null;
        }
        if (origin == null || origin.isEmpty()) {
            return null;
        }
        URI u = parse(origin);
        if (u == null || u.getScheme() == null) {
            return "parse \"" + origin + "\": invalid URI for request";
        }
        String[] o = hostAndPort("https".equals(u.getScheme()), u.getRawAuthority());
        if (o == null) {
            return "address " + u.getRawAuthority() + ": missing port in address";
        }
        if (sameOrigin) {
            String[] r = hostAndPort(tls, requestHost == null ? "" : requestHost);
            if (r == null || !o[0].equals(r[0]) || !o[1].equals(r[1])) {
                return "not same origin";
            }
        }
        if (!allowed.isEmpty()) {
            Allowed a = allowed.get(o[0]);
            if (a == null || !a.scheme.equals(u.getScheme()) || !a.port.equals(o[1])) {
                return "not in the allowed list";
            }
        }
        return null;
    }

    private static URI parse(String s) {
        try {
            return new URI(s);
        } catch (Exception e) {
            return null;
        }
    }

    /** Host (lower case) and port of {@code host[:port]}; a missing port is the scheme's (443 with TLS, else 80). */
    static String[] hostAndPort(boolean tls, String hostPort) {
        if (hostPort == null) {
            return null;
        }
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) {
                return null;
            }
            host = hostPort.substring(1, end);
            port = hostPort.length() > end + 1 && hostPort.charAt(end + 1) == ':' ? hostPort.substring(end + 2) : null;
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0 && hostPort.indexOf(':') != colon) {
                return null; // an IPv6 address without brackets: Go's "too many colons"
            }
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (port == null) {
            port = tls ? "443" : "80";
        }
        return new String[] {host.toLowerCase(Locale.ROOT), port};
    }
}
