package io.natsboot.client.autoconfigure;

import io.nats.client.Connection;
import io.nats.client.Statistics;
import io.nats.client.api.ServerInfo;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the client {@link Connection} from its own status: CONNECTED is UP; CONNECTING, RECONNECTING
 * and DISCONNECTED are OUT_OF_SERVICE (jnats is still trying, traffic is buffered or fails); CLOSED is
 * DOWN (it will never come back without a restart).
 *
 * <p>With a user JWT (a {@code .creds} file, operator mode), the details say when it expires
 * ({@code jwt_expires}); an expired JWT is DOWN whatever the connection says: the server disconnects the client
 * at that moment ({@code User Authentication Expired}) and refuses its reconnects, so only new credentials and a
 * restart bring it back. Within {@code natsboot.client.health.jwt-expiry-warning} of the expiry the details
 * carry {@code jwt_expiring: true}, for alerting before it happens.
 */
public class NatsClientHealthIndicator extends AbstractHealthIndicator {

    private final Connection connection;
    private final java.time.Duration jwtExpiryWarning;
    private final java.time.Clock clock;

    public NatsClientHealthIndicator(Connection connection) {
        this(connection, java.time.Duration.ofDays(1), java.time.Clock.systemUTC());
    }

    public NatsClientHealthIndicator(Connection connection, java.time.Duration jwtExpiryWarning,
            java.time.Clock clock) {
        super("NATS client health check failed");
        this.connection = connection;
        this.jwtExpiryWarning = jwtExpiryWarning;
        this.clock = clock;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Connection.Status status = connection.getStatus();
        switch (status) {
            case CONNECTED -> builder.up();
            case CLOSED -> builder.down();
            default -> builder.outOfService();
        }
        builder.withDetail("status", status.name());
        String url = connection.getConnectedUrl();
        if (url != null) {
            builder.withDetail("url", url);
        }
        ServerInfo info = connection.getServerInfo();
        if (status == Connection.Status.CONNECTED && info != null) {
            builder.withDetail("server_id", info.getServerId()).withDetail("server_version", info.getVersion());
        }
        Statistics stats = connection.getStatistics();
        if (stats != null) {
            builder.withDetail("reconnects", stats.getReconnects());
        }
        java.time.Instant expires = userJwtExpiry(connection);
        if (expires != null) {
            java.time.Instant now = clock.instant();
            builder.withDetail("jwt_expires", expires.toString());
            if (!now.isBefore(expires)) {
                builder.down().withDetail("jwt_expiring", true).withDetail("jwt", "expired");
            } else if (!now.plus(jwtExpiryWarning).isBefore(expires)) {
                builder.withDetail("jwt_expiring", true);
            }
        }
    }

    /** The {@code exp} of the connection's user JWT, or null without a JWT or without an expiry. */
    static java.time.Instant userJwtExpiry(Connection connection) {
        io.nats.client.AuthHandler auth = connection.getOptions() == null ? null
                : connection.getOptions().getAuthHandler();
        if (auth == null) {
            return null;
        }
        char[] jwt = auth.getJWT();
        if (jwt == null || jwt.length == 0) {
            return null;
        }
        try {
            String body = io.nats.client.support.JwtUtils.getClaimBody(new String(jwt));
            io.nats.client.support.JsonValue claims = io.nats.client.support.JsonParser.parse(body.toCharArray());
            io.nats.client.support.JsonValue exp = claims.map == null ? null : claims.map.get("exp");
            if (exp == null) {
                return null;
            }
            long seconds = exp.l != null ? exp.l : exp.i != null ? exp.i : 0;
            return seconds > 0 ? java.time.Instant.ofEpochSecond(seconds) : null;
        } catch (RuntimeException | io.nats.client.support.JsonParseException e) {
            return null; // not a JWT we can read: the server judges it
        }
    }
}
