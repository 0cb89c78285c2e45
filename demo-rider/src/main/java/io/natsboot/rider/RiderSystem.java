package io.natsboot.rider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.natsboot.client.NatsConnectionDetails;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts the components of the configured roles, each on its own NATS connection to the same server,
 * after the embedded server (phase {@code Integer.MIN_VALUE / 2}) and before the web server; stops
 * them after the web server and before the server.
 */
@Component
public class RiderSystem implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RiderSystem.class);

    private final RiderProperties properties;
    private final NatsConnectionDetails details;
    private final ApiServer api;
    private final List<io.natsboot.rider.Component> components = Collections.synchronizedList(new ArrayList<>());
    private final JsonMapper json;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    public RiderSystem(RiderProperties properties, NatsConnectionDetails details, JsonMapper json) {
        this.properties = properties;
        this.details = details;
        this.json = json;
        this.api = properties.has("api") ? new ApiServer(json) : null;
    }

    /** The api-server component, or null when the {@code api} role is off. */
    ApiServer api() {
        return api;
    }

    List<io.natsboot.rider.Component> components() {
        return List.copyOf(components);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "rider-agents");
            t.setDaemon(true);
            return t;
        });
        List<io.natsboot.rider.Component> toStart = new ArrayList<>();
        if (api != null) {
            toStart.add(api);
        }
        if (properties.has("manager")) {
            for (int i = 0; i < properties.getManagers(); i++) {
                toStart.add(new RidesManager(json));
            }
        }
        if (properties.has("agent")) {
            for (int i = 0; i < properties.getRegularAgents(); i++) {
                toStart.add(new DriverAgent("regular", json, scheduler, properties.getAgentMaxDelayMillis()));
            }
            for (int i = 0; i < properties.getMiniAgents(); i++) {
                toStart.add(new DriverAgent("mini", json, scheduler, properties.getAgentMaxDelayMillis()));
            }
        }
        try {
            for (io.natsboot.rider.Component c : toStart) {
                c.start(details);
                components.add(c);
            }
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("NATS Rider failed to start: " + e.getMessage(), e);
        }
        running = true;
        log.info("NATS Rider running roles {}: {} components", properties.getRoles(), components.size());
    }

    @Override
    public synchronized void stop() {
        List<io.natsboot.rider.Component> all = components();
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
        components.clear();
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 0;
    }
}
