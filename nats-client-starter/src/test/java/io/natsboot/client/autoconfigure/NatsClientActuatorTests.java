package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.natsboot.spring.core.NatsTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter inside Spring Boot's own actuator auto-configurations, as an application gets them. */
class NatsClientActuatorTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                    NatsClientHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                    HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
                    MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    ObservationAutoConfiguration.class))
            .withPropertyValues(server.serversProperty(), "natsboot.client.connection-name=billing");

    @Test
    void natsComponentOfTheHealthEndpoint() {
        runner.run(ctx -> {
            HealthEndpoint endpoint = ctx.getBean(HealthEndpoint.class);
            assertThat(endpoint.healthForPath("nats").getStatus()).isEqualTo(Status.UP);
            assertThat(endpoint.health().getStatus()).isEqualTo(Status.UP);
            ctx.getBean(Connection.class).close();
            assertThat(endpoint.healthForPath("nats").getStatus()).isEqualTo(Status.DOWN);
            assertThat(endpoint.health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void metersBoundToBootsRegistryAndObservationsTimedThere() {
        runner.withPropertyValues("natsboot.client.observation-enabled=true").run(ctx -> {
            MeterRegistry meters = ctx.getBean(MeterRegistry.class);
            NatsTemplate template = ctx.getBean(NatsTemplate.class);
            template.publish("act.orders", "one");
            template.publish("act.orders", "two");
            template.flush(java.time.Duration.ofSeconds(2));
            assertThat(meters.get("nats.client.messages.out").tag("connection", "billing").functionCounter().count())
                    .isGreaterThanOrEqualTo(2);
            // Boot's ObservationRegistry (with its meter handler) is the one the template observes with.
            assertThat(meters.get("nats.publish").tag("messaging.operation", "publish").timer().count())
                    .isEqualTo(2);
        });
    }
}
