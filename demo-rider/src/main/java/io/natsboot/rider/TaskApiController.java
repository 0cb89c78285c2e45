package io.natsboot.rider;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.spring.core.NatsException;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The task demo's HTTP API ("Docker Compose + NATS"): {@code /createTask} requests on {@code tasks} with a
 * 5 s timeout and returns the worker's answer; {@code /healthz} answers {@code OK}. It uses the
 * application's own connection (the client starter's {@link ReactiveNatsTemplate}): the task demo has no
 * rider kit. Role {@code tasks-api}; the server comes from {@code NATS_URI}.
 */
@RestController
@ConditionalOnRiderRole("tasks-api")
public class TaskApiController {

    private static final Logger log = LoggerFactory.getLogger("tasks.api");
    static final String SUBJECT = "tasks";
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ReactiveNatsTemplate nats;

    public TaskApiController(ReactiveNatsTemplate nats) {
        this.nats = nats;
    }

    @RequestMapping(path = "/createTask", method = {RequestMethod.GET, RequestMethod.POST},
            produces = MediaType.TEXT_PLAIN_VALUE)
    public Mono<ResponseEntity<String>> createTask() {
        long start = System.nanoTime();
        return nats.request(SUBJECT, "help please", null, TIMEOUT)
                .map(reply -> {
                    String took = GoFormat.duration(System.nanoTime() - start);
                    return ResponseEntity.ok("Task scheduled in " + took + "\nResponse: "
                            + new String(reply.getData(), StandardCharsets.UTF_8) + "\n");
                })
                .onErrorResume(NatsException.class, e -> {
                    log.info("Error making NATS request: {}", e.getMessage());
                    return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .body("Error making NATS request: " + e.getMessage() + "\n"));
                });
    }

    @GetMapping(path = "/healthz", produces = MediaType.TEXT_PLAIN_VALUE)
    public String healthz() {
        return "OK\n";
    }
}
