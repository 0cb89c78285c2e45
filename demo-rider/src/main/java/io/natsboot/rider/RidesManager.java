package io.natsboot.rider;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import tools.jackson.databind.json.JsonMapper;

/**
 * rides-manager: queue-subscribes {@code drivers.find} in group {@code manager}, asks the agents on
 * {@code drivers.rides} and replies with the first driver of the requested type that answers within
 * 2 s, or the error {@code No drivers available found, sorry!}.
 */
class RidesManager extends Component {

    static final String KIND = "rides-manager";
    static final String QUEUE = "manager";
    static final String NO_DRIVERS = "No drivers available found, sorry!";
    static final Duration AGENT_TIMEOUT = Duration.ofSeconds(2);

    private Dispatcher replies;

    RidesManager(JsonMapper json) {
        super(KIND, json);
    }

    @Override
    protected void setUp() {
        replies = nc.createDispatcher();
        dispatcher.subscribe(Messages.DRIVERS_FIND, QUEUE, this::onFind);
    }

    private void onFind(Message m) {
        if (m.getReplyTo() == null) {
            return;
        }
        Messages.DriverAgentRequest req;
        try {
            req = json.readValue(m.getData(), Messages.DriverAgentRequest.class);
        } catch (RuntimeException e) {
            log.warn("[?] bad drivers.find request: {}", e.getMessage());
            reply(m, new Messages.DriverAgentResponse(null, "Invalid request: " + e.getMessage()));
            return;
        }
        String rid = req.requestId();
        log.info("[{}] manager {} looks for a {} driver near {}", rid, id, req.type(), req.location());
        CompletableFuture<String> found = new CompletableFuture<>();
        String inbox = nc.createInbox();
        Subscription sub = replies.subscribe(inbox, offer -> {
            try {
                Messages.DriverOffer o = json.readValue(offer.getData(), Messages.DriverOffer.class);
                if (req.type() != null && req.type().equals(o.type())) {
                    found.complete(o.driverId());
                } else {
                    log.debug("[{}] skipping {} driver {}", rid, o.type(), o.driverId());
                }
            } catch (RuntimeException e) {
                log.warn("[{}] bad driver offer: {}", rid, e.getMessage());
            }
        });
        found.orTimeout(AGENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((driverId, err) -> {
            try {
                replies.unsubscribe(sub);
            } catch (RuntimeException ignored) {
                // connection closing
            }
            if (driverId != null) {
                log.info("[{}] manager {} found driver {}", rid, id, driverId);
                reply(m, new Messages.DriverAgentResponse(driverId, null));
            } else {
                log.info("[{}] manager {} found no {} driver", rid, id, req.type());
                reply(m, new Messages.DriverAgentResponse(null, NO_DRIVERS));
            }
        });
        nc.publish(Messages.DRIVERS_RIDES, inbox, json.writeValueAsBytes(req));
    }

    private void reply(Message m, Messages.DriverAgentResponse resp) {
        try {
            nc.publish(m.getReplyTo(), json.writeValueAsBytes(resp));
        } catch (IllegalStateException e) {
            log.warn("cannot reply: {}", e.getMessage());
        }
    }
}
