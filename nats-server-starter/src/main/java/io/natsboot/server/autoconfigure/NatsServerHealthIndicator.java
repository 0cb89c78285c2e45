package io.natsboot.server.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.HealthStatus;
import io.natsboot.server.monitor.Monitor;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code nats} health contributor: UP while the embedded server accepts client connections (the
 * answer nats-server's /healthz gives), DOWN before start, in lame-duck mode and after shutdown.
 */
public class NatsServerHealthIndicator extends AbstractHealthIndicator {
    private final NatsServer server;
    private final Monitor monitor;

    public NatsServerHealthIndicator(NatsServer server, Monitor monitor) {
        super("NATS server health check failed");
        this.server = server;
        this.monitor = monitor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        HealthStatus status = monitor.healthz();
        boolean accepting = server.isRunning() && !server.metrics().lameDuck() && status.healthy();
        if (accepting) {
            builder.up();
        } else {
            builder.down();
            if (status.error() != null && !status.error().isEmpty()) {
                builder.withDetail("error", status.error());
            }
        }
        builder.withDetail("server_id", server.metrics().serverId())
                .withDetail("port", server.port())
                .withDetail("lame_duck_mode", server.metrics().lameDuck())
                .withDetail("connections", server.metrics().connections());
        if (server.metrics().clusterPort() >= 0) {
            // Informational: a node without routes still serves its own clients, as nats-server's /healthz says.
            builder.withDetail("routes", server.metrics().routes());
        }
    }
}
