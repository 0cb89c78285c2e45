package io.natsboot.rider;

import io.nats.client.Options;
import io.natsboot.spring.core.NatsMessageConverter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Starts the components of the configured roles, each on its own NATS connection (named {@code kind:id},
 * built from the client starter's {@link Options}) to the same server,
 * after the embedded server (phase {@code Integer.MIN_VALUE / 2}) and before the web server; stops
 * them after the web server and before the server.
 */
@Component
public class RiderSystem implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RiderSystem.class);

    private final RiderProperties properties;
    private final Options options;
    private final NatsMessageConverter converter;
    private final ApiServer api;
    private final List<io.natsboot.rider.Component> components = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running;

    public RiderSystem(RiderProperties properties, Options options, NatsMessageConverter converter) {
        this.properties = properties;
        this.options = options;
        this.converter = converter;
        this.api = properties.has("api") ? new ApiServer() : null;
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
        List<io.natsboot.rider.Component> toStart = new ArrayList<>();
        if (api != null) {
            toStart.add(api);
        }
        if (properties.has("manager")) {
            for (int i = 0; i < properties.getManagers(); i++) {
                toStart.add(new RidesManager(properties.getAgentTimeout()));
            }
        }
        if (properties.has("agent")) {
            long min = properties.getAgentMinDelayMillis();
            long max = Math.max(min, properties.getAgentMaxDelayMillis());
            if (properties.getType() != null && !properties.getType().isBlank()) {
                // A standalone agent, as the book runs it: one driver of the given type.
                toStart.add(new DriverAgent(properties.getType().trim(), min, max));
            } else {
                for (int i = 0; i < properties.getRegularAgents(); i++) {
                    toStart.add(new DriverAgent("regular", min, max));
                }
                for (int i = 0; i < properties.getMiniAgents(); i++) {
                    toStart.add(new DriverAgent("mini", min, max));
                }
            }
        }
        try {
            for (io.natsboot.rider.Component c : toStart) {
                c.start(options, converter);
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
