package io.natsboot.server.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.Monitor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code nats} health contributor ({@code management.health.nats.enabled=false} turns it off), a member
 * of the {@code readiness} group by default ({@link NatsReadinessGroupPostProcessor};
 * {@code natsboot.server.health.readiness=false} turns that off, then
 * {@code management.endpoint.health.group.readiness.include=readinessState,nats} does it by hand). Never in
 * {@code liveness}: lame-duck mode means not ready, still alive.
 */
// Before the client's contributor, which is named natsClient when this one already holds the name nats.
@AutoConfiguration(after = NatsServerAutoConfiguration.class, afterName =
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration",
        beforeName = "io.natsboot.client.autoconfigure.NatsClientHealthContributorAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean({NatsServer.class, Monitor.class})
@ConditionalOnEnabledHealthIndicator("nats")
public final class NatsServerHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "natsHealthIndicator")
    NatsServerHealthIndicator natsHealthIndicator(NatsServer server, Monitor monitor) {
        return new NatsServerHealthIndicator(server, monitor);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "natsboot.server.health.readiness", matchIfMissing = true)
    @ConditionalOnMissingBean
    static NatsReadinessGroupPostProcessor natsReadinessGroupPostProcessor() {
        return new NatsReadinessGroupPostProcessor("nats");
    }
}
