package io.natsboot.rider;

import io.natsboot.spring.annotation.NatsListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;

/**
 * driver-agent: subscribes {@code drivers.rides} and answers every ride request with its own id (and
 * type) after a random delay of up to {@code rider.agent-max-delay-millis}.
 */
class DriverAgent extends Component {

    static final String KIND = "driver-agent";
    static final java.util.Set<String> TYPES = java.util.Set.of("regular", "mini");

    private final String type;
    private final long minDelayMillis;
    private final long maxDelayMillis;

    DriverAgent(String type, long minDelayMillis, long maxDelayMillis) {
        super(KIND);
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("driver-agent type must be regular or mini, not '" + type + "'");
        }
        this.type = type;
        this.minDelayMillis = minDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
    }

    String type() {
        return type;
    }

    /** The reply is published when the delay has passed, without holding the listener's thread. */
    @NatsListener(subjects = Messages.DRIVERS_RIDES, id = "rides")
    Mono<Messages.DriverOffer> ride(Messages.DriverAgentRequest req) {
        long delay = ThreadLocalRandom.current().nextLong(minDelayMillis, maxDelayMillis + 1);
        return Mono.delay(Duration.ofMillis(delay)).map(t -> {
            log.info("[{}] driver {} ({}) answers after {} ms", req.requestId(), id, type, delay);
            return new Messages.DriverOffer(id, type);
        });
    }

    @Override
    protected void addStatus(Map<String, Object> status) {
        status.put("type", type);
    }
}
