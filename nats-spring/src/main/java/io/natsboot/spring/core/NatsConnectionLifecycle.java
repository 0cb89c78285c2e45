package io.natsboot.spring.core;

import io.nats.client.Connection;
import java.time.Duration;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the connection on shutdown: after listener containers stopped (they stop in a later phase) and
 * before an embedded server stops (earlier phase), so in-flight replies and publishes reach the server.
 */
public class NatsConnectionLifecycle implements SmartLifecycle, DisposableBean {

    /** Stops after listeners ({@link SmartLifecycle#DEFAULT_PHASE}), before the embedded server. */
    public static final int PHASE = Integer.MIN_VALUE / 4;

    private static final Log log = LogFactory.getLog("io.natsboot.spring.connection");

    private final Connection connection;
    private final Duration drainTimeout;
    private volatile boolean running;

    public NatsConnectionLifecycle(Connection connection, Duration drainTimeout) {
        this.connection = connection;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        drain();
    }

    private void drain() {
        if (connection.getStatus() == Connection.Status.CLOSED) {
            return;
        }
        try {
            if (connection.getStatus() == Connection.Status.CONNECTED) {
                connection.drain(drainTimeout).get(drainTimeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("NATS drain did not complete in " + drainTimeout + ": " + e);
        } finally {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public void destroy() {
        drain();
    }
}
