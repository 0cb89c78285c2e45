package io.natsboot.spring.listener;

/**
 * What the {@link NatsListenerEndpointRegistry} starts and stops: a core NATS {@link NatsListenerContainer} or a
 * JetStream consumer's container ({@code io.natsboot.spring.jetstream.JetStreamListenerContainer}).
 */
public interface MessageListenerContainer {

    String getId();

    boolean isAutoStartup();

    void start();

    void stop();

    boolean isRunning();
}
