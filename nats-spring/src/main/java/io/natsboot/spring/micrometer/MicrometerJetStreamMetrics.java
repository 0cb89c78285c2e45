package io.natsboot.spring.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.natsboot.spring.jetstream.JetStreamMetrics;

/**
 * {@link JetStreamMetrics} as Micrometer counters:
 * {@value #PUBLISH_ACKS} (tags {@code stream}, {@code duplicate}), {@value #PUBLISH_FAILURES},
 * {@value #DELIVERIES}, {@value #REDELIVERIES}, {@value #ACKS}, {@value #NAKS}, {@value #TERMS} (tag
 * {@code listener}, the listener's id).
 */
public class MicrometerJetStreamMetrics implements JetStreamMetrics {

    public static final String PUBLISH_ACKS = "nats.jetstream.publish.acks";
    public static final String PUBLISH_FAILURES = "nats.jetstream.publish.failures";
    public static final String DELIVERIES = "nats.jetstream.listener.deliveries";
    public static final String REDELIVERIES = "nats.jetstream.listener.redeliveries";
    public static final String ACKS = "nats.jetstream.listener.acks";
    public static final String NAKS = "nats.jetstream.listener.naks";
    public static final String TERMS = "nats.jetstream.listener.terms";

    private final MeterRegistry registry;

    public MicrometerJetStreamMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void publishAcked(String stream, boolean duplicate) {
        Counter.builder(PUBLISH_ACKS).description("JetStream publishes the server acknowledged")
                .tag("stream", stream == null ? "" : stream).tag("duplicate", Boolean.toString(duplicate))
                .register(registry).increment();
    }

    @Override
    public void publishFailed(String subject) {
        Counter.builder(PUBLISH_FAILURES).description("JetStream publishes refused or not acknowledged")
                .register(registry).increment();
    }

    @Override
    public void delivered(String listenerId, boolean redelivery) {
        listener(DELIVERIES, "Messages delivered to a JetStream listener", listenerId).increment();
        if (redelivery) {
            listener(REDELIVERIES, "Messages delivered again to a JetStream listener", listenerId).increment();
        }
    }

    @Override
    public void acked(String listenerId) {
        listener(ACKS, "Messages a JetStream listener acknowledged", listenerId).increment();
    }

    @Override
    public void nacked(String listenerId) {
        listener(NAKS, "Messages a JetStream listener nacked for redelivery", listenerId).increment();
    }

    @Override
    public void terminated(String listenerId) {
        listener(TERMS, "Messages a JetStream listener gave up on (term)", listenerId).increment();
    }

    private Counter listener(String name, String description, String listenerId) {
        return Counter.builder(name).description(description).tag("listener", listenerId).register(registry);
    }
}
