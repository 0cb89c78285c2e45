package io.natsboot.server.autoconfigure;

import io.natsboot.server.config.ServerOptions;

/**
 * Changes the embedded server's options after {@code natsboot.server.*} and the config file were applied,
 * for what properties cannot express. Beans of this type run in {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface NatsServerCustomizer {
    void customize(ServerOptions.Builder options);
}
