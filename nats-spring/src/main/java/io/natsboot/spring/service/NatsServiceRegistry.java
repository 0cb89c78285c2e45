package io.natsboot.spring.service;

import io.nats.client.Connection;
import io.nats.service.Service;
import io.natsboot.spring.annotation.NatsService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the NATS services of the application when the context starts and stops them (draining their
 * endpoints) before the connection drains: services declared with {@link NatsService} (built afresh on every
 * start, so a stopped context can start again) and {@link Service} beans built by the application.
 */
public class NatsServiceRegistry implements SmartLifecycle {

    public static final String BEAN_NAME = "natsServiceRegistry";

    private static final Log log = LogFactory.getLog("io.natsboot.spring.service");

    private final Map<String, Supplier<Service>> declared = new LinkedHashMap<>();
    private final ObjectProvider<Service> serviceBeans;
    private final ObjectProvider<Connection> connection;
    private final List<Service> running = new ArrayList<>();
    private volatile boolean started;

    /**
     * {@code serviceBeans}: the application's own {@link Service} beans; {@code connection} (when there is a
     * unique one) is flushed after starting, so the endpoints are subscribed when start returns.
     */
    public NatsServiceRegistry(ObjectProvider<Service> serviceBeans, ObjectProvider<Connection> connection) {
        this.serviceBeans = serviceBeans;
        this.connection = connection;
    }

    /** A service built by {@code factory} each time the registry starts. */
    public synchronized void register(String name, Supplier<Service> factory, boolean startImmediately) {
        if (declared.putIfAbsent(name, factory) != null) {
            throw new IllegalStateException("Another @NatsService is named '" + name + "'");
        }
        if (startImmediately && started) {
            startOne(factory.get());
            flush();
        }
    }

    /** The running services (id, name and statistics through {@link Service}). */
    public synchronized List<Service> getServices() {
        return List.copyOf(running);
    }

    public synchronized Service getService(String name) {
        return running.stream().filter(s -> s.getName().equals(name)).findFirst().orElse(null);
    }

    @Override
    public synchronized void start() {
        for (Supplier<Service> factory : declared.values()) {
            startOne(factory.get());
        }
        serviceBeans.orderedStream().forEach(this::startOne);
        started = true;
        flush();
    }

    private void flush() {
        Connection nc = connection.getIfUnique();
        if (nc != null && nc.getStatus() == Connection.Status.CONNECTED) {
            try {
                nc.flush(Duration.ofSeconds(5));
            } catch (Exception e) {
                log.warn("Flush after starting NATS services failed: " + e);
            }
        }
    }

    private void startOne(Service service) {
        service.startService();
        running.add(service);
        log.info("Started NATS service " + service.getName() + " " + service.getVersion() + " (id "
                + service.getId() + ")");
    }

    @Override
    public synchronized void stop() {
        started = false;
        for (Service service : running) {
            try {
                service.stop(true);
            } catch (RuntimeException e) {
                log.warn("Stopping NATS service " + service.getName() + ": " + e);
            }
        }
        running.clear();
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return DEFAULT_PHASE;
    }
}
