package io.natsboot.spring.listener;

import io.natsboot.spring.core.NatsConnectionLifecycle;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.context.SmartLifecycle;

/**
 * Holds the listener containers ({@link NatsListenerContainer}s, JetStream consumers' containers) by id; starts those with {@code autoStartup} when the context
 * starts (default phase: after the connection, {@link NatsConnectionLifecycle#PHASE}) and stops all of them
 * before the connection drains. Containers can be started and stopped by id at any time.
 */
public class NatsListenerEndpointRegistry implements SmartLifecycle {

    public static final String BEAN_NAME = "natsListenerEndpointRegistry";

    private final Map<String, MessageListenerContainer> containers = new LinkedHashMap<>();
    private volatile boolean running;

    public synchronized void registerListenerContainer(MessageListenerContainer container, boolean startImmediately) {
        if (containers.containsKey(container.getId())) {
            throw new IllegalStateException("Another NATS listener is already registered with id '" + container.getId() + "'");
        }
        containers.put(container.getId(), container);
        if (startImmediately && running && container.isAutoStartup()) {
            container.start();
        }
    }

    public synchronized MessageListenerContainer getListenerContainer(String id) {
        return containers.get(id);
    }

    public synchronized Set<String> getListenerContainerIds() {
        return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(containers.keySet()));
    }

    public synchronized Collection<MessageListenerContainer> getListenerContainers() {
        return java.util.List.copyOf(containers.values());
    }

    /** Starts the container {@code id}, also one declared with {@code autoStartup = false}. */
    public void start(String id) {
        container(id).start();
    }

    public void stop(String id) {
        container(id).stop();
    }

    public boolean isRunning(String id) {
        return container(id).isRunning();
    }

    private MessageListenerContainer container(String id) {
        MessageListenerContainer c = getListenerContainer(id);
        if (c == null) {
            throw new IllegalArgumentException("No NATS listener with id '" + id + "'; known: " + getListenerContainerIds());
        }
        return c;
    }

    @Override
    public synchronized void start() {
        for (MessageListenerContainer c : containers.values()) {
            if (c.isAutoStartup()) {
                c.start();
            }
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (MessageListenerContainer c : containers.values()) {
            c.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }
}
