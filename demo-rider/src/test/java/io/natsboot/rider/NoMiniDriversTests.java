package io.natsboot.rider;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** No agent of the requested type: the manager's error comes back as a 503. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0", "rider.mini-agents=0", "rider.regular-agents=1"})
class NoMiniDriversTests {

    @Value("${local.server.port}")
    int port;

    @Test
    void noAgentsOfThatTypeIs503WithTheError() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"mini\",\"location\":{\"lat\":1,\"lng\":2}}")
                .exchange().expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody(String.class).isEqualTo("No drivers available found, sorry!");
    }
}
