package io.natsboot.rider;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.nats.client.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * driver-agent: subscribes {@code drivers.rides} and answers every ride request with its own id (and
 * type) after a random delay of up to {@code rider.agent-max-delay-millis}.
 */
class DriverAgent extends Component {

    static final String KIND = "driver-agent";

    private final String type;
    private final ScheduledExecutorService scheduler;
    private final long maxDelayMillis;

    DriverAgent(String type, JsonMapper json, ScheduledExecutorService scheduler, long maxDelayMillis) {
        super(KIND, json);
        this.type = type;
        this.scheduler = scheduler;
        this.maxDelayMillis = maxDelayMillis;
    }

    String type() {
        return type;
    }

    @Override
    protected void setUp() {
        dispatcher.subscribe(Messages.DRIVERS_RIDES, this::onRide);
    }

    private void onRide(Message m) {
        if (m.getReplyTo() == null) {
            return;
        }
        String requestId = "?";
        try {
            Messages.DriverAgentRequest req = json.readValue(m.getData(), Messages.DriverAgentRequest.class);
            requestId = req.requestId();
        } catch (RuntimeException e) {
            log.warn("[{}] bad ride request: {}", id, e.getMessage());
        }
        long delay = maxDelayMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(maxDelayMillis + 1);
        String rid = requestId;
        scheduler.schedule(() -> {
            log.info("[{}] driver {} ({}) answers after {} ms", rid, id, type, delay);
            nc.publish(m.getReplyTo(), json.writeValueAsBytes(new Messages.DriverOffer(id, type)));
        }, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    java.util.Map<String, Object> status() {
        java.util.Map<String, Object> s = super.status();
        s.put("type", type);
        return s;
    }
}
