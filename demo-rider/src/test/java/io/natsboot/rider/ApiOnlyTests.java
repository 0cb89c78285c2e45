package io.natsboot.rider;

import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.Subscription;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Only the api role: no manager answers 503, a silent manager answers 408 after 5 s. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0", "rider.roles=api"})
class ApiOnlyTests {

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    @Autowired
    Connection connection;

    private WebTestClient.ResponseSpec ride() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build()
                .post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"regular\",\"location\":{\"lat\":1,\"lng\":2}}")
                .exchange();
    }

    @Test
    void onlyTheApiServerRuns() {
        assertThat(system.components()).singleElement().isInstanceOf(ApiServer.class);
    }

    @Test
    void noManagerIs503() {
        ride().expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody(String.class).isEqualTo("No rides manager available");
    }

    @Test
    void silentManagerIs408() throws Exception {
        Subscription silent = connection.subscribe(Messages.DRIVERS_FIND, RidesManager.QUEUE);
        connection.flush(Duration.ofSeconds(2));
        try {
            long t0 = System.nanoTime();
            ride().expectStatus().isEqualTo(HttpStatus.REQUEST_TIMEOUT)
                    .expectBody(String.class).isEqualTo("Request timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(4900), Duration.ofMillis(7000));
        } finally {
            silent.unsubscribe();
        }
    }
}
