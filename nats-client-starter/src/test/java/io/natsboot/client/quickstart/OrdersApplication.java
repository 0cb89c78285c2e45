package io.natsboot.client.quickstart;

import io.natsboot.spring.annotation.NatsListener;   // nats-spring
import io.natsboot.spring.core.NatsTemplate;          // nats-spring
import java.util.List;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

// docs/client.md's quick start, as written there (QuickStartTests).
@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }

    public record Order(String id, int qty) { }

    @Component
    public static class Pricing {
        // request/reply, JSON both ways; one member of the queue group "pricing" answers
        @NatsListener(subjects = "orders.price", queue = "pricing")
        public Order price(Order order) {
            return new Order(order.id(), order.qty() * 2);
        }

        // generic payloads keep their element type: a List of Orders, not of maps
        @NatsListener(subjects = "orders.total", queue = "pricing")
        public int total(List<Order> orders) {
            return orders.stream().mapToInt(Order::qty).sum();
        }
    }

    @Component
    public static class Demo implements ApplicationRunner {
        private final NatsTemplate nats;

        public Demo(NatsTemplate nats) {
            this.nats = nats;
        }

        @Override
        public void run(ApplicationArguments args) {
            System.out.println(nats.request("orders.price", new Order("o-1", 21), Order.class));
            System.out.println(nats.request("orders.total", List.of(new Order("a", 1), new Order("b", 2)), Integer.class));
        }
    }
}
