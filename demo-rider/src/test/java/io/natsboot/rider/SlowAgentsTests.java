package io.natsboot.rider;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agents slower than the api-server is willing to wait: the manager is still gathering offers when the
 * api-server gives up, so the caller gets 408. (Timeouts scaled down from the book's 5 s / 2 s so the
 * test takes a second: api 1 s, manager 2 s, agents 1.5 s.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0", "rider.find-timeout=1s",
                "rider.agent-min-delay-millis=1500", "rider.agent-max-delay-millis=1500"})
class SlowAgentsTests {

    @Value("${local.server.port}")
    int port;

    @Test
    void slowAgentsGive408() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        long t0 = System.nanoTime();
        http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"regular\",\"location\":{\"lat\":1,\"lng\":2}}")
                .exchange().expectStatus().isEqualTo(HttpStatus.REQUEST_TIMEOUT)
                .expectBody(String.class).isEqualTo("Request timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofMillis(1450));
    }
}
