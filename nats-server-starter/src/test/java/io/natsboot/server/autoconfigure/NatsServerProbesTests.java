package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Kubernetes probes: the {@code nats} contributor is in the {@code readiness} group (DOWN in lame-duck
 * mode) and never in {@code liveness} (stays UP), by default and by the documented property.
 */
class NatsServerProbesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerHealthContributorAutoConfiguration.class,
                    ApplicationAvailabilityAutoConfiguration.class, AvailabilityHealthContributorAutoConfiguration.class,
                    AvailabilityProbesAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                    HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                    "natsboot.server.lame-duck-grace-period=60s", "natsboot.server.lame-duck-duration=120s");

    private static HealthDescriptor probe(AssertableApplicationContext ctx, String group) {
        return ctx.getBean(HealthEndpoint.class).healthForPath(group);
    }

    private static CompositeHealthDescriptor composite(AssertableApplicationContext ctx, String group) {
        HealthDescriptor d = probe(ctx, group);
        assertThat(d).as(group).isInstanceOf(CompositeHealthDescriptor.class);
        return (CompositeHealthDescriptor) d;
    }

    /** What SpringApplication publishes once started; ApplicationContextRunner does not. */
    private static void applicationStarted(AssertableApplicationContext ctx) {
        AvailabilityChangeEvent.publish(ctx, LivenessState.CORRECT);
        AvailabilityChangeEvent.publish(ctx, ReadinessState.ACCEPTING_TRAFFIC);
    }

    /** readiness has nats and goes DOWN in lame-duck mode; liveness has no nats and stays UP. */
    private static void readinessFollowsLameDuckLivenessDoesNot(AssertableApplicationContext ctx) {
        assertThat(ctx).hasNotFailed();
        applicationStarted(ctx);
        CompositeHealthDescriptor readiness = composite(ctx, "readiness");
        assertThat(readiness.getComponents()).containsOnlyKeys("readinessState", "nats");
        assertThat(readiness.getStatus()).isEqualTo(Status.UP);
        CompositeHealthDescriptor liveness = composite(ctx, "liveness");
        assertThat(liveness.getComponents()).containsOnlyKeys("livenessState");
        assertThat(liveness.getStatus()).isEqualTo(Status.UP);

        ctx.getBean(NatsServer.class).enterLameDuckMode();

        assertThat(probe(ctx, "readiness").getStatus()).isEqualTo(Status.DOWN);
        assertThat(composite(ctx, "readiness").getComponents().get("nats").getStatus()).isEqualTo(Status.DOWN);
        assertThat(probe(ctx, "liveness").getStatus()).isEqualTo(Status.UP);
        // The whole-application health still reports the server DOWN.
        assertThat(ctx.getBean(HealthEndpoint.class).health().getStatus()).isEqualTo(Status.DOWN);
    }

    @Test
    void natsJoinsTheReadinessProbeByDefault() {
        // Spring Boot 4 enables the liveness and readiness probe groups by default.
        runner.run(NatsServerProbesTests::readinessFollowsLameDuckLivenessDoesNot);
    }

    @Test
    void natsJoinsTheReadinessProbeWhenProbesAreEnabled() {
        runner.withPropertyValues("management.endpoint.health.probes.enabled=true")
                .run(NatsServerProbesTests::readinessFollowsLameDuckLivenessDoesNot);
    }

    @Test
    void groupsKeepMappingTheProbePaths() {
        // Found by this type (Spring Security's EndpointRequest does): a wrapper without it broke every
        // secured request with a ClassCastException.
        runner.withPropertyValues("management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.probes.add-additional-paths=true").run(ctx -> {
            assertThat(ctx).hasSingleBean(AdditionalPathsMapper.class);
            AdditionalPathsMapper mapper = ctx.getBean(AdditionalPathsMapper.class);
            assertThat(mapper).isSameAs(ctx.getBean(HealthEndpointGroups.class));
            assertThat(mapper.getAdditionalPaths(EndpointId.of("health"), WebServerNamespace.SERVER))
                    .containsExactlyInAnyOrder("/livez", "/readyz");
            assertThat(mapper.getAdditionalPaths(EndpointId.of("varz"), WebServerNamespace.SERVER))
                    .isNullOrEmpty();
            readinessFollowsLameDuckLivenessDoesNot(ctx);
        });
    }

    @Test
    void natsJoinsAUserDefinedReadinessGroup() {
        runner.withPropertyValues("management.endpoint.health.group.readiness.include=readinessState",
                "management.endpoint.health.group.liveness.include=livenessState")
                .run(NatsServerProbesTests::readinessFollowsLameDuckLivenessDoesNot);
    }

    @Test
    void documentedPropertyWorksWhenTheDefaultIsSwitchedOff() {
        runner.withPropertyValues("natsboot.server.health.readiness=false",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.include=readinessState,nats")
                .run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(NatsReadinessGroupPostProcessor.class);
                    readinessFollowsLameDuckLivenessDoesNot(ctx);
                });
    }

    @Test
    void switchedOffLeavesReadinessAlone() {
        runner.withPropertyValues("natsboot.server.health.readiness=false",
                "management.endpoint.health.probes.enabled=true")
                .run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(NatsReadinessGroupPostProcessor.class);
                    applicationStarted(ctx);
                    assertThat(composite(ctx, "readiness").getComponents()).containsOnlyKeys("readinessState");
                    ctx.getBean(NatsServer.class).enterLameDuckMode();
                    assertThat(probe(ctx, "readiness").getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void withoutProbeGroupsNothingChanges() {
        runner.withPropertyValues("management.endpoint.health.probes.enabled=false").run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsReadinessGroupPostProcessor.class);
            assertThat(probe(ctx, "readiness")).isNull();
            assertThat(probe(ctx, "nats").getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void noPostProcessorWithoutTheHealthIndicator() {
        runner.withPropertyValues("management.health.nats.enabled=false", "management.endpoint.health.probes.enabled=true")
                .run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(NatsReadinessGroupPostProcessor.class);
                    assertThat(composite(ctx, "readiness").getComponents()).containsOnlyKeys("readinessState");
                });
    }
}
