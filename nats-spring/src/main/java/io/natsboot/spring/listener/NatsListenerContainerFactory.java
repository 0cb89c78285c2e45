package io.natsboot.spring.listener;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import java.time.Duration;

/** Creates a {@link NatsListenerContainer} per {@link NatsListenerEndpoint}. */
public class NatsListenerContainerFactory {

    public static final String DEFAULT_BEAN_NAME = "natsListenerContainerFactory";

    private final Connection connection;
    private final NatsMessageConverter converter;
    private NatsListenerErrorHandler errorHandler = NatsListenerErrorHandler.logAndReply();
    private Duration drainTimeout = Duration.ofSeconds(5);
    private NatsInstrumentation instrumentation = NatsInstrumentation.NONE;
    private long pendingMessagesLimit = io.nats.client.Consumer.DEFAULT_MAX_MESSAGES;
    private long pendingBytesLimit = io.nats.client.Consumer.DEFAULT_MAX_BYTES;

    public NatsListenerContainerFactory(Connection connection, NatsMessageConverter converter) {
        this.connection = connection;
        this.converter = converter;
    }

    public Connection getConnection() {
        return connection;
    }

    public NatsMessageConverter getConverter() {
        return converter;
    }

    public NatsListenerErrorHandler getErrorHandler() {
        return errorHandler;
    }

    /** Used when the endpoint names none. */
    public void setErrorHandler(NatsListenerErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    /** How long a stopping container waits for its in-flight messages. */
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public NatsInstrumentation getInstrumentation() {
        return instrumentation;
    }

    /** Observations around each handled message ({@code natsboot.client.observation-enabled}). */
    public void setInstrumentation(NatsInstrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /**
     * Unprocessed messages/bytes each dispatcher may hold before jnats drops new ones and reports a slow
     * consumer (0 for no limit).
     */
    public void setPendingLimits(long maxMessages, long maxBytes) {
        this.pendingMessagesLimit = maxMessages;
        this.pendingBytesLimit = maxBytes;
    }

    public NatsListenerContainer createContainer(NatsListenerEndpoint endpoint) {
        NatsListenerErrorHandler handler = endpoint.errorHandler() != null ? endpoint.errorHandler() : errorHandler;
        NatsListenerContainer container = new NatsListenerContainer(endpoint, connection, converter, handler,
                drainTimeout, instrumentation);
        container.setPendingLimits(pendingMessagesLimit, pendingBytesLimit);
        return container;
    }
}
