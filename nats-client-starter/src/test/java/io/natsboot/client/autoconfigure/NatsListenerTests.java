package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.annotation.NatsSubject;
import io.natsboot.spring.core.NatsConnectionLifecycle;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.SimpleNatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainer;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpoint;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.listener.NatsListenerErrorHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

class NatsListenerTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    record Order(String id, int qty) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    // ---- request/reply with JSON conversion and argument resolution

    static class Doubler {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @NatsListener(subjects = "lst.double", id = "doubler")
        Order handle(Order order, @NatsSubject String subject, Headers headers, Message message) {
            seen.add(subject + "|" + headers.getFirst("X-Trace") + "|" + message.getReplyTo().isEmpty());
            return new Order(order.id(), order.qty() * 2);
        }

        @NatsListener("lst.mono")
        Mono<String> mono(String text) {
            return Mono.just(text.toUpperCase());
        }

        @NatsListener("lst.future")
        CompletionStage<Order> future(Order order) {
            return CompletableFuture.supplyAsync(() -> new Order(order.id() + "!", order.qty()));
        }

        @NatsListener("lst.${lst.suffix}")
        String placeholder(byte[] body) {
            return "len=" + body.length;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DoublerConfig {
        @Bean
        Doubler doubler() {
            return new Doubler();
        }
    }

    @Test
    void requestReplyThroughListenerWithJsonConversion() {
        runner.withUserConfiguration(DoublerConfig.class).withPropertyValues("lst.suffix=ph").run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsListenerEndpointRegistry.class)
                    .hasBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            Headers h = new Headers().put("X-Trace", "t1");
            assertThat(t.request("lst.double", new Order("a", 21), h, Order.class, Duration.ofSeconds(2)))
                    .isEqualTo(new Order("a", 42));
            assertThat(ctx.getBean(Doubler.class).seen).containsExactly("lst.double|t1|false");
            Message raw = t.request("lst.double", new Order("b", 1));
            assertThat(raw.getHeaders().getFirst(NatsMessageConverter.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(t.request("lst.mono", "hi", String.class)).isEqualTo("HI");
            assertThat(t.request("lst.future", new Order("f", 3), Order.class)).isEqualTo(new Order("f!", 3));
            assertThat(t.request("lst.ph", new byte[] {1, 2, 3}, String.class)).isEqualTo("len=3");
            assertThat(ctx.getBean(NatsListenerEndpointRegistry.class).getListenerContainerIds())
                    .contains("doubler").hasSize(4);
        });
    }

    // ---- queue group with concurrency

    static class Workers {
        final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
        final CountDownLatch done = new CountDownLatch(300);

        @NatsListener(subjects = "lst.work", queue = "workers", concurrency = 3, id = "workers")
        void work(String body) throws InterruptedException {
            byThread.computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(1);
            done.countDown();
        }
    }

    @Test
    void queueGroupWithConcurrencySpreadsMessages() {
        runner.withBean(Workers.class).run(ctx -> {
            Workers w = ctx.getBean(Workers.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            for (int i = 0; i < 300; i++) {
                t.publish("lst.work", "job-" + i);
            }
            t.flush(Duration.ofSeconds(2));
            assertThat(w.done.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            // Every message handled exactly once, by more than one of the three dispatchers.
            assertThat(w.byThread.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(300);
            assertThat(w.byThread).hasSizeGreaterThan(1).hasSizeLessThanOrEqualTo(3);
        });
    }

    static class Unqueued {
        @NatsListener(subjects = "lst.bad", concurrency = 2)
        void bad(String s) { }
    }

    @Test
    void concurrencyWithoutQueueGroupIsRejected() {
        runner.withBean(Unqueued.class).run(ctx -> assertThat(ctx).hasFailed().getFailure()
                .rootCause().hasMessageContaining("needs a queue group"));
    }

    // ---- errors

    static class Failing {
        @NatsListener(subjects = "lst.fail")
        String fail(String s) {
            throw new IllegalStateException("boom " + s);
        }

        @NatsListener(subjects = "lst.badjson")
        Order parse(Order o) {
            return o;
        }

        @NatsListener(subjects = "lst.custom", errorHandler = "recordingErrorHandler")
        String custom(String s) {
            throw new IllegalArgumentException("custom " + s);
        }
    }

    static class Recording implements NatsListenerErrorHandler {
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void handleError(Message message, Throwable error, Connection connection) {
            errors.add(message.getSubject() + ":" + error.getMessage());
            if (message.getReplyTo() != null) {
                connection.publish(message.getReplyTo(), "fallback".getBytes());
            }
        }
    }

    @Test
    void defaultErrorHandlerRepliesWithErrorHeader() {
        runner.withBean(Failing.class).withBean("recordingErrorHandler", Recording.class, Recording::new)
                .withBean("natsListenerErrorHandler", NatsListenerErrorHandler.class,
                        NatsListenerErrorHandler::logAndReply)
                .run(ctx -> {
                    NatsTemplate t = ctx.getBean(NatsTemplate.class);
                    assertThatThrownBy(() -> t.request("lst.fail", "x", null, Duration.ofSeconds(2)))
                            .isInstanceOf(NatsRemoteException.class)
                            .hasMessageContaining("IllegalStateException").hasMessageContaining("boom x");
                    // A conversion failure goes the same way instead of a silent timeout.
                    assertThatThrownBy(() -> t.request("lst.badjson", "{not json", null, Duration.ofSeconds(2)))
                            .isInstanceOf(NatsRemoteException.class);
                    // A listener-specific handler by bean name.
                    assertThat(t.request("lst.custom", "y", String.class)).isEqualTo("fallback");
                    assertThat(ctx.getBean(Recording.class).errors).containsExactly("lst.custom:custom y");
                    // Fire-and-forget failures are only handled (no reply subject).
                    t.publish("lst.custom", "z");
                    t.flush(Duration.ofSeconds(2));
                    long deadline = System.currentTimeMillis() + 2000;
                    while (ctx.getBean(Recording.class).errors.size() < 2 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(10);
                    }
                    assertThat(ctx.getBean(Recording.class).errors).containsExactly("lst.custom:custom y",
                            "lst.custom:custom z");
                });
    }

    @Test
    void singleErrorHandlerBeanBecomesTheFactoryDefault() {
        runner.withBean(Failing.class).withBean("recordingErrorHandler", Recording.class, Recording::new).run(ctx -> {
            assertThat(ctx.getBean(NatsListenerContainerFactory.class).getErrorHandler())
                    .isSameAs(ctx.getBean(Recording.class));
            assertThat(ctx.getBean(NatsTemplate.class).request("lst.fail", "x", String.class)).isEqualTo("fallback");
        });
    }

    // ---- lifecycle: autoStartup and the registry

    static class Lazy {
        final AtomicInteger calls = new AtomicInteger();

        @NatsListener(subjects = "lst.late", id = "late", autoStartup = false)
        String late(String s) {
            calls.incrementAndGet();
            return "late " + s;
        }

        @NatsListener(subjects = "lst.toggle", id = "toggle")
        String toggle(String s) {
            return "on " + s;
        }
    }

    @Test
    void autoStartupFalseIsHonouredAndStartableById() {
        runner.withBean(Lazy.class).run(ctx -> {
            NatsListenerEndpointRegistry registry = ctx.getBean(NatsListenerEndpointRegistry.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            assertThat(registry.isRunning()).isTrue();
            assertThat(registry.isRunning("late")).isFalse();
            assertThatThrownBy(() -> t.request("lst.late", "a")).isInstanceOf(NatsNoRespondersException.class);
            registry.start("late");
            assertThat(registry.isRunning("late")).isTrue();
            assertThat(t.request("lst.late", "b", String.class)).isEqualTo("late b");
            assertThat(ctx.getBean(Lazy.class).calls).hasValue(1);
        });
    }

    @Test
    void registryStopsAndStartsListenersById() {
        runner.withBean(Lazy.class).run(ctx -> {
            NatsListenerEndpointRegistry registry = ctx.getBean(NatsListenerEndpointRegistry.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            assertThat(t.request("lst.toggle", "1", String.class)).isEqualTo("on 1");
            registry.stop("toggle");
            assertThat(registry.isRunning("toggle")).isFalse();
            assertThatThrownBy(() -> t.request("lst.toggle", "2")).isInstanceOf(NatsNoRespondersException.class);
            registry.start("toggle");
            assertThat(t.request("lst.toggle", "3", String.class)).isEqualTo("on 3");
            assertThatThrownBy(() -> registry.start("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("toggle");
        });
    }

    @Test
    void listenersStopBeforeTheConnectionDrains() {
        runner.withBean(Lazy.class).run(ctx -> {
            NatsListenerEndpointRegistry registry = ctx.getBean(NatsListenerEndpointRegistry.class);
            assertThat(registry.getPhase()).isGreaterThan(ctx.getBean(NatsConnectionLifecycle.class).getPhase());
            Connection nc = ctx.getBean(Connection.class);
            ctx.close();
            assertThat(registry.isRunning()).isFalse();
            assertThat(registry.isRunning("toggle")).isFalse();
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CLOSED);
        });
    }

    static class Slow {
        final CountDownLatch entered = new CountDownLatch(1);

        @NatsListener(subjects = "lst.slow", id = "slow")
        String slow(String s) throws InterruptedException {
            entered.countDown();
            Thread.sleep(500);
            return "done " + s;
        }
    }

    @Test
    void inFlightRequestIsRepliedWhileTheContextCloses() throws Exception {
        try (Connection other = io.nats.client.Nats.connect(server.url())) {
            runner.withBean(Slow.class).run(ctx -> {
                CompletableFuture<Message> reply = other.requestWithTimeout(
                        io.nats.client.impl.NatsMessage.builder().subject("lst.slow").data("x".getBytes()).build(),
                        Duration.ofSeconds(5));
                assertThat(ctx.getBean(Slow.class).entered.await(5, TimeUnit.SECONDS)).isTrue();
                ctx.close(); // listener drains, then the connection drains
                assertThat(new String(reply.get(5, TimeUnit.SECONDS).getData())).isEqualTo("done x");
            });
        }
    }

    static class SlowAsync {
        final CountDownLatch entered = new CountDownLatch(2);

        @NatsListener(subjects = "lst.slow.mono", id = "slowMono")
        Mono<String> mono(String s) {
            entered.countDown();
            return Mono.delay(Duration.ofMillis(500)).thenReturn("mono " + s);
        }

        @NatsListener(subjects = "lst.slow.future", id = "slowFuture")
        CompletionStage<String> future(String s) {
            entered.countDown();
            return CompletableFuture.supplyAsync(() -> "future " + s,
                    CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void pendingAsyncRepliesGoOutBeforeTheConnectionCloses() throws Exception {
        // The handlers have returned when the dispatchers drain; their Mono and future complete later and must
        // still be answered (the demo's driver agents reply after a random delay).
        try (Connection other = io.nats.client.Nats.connect(server.url())) {
            runner.withBean(SlowAsync.class).run(ctx -> {
                CompletableFuture<Message> mono = other.requestWithTimeout(io.nats.client.impl.NatsMessage.builder()
                        .subject("lst.slow.mono").data("x".getBytes()).build(), Duration.ofSeconds(5));
                CompletableFuture<Message> future = other.requestWithTimeout(io.nats.client.impl.NatsMessage
                        .builder().subject("lst.slow.future").data("y".getBytes()).build(), Duration.ofSeconds(5));
                assertThat(ctx.getBean(SlowAsync.class).entered.await(5, TimeUnit.SECONDS)).isTrue();
                Connection nc = ctx.getBean(Connection.class);
                ctx.close();
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CLOSED);
                assertThat(new String(mono.get(5, TimeUnit.SECONDS).getData())).isEqualTo("mono x");
                assertThat(new String(future.get(5, TimeUnit.SECONDS).getData())).isEqualTo("future y");
            });
        }
    }

    // ---- factories

    static class OnCustomFactory {
        @NatsListener(subjects = "lst.cf", containerFactory = "otherFactory", id = "cf")
        String cf(String s) {
            return s;
        }
    }

    @Test
    void userFactoriesAndDefaultBackOff() {
        runner.withBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME, NatsListenerContainerFactory.class,
                () -> new NatsListenerContainerFactory(null, new SimpleNatsMessageConverter())).run(ctx -> {
                    assertThat(ctx).hasSingleBean(NatsListenerContainerFactory.class);
                    assertThat(ctx.getBean(NatsListenerContainerFactory.class).getConnection()).isNull();
                });
        runner.withBean(OnCustomFactory.class).withUserConfiguration(OtherFactoryConfig.class).run(ctx -> {
            assertThat(ctx).hasBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME).hasBean("otherFactory");
            assertThat(ctx.getBean(NatsTemplate.class).request("lst.cf", "via other", String.class))
                    .isEqualTo("via other");
            // The listener's container came from the named factory, not the default one.
            assertThat(ctx.getBean(OtherFactoryConfig.class).created).containsExactly("cf");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OtherFactoryConfig {
        final List<String> created = new CopyOnWriteArrayList<>();

        @Bean
        NatsListenerContainerFactory otherFactory(Connection connection) {
            return new NatsListenerContainerFactory(connection, new SimpleNatsMessageConverter()) {
                @Override
                public NatsListenerContainer createContainer(NatsListenerEndpoint endpoint) {
                    created.add(endpoint.id());
                    return super.createContainer(endpoint);
                }
            };
        }
    }
}
