package io.natsboot.spring.core;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import java.util.ArrayDeque;
import java.util.Queue;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Logs jnats connection events and errors and publishes them as {@link NatsConnectionEvent}s.
 *
 * <p>jnats reports the first {@code CONNECTED} from its own thread while the application context is still
 * creating beans. Publishing then would miss the {@code @EventListener}s not created yet and make the jnats
 * thread wait for the bean factory's singleton lock (Spring logs that, and the main thread can end up
 * waiting on it in turn). So events are held until the context that publishes them is refreshed, then
 * published in order on the refreshing thread; later events are published as they come.
 */
public class NatsConnectionEventPublisher implements ConnectionListener, ErrorListener,
        ApplicationListener<ContextRefreshedEvent> {

    private static final Log log = LogFactory.getLog("io.natsboot.spring.connection");

    private final ApplicationEventPublisher publisher;
    private final Queue<NatsConnectionEvent> held = new ArrayDeque<>();
    private boolean released;

    public NatsConnectionEventPublisher(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void connectionEvent(Connection conn, Events type) {
        NatsConnectionEvent.Type t = NatsConnectionEvent.Type.valueOf(type.name());
        String url = conn.getConnectedUrl();
        String text = "NATS connection " + t + (url != null ? ": " + url : "");
        switch (t) {
            case DISCONNECTED, LAME_DUCK -> log.warn(text);
            default -> log.info(text);
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

    /** Releases the held events when the publishing context (not a child or parent) is refreshed. */
    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (event.getApplicationContext() == publisher) {
            release();
        }
    }

    /**
     * Publishes the held events in order and every later one at once. Called on refresh of the context; call
     * it yourself when the publisher is not an application context.
     */
    public void release() {
        while (true) {
            NatsConnectionEvent next;
            synchronized (held) {
                next = held.poll();
                if (next == null) {
                    released = true;
                    return;
                }
            }
            send(next);
        }
    }

    private void publish(NatsConnectionEvent event) {
        synchronized (held) {
            if (!released) {
                held.add(event);
                return;
            }
        }
        send(event);
    }

    private void send(NatsConnectionEvent event) {
        try {
            publisher.publishEvent(event);
        } catch (RuntimeException e) {
            // A context that is closed must not break the client's threads.
            log.debug("Could not publish " + event, e);
        }
    }
}
