package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.log.Slf4jServerLog;
import io.natsboot.server.monitor.Monitor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

class NatsServerAutoConfigurationTests {

    /** Port 0 everywhere: tests never bind 4222. */
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    @Test
    void defaultPropertiesAreNatsServerDefaults() {
        ServerOptions fromProperties = new NatsServerProperties().applyTo(ServerOptions.builder()).build();
        // The one deliberate difference: the monitoring port binds to loopback unless told otherwise.
        assertThat(fromProperties).isEqualTo(ServerOptions.defaults().toBuilder().httpHost("127.0.0.1").build());
        assertThat(ServerOptions.defaults().httpHost()).isNull();
        assertThat(fromProperties.host()).isEqualTo("0.0.0.0");
        assertThat(fromProperties.port()).isEqualTo(4222);
        assertThat(fromProperties.maxPayload()).isEqualTo(1024 * 1024);
        assertThat(fromProperties.maxPending()).isEqualTo(64L * 1024 * 1024);
        assertThat(fromProperties.maxControlLine()).isEqualTo(4096);
        assertThat(fromProperties.maxConnections()).isEqualTo(65536);
        assertThat(fromProperties.pingInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromProperties.writeDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(fromProperties.httpPort()).isZero();
    }

    @Test
    void startsServerOnRandomPortAndPublishesIt() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServer.class).hasSingleBean(NatsServerLifecycle.class)
                    .hasSingleBean(Monitor.class).hasSingleBean(ServerOptions.class);
            NatsServer server = ctx.getBean(NatsServer.class);
            assertThat(server.isRunning()).isTrue();
            int port = ctx.getEnvironment().getProperty(NatsServerLifecycle.PORT_PROPERTY, Integer.class);
            assertThat(port).isPositive().isEqualTo(server.port());
            assertThat(ctx.getEnvironment().containsProperty(NatsServerLifecycle.HTTP_PORT_PROPERTY)).isFalse();
            try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).build())) {
                Subscription sub = nc.subscribe("greet");
                nc.publish("greet", "hi".getBytes(StandardCharsets.UTF_8));
                Message m = sub.nextMessage(Duration.ofSeconds(5));
                assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("hi");
            }
        });
    }

    @Test
    void stopsServerAndReleasesPortOnClose() {
        int[] port = new int[1];
        NatsServer[] server = new NatsServer[1];
        runner.run(ctx -> {
            server[0] = ctx.getBean(NatsServer.class);
            port[0] = server[0].port();
            assertThat(canConnect(port[0])).isTrue();
        });
        assertThat(server[0].isRunning()).isFalse();
        assertThat(canConnect(port[0])).isFalse();
    }

    @Test
    void publishesMonitoringPortWhenEnabled() {
        runner.withPropertyValues("natsboot.server.http-port=-1").run(ctx -> {
            int http = ctx.getEnvironment().getProperty(NatsServerLifecycle.HTTP_PORT_PROPERTY, Integer.class);
            assertThat(http).isPositive().isNotEqualTo(ctx.getBean(NatsServer.class).port());
            assertThat(canConnect(http)).isTrue();
        });
    }

    // These tests listen on 127.0.0.2 (on Linux all of 127/8 is routed to lo): a socket bound to one
    // loopback address does not answer on another, which tells which address a port is bound to without
    // binding a wildcard address.

    @Test
    void monitoringPortBindsToLoopbackByDefaultNotToTheClientHost() {
        runner.withPropertyValues("natsboot.server.host=127.0.0.2", "natsboot.server.http-port=-1").run(ctx -> {
            int http = ctx.getEnvironment().getProperty(NatsServerLifecycle.HTTP_PORT_PROPERTY, Integer.class);
            int client = ctx.getBean(NatsServer.class).port();
            assertThat(ctx.getBean(NatsServer.class).monitor().monitor().varz().httpHost()).isEqualTo("127.0.0.1");
            assertThat(canConnect("127.0.0.2", client)).as("client port on the client host").isTrue();
            assertThat(canConnect("127.0.0.1", http)).as("monitoring port on 127.0.0.1").isTrue();
            // Bound to 0.0.0.0 or to the client host, it would answer here.
            assertThat(canConnect("127.0.0.2", http)).as("monitoring port elsewhere").isFalse();
        });
    }

    @Test
    void emptyMonitoringHostFollowsTheClientHostAsNatsServerDoes() {
        runner.withPropertyValues("natsboot.server.host=127.0.0.2", "natsboot.server.http-port=-1",
                "natsboot.server.http-host=").run(ctx -> {
            int http = ctx.getEnvironment().getProperty(NatsServerLifecycle.HTTP_PORT_PROPERTY, Integer.class);
            assertThat(ctx.getBean(ServerOptions.class).httpHost()).isNull();
            assertThat(canConnect("127.0.0.2", http)).isTrue();
            assertThat(canConnect("127.0.0.1", http)).isFalse();
        });
    }

    @Test
    void configFileHttpAddressWinsOverTheLoopbackDefault(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "http: \"127.0.0.2:-1\"\n");
        runner.withPropertyValues("natsboot.server.config-file=" + conf).run(ctx -> {
            assertThat(ctx.getBean(ServerOptions.class).httpHost()).isEqualTo("127.0.0.2");
            int http = ctx.getEnvironment().getProperty(NatsServerLifecycle.HTTP_PORT_PROPERTY, Integer.class);
            assertThat(canConnect("127.0.0.2", http)).isTrue();
            assertThat(canConnect("127.0.0.1", http)).isFalse();
        });
    }

    @Test
    void disabledByProperty() {
        runner.withPropertyValues("natsboot.server.enabled=false").run(ctx -> assertThat(ctx)
                .doesNotHaveBean(NatsServer.class).doesNotHaveBean(NatsServerLifecycle.class)
                .doesNotHaveBean(ServerOptions.class).doesNotHaveBean(NatsServerProperties.class));
    }

    @Test
    void enabledExplicitly() {
        runner.withPropertyValues("natsboot.server.enabled=true").run(ctx -> assertThat(ctx).hasSingleBean(NatsServer.class));
    }

    @Test
    void propertiesAreBoundWithDurationAndDataSizeTypes() {
        runner.withPropertyValues("natsboot.server.max-payload=2MB", "natsboot.server.max-pending=128MB",
                "natsboot.server.max-control-line=8KB", "natsboot.server.ping-interval=30s",
                "natsboot.server.write-deadline=500ms", "natsboot.server.server-name=embedded",
                "natsboot.server.max-connections=10", "natsboot.server.max-subscriptions=5",
                "natsboot.server.ping-max=3", "natsboot.server.auth.user=u", "natsboot.server.auth.password=p",
                "natsboot.server.auth.timeout=3s", "natsboot.server.lame-duck-duration=30s",
                "natsboot.server.lame-duck-grace-period=1s").run(ctx -> {
            ServerOptions o = ctx.getBean(ServerOptions.class);
            assertThat(o.maxPayload()).isEqualTo(2 * 1024 * 1024);
            assertThat(o.maxPending()).isEqualTo(128L * 1024 * 1024);
            assertThat(o.maxControlLine()).isEqualTo(8192);
            assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.writeDeadline()).isEqualTo(Duration.ofMillis(500));
            assertThat(o.serverName()).isEqualTo("embedded");
            assertThat(o.maxConnections()).isEqualTo(10);
            assertThat(o.maxSubscriptions()).isEqualTo(5);
            assertThat(o.pingMax()).isEqualTo(3);
            assertThat(o.username()).isEqualTo("u");
            assertThat(o.password()).isEqualTo("p");
            assertThat(o.authTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(o.lameDuckDuration()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.lameDuckGracePeriod()).isEqualTo(Duration.ofSeconds(1));
            assertThat(ctx.getBean(NatsServer.class).context().serverName()).isEqualTo("embedded");
        });
    }

    @Test
    void tokenAuthRejectsClientsWithoutIt() {
        runner.withPropertyValues("natsboot.server.auth.token=s3cret").run(ctx -> {
            int port = ctx.getBean(NatsServer.class).port();
            assertThatThrownBy(() -> Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                    .maxReconnects(0).build()).close()).isInstanceOf(Exception.class);
            try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                    .token("s3cret".toCharArray()).build())) {
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
        });
    }

    @Test
    void configFileIsLoadedAndWinsForItsKeys(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "max_payload: 512KB\nserver_name: from-file\nping_max: 7\n");
        runner.withPropertyValues("natsboot.server.config-file=" + conf, "natsboot.server.ping-max=4",
                "natsboot.server.max-connections=99").run(ctx -> {
            ServerOptions o = ctx.getBean(ServerOptions.class);
            assertThat(o.maxPayload()).isEqualTo(512 * 1024);
            assertThat(o.serverName()).isEqualTo("from-file");
            assertThat(o.pingMax()).isEqualTo(7);
            assertThat(o.maxConnections()).isEqualTo(99);
            assertThat(o.configFile()).isEqualTo(conf.toString());
            assertThat(ctx.getBean(NatsServer.class).isRunning()).isTrue();
        });
    }

    @Test
    void badConfigFileFailsStartup(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "max_payload: {\n");
        runner.withPropertyValues("natsboot.server.config-file=" + conf).run(ctx -> assertThat(ctx)
                .hasFailed().getFailure().hasStackTraceContaining("natsboot.server.config-file"));
        runner.withPropertyValues("natsboot.server.config-file=" + dir.resolve("missing.conf")).run(ctx ->
                assertThat(ctx).hasFailed());
    }

    @Test
    void customizersRunAfterPropertiesInOrder() {
        runner.withUserConfiguration(Customizers.class).withPropertyValues("natsboot.server.max-connections=5")
                .run(ctx -> {
                    ServerOptions o = ctx.getBean(ServerOptions.class);
                    assertThat(o.maxConnections()).isEqualTo(6); // properties said 5; the customizer wins
                    assertThat(o.serverName()).isEqualTo("customized-2");
                });
    }

    @Test
    void backsOffFromUserServerOptions() {
        runner.withUserConfiguration(UserOptions.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(ServerOptions.class);
            assertThat(ctx.getBean(ServerOptions.class).serverName()).isEqualTo("user-options");
            assertThat(ctx.getBean(NatsServer.class).context().serverName()).isEqualTo("user-options");
        });
    }

    @Test
    void backsOffFromUserServer() {
        runner.withUserConfiguration(UserServer.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServer.class);
            assertThat(ctx.getBean(NatsServer.class)).isSameAs(ctx.getBean("myServer"));
            assertThat(ctx.getBean(NatsServer.class).options().serverName()).isEqualTo("user-server");
            assertThat(ctx.getBean(NatsServer.class).isRunning()).isTrue(); // still started by the lifecycle
        });
    }

    @Test
    void backsOffFromUserLifecycleAndMonitor() {
        runner.withUserConfiguration(UserLifecycleAndMonitor.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServerLifecycle.class).hasSingleBean(Monitor.class);
            assertThat(ctx.getBean(NatsServerLifecycle.class)).isSameAs(ctx.getBean("myLifecycle"));
            assertThat(ctx.getBean(Monitor.class)).isSameAs(ctx.getBean("myMonitor"));
        });
    }

    @Test
    void logsThroughSlf4jByDefaultAndUserServerLogWhenDefined() {
        runner.run(ctx -> assertThat(ctx.getBean(NatsServer.class).context().log()).isInstanceOf(Slf4jServerLog.class));
        runner.withUserConfiguration(UserLog.class).run(ctx -> {
            assertThat(ctx.getBean(NatsServer.class).context().log()).isSameAs(ctx.getBean(ServerLog.class));
            assertThat(ctx.getBean(UserLog.class).started.get()).isTrue();
        });
    }

    private static boolean canConnect(int port) {
        return canConnect("127.0.0.1", port);
    }

    private static boolean canConnect(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {
        @Bean
        @Order(2)
        NatsServerCustomizer second() {
            return b -> b.serverName("customized-2");
        }

        @Bean
        @Order(1)
        NatsServerCustomizer first() {
            return b -> b.serverName("customized-1").maxConnections(6);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserOptions {
        @Bean
        ServerOptions myOptions() {
            return ServerOptions.builder().host("127.0.0.1").port(0).serverName("user-options").build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserServer {
        @Bean
        NatsServer myServer() {
            return new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).serverName("user-server").build(),
                    new Slf4jServerLog());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLifecycleAndMonitor {
        @Bean
        NatsServerLifecycle myLifecycle(NatsServer server, org.springframework.core.env.Environment env) {
            return new NatsServerLifecycle(server, env);
        }

        @Bean
        Monitor myMonitor(NatsServer server) {
            return server.snapshots();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLog {
        final AtomicBoolean started = new AtomicBoolean();

        @Bean
        ServerLog serverLog() {
            return new ServerLog() {
                @Override public void info(String msg) {
                    if (msg.equals("Server is ready")) {
                        started.set(true);
                    }
                }
                @Override public void warn(String msg) { }
                @Override public void error(String msg) { }
                @Override public void fatal(String msg) { }
                @Override public void debug(String msg) { }
                @Override public void trace(String msg) { }
                @Override public boolean isDebug() { return false; }
                @Override public boolean isTrace() { return false; }
            };
        }
    }
}
