package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.client.autoconfigure.NatsClientAutoConfiguration;
import io.natsboot.client.autoconfigure.NatsClientHealthContributorAutoConfiguration;
import io.natsboot.client.autoconfigure.NatsClientHealthIndicator;
import io.natsboot.client.autoconfigure.NatsConnectionDetails;
import io.natsboot.client.autoconfigure.PropertiesNatsConnectionDetails;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The embedded server's {@link NatsConnectionDetails} for nats-client-starter, and what happens without it. */
class EmbeddedNatsConnectionDetailsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class, NatsClientAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    @Test
    void clientConnectsToTheEmbeddedServerOnItsBoundPort() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:1").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(EmbeddedNatsConnectionDetails.class)
                    .doesNotHaveBean(PropertiesNatsConnectionDetails.class).hasSingleBean(NatsConnectionDetails.class);
            Connection nc = ctx.getBean(Connection.class);
            int port = ctx.getBean(NatsServer.class).port();
            assertThat(nc.getConnectedUrl()).endsWith(":" + port);
            assertThat(ctx.getBean(NatsConnectionDetails.class).getServers()).containsExactly("nats://127.0.0.1:" + port);
            assertThat(ctx.getEnvironment().getProperty(NatsServerLifecycle.PORT_PROPERTY, Integer.class))
                    .isEqualTo(port);
        });
    }

    @Test
    void theServersOwnUserIsUsedWhenTheClientSetsNone() {
        runner.withPropertyValues("natsboot.server.auth.user=app", "natsboot.server.auth.password=s3cret").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            NatsConnectionDetails details = ctx.getBean(NatsConnectionDetails.class);
            assertThat(details.getUsername()).isEqualTo("app");
            assertThat(details.getPassword()).isEqualTo("s3cret");
            assertThat(ctx.getBean(Connection.class).getStatus()).isEqualTo(Connection.Status.CONNECTED);
        });
    }

    @Test
    void theClientsCredentialsWin() {
        runner.withPropertyValues("natsboot.server.auth.token=server-token", "natsboot.client.token=client-token")
                .run(ctx -> {
                    assertThat(ctx).hasFailed(); // the server refuses the client's token: it was really sent
                    assertThat(ctx.getStartupFailure()).hasStackTraceContaining("Authorization Violation");
                });
    }

    @Test
    void gettersHaveNoSideEffects() {
        NatsServer server = new NatsServer(ServerOptions.builder().host("0.0.0.0").port(0).build(), QUIET);
        server.start();
        try {
            EmbeddedNatsConnectionDetails details = new EmbeddedNatsConnectionDetails(server, () -> List.of("x"));
            assertThat(details.getServers()).containsExactly("nats://127.0.0.1:" + server.port());
        } finally {
            server.shutdown();
        }
        NatsServer stopped = new NatsServer(ServerOptions.builder().port(0).build(), QUIET);
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> new EmbeddedNatsConnectionDetails(stopped, () -> List.of("x")))
                .withMessageContaining("not running");
        assertThat(stopped.isRunning()).isFalse();
    }

    @Test
    void noEmbeddedDetailsWithoutTheClientStarter() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0")
                .withClassLoader(new FilteredClassLoader(NatsConnectionDetails.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(EmbeddedNatsConnectionDetails.class)
                        .hasSingleBean(NatsServer.class));
    }

    @Test
    void noEmbeddedDetailsWhenTheServerIsDisabled() {
        NatsServer other = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), QUIET);
        other.start();
        try {
            runner.withPropertyValues("natsboot.server.enabled=false",
                    "natsboot.client.servers=nats://127.0.0.1:" + other.port()).run(ctx -> {
                assertThat(ctx).hasSingleBean(PropertiesNatsConnectionDetails.class)
                        .doesNotHaveBean(EmbeddedNatsConnectionDetails.class).doesNotHaveBean(NatsServer.class);
                assertThat(ctx.getBean(Connection.class).getConnectedUrl()).endsWith(":" + other.port());
            });
        } finally {
            other.shutdown();
        }
    }

    @Test
    void applicationConnectionDetailsWin() {
        NatsConnectionDetails mine = () -> List.of("nats://127.0.0.1:1");
        runner.withPropertyValues("natsboot.client.connection-timeout=200ms")
                .withBean(NatsConnectionDetails.class, () -> mine)
                // it used the application's (unreachable) server, not the embedded one
                .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("nats://127.0.0.1:1"));
    }

    @Test
    void clientHealthIsNamedNatsClientNextToTheServersIndicator() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                        NatsServerHealthContributorAutoConfiguration.class, NatsClientAutoConfiguration.class,
                        NatsClientHealthContributorAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean("natsHealthIndicator")).isInstanceOf(NatsServerHealthIndicator.class);
                    assertThat(ctx.getBean("natsClientHealthIndicator")).isInstanceOf(NatsClientHealthIndicator.class);
                    assertThat(ctx.getBean(NatsClientHealthIndicator.class).health(false).getStatus())
                            .isEqualTo(Status.UP);
                });
    }

    static final ServerLog QUIET = new ServerLog() {
        public void info(String msg) { }
        public void warn(String msg) { }
        public void error(String msg) { }
        public void fatal(String msg) { }
        public void debug(String msg) { }
        public void trace(String msg) { }
        public boolean isDebug() { return false; }
        public boolean isTrace() { return false; }
    };
}
