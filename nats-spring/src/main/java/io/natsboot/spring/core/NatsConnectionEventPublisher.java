package io.natsboot.spring.core;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationEventPublisher;

/** Logs jnats connection events and errors and publishes them as {@link NatsConnectionEvent}s. */
public class NatsConnectionEventPublisher implements ConnectionListener, ErrorListener {

    private static final Log log = LogFactory.getLog("io.natsboot.spring.connection");

    private final ApplicationEventPublisher publisher;

    public NatsConnectionEventPublisher(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void connectionEvent(Connection conn, Events type) {
        NatsConnectionEvent.Type t = NatsConnectionEvent.Type.valueOf(type.name());
        switch (t) {
            case DISCONNECTED, LAME_DUCK -> log.warn("NATS connection " + t + ": " + conn.getConnectedUrl());
            default -> log.info("NATS connection " + t + ": " + conn.getConnectedUrl());
        }
        publish(new NatsConnectionEvent(conn, t, null, null));
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        log.error("NATS server error: " + error);
        publish(new NatsConnectionEvent(conn, NatsConnectionEvent.Type.ERROR, error, null));
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        log.error("NATS connection exception", exp);
        publish(new NatsConnectionEvent(conn, NatsConnectionEvent.Type.EXCEPTION, null, exp));
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        log.warn("NATS slow consumer: " + consumer.getDroppedCount() + " dropped");
        publish(new NatsConnectionEvent(conn, NatsConnectionEvent.Type.SLOW_CONSUMER, null, null));
    }

    private void publish(NatsConnectionEvent event) {
        try {
            publisher.publishEvent(event);
        } catch (RuntimeException e) {
            // A context that is closing or not yet refreshed must not break the client's threads.
            log.debug("Could not publish " + event, e);
        }
    }
}
