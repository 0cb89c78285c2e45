package io.natsboot.client.autoconfigure;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AccountStatistics;
import io.natsboot.spring.jetstream.JetStreamAdmin;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code jetstream}: UP when the account's JetStream information can be read and every stream the
 * {@link JetStreamAdmin} declares exists; DOWN when a declared stream is missing or JetStream cannot be
 * reached while streams are declared; UNKNOWN when the server has no JetStream and the application declares
 * no stream (it may not need it).
 */
public class NatsJetStreamHealthIndicator implements HealthIndicator {

    private final Connection connection;
    private final JetStreamAdmin admin;

    public NatsJetStreamHealthIndicator(Connection connection, JetStreamAdmin admin) {
        this.connection = connection;
        this.admin = admin;
    }

    @Override
    public Health health() {
        List<String> declared = admin == null ? List.of() : admin.getDeclaredStreamNames();
        JetStreamManagement jsm;
        AccountStatistics account;
        try {
            jsm = connection.jetStreamManagement();
            account = jsm.getAccountStatistics();
        } catch (Exception e) {
            Health.Builder b = declared.isEmpty() ? Health.unknown() : Health.down();
            return b.withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage())
                    .withDetail("declaredStreams", declared).build();
        }
        List<String> missing = new ArrayList<>();
        for (String stream : declared) {
            try {
                jsm.getStreamInfo(stream);
            } catch (JetStreamApiException e) {
                missing.add(stream);
            } catch (Exception e) {
                return Health.down(e).withDetail("declaredStreams", declared).build();
            }
        }
        Health.Builder b = missing.isEmpty() ? Health.up() : Health.down().withDetail("missingStreams", missing);
        return b.withDetail("declaredStreams", declared)
                .withDetail("streams", account.getStreams())
                .withDetail("consumers", account.getConsumers())
                .withDetail("memory", account.getMemory())
                .withDetail("storage", account.getStorage())
                .build();
    }
}
