package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.core.NatsConnectionEvent;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.micrometer.MicrometerNatsInstrumentation;
import io.natsboot.spring.micrometer.NatsClientMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class NatsObservabilityTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    // ---- metrics

    @Test
    void meterBinderFromConnectionStatistics() {
        runner.withPropertyValues("natsboot.client.connection-name=orders").run(ctx -> {
            MeterRegistry meters = new SimpleMeterRegistry();
            ctx.getBean(NatsClientMetrics.class).bindTo(meters);
            Connection nc = ctx.getBean(Connection.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            Subscription sub = nc.subscribe("obs.metrics");
            nc.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 3; i++) {
                t.publish("obs.metrics", new byte[10]);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            }
            assertThat(meters.get("nats.client.messages.out").tag("connection", "orders").functionCounter().count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(meters.get("nats.client.messages.in").functionCounter().count()).isGreaterThanOrEqualTo(3);
            assertThat(meters.get("nats.client.bytes.out").functionCounter().count()).isGreaterThanOrEqualTo(30);
            assertThat(meters.get("nats.client.bytes.in").functionCounter().count()).isGreaterThanOrEqualTo(30);
            assertThat(meters.get("nats.client.reconnects").functionCounter().count()).isZero();
            assertThat(meters.get("nats.client.connected").gauge().value()).isEqualTo(1.0);
            assertThat(meters.get("nats.client.reactive.dropped").functionCounter().count()).isZero();
            assertThat(meters.find("nats.client.requests").functionCounter()).isNotNull();
            assertThat(meters.find("nats.client.messages.dropped").functionCounter()).isNotNull();
            nc.close();
            assertThat(meters.get("nats.client.connected").gauge().value()).isZero();
        });
    }

    static class SlowListener {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();

        @NatsListener("obs.slow")
        void slow(String body) throws InterruptedException {
            release.await();
            handled.incrementAndGet();
        }
    }

    @Test
    void pendingLimitDropsForASlowListenerCountedAndReported() {
        NatsClientAutoConfigurationTests.Events events = new NatsClientAutoConfigurationTests.Events();
        runner.withPropertyValues("natsboot.client.pending-messages-limit=10")
                .withBean(SlowListener.class).withBean(NatsClientAutoConfigurationTests.Events.class, () -> events)
                .run(ctx -> {
            SlowListener listener = ctx.getBean(SlowListener.class);
            MeterRegistry meters = new SimpleMeterRegistry();
            ctx.getBean(NatsClientMetrics.class).bindTo(meters);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            try {
                for (int i = 0; i < 100; i++) {
                    t.publish("obs.slow", "m" + i);
                }
                t.flush(Duration.ofSeconds(2));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        meters.get("nats.client.messages.dropped").functionCounter().count() > 0);
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        events.types().contains(NatsConnectionEvent.Type.SLOW_CONSUMER));
            } finally {
                listener.release.countDown();
            }
            double dropped = meters.get("nats.client.messages.dropped").functionCounter().count();
            // At most the limit plus the one in the handler is kept; everything else was dropped.
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.handled.get() + dropped >= 100);
            assertThat(listener.handled.get()).isLessThanOrEqualTo(11);
            assertThat(listener.handled.get() + (long) dropped).isEqualTo(100);
        });
    }

    @Test
    void noMeterBinderWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(NatsClientMetrics.class));
    }

    // ---- observations

    @Test
    void observationsOffByDefault() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner.withBean(ObservationRegistry.class, () -> registry).run(ctx -> {
            assertThat(ctx).doesNotHaveBean(NatsInstrumentation.class);
            ctx.getBean(NatsTemplate.class).publish("obs.off", "x");
            TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
        });
        runner.withPropertyValues("natsboot.client.observation-enabled=true")
                .withClassLoader(new FilteredClassLoader("io.micrometer.observation"))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(NatsInstrumentation.class));
    }

    @Test
    void publishAndRequestObservations() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner.withPropertyValues("natsboot.client.observation-enabled=true")
                .withBean(ObservationRegistry.class, () -> registry).run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            t.publish("obs.pub", "x");
            assertThatThrownBy(() -> t.request("obs.nobody", "x")).isInstanceOf(NatsNoRespondersException.class);
            TestObservationRegistryAssert.assertThat(registry)
                    .hasObservationWithNameEqualTo(MicrometerNatsInstrumentation.PUBLISH).that()
                    .hasBeenStarted().hasBeenStopped().hasContextualNameEqualTo("obs.pub publish")
                    .hasLowCardinalityKeyValue("messaging.operation", "publish")
                    .hasHighCardinalityKeyValue("messaging.destination.name", "obs.pub");
            TestObservationRegistryAssert.assertThat(registry)
                    .hasObservationWithNameEqualTo(MicrometerNatsInstrumentation.REQUEST).that()
                    .hasBeenStopped().hasError().assertThatError().isInstanceOf(NatsNoRespondersException.class);
        });
    }

    // ---- trace propagation across a request/reply

    static class PricingListener {
        final NatsTemplate template;

        PricingListener(NatsTemplate template) {
            this.template = template;
        }

        @NatsListener(subjects = "obs.price", id = "pricer")
        String price(String item) {
            // Sent inside the listener's observation: a child span in the same trace.
            template.publish("obs.audit", item);
            return item + "=42";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TracingConfig {
        @Bean
        SimpleTracer tracer() {
            return new SimpleTracer();
        }

        @Bean
        ObservationRegistry observationRegistry(SimpleTracer tracer) {
            TraceparentPropagator propagator = new TraceparentPropagator(tracer);
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                    new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                    new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                    new DefaultTracingObservationHandler(tracer)));
            return registry;
        }

        @Bean
        PricingListener pricingListener(NatsTemplate template) {
            return new PricingListener(template);
        }
    }

    @Test
    void traceCrossesRequestReplyInMessageHeaders() {
        runner.withPropertyValues("natsboot.client.observation-enabled=true")
                .withUserConfiguration(TracingConfig.class).run(ctx -> {
            SimpleTracer tracer = ctx.getBean(SimpleTracer.class);
            Connection nc = ctx.getBean(Connection.class);
            Subscription audit = nc.subscribe("obs.audit");
            Subscription wiretap = nc.subscribe("obs.price");
            nc.flush(Duration.ofSeconds(2));

            String reply = ctx.getBean(NatsTemplate.class).request("obs.price", "apple", String.class);
            assertThat(reply).isEqualTo("apple=42");

            Message request = wiretap.nextMessage(Duration.ofSeconds(2));
            String traceparent = request.getHeaders().getFirst(TraceparentPropagator.HEADER);
            Message audited = audit.nextMessage(Duration.ofSeconds(2));
            assertThat(audited.getHeaders().getFirst(TraceparentPropagator.HEADER)).isNotNull();

            await().atMost(Duration.ofSeconds(5)).until(() -> tracer.getSpans().size() >= 3);
            List<SimpleSpan> spans = List.copyOf(tracer.getSpans());
            SimpleSpan requestSpan = span(spans, "obs.price request");
            SimpleSpan processSpan = span(spans, "obs.price process");
            SimpleSpan auditSpan = span(spans, "obs.audit publish");
            assertThat(traceparent).isEqualTo("00-" + requestSpan.getTraceId() + "-" + requestSpan.getSpanId() + "-01");
            assertThat(processSpan.getTraceId()).isEqualTo(requestSpan.getTraceId());
            assertThat(processSpan.getParentId()).isEqualTo(requestSpan.getSpanId());
            assertThat(processSpan.getTags()).containsEntry("nats.listener.id", "pricer");
            assertThat(auditSpan.getTraceId()).isEqualTo(requestSpan.getTraceId());
            assertThat(auditSpan.getParentId()).isEqualTo(processSpan.getSpanId());
            assertThat(audited.getHeaders().getFirst(TraceparentPropagator.HEADER))
                    .isEqualTo("00-" + auditSpan.getTraceId() + "-" + auditSpan.getSpanId() + "-01");
        });
    }

    private static SimpleSpan span(List<SimpleSpan> spans, String name) {
        return spans.stream().filter(s -> name.equals(s.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("No span '" + name + "' in " + spans));
    }
}
