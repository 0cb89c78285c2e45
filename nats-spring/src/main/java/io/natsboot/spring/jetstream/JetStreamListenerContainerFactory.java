package io.natsboot.spring.jetstream;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import java.time.Duration;

/** Creates a {@link JetStreamListenerContainer} per {@link JetStreamListenerEndpoint}. */
public class JetStreamListenerContainerFactory {

    public static final String DEFAULT_BEAN_NAME = "natsJetStreamListenerContainerFactory";

    private final Connection connection;
    private final NatsMessageConverter converter;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private NatsInstrumentation instrumentation = NatsInstrumentation.NONE;
    private JetStreamMetrics metrics = JetStreamMetrics.NONE;

    public JetStreamListenerContainerFactory(Connection connection, NatsMessageConverter converter) {
        this.connection = connection;
        this.converter = converter;
    }

    public Connection getConnection() {
        return connection;
    }

    public NatsMessageConverter getConverter() {
        return converter;
    }

    /** How long a stopping container waits for running handlers. */
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public void setInstrumentation(NatsInstrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    public void setMetrics(JetStreamMetrics metrics) {
        this.metrics = metrics;
    }

    public JetStreamListenerContainer createContainer(JetStreamListenerEndpoint endpoint) {
        return new JetStreamListenerContainer(endpoint, connection, drainTimeout, instrumentation, metrics);
    }
}
