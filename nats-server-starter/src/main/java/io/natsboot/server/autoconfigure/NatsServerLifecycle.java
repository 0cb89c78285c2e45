package io.natsboot.server.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.MonitorServer;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Starts the embedded {@link NatsServer} early (before web servers and the default phase, so anything
 * started later can connect) and shuts it down gracefully last: stop accepting, flush what is queued to
 * each client, close them, release the port. Publishes the bound ports in the {@link Environment} as
 * {@value #PORT_PROPERTY} (and {@value #HTTP_PORT_PROPERTY} when monitoring is on, {@value #CLUSTER_PORT_PROPERTY}
 * when clustered), so port 0 works.
 */
public class NatsServerLifecycle implements SmartLifecycle, DisposableBean {

    /** The bound client port. */
    public static final String PORT_PROPERTY = "local.natsboot.server.port";
    /** The bound monitoring port, when {@code natsboot.server.http-port} is not 0. */
    public static final String HTTP_PORT_PROPERTY = "local.natsboot.server.http-port";
    /** The bound route port, when {@code natsboot.server.cluster.listen} is set. */
    public static final String CLUSTER_PORT_PROPERTY = "local.natsboot.server.cluster-port";
    /** Earlier than web servers (which start near {@link SmartLifecycle#DEFAULT_PHASE}) and plain lifecycles (0). */
    public static final int PHASE = Integer.MIN_VALUE / 2;

    static final String PROPERTY_SOURCE_NAME = "natsboot.server.ports";

    private final NatsServer server;
    private final Environment environment;
    private volatile boolean running;

    public NatsServerLifecycle(NatsServer server, Environment environment) {
        this.server = server;
        this.environment = environment;
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        server.start();
        running = true;
        Map<String, Object> ports = new HashMap<>();
        ports.put(PORT_PROPERTY, server.port());
        MonitorServer monitor = server.monitor();
        if (monitor != null) {
            ports.put(HTTP_PORT_PROPERTY, monitor.port());
        }
        int clusterPort = server.metrics().clusterPort();
        if (clusterPort >= 0) {
            ports.put(CLUSTER_PORT_PROPERTY, clusterPort);
        }
        publish(ports);
    }

    @SuppressWarnings("unchecked")
    private void publish(Map<String, Object> ports) {
        if (!(environment instanceof ConfigurableEnvironment env)) {
            return;
        }
        MutablePropertySources sources = env.getPropertySources();
        PropertySource<?> existing = sources.get(PROPERTY_SOURCE_NAME);
        if (existing instanceof MapPropertySource map) {
            ((Map<String, Object>) map.getSource()).putAll(ports);
        } else {
            sources.addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, ports));
        }
    }

    @Override
    public void stop() {
        if (running) {
            running = false;
            server.shutdown();
        }
    }

    @Override
    public void stop(Runnable callback) {
        if (!running) {
            callback.run();
            return;
        }
        // Flushing to many clients can take a moment: do it off the caller's thread, as Boot's
        // graceful web server shutdown does; the lifecycle processor waits for the callback.
        Thread t = new Thread(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        }, "natsboot-shutdown");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** A context whose refresh failed after start is closed without a lifecycle stop: release the port. */
    @Override
    public void destroy() {
        stop();
    }

    public NatsServer getServer() {
        return server;
    }
}
