package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code jetstream} health contributor, against {@code nats-server -js} and NATS Boot's server (no JetStream yet). */
class JetStreamHealthTests {

    @RegisterExtension
    static final TestNatsServer noJetStream = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                    NatsJetStreamAutoConfiguration.class, NatsClientHealthContributorAutoConfiguration.class));

    private static Health jetstream(org.springframework.context.ApplicationContext ctx) {
        return ctx.getBean("jetstreamHealthIndicator", HealthIndicator.class).health();
    }

    @Test
    void upWhileTheDeclaredStreamsExistDownWhenOneIsGone() throws Exception {
        try (ReferenceNatsServer server = ReferenceNatsServer.startJetStream()) {
            runner.withPropertyValues(server.serversProperty())
                    .withBean(StreamConfiguration.class, () -> StreamConfiguration.builder().name("H1").subjects("h1")
                            .storageType(StorageType.File).build())
                    .run(ctx -> {
                Health up = jetstream(ctx);
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails()).containsEntry("declaredStreams", List.of("H1")).containsEntry("streams", 1L);
                ctx.getBean(Connection.class).jetStreamManagement().deleteStream("H1");
                Health down = jetstream(ctx);
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails()).containsEntry("missingStreams", List.of("H1"));
            });
        }
    }

    @Test
    void unknownWithoutJetStreamWhenNothingIsDeclared() {
        runner.withPropertyValues(noJetStream.serversProperty()).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Health h = jetstream(ctx);
            assertThat(h.getStatus()).isEqualTo(Status.UNKNOWN);
            assertThat(h.getDetails()).containsKey("error");
        });
    }

    @Test
    void conditions() {
        runner.withPropertyValues(noJetStream.serversProperty())
                .run(ctx -> assertThat(ctx).hasBean("jetstreamHealthIndicator"));
        runner.withPropertyValues(noJetStream.serversProperty(), "natsboot.client.jetstream.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("jetstreamHealthIndicator"));
        runner.withPropertyValues(noJetStream.serversProperty(), "management.health.nats.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean("jetstreamHealthIndicator"));
    }
}
