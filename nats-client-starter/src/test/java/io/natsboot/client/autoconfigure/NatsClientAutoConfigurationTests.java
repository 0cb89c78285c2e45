package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.spring.core.NatsConnectionEvent;
import io.natsboot.spring.core.NatsConnectionLifecycle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class NatsClientAutoConfigurationTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class));

    @Test
    void connectsFromProperties() {
        runner.withPropertyValues(server.serversProperty(), "natsboot.client.connection-name=orders",
                "natsboot.client.max-reconnects=-1", "natsboot.client.ping-interval=30s",
                "natsboot.client.inbox-prefix=_IN.", "natsboot.client.no-echo=true").run(ctx -> {
            assertThat(ctx).hasSingleBean(Connection.class).hasSingleBean(NatsConnectionDetails.class)
                    .hasSingleBean(NatsConnectionLifecycle.class);
            Connection nc = ctx.getBean(Connection.class);
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            Options o = nc.getOptions();
            assertThat(o.getConnectionName()).isEqualTo("orders");
            assertThat(o.getMaxReconnect()).isEqualTo(-1);
            assertThat(o.getPingInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.getInboxPrefix()).isEqualTo("_IN.");
            assertThat(o.isNoEcho()).isTrue();
        });
    }

    @Test
    void connectionNameDefaultsToApplicationName() {
        runner.withPropertyValues(server.serversProperty(), "spring.application.name=billing").run(ctx ->
                assertThat(ctx.getBean(Connection.class).getOptions().getConnectionName()).isEqualTo("billing"));
    }

    @Test
    void customizersApplyInOrderAfterProperties() {
        runner.withPropertyValues(server.serversProperty(), "natsboot.client.connection-name=fromProps")
                .withBean("c1", NatsConnectionCustomizer.class, () -> b -> b.connectionName("custom"))
                .run(ctx -> assertThat(ctx.getBean(Connection.class).getOptions().getConnectionName())
                        .isEqualTo("custom"));
    }

    @Test
    void backsOffWhenUserDefinesConnection() {
        runner.withUserConfiguration(UserConnection.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(Connection.class);
            assertThat(ctx.getBean(Connection.class).getOptions().getConnectionName()).isEqualTo("user");
        });
    }

    @Test
    void userConnectionDetailsWin() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:1")
                .withBean(NatsConnectionDetails.class, () -> () -> List.of(server.url()))
                .run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(PropertiesNatsConnectionDetails.class);
                    assertThat(ctx.getBean(Connection.class).getStatus()).isEqualTo(Connection.Status.CONNECTED);
                });
    }

    @Test
    void failsFastWhenServerUnreachable() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:1",
                "natsboot.client.connection-timeout=200ms").run(ctx -> assertThat(ctx).hasFailed());
    }

    @Test
    void publishesConnectionEventsAndDrainsOnClose() {
        Events events = new Events();
        Connection[] nc = new Connection[1];
        runner.withPropertyValues(server.serversProperty())
                .withBean(Events.class, () -> events)
                .run(ctx -> {
                    nc[0] = ctx.getBean(Connection.class);
                    assertThat(events.types()).contains(NatsConnectionEvent.Type.CONNECTED);
                });
        assertThat(nc[0].getStatus()).isEqualTo(Connection.Status.CLOSED);
    }

    @Test
    void backsOffWithoutJnats() {
        runner.withClassLoader(new FilteredClassLoader(Connection.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(NatsClientProperties.class));
    }

    static class Events implements ApplicationListener<NatsConnectionEvent> {
        final List<NatsConnectionEvent> received = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(NatsConnectionEvent event) {
            received.add(event);
        }

        List<NatsConnectionEvent.Type> types() {
            return received.stream().map(NatsConnectionEvent::getType).toList();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserConnection {
        @Bean
        Connection myConnection() throws Exception {
            return Nats.connect(new Options.Builder().server(server.url()).connectionName("user").build());
        }
    }
}
