package io.natsboot.client.autoconfigure;

import io.nats.client.Connection;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The client's health contributor, only with Spring Boot's health support on the classpath
 * ({@code management.health.nats.enabled=false} turns it off). It is named {@code nats}; when the embedded
 * server of nats-server-starter already contributes {@code nats} (its auto-configuration runs before this
 * one), the client's is {@code natsClient}.
 */
@AutoConfiguration(after = {NatsClientAutoConfiguration.class, NatsJetStreamAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(Connection.class)
@ConditionalOnEnabledHealthIndicator("nats")
public final class NatsClientHealthContributorAutoConfiguration {

    static final String NAME = "natsHealthIndicator";
    static final String NAME_NEXT_TO_SERVER = "natsClientHealthIndicator";

    @Bean(NAME)
    @ConditionalOnMissingBean(name = NAME)
    NatsClientHealthIndicator natsHealthIndicator(Connection connection, NatsClientProperties properties) {
        return indicator(connection, properties);
    }

    private static NatsClientHealthIndicator indicator(Connection connection, NatsClientProperties properties) {
        return new NatsClientHealthIndicator(connection, properties.getHealth().getJwtExpiryWarning(),
                java.time.Clock.systemUTC());
    }

    /** The {@code jetstream} contributor, unless {@code natsboot.client.jetstream.enabled=false}. */
    @Bean("jetstreamHealthIndicator")
    @ConditionalOnMissingBean(name = "jetstreamHealthIndicator")
    @ConditionalOnBean(io.natsboot.spring.jetstream.JetStreamAdmin.class)
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty(
            name = "natsboot.client.jetstream.enabled", matchIfMissing = true)
    NatsJetStreamHealthIndicator jetstreamHealthIndicator(Connection connection,
            org.springframework.beans.factory.ObjectProvider<io.natsboot.spring.jetstream.JetStreamAdmin> admin) {
        return new NatsJetStreamHealthIndicator(connection, admin.getIfUnique());
    }

    @Bean(NAME_NEXT_TO_SERVER)
    @ConditionalOnBean(name = NAME)
    @ConditionalOnMissingBean(NatsClientHealthIndicator.class)
    NatsClientHealthIndicator natsClientHealthIndicator(Connection connection, NatsClientProperties properties) {
        return indicator(connection, properties);
    }
}
