package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.service.Discovery;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.annotation.NatsService;
import io.natsboot.spring.annotation.NatsServiceEndpoint;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.micrometer.NatsClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.Disposable;

/**
 * The starter's main paths against a server: run once against NATS Boot's server and once against the
 * reference nats-server 2.9.10, so a difference in behaviour shows up as a failure in one of the two.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClientParityScenarios {

    /** A server that can be stopped and started again on the same port. */
    interface ParityServer extends AutoCloseable {
        String url();

        void stop() throws Exception;

        void start() throws Exception;
    }

    private ParityServer server;

    abstract ParityServer startServer() throws Exception;

    @BeforeAll
    void startTheServer() throws Exception {
        server = startServer();
    }

    @AfterAll
    void stopTheServer() throws Exception {
        server.close();
    }

    record Order(String id, int qty) { }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                        NatsClientHealthContributorAutoConfiguration.class))
                .withPropertyValues("natsboot.client.servers=" + server.url());
    }

    static class Pricer {
        @NatsListener(subjects = "parity.price", queue = "pricers")
        Order price(Order order) {
            return new Order(order.id(), order.qty() * 2);
        }

        @NatsListener("parity.fail")
        String fail(String text) {
            throw new IllegalStateException("no " + text);
        }
    }

    @Test
    void requestReplyThroughAListenerNoRespondersAndRemoteErrors() {
        runner().withBean(Pricer.class).run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            assertThat(t.request("parity.price", new Order("a", 21), Order.class)).isEqualTo(new Order("a", 42));
            assertThat(ctx.getBean(ReactiveNatsTemplate.class).request("parity.price", new Order("b", 1), Order.class)
                    .block(Duration.ofSeconds(5))).isEqualTo(new Order("b", 2));
            assertThatThrownBy(() -> t.request("parity.nobody", "x")).isInstanceOf(NatsNoRespondersException.class);
            assertThatThrownBy(() -> t.request("parity.fail", "x")).isInstanceOf(NatsRemoteException.class)
                    .hasMessageContaining("IllegalStateException: no x");
        });
    }

    static class Workers {
        final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
        final CountDownLatch done = new CountDownLatch(300);

        @NatsListener(subjects = "parity.work", queue = "workers", concurrency = 3)
        void work(String body) throws InterruptedException {
            byThread.computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(1);
            done.countDown();
        }
    }

    @Test
    void listenerQueueGroupSpreadsAcrossDispatchersAndInstances() {
        runner().withBean(Workers.class).run(first -> runner().withBean(Workers.class).run(second -> {
            Workers a = first.getBean(Workers.class);
            Workers b = second.getBean(Workers.class);
            NatsTemplate t = first.getBean(NatsTemplate.class);
            for (int i = 0; i < 300; i++) {
                t.publish("parity.work", "job-" + i);
            }
            t.flush(Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.done.getCount() + b.done.getCount() == 300);
            Thread.sleep(200);
            int handledByA = a.byThread.values().stream().mapToInt(AtomicInteger::get).sum();
            int handledByB = b.byThread.values().stream().mapToInt(AtomicInteger::get).sum();
            // Six queue members over two applications: each message handled once, both applications busy.
            assertThat(handledByA + handledByB).isEqualTo(300);
            assertThat(handledByA).isPositive();
            assertThat(handledByB).isPositive();
            assertThat(a.byThread.size() + b.byThread.size()).isGreaterThan(2);
        }));
    }

    @NatsService(name = "parity", version = "1.0.0")
    static class ParityService {
        @NatsServiceEndpoint(subject = "parity.svc.echo")
        String echo(String text) {
            return text;
        }
    }

    @Test
    void serviceDiscoveryAndCall() throws Exception {
        try (Connection client = Nats.connect(server.url())) {
            runner().withBean(ParityService.class).run(ctx -> {
                assertThat(new Discovery(client, 2000, 1).ping("parity")).singleElement()
                        .satisfies(p -> assertThat(p.getVersion()).isEqualTo("1.0.0"));
                assertThat(ctx.getBean(NatsTemplate.class).request("parity.svc.echo", "hi", String.class))
                        .isEqualTo("hi");
            });
        }
    }

    @Test
    void traceContextCrossesARequestReplyInHeaders() {
        runner().withPropertyValues("natsboot.client.observation-enabled=true")
                .withUserConfiguration(NatsObservabilityTests.TracingConfig.class).run(ctx -> {
            SimpleTracer tracer = ctx.getBean(SimpleTracer.class);
            assertThat(ctx.getBean(NatsTemplate.class).request("obs.price", "pear", String.class)).isEqualTo("pear=42");
            await().atMost(Duration.ofSeconds(5)).until(() -> tracer.getSpans().size() >= 3);
            List<SimpleSpan> spans = List.copyOf(tracer.getSpans());
            SimpleSpan request = spans.stream().filter(x -> x.getName().equals("obs.price request")).findFirst().orElseThrow();
            SimpleSpan process = spans.stream().filter(x -> x.getName().equals("obs.price process")).findFirst().orElseThrow();
            assertThat(process.getTraceId()).isEqualTo(request.getTraceId());
            assertThat(process.getParentId()).isEqualTo(request.getSpanId());
        });
    }

    @Test
    void fluxSubscriptionResumesAfterTheServerRestartsOnTheSamePort() throws Exception {
        runner().withPropertyValues("natsboot.client.max-reconnects=-1", "natsboot.client.reconnect-wait=50ms")
                .run(ctx -> {
            Connection nc = ctx.getBean(Connection.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            NatsClientHealthIndicator health = ctx.getBean(NatsClientHealthIndicator.class);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            ctx.getBean(NatsClientMetrics.class).bindTo(meters);
            List<String> received = new CopyOnWriteArrayList<>();
            Disposable subscription = ctx.getBean(ReactiveNatsTemplate.class).subscribe("parity.stream")
                    .subscribe(m -> received.add(new String(m.getData(), StandardCharsets.UTF_8)));
            try {
                nc.flush(Duration.ofSeconds(2));
                t.publish("parity.stream", "before");
                await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("before"));

                server.stop();
                await().atMost(Duration.ofSeconds(10)).until(() -> nc.getStatus() != Connection.Status.CONNECTED);
                assertThat(health.health(false).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                // Buffered by jnats while reconnecting, sent after the reconnect.
                t.publish("parity.stream", "during");

                server.start();
                await().atMost(Duration.ofSeconds(15)).until(() -> nc.getStatus() == Connection.Status.CONNECTED);
                nc.flush(Duration.ofSeconds(2));
                try (Connection other = Nats.connect(server.url())) {
                    other.publish("parity.stream", "after".getBytes(StandardCharsets.UTF_8));
                    other.flush(Duration.ofSeconds(2));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("after"));
                assertThat(received).containsExactly("before", "during", "after");
                assertThat(subscription.isDisposed()).isFalse();
                assertThat(health.health(false).getStatus()).isEqualTo(Status.UP);
                assertThat(meters.get("nats.client.reconnects").functionCounter().count()).isEqualTo(1);
            } finally {
                subscription.dispose();
            }
        });
    }
}
