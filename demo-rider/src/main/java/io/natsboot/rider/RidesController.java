package io.natsboot.rider;

import io.nats.client.Message;
import io.nats.client.NUID;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsRequestTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The api-server's HTTP side (port 9090): {@code GET /} and {@code POST /rides}. */
@RestController
@ConditionalOnRiderRole("api")
public class RidesController {

    private static final Logger log = LoggerFactory.getLogger("rider.api-server");

    private final RiderSystem system;
    private final JsonMapper json;
    private final Duration findTimeout;
    private final RideHistory history;

    public RidesController(RiderSystem system, JsonMapper json, RiderProperties properties, RideHistory history) {
        this.system = system;
        this.json = json;
        this.findTimeout = properties.getFindTimeout();
        this.history = history;
    }

    /**
     * The latest completed rides from the {@code RIDES} stream, newest first ({@code limit}: 1 to 1000, default
     * 20); 503 when the NATS server has no JetStream.
     */
    @GetMapping(path = "/rides/history")
    public Mono<ResponseEntity<Object>> history(
            @org.springframework.web.bind.annotation.RequestParam(defaultValue = "20") int limit) {
        if (!history.isActive()) {
            return Mono.just(text(HttpStatus.SERVICE_UNAVAILABLE, "Ride history needs a NATS server with JetStream "
                    + "(natsboot.client.servers pointing to nats-server -js)"));
        }
        int n = Math.max(1, Math.min(limit, 1000));
        return Mono.fromCallable(() -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                        .<Object>body(history.latest(n)))
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_PLAIN_VALUE)
    public String home() {
        return "NATS Rider API Server v" + ApiServer.VERSION;
    }

    /**
     * The body is read as JSON whatever the Content-Type says, as the book's Go server does: its own command
     * {@code curl http://127.0.0.1:9090/rides -d '{"type":"regular"}'} sends
     * {@code application/x-www-form-urlencoded}, so the raw bytes are read rather than handed to a codec
     * chosen by content type.
     */
    @PostMapping(path = "/rides")
    public Mono<ResponseEntity<Object>> rides(ServerHttpRequest request) {
        return DataBufferUtils.join(request.getBody())
                .map(buffer -> {
                    try {
                        return buffer.toString(StandardCharsets.UTF_8);
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty("")
                .flatMap(this::ride);
    }

    private Mono<ResponseEntity<Object>> ride(String body) {
        String requestId = NUID.nextGlobal();
        Messages.DriverAgentRequest req;
        try {
            req = parse(body, requestId);
        } catch (IllegalArgumentException e) {
            log.info("[{}] bad request: {}", requestId, e.getMessage());
            return Mono.just(text(HttpStatus.BAD_REQUEST, e.getMessage()));
        }
        ApiServer api = system.api();
        log.info("[{}] POST /rides type={} location={}", requestId, req.type(), req.location());
        return api.reactive().request(Messages.DRIVERS_FIND, req, null, findTimeout)
                // jnats expires timed-out requests on a 5 s cleanup timer; answer on time regardless.
                .timeout(findTimeout)
                .map(reply -> answer(req, reply))
                .onErrorResume(e -> Mono.just(failure(requestId, e)));
    }

    private Messages.DriverAgentRequest parse(String body, String requestId) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("Bad request: empty body");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Bad request: invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("Bad request: body must be a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isString()
                || !(type.asString().equals("regular") || type.asString().equals("mini"))) {
            throw new IllegalArgumentException("Bad request: type must be \"regular\" or \"mini\"");
        }
        JsonNode loc = node.get("location");
        if (loc == null || loc.isNull()) {
            // The book's own command sends no location; its Go server decodes that as the zero location.
            return new Messages.DriverAgentRequest(type.asString(), new Messages.Location(0, 0), requestId);
        }
        if (!loc.isObject() || loc.get("lat") == null || !loc.get("lat").isNumber()
                || loc.get("lng") == null || !loc.get("lng").isNumber()) {
            throw new IllegalArgumentException("Bad request: location must be {\"lat\":number,\"lng\":number}");
        }
        return new Messages.DriverAgentRequest(type.asString(),
                new Messages.Location(loc.get("lat").asDouble(), loc.get("lng").asDouble()), requestId);
    }

    private ResponseEntity<Object> answer(Messages.DriverAgentRequest req, Message reply) {
        String requestId = req.requestId();
        Messages.DriverAgentResponse resp;
        try {
            resp = json.readValue(reply.getData(), Messages.DriverAgentResponse.class);
        } catch (RuntimeException e) {
            log.warn("[{}] bad reply from manager: {}", requestId, e.getMessage());
            return text(HttpStatus.SERVICE_UNAVAILABLE, "Bad reply from rides manager");
        }
        if (resp.error() != null && !resp.error().isEmpty()) {
            log.info("[{}] manager error: {}", requestId, resp.error());
            return text(HttpStatus.SERVICE_UNAVAILABLE, resp.error());
        }
        log.info("[{}] driver {} assigned", requestId, resp.driverId());
        history.completed(new RideHistory.CompletedRide(requestId, req.type(), req.location(), resp.driverId(),
                java.time.Instant.now()));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("driver_id", resp.driverId()));
    }

    private ResponseEntity<Object> failure(String requestId, Throwable e) {
        if (e instanceof NatsNoRespondersException) {
            log.info("[{}] no rides manager: {}", requestId, e.getMessage());
            return text(HttpStatus.SERVICE_UNAVAILABLE, "No rides manager available");
        }
        if (e instanceof NatsRequestTimeoutException || e instanceof TimeoutException) {
            log.info("[{}] request timeout", requestId);
            return text(HttpStatus.REQUEST_TIMEOUT, "Request timeout");
        }
        if (e instanceof NatsRemoteException) {
            // The manager's listener failed (e.g. it could not read the request): its error text.
            log.info("[{}] rides manager failed: {}", requestId, e.getMessage());
            return text(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        }
        log.warn("[{}] request failed: {}", requestId, e.toString());
        return text(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private static ResponseEntity<Object> text(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.TEXT_PLAIN).body(message);
    }
}
