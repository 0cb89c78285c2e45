package io.natsboot.rider;

import io.nats.client.Message;
import io.natsboot.spring.annotation.NatsListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * rides-manager: queue-subscribes {@code drivers.find} in group {@code manager}, asks the agents on
 * {@code drivers.rides} and replies with the first driver of the requested type that answers within
 * {@code rider.agent-timeout} (the book's 2 s), or the error {@code No drivers available found, sorry!}.
 */
class RidesManager extends Component {

    static final String KIND = "rides-manager";
    static final String QUEUE = "manager";
    static final String NO_DRIVERS = "No drivers available found, sorry!";
    private final Duration agentTimeout;
    private final AtomicLong handled = new AtomicLong();

    RidesManager(Duration agentTimeout) {
        super(KIND);
        this.agentTimeout = agentTimeout;
    }

    /** {@code drivers.find} requests this manager took from the queue group. */
    long handled() {
        return handled.get();
    }

    @Override
    protected void addStatus(Map<String, Object> status) {
        status.put("rides_handled", handled.get());
    }

    /**
     * Scatter-gather on {@code drivers.rides}: the first offer of the right type wins, which ends the
     * gathering (and unsubscribes its inbox) at once.
     */
    @NatsListener(subjects = Messages.DRIVERS_FIND, queue = QUEUE, id = "find")
    Mono<Messages.DriverAgentResponse> find(Messages.DriverAgentRequest req) {
        String rid = req.requestId();
        handled.incrementAndGet();
        log.info("[{}] manager {} looks for a {} driver near {}", rid, id, req.type(), req.location());
        return reactive.requestMany(Messages.DRIVERS_RIDES, req, agentTimeout, 0)
                .concatMap(m -> offer(rid, m))
                .filter(o -> {
                    boolean match = req.type() != null && req.type().equals(o.type());
                    if (!match) {
                        log.debug("[{}] skipping {} driver {}", rid, o.type(), o.driverId());
                    }
                    return match;
                })
                .next()
                .map(o -> {
                    log.info("[{}] manager {} found driver {}", rid, id, o.driverId());
                    return new Messages.DriverAgentResponse(o.driverId(), null);
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    log.info("[{}] manager {} found no {} driver", rid, id, req.type());
                    return new Messages.DriverAgentResponse(null, NO_DRIVERS);
                }));
    }

    private Mono<Messages.DriverOffer> offer(String rid, Message m) {
        try {
            return Mono.just(nats.getConverter().fromMessage(m, Messages.DriverOffer.class));
        } catch (RuntimeException e) {
            log.warn("[{}] bad driver offer: {}", rid, e.getMessage());
            return Mono.empty();
        }
    }
}
