package io.natsboot.rider;

import io.nats.client.Message;
import io.natsboot.spring.core.NatsException;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The status board's data: discovery by scatter-gather on {@code _NATS_RIDER.discovery} (every component
 * answers with its status subject), then one status request per subject, all on the api-server's own
 * connection. {@code /board.html} polls it.
 */
@RestController
@ConditionalOnRiderRole("api")
public class StatusBoardController {

    private static final Logger log = LoggerFactory.getLogger("rider.api-server");

    /** How long discovery collects answers: there is no way to know how many components exist. */
    static final Duration DISCOVERY_WAIT = Duration.ofMillis(500);
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);

    private final RiderSystem system;
    private final JsonMapper json;

    public StatusBoardController(RiderSystem system, JsonMapper json) {
        this.system = system;
        this.json = json;
    }

    /** A short address for the page. */
    @GetMapping(path = "/board")
    public ResponseEntity<Void> board() {
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, "/board.html").build();
    }

    /** {@code {"discovered":n,"components":[status...]}}, sorted by kind then id. */
    @GetMapping(path = "/components", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Map<String, Object>> components() {
        ReactiveNatsTemplate nats = system.api().reactive();
        return nats.requestMany(Messages.DISCOVERY, new byte[0], DISCOVERY_WAIT, 0)
                .map(m -> new String(m.getData(), StandardCharsets.UTF_8))
                .filter(subject -> subject.startsWith("_NATS_RIDER.") && subject.endsWith(".status"))
                .distinct()
                .collectList()
                .flatMap(subjects -> Flux.fromIterable(subjects)
                        .flatMap(subject -> nats.request(subject, new byte[0], null, STATUS_TIMEOUT)
                                .map(this::parse)
                                .onErrorResume(NatsException.class, e -> {
                                    log.info("status request on {} failed: {}", subject, e.getMessage());
                                    return Mono.empty();
                                }))
                        .collectList()
                        .map(statuses -> {
                            List<JsonNode> sorted = statuses.stream()
                                    .sorted(Comparator.comparing((JsonNode n) -> n.path("kind").asString())
                                            .thenComparing(n -> n.path("id").asString()))
                                    .toList();
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("discovered", subjects.size());
                            out.put("components", sorted);
                            return out;
                        }));
    }

    private JsonNode parse(Message m) {
        return json.readTree(m.getData());
    }
}
