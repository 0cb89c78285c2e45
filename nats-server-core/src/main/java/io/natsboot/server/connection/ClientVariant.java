package io.natsboot.server.connection;

import io.natsboot.server.config.ServerOptions;

/**
 * What differs for a client that does not come through the plain NATS port (a WebSocket client): everything
 * else about the connection is the same {@link ClientConnection}. Implementations live with their listener.
 */
public interface ClientVariant {

    /** The /connz {@code type} ({@code "websocket"}); plain clients are {@code "nats"}. */
    String type();

    /** The id label in log lines ({@code wid}); plain clients are {@code cid}. */
    String logId();

    /**
     * The options as this client sees them: a listener's own authorization replaces the server's. Called once
     * per read batch: return the same object while {@code server} is the same one.
     */
    ServerOptions options(ServerOptions server);

    /** The INFO line this client is sent, from the one a plain client gets. */
    byte[] info(byte[] info);

    /** The connection type user JWTs name in {@code allowed_connection_types}. */
    default String jwtConnectionType() {
        return "STANDARD";
    }

    /** A user JWT that came with the connection itself (a WebSocket {@code jwt_cookie}), used when CONNECT has none. */
    default String jwtFromConnection() {
        return null;
    }
}
