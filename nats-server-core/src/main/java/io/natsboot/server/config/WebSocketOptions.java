package io.natsboot.server.config;

import java.time.Duration;
import java.util.List;

/**
 * nats-server 2.9's {@code websocket {}} block: a second client listener speaking the NATS protocol inside
 * WebSocket frames (see docs/websocket.md).
 *
 * @param host             listen host; "" = {@code 0.0.0.0}, as nats-server
 * @param port             listen port; 0 = random (the file's -1)
 * @param advertise        {@code host:port} reported in /varz; null = none
 * @param tls              the listener's TLS (handshake first, then HTTP); null with {@code no_tls}
 * @param noTls            {@code no_tls}: plain {@code ws://} (nats-server refuses a block with neither)
 * @param sameOrigin       an {@code Origin} header must name the request's own host and port
 * @param allowedOrigins   an {@code Origin} header must be one of these (scheme, host and port); empty = any
 * @param compression      permessage-deflate when the client offers it
 * @param username         {@code authorization.user}: overrides the server's users for WebSocket clients
 * @param password         {@code authorization.password}
 * @param token            {@code authorization.token}
 * @param authTimeout      {@code authorization.timeout}; null = the server's
 * @param noAuthUser       {@code no_auth_user} for WebSocket clients; null = the server's
 * @param jwtCookie        {@code jwt_cookie}: a cookie holding the user JWT (needs operator mode)
 * @param handshakeTimeout the time a client has to complete the HTTP upgrade; zero = none, as nats-server
 */
public record WebSocketOptions(String host, int port, String advertise, TlsOptions tls, boolean noTls,
                               boolean sameOrigin, List<String> allowedOrigins, boolean compression,
                               String username, String password, String token, Duration authTimeout,
                               String noAuthUser, String jwtCookie, Duration handshakeTimeout) {

    public WebSocketOptions {
        host = host == null || host.isEmpty() ? ServerOptions.DEFAULT_HOST : host;
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        handshakeTimeout = handshakeTimeout == null ? Duration.ZERO : handshakeTimeout;
    }

    /** A plain listener ({@code no_tls}) on {@code host:port} with everything else off; port 0 = random. */
    public static WebSocketOptions plain(String host, int port) {
        return new WebSocketOptions(host, port, null, null, true, false, List.of(), false, null, null, null, null,
                null, null, null);
    }

    /** nats-server's authOverride: the block's own user, token or no_auth_user replace the server's. */
    public boolean authOverride() {
        return notEmpty(username) || notEmpty(token) || notEmpty(noAuthUser);
    }

    /**
     * nats-server's start-up check of the block (validateWebsocketOptions; {@code -t} does not run it): a JWT cookie
     * needs operator mode. Null when fine.
     */
    public String problem(ServerOptions o) {
        if (notEmpty(jwtCookie) && o.trust() == null) {
            return "trusted operators or trusted keys configuration is required for JWT authentication via cookie "
                    + io.natsboot.server.goformat.GoFormat.quote(jwtCookie);
        }
        return null;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
