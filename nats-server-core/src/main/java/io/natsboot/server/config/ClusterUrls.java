package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** The URL forms of cluster options: {@code --cluster nats://[user:pass@]host:port} and route lists. */
public final class ClusterUrls {
    private ClusterUrls() {
    }

    /** A parsed listen URL; port 0 = random (nats-server's -1). */
    public record Listen(String host, int port, String user, String password) {
    }

    /**
     * {@code nats://[user:pass@]host:port}, {@code host:port} or a port. Parsed by hand: nats-server accepts
     * port -1 (random), which java.net.URI does not.
     */
    public static Listen listen(String url) {
        String s = url.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        String user = null;
        String pass = null;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            String info = s.substring(0, at);
            s = s.substring(at + 1);
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            pass = colon < 0 ? null : info.substring(colon + 1);
        }
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "" : s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(colon < 0 ? s : s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("could not parse cluster URL " + GoFormat.quote(url));
        }
        return new Listen(host.isEmpty() ? null : host, port < 0 ? 0 : port, user, pass);
    }

    /** One route URL; nats-server accepts {@code nats://} and {@code nats-route://} alike. */
    public static URI route(String url) {
        String s = url.trim();
        try {
            URI u = new URI(s);
            if (u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException("error parsing route url [" + GoFormat.quote(s) + "]");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("error parsing route url [" + GoFormat.quote(s) + "]", e);
        }
    }

    /** A comma-separated {@code --routes} list. */
    public static List<URI> routes(String list) {
        List<URI> out = new ArrayList<>();
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                out.add(route(part));
            }
        }
        return out;
    }
}
