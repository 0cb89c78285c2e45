package io.natsboot.rider;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The task demo under the {@code tasks} profile: API and worker next to the embedded server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0"})
@ActiveProfiles("tasks")
class TaskDemoTests {

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    @Autowired
    NatsListenerEndpointRegistry listeners;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void createTaskReturnsTheWorkersAnswer() {
        String body = http.get().uri("/createTask").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        // Go's Duration.String: 1.5ms, 812.3µs, 1.02s ...
        assertThat(body).matches("Task scheduled in [0-9.]+(ns|µs|ms|s)\nResponse: Done!\n");
        http.post().uri("/createTask").exchange().expectStatus().isOk();
    }

    @Test
    void healthz() {
        http.get().uri("/healthz").exchange().expectStatus().isOk().expectBody(String.class).isEqualTo("OK\n");
    }

    @Test
    void noWorkerIs503WithTheError() {
        listeners.stop("task-worker");
        try {
            String body = http.get().uri("/createTask").exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(body).startsWith("Error making NATS request: ").contains("tasks");
        } finally {
            listeners.start("task-worker");
        }
        http.get().uri("/createTask").exchange().expectStatus().isOk();
    }

    @Test
    void onlyTheTaskRolesRun() {
        assertThat(system.components()).isEmpty();
        http.post().uri("/rides").exchange().expectStatus().isNotFound();
    }
}
