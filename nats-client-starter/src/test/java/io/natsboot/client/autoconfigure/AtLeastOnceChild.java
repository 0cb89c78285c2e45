package io.natsboot.client.autoconfigure;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.natsboot.spring.annotation.EnableNats;
import io.natsboot.spring.annotation.JetStreamListener;
import io.natsboot.spring.jetstream.JetStreamAdmin;
import io.natsboot.spring.jetstream.JetStreamConsumerDeclaration;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The listener JVM {@link AtLeastOnceTests} kills mid-batch: a plain Spring context ({@code @EnableNats}, no
 * Boot) with a batch {@code @JetStreamListener} that prints each batch it finished and stops forever in the
 * batch holding {@code m50}.
 */
public final class AtLeastOnceChild {

    static String url;

    @Configuration(proxyBeanMethods = false)
    @EnableNats
    static class Config {
        @Bean(destroyMethod = "close")
        Connection natsConnection() throws Exception {
            return Nats.connect(url);
        }

        @Bean
        JetStreamAdmin jetStreamAdmin(Connection connection) {
            return new JetStreamAdmin(connection);
        }

        @Bean
        JetStreamConsumerDeclaration workers() {
            return new JetStreamConsumerDeclaration("WORK", ConsumerConfiguration.builder().durable("workers")
                    .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(2)).build());
        }

        @Bean
        Worker worker() {
            return new Worker();
        }
    }

    static class Worker {
        @JetStreamListener(stream = "WORK", consumer = "workers", batch = true, batchSize = "10",
                inProgressInterval = "0")
        void work(List<String> jobs) throws InterruptedException {
            if (jobs.contains("m50")) {
                System.out.println("STUCK " + String.join(",", jobs));
                System.out.flush();
                new java.util.concurrent.CountDownLatch(1).await(); // stuck for good: the test kills the process here
            }
            System.out.println("DONE " + String.join(",", jobs));
            System.out.flush();
        }
    }

    public static void main(String[] args) {
        url = args[0];
        AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext(Config.class);
        ctx.registerShutdownHook();
        System.out.println("READY");
        System.out.flush();
    }
}
