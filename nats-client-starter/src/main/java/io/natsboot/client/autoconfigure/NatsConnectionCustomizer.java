package io.natsboot.client.autoconfigure;

import io.nats.client.Options;

/** Changes the jnats {@link Options.Builder} after properties are applied, in {@code @Order}. */
@FunctionalInterface
public interface NatsConnectionCustomizer {
    void customize(Options.Builder builder);
}
