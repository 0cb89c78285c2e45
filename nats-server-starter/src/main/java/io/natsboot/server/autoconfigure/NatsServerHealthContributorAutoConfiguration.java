package io.natsboot.server.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.Monitor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code nats} health contributor ({@code management.health.nats.enabled=false} turns it off). Add it
 * to the probe groups with {@code management.endpoint.health.group.readiness.include=readinessState,nats}.
 */
@AutoConfiguration(after = NatsServerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean({NatsServer.class, Monitor.class})
@ConditionalOnEnabledHealthIndicator("nats")
public final class NatsServerHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "natsHealthIndicator")
    NatsServerHealthIndicator natsHealthIndicator(NatsServer server, Monitor monitor) {
        return new NatsServerHealthIndicator(server, monitor);
    }
}
