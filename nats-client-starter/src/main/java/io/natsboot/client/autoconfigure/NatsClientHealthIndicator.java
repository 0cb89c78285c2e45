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
 */
public class NatsClientHealthIndicator extends AbstractHealthIndicator {

    private final Connection connection;

    public NatsClientHealthIndicator(Connection connection) {
        super("NATS client health check failed");
        this.connection = connection;
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
    }
}
