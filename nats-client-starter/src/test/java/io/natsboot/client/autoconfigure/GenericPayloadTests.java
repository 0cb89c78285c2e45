package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.ParameterizedTypeReference;

/** Generic payloads are converted with their full type: a {@code List<Order>} holds Orders, not maps. */
class GenericPayloadTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    record Order(String id, int qty) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty())
            .withBean(Batches.class);

    static class Batches {
        @NatsListener("gen.total")
        int total(List<Order> orders) {
            return orders.stream().mapToInt(Order::qty).sum(); // fails with ClassCastException on maps
        }

        @NatsListener("gen.byId")
        Map<String, Order> byId(Map<String, List<Order>> groups) {
            return Map.of("first", groups.get("a").get(0));
        }

        @NatsListener("gen.split")
        List<Order> split(Order order) {
            return List.of(new Order(order.id() + "-1", order.qty() / 2), new Order(order.id() + "-2", order.qty() / 2));
        }
    }

    @Test
    void listenerParametersKeepTheirElementType() {
        runner.run(ctx -> {
            NatsTemplate nats = ctx.getBean(NatsTemplate.class);
            assertThat(nats.request("gen.total", List.of(new Order("a", 2), new Order("b", 3)), Integer.class))
                    .isEqualTo(5);
            Map<String, Order> first = nats.request("gen.byId", Map.of("a", List.of(new Order("x", 7))),
                    new ParameterizedTypeReference<Map<String, Order>>() { });
            assertThat(first.get("first")).isEqualTo(new Order("x", 7));
        });
    }

    @Test
    void typedRequestsWithParameterizedTypeReference() {
        runner.run(ctx -> {
            List<Order> parts = ctx.getBean(NatsTemplate.class).request("gen.split", new Order("o", 10),
                    new ParameterizedTypeReference<List<Order>>() { });
            assertThat(parts).containsExactly(new Order("o-1", 5), new Order("o-2", 5));
            assertThat(parts.get(0)).isInstanceOf(Order.class);

            List<Order> reactive = ctx.getBean(ReactiveNatsTemplate.class)
                    .request("gen.split", new Order("r", 4), new ParameterizedTypeReference<List<Order>>() { })
                    .block(Duration.ofSeconds(5));
            assertThat(reactive).containsExactly(new Order("r-1", 2), new Order("r-2", 2));
        });
    }
}
