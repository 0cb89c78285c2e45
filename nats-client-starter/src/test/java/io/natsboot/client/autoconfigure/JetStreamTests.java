package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.natsboot.spring.annotation.JetStreamListener;
import io.natsboot.spring.jetstream.JetStreamAdmin;
import io.natsboot.spring.jetstream.JetStreamConsumerDeclaration;
import io.natsboot.spring.jetstream.JetStreamDeclarationException;
import io.natsboot.spring.jetstream.JetStreamListenerContainerFactory;
import io.natsboot.spring.jetstream.JetStreamPublishException;
import io.natsboot.spring.jetstream.JetStreamTemplate;
import io.natsboot.spring.jetstream.ReactiveJetStreamTemplate;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.micrometer.MicrometerJetStreamMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.FixedBackOff;

/** JetStream streams, consumers, templates and listeners against the reference {@code nats-server -js}. */
class JetStreamTests {

    static ReferenceNatsServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ReferenceNatsServer.startJetStream();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Ride(String id, int km) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                    NatsJetStreamAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    static StreamConfiguration stream(String name, String subjects) {
        return StreamConfiguration.builder().name(name).subjects(subjects).storageType(StorageType.File).build();
    }

    static JetStreamConsumerDeclaration consumer(String stream, String durable, Duration ackWait) {
        return new JetStreamConsumerDeclaration(stream, ConsumerConfiguration.builder().durable(durable)
                .ackPolicy(AckPolicy.Explicit).ackWait(ackWait).build());
    }

    // ---- declarations and the template

    @Test
    void declaresStreamsAndConsumersAndPublishesWithAcks() {
        runner.withBean("orders", StreamConfiguration.class, () -> stream("T1", "t1.>"))
                .withBean(JetStreamConsumerDeclaration.class, () -> consumer("T1", "audit", Duration.ofSeconds(30)))
                .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            JetStreamManagement jsm = ctx.getBean(Connection.class).jetStreamManagement();
            assertThat(jsm.getStreamInfo("T1").getConfiguration().getSubjects()).containsExactly("t1.>");
            assertThat(jsm.getConsumerInfo("T1", "audit").getConsumerConfiguration().getAckWait())
                    .isEqualTo(Duration.ofSeconds(30));

            JetStreamTemplate js = ctx.getBean(JetStreamTemplate.class);
            PublishAck first = js.publish("t1.ride", new Ride("r1", 3),
                    new Headers().put("X-Driver", "d1"), PublishOptions.builder().messageId("r1").build());
            assertThat(first.getStream()).isEqualTo("T1");
            assertThat(first.getSeqno()).isEqualTo(1);
            assertThat(first.isDuplicate()).isFalse();
            // the same message id within the duplicate window: stored once
            PublishAck again = js.publish("t1.ride", new Ride("r1", 3), PublishOptions.builder().messageId("r1").build());
            assertThat(again.isDuplicate()).isTrue();
            assertThat(again.getSeqno()).isEqualTo(1);
            // optimistic concurrency on the stream's last sequence
            assertThat(js.publish("t1.ride", new Ride("r2", 5), PublishOptions.builder().expectedLastSequence(1).build())
                    .getSeqno()).isEqualTo(2);
            assertThatThrownBy(() -> js.publish("t1.ride", new Ride("r3", 1),
                    PublishOptions.builder().expectedLastSequence(1).build()))
                    .isInstanceOf(JetStreamPublishException.class)
                    .satisfies(e -> assertThat(((JetStreamPublishException) e).getApiErrorCode()).isEqualTo(10071));
            // nothing listens
            assertThatThrownBy(() -> js.publish("nostream.x", "x")).isInstanceOf(JetStreamPublishException.class);

            // stored as JSON with the headers
            var stored = jsm.getMessage("T1", 1);
            assertThat(new String(stored.getData())).isEqualTo("{\"id\":\"r1\",\"km\":3}");
            assertThat(stored.getHeaders().getFirst("X-Driver")).isEqualTo("d1");
            assertThat(stored.getHeaders().getFirst("Content-Type")).isEqualTo("application/json");

            PublishAck reactive = ctx.getBean(ReactiveJetStreamTemplate.class).publish("t1.ride", new Ride("r4", 2))
                    .block(Duration.ofSeconds(5));
            assertThat(reactive.getSeqno()).isEqualTo(3);
        });
    }

    @Test
    void updatesAnExistingStreamAndFailsClearlyOnAConflict() throws Exception {
        try (Connection nc = io.nats.client.Nats.connect(server.url())) {
            nc.jetStreamManagement().addStream(stream("T2", "t2.a"));
        }
        // compatible: more subjects
        runner.withBean(StreamConfiguration.class, () -> StreamConfiguration.builder().name("T2")
                .subjects("t2.a", "t2.b").storageType(StorageType.File).build()).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(Connection.class).jetStreamManagement().getStreamInfo("T2").getConfiguration()
                    .getSubjects()).containsExactlyInAnyOrder("t2.a", "t2.b");
        });
        // incompatible: the storage type of an existing stream cannot change
        runner.withBean(StreamConfiguration.class, () -> StreamConfiguration.builder().name("T2")
                .subjects("t2.a", "t2.b").storageType(StorageType.Memory).build()).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause().isInstanceOf(io.nats.client.JetStreamApiException.class);
            Throwable declaration = ctx.getStartupFailure();
            while (!(declaration instanceof JetStreamDeclarationException) && declaration.getCause() != null) {
                declaration = declaration.getCause();
            }
            assertThat(declaration).isInstanceOf(JetStreamDeclarationException.class)
                    .hasMessageContaining("Stream 'T2' exists with a configuration that conflicts with the declared one")
                    .hasMessageContaining("storage: file -> memory");
        });
        // another stream's subjects
        runner.withBean(StreamConfiguration.class, () -> stream("T2OTHER", "t2.a")).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).hasStackTraceContaining("Stream 'T2OTHER' cannot be created")
                    .hasStackTraceContaining("subjects overlap");
        });
    }

    // ---- @JetStreamListener

    static class RideListeners {
        final List<Ride> handled = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final List<List<Ride>> batches = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @JetStreamListener(stream = "T3", consumer = "rides", id = "rides", concurrency = "2", maxDeliveries = "3",
                nakDelay = "100ms")
        void ride(Ride ride, Message message) throws InterruptedException {
            threads.add(Thread.currentThread().getName());
            int attempt = attempts.computeIfAbsent(ride.id(), k -> new AtomicInteger()).incrementAndGet();
            assertThat(message.metaData().deliveredCount()).isEqualTo(attempt);
            if (ride.id().startsWith("flaky") && attempt == 1) {
                throw new IllegalStateException("first try fails");
            }
            if (ride.id().startsWith("poison")) {
                throw new IllegalArgumentException("never works");
            }
            if (ride.id().startsWith("slow")) {
                // work that outlasts the 1 s ack wait twice over: only the container's in-progress acks keep the
                // message from being redelivered meanwhile
                long start = System.nanoTime();
                await("two ack waits").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> System.nanoTime() - start > Duration.ofMillis(2500).toNanos());
            }
            handled.add(ride);
        }

        @JetStreamListener(stream = "T3B", consumer = "batches", id = "batches", batch = true, batchSize = "5")
        void batch(List<Ride> rides) {
            batches.add(rides);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ListenerConfig {
        @Bean
        StreamConfiguration t3() {
            return stream("T3", "t3.>");
        }

        @Bean
        JetStreamConsumerDeclaration t3rides() {
            return consumer("T3", "rides", Duration.ofSeconds(1));
        }

        @Bean
        StreamConfiguration t3b() {
            return stream("T3B", "t3b.>");
        }

        @Bean
        JetStreamConsumerDeclaration t3batches() {
            return consumer("T3B", "batches", Duration.ofSeconds(30));
        }

        @Bean
        RideListeners rideListeners() {
            return new RideListeners();
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void listenerAcksNaksTerminatesBatchesAndKeepsLongHandlersAlive() {
        runner.withUserConfiguration(ListenerConfig.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            RideListeners l = ctx.getBean(RideListeners.class);
            JetStreamTemplate js = ctx.getBean(JetStreamTemplate.class);
            for (int i = 0; i < 20; i++) {
                js.publish("t3.ride", new Ride("ok" + i, i));
            }
            js.publish("t3.ride", new Ride("flaky", 1));
            js.publish("t3.ride", new Ride("poison", 1));
            js.publish("t3.ride", new Ride("slow", 1));
            for (int i = 0; i < 12; i++) {
                js.publish("t3b.ride", new Ride("b" + i, i));
            }

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(l.handled).extracting(Ride::id).contains("flaky", "slow").hasSize(22);
                assertThat(l.attempts.get("poison")).hasValue(3);
                assertThat(l.batches.stream().mapToInt(List::size).sum()).isEqualTo(12);
            });
            assertThat(l.attempts.get("flaky")).hasValue(2);
            assertThat(l.attempts.get("slow")).hasValue(1); // in progress sent: not redelivered after the ack wait
            assertThat(l.batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(5)
                    .allSatisfy(r -> assertThat(r).isInstanceOf(Ride.class)));
            assertThat(l.threads).hasSize(2);

            JetStreamManagement jsm = ctx.getBean(Connection.class).jetStreamManagement();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                var info = jsm.getConsumerInfo("T3", "rides");
                assertThat(info.getNumAckPending()).isZero();
                assertThat(info.getNumPending()).isZero();
                assertThat(jsm.getConsumerInfo("T3B", "batches").getNumAckPending()).isZero();
            });

            MeterRegistry meters = ctx.getBean(MeterRegistry.class);
            assertThat(meters.get(MicrometerJetStreamMetrics.PUBLISH_ACKS).tag("stream", "T3").counter().count())
                    .isEqualTo(23);
            assertThat(meters.get(MicrometerJetStreamMetrics.ACKS).tag("listener", "rides").counter().count())
                    .isEqualTo(22);
            assertThat(meters.get(MicrometerJetStreamMetrics.NAKS).tag("listener", "rides").counter().count())
                    .isEqualTo(3); // flaky once, poison twice
            assertThat(meters.get(MicrometerJetStreamMetrics.TERMS).tag("listener", "rides").counter().count())
                    .isEqualTo(1);
            assertThat(meters.get(MicrometerJetStreamMetrics.DELIVERIES).tag("listener", "rides").counter().count())
                    .isEqualTo(26);
            assertThat(meters.get(MicrometerJetStreamMetrics.REDELIVERIES).tag("listener", "rides").counter().count())
                    .isEqualTo(3);
            assertThat(meters.get(MicrometerJetStreamMetrics.ACKS).tag("listener", "batches").counter().count())
                    .isEqualTo(12);

            NatsListenerEndpointRegistry registry = ctx.getBean(NatsListenerEndpointRegistry.class);
            assertThat(registry.getListenerContainerIds()).contains("rides", "batches");
            registry.stop("rides");
            assertThat(registry.isRunning("rides")).isFalse();
            js.publish("t3.ride", new Ride("later", 1));
            registry.start("rides");
            await().atMost(Duration.ofSeconds(10)).until(() -> l.handled.stream().anyMatch(r -> r.id().equals("later")));
        });
    }

    static class BackOffListener {
        final List<Long> deliveredAt = new CopyOnWriteArrayList<>();

        @JetStreamListener(stream = "T4", consumer = "retry", backOff = "retryBackOff")
        void handle(String s) {
            deliveredAt.add(System.nanoTime());
            throw new IllegalStateException("fails");
        }
    }

    @Test
    void backOffDelaysRedeliveriesAndTerminatesWhenExhausted() {
        runner.withBean(StreamConfiguration.class, () -> stream("T4", "t4"))
                .withBean(JetStreamConsumerDeclaration.class, () -> consumer("T4", "retry", Duration.ofSeconds(30)))
                .withBean("retryBackOff", BackOff.class, () -> new FixedBackOff(300, 2))
                .withBean(BackOffListener.class)
                .run(ctx -> {
            BackOffListener l = ctx.getBean(BackOffListener.class);
            ctx.getBean(JetStreamTemplate.class).publish("t4", "x");
            // FixedBackOff(300 ms, 2 attempts): two nak delays, then the third failure terminates
            await().atMost(Duration.ofSeconds(10)).until(() -> l.deliveredAt.size() == 3);
            assertThat(Duration.ofNanos(l.deliveredAt.get(1) - l.deliveredAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(290));
            assertThat(Duration.ofNanos(l.deliveredAt.get(2) - l.deliveredAt.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(290));
            JetStreamManagement jsm = ctx.getBean(Connection.class).jetStreamManagement();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(jsm.getConsumerInfo("T4", "retry").getNumAckPending()).isZero());
            // terminated: not delivered again even after the ack wait would have passed for a nak
            ctx.getBean(JetStreamTemplate.class).publish("t4", "y");
            await().atMost(Duration.ofSeconds(10)).until(() -> l.deliveredAt.size() == 6);
        });
    }

    // ---- push consumers

    static class PushListener {
        final List<String> handled = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger failures = new AtomicInteger();

        @JetStreamListener(stream = "T6", consumer = "pushed", id = "pushed", concurrency = "2")
        void handle(String s) {
            threads.add(Thread.currentThread().getName());
            if (s.equals("fail-once") && failures.getAndIncrement() == 0) {
                throw new IllegalStateException("first try fails");
            }
            handled.add(s);
        }
    }

    @Test
    void listenerOnAPushConsumerInItsDeliverGroup() {
        runner.withBean(StreamConfiguration.class, () -> stream("T6", "t6"))
                .withBean(JetStreamConsumerDeclaration.class, () -> new JetStreamConsumerDeclaration("T6",
                        ConsumerConfiguration.builder().durable("pushed").deliverSubject("deliver.t6")
                                .deliverGroup("t6workers").ackPolicy(AckPolicy.Explicit)
                                .ackWait(Duration.ofSeconds(30)).build()))
                .withBean(PushListener.class)
                .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            PushListener l = ctx.getBean(PushListener.class);
            JetStreamTemplate js = ctx.getBean(JetStreamTemplate.class);
            for (int i = 0; i < 30; i++) {
                js.publish("t6", "m" + i);
            }
            js.publish("t6", "fail-once");
            await().atMost(Duration.ofSeconds(15)).until(() -> l.handled.size() == 31);
            assertThat(l.handled).contains("fail-once").doesNotHaveDuplicates();
            assertThat(l.failures).hasValue(2);
            JetStreamManagement jsm = ctx.getBean(Connection.class).jetStreamManagement();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(jsm.getConsumerInfo("T6", "pushed").getNumAckPending()).isZero());
        });
        // a batch listener needs a pull consumer
        runner.withBean(StreamConfiguration.class, () -> stream("T6", "t6"))
                .withBean(JetStreamConsumerDeclaration.class, () -> new JetStreamConsumerDeclaration("T6",
                        ConsumerConfiguration.builder().durable("pushed").deliverSubject("deliver.t6")
                                .deliverGroup("t6workers").ackPolicy(AckPolicy.Explicit)
                                .ackWait(Duration.ofSeconds(30)).build()))
                .withBean(PushBatch.class)
                .run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .hasStackTraceContaining("a batch listener needs a pull consumer"));
    }

    static class PushBatch {
        @JetStreamListener(stream = "T6", consumer = "pushed", batch = true)
        void all(List<String> all) {
        }
    }

    // ---- observations: one trace across a JetStream publish and its listener

    static class TracedListener {
        final List<String> got = new CopyOnWriteArrayList<>();

        @JetStreamListener(stream = "T5", consumer = "traced", id = "traced")
        void handle(String s) {
            got.add(s);
        }
    }

    @Test
    void traceCrossesAJetStreamPublishAndItsListener() {
        runner.withPropertyValues("natsboot.client.observation-enabled=true")
                .withUserConfiguration(NatsObservabilityTests.TracingConfig.class)
                .withBean(StreamConfiguration.class, () -> stream("T5", "t5"))
                .withBean(JetStreamConsumerDeclaration.class, () -> consumer("T5", "traced", Duration.ofSeconds(30)))
                .withBean(TracedListener.class)
                .run(ctx -> {
            SimpleTracer tracer = ctx.getBean(SimpleTracer.class);
            ctx.getBean(JetStreamTemplate.class).publish("t5", "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> tracer.getSpans().stream()
                    .anyMatch(s -> "t5 process".equals(s.getName())));
            List<SimpleSpan> spans = List.copyOf(tracer.getSpans());
            SimpleSpan publish = spans.stream().filter(s -> "t5 publish".equals(s.getName())).findFirst().orElseThrow();
            SimpleSpan process = spans.stream().filter(s -> "t5 process".equals(s.getName())).findFirst().orElseThrow();
            assertThat(process.getTraceId()).isEqualTo(publish.getTraceId());
            assertThat(process.getParentId()).isEqualTo(publish.getSpanId());
            assertThat(process.getTags()).containsEntry("nats.listener.id", "traced");
        });
    }

    // ---- conditions, both ways

    @Test
    void jetStreamSupportCanBeTurnedOff() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(JetStreamTemplate.class).hasSingleBean(JetStreamAdmin.class)
                .hasSingleBean(JetStreamListenerContainerFactory.class)
                .hasSingleBean(io.natsboot.spring.kv.KeyValueTemplate.class)
                .hasSingleBean(io.natsboot.spring.objectstore.ObjectStoreTemplate.class));
        runner.withPropertyValues("natsboot.client.jetstream.enabled=false").run(ctx -> assertThat(ctx)
                .hasNotFailed().doesNotHaveBean(JetStreamTemplate.class).doesNotHaveBean(JetStreamAdmin.class)
                .doesNotHaveBean(io.natsboot.spring.kv.KeyValueTemplate.class));
    }

    @Test
    void reactiveFormsNeedReactor() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(ReactiveJetStreamTemplate.class)
                .hasSingleBean(io.natsboot.spring.kv.ReactiveKeyValueTemplate.class)
                .hasSingleBean(io.natsboot.spring.objectstore.ReactiveObjectStoreTemplate.class));
        runner.withClassLoader(new FilteredClassLoader("reactor.")).run(ctx -> assertThat(ctx).hasNotFailed()
                .hasSingleBean(JetStreamTemplate.class).doesNotHaveBean(ReactiveJetStreamTemplate.class)
                .doesNotHaveBean(io.natsboot.spring.kv.ReactiveKeyValueTemplate.class));
    }

    @Test
    void metersNeedAMeterRegistryAndMicrometer() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(MicrometerJetStreamMetrics.class));
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(ctx -> assertThat(ctx).hasSingleBean(MicrometerJetStreamMetrics.class));
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withClassLoader(new FilteredClassLoader("io.micrometer.core."))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(MicrometerJetStreamMetrics.class));
    }

    @Test
    void userBeansTakeOver() {
        runner.withBean("myTemplate", JetStreamTemplate.class,
                () -> new JetStreamTemplate(null == null ? connect() : null, new io.natsboot.spring.core.SimpleNatsMessageConverter()))
                .run(ctx -> assertThat(ctx).getBean(JetStreamTemplate.class).isSameAs(ctx.getBean("myTemplate")));
    }

    private static Connection connect() {
        try {
            return io.nats.client.Nats.connect(server.url());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
