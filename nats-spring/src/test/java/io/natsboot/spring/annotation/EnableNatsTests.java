package io.natsboot.spring.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.service.NatsServiceRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@link EnableNats} in a plain Spring context, without Spring Boot: only a Connection bean is declared. */
class EnableNatsTests {

    static NatsServer server;

    @BeforeAll
    static void startServer() {
        server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), QUIET);
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.shutdown();
    }

    record Order(String id, int quantity) { }

    @Configuration(proxyBeanMethods = false)
    @EnableNats
    static class App {
        @Bean(destroyMethod = "close")
        Connection natsConnection() throws Exception {
            return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port()).build());
        }

        @Bean
        Orders orders() {
            return new Orders();
        }

        @Bean
        Prices prices() {
            return new Prices();
        }
    }

    static class Orders {
        @NatsListener("orders.quantity")
        int quantity(Order order) {
            if (order.quantity() < 0) {
                throw new IllegalArgumentException("negative quantity");
            }
            return order.quantity();
        }
    }

    @NatsService(name = "prices", version = "1.0.0")
    static class Prices {
        @NatsServiceEndpoint(subject = "prices.get")
        String price(String item) {
            return item + "=42";
        }
    }

    @Test
    void listenersAndServicesWorkWithOnlyAConnectionBean() {
        Connection nc;
        try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext(App.class)) {
            nc = ctx.getBean(Connection.class);
            assertThat(ctx.getBean(NatsListenerEndpointRegistry.class).getListenerContainerIds())
                    .containsExactly(Orders.class.getName() + "#quantity");
            assertThat(ctx.getBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME)).isInstanceOf(NatsListenerContainerFactory.class);
            NatsTemplate template = new NatsTemplate(nc,
                    ctx.getBean(NatsListenerContainerFactory.class).getConverter(), Duration.ofSeconds(2));
            assertThat(template.request("orders.quantity", new Order("a", 3), Integer.class)).isEqualTo(3);
            assertThatThrownBy(() -> template.request("orders.quantity", new Order("b", -1), Integer.class))
                    .isInstanceOf(NatsRemoteException.class).hasMessageContaining("negative quantity");
            assertThat(template.request("prices.get", "apple", String.class)).isEqualTo("apple=42");
            assertThat(ctx.getBean(NatsServiceRegistry.class).getService("prices")).isNotNull();
        }
        // the context closed the connection after stopping the listeners
        assertThat(nc.getStatus()).isEqualTo(Connection.Status.CLOSED);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableNats
    static class Twice {
    }

    @Test
    void enablingTwiceRegistersTheInfrastructureOnce() {
        try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext(App.class, Twice.class)) {
            assertThat(ctx.getBeansOfType(NatsListenerAnnotationBeanPostProcessor.class)).hasSize(1);
            assertThat(ctx.getBeansOfType(NatsListenerEndpointRegistry.class)).hasSize(1);
        }
    }

    static class Lonely {
        @NatsListener("x")
        void on(String s) {
        }
    }

    @Test
    void withoutAConnectionTheErrorSaysWhatIsMissing() {
        AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext();
        ctx.register(Twice.class);
        ctx.registerBean(Lonely.class);
        assertThatThrownBy(ctx::refresh).hasMessageContaining("need a jnats Connection bean");
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
