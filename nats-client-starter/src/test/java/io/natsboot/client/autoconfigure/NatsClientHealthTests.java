package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class NatsClientHealthTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                    NatsClientHealthContributorAutoConfiguration.class));

    @Test
    void contributedAsNatsWhenHealthIsOnTheClasspath() {
        runner.withPropertyValues(server.serversProperty()).run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsClientHealthIndicator.class).hasBean("natsHealthIndicator");
            Health health = ctx.getBean(NatsClientHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("status", "CONNECTED")
                    .containsEntry("url", server.url()).containsKey("server_id").containsEntry("reconnects", 0L);
        });
    }

    @Test
    void absentWithoutHealthOnTheClasspathOrWhenDisabled() {
        runner.withPropertyValues(server.serversProperty())
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(Connection.class)
                        .doesNotHaveBean(NatsClientHealthIndicator.class));
        runner.withPropertyValues(server.serversProperty(), "management.health.nats.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(NatsClientHealthIndicator.class));
    }

    @Test
    void userIndicatorNamedNatsWins() {
        HealthIndicator mine = () -> Health.up().build();
        runner.withPropertyValues(server.serversProperty())
                .withBean("natsHealthIndicator", HealthIndicator.class, () -> mine)
                .run(ctx -> assertThat(ctx.getBean("natsHealthIndicator")).isSameAs(mine));
    }

    @Test
    void followsTheConnectionWhenItsServerStopsAndComesBack() {
        NatsServer own = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), TestNatsServer.QUIET);
        own.start();
        int port = own.port();
        NatsServer[] restarted = new NatsServer[1];
        try {
            runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + port,
                    "natsboot.client.max-reconnects=-1", "natsboot.client.reconnect-wait=50ms").run(ctx -> {
                HealthIndicator health = ctx.getBean(NatsClientHealthIndicator.class);
                assertThat(health.health(false).getStatus()).isEqualTo(Status.UP);

                own.shutdown();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(health.health(true).getStatus()).isEqualTo(Status.OUT_OF_SERVICE));
                assertThat(health.health(true).getDetails().get("status")).isIn("RECONNECTING", "DISCONNECTED");

                restarted[0] = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(port).build(),
                        TestNatsServer.QUIET);
                restarted[0].start();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(health.health(false).getStatus()).isEqualTo(Status.UP));
                assertThat(health.health(true).getDetails()).containsEntry("reconnects", 1L);

                ctx.getBean(Connection.class).close();
                Health closed = health.health(true);
                assertThat(closed.getStatus()).isEqualTo(Status.DOWN);
                assertThat(closed.getDetails()).containsEntry("status", "CLOSED");
            });
        } finally {
            own.shutdown();
            if (restarted[0] != null) {
                restarted[0].shutdown();
            }
        }
    }

    /**
     * A .creds user JWT that expires in two hours against NATS Boot in operator mode: the details carry its
     * expiry, {@code jwt_expiring} within the warning window, and DOWN once the (clock's) time is past it.
     */
    @Test
    void reportsTheUserJwtExpiry(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        io.natsboot.server.support.TrustChain chain = io.natsboot.server.support.TrustChain.create();
        io.natsboot.server.support.TrustChain.Account account = chain.account("APP");
        java.nio.file.Path op = java.nio.file.Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        java.nio.file.Path conf = java.nio.file.Files.writeString(dir.resolve("server.conf"), "operator: \"" + op
                + "\"\nresolver: MEMORY\nresolver_preload: { " + account.publicKey() + ": \"" + account.jwt()
                + "\" }\n");
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        assertThat(io.natsboot.server.config.ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        NatsServer operatorMode = new NatsServer(b.build(), TestNatsServer.QUIET);
        operatorMode.start();
        try {
            java.nio.file.Path creds = account.user("app", n -> { }, java.time.Duration.ofHours(2)).writeCreds(dir);
            runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + operatorMode.port(),
                    "natsboot.client.credentials-file=" + creds, "natsboot.client.health.jwt-expiry-warning=3h")
                    .run(ctx -> {
                        Health health = ctx.getBean(NatsClientHealthIndicator.class).health(true);
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        java.time.Instant expires = java.time.Instant.parse((String) health.getDetails()
                                .get("jwt_expires"));
                        assertThat(expires).isBetween(java.time.Instant.now().plusSeconds(7000),
                                java.time.Instant.now().plusSeconds(7300));
                        assertThat(health.getDetails()).containsEntry("jwt_expiring", true);
                        Connection nc = ctx.getBean(Connection.class);
                        Health later = new NatsClientHealthIndicator(nc, java.time.Duration.ofMinutes(5),
                                java.time.Clock.fixed(expires.plusSeconds(1), java.time.ZoneOffset.UTC)).health(true);
                        assertThat(later.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(later.getDetails()).containsEntry("jwt", "expired");
                        Health early = new NatsClientHealthIndicator(nc, java.time.Duration.ofMinutes(5),
                                java.time.Clock.systemUTC()).health(true);
                        assertThat(early.getStatus()).isEqualTo(Status.UP);
                        assertThat(early.getDetails()).doesNotContainKey("jwt_expiring");
                    });
        } finally {
            operatorMode.shutdown();
        }
    }

    @Test
    void withoutAUserJwtNoJwtDetails() {
        runner.withPropertyValues(server.serversProperty()).run(ctx -> assertThat(
                ctx.getBean(NatsClientHealthIndicator.class).health(true).getDetails()).doesNotContainKey("jwt_expires"));
    }
}
