package io.natsboot.spring.jetstream;

import io.nats.client.api.ConsumerConfiguration;

/**
 * A durable consumer to create (or update) on {@code stream} at start-up, declared as a bean next to the
 * stream's {@link io.nats.client.api.StreamConfiguration}; {@link JetStreamAdmin} declares it. The
 * configuration must have a durable name (or a name).
 */
public record JetStreamConsumerDeclaration(String stream, ConsumerConfiguration configuration) {

    public JetStreamConsumerDeclaration {
        if (stream == null || stream.isBlank()) {
            throw new IllegalArgumentException("A JetStream consumer declaration needs a stream name");
        }
        if (configuration == null || name(configuration) == null) {
            throw new IllegalArgumentException("The consumer declared on stream '" + stream
                    + "' needs a durable name (ConsumerConfiguration.builder().durable(...))");
        }
    }

    /** The consumer's durable name, else its name. */
    public String consumerName() {
        return name(configuration);
    }

    private static String name(ConsumerConfiguration c) {
        return c.getDurable() != null ? c.getDurable() : c.getName();
    }
}
