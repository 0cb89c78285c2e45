package io.natsboot.rider;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Two rides-managers in queue group {@code manager} share the {@code drivers.find} requests. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0", "rider.agent-max-delay-millis=20"})
class RidesSpreadTests {

    static final int RIDES = 24;

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    @Test
    void requestsSpreadOverBothManagers() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < RIDES; i++) {
            http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"type\":\"" + (i % 2 == 0 ? "regular" : "mini") + "\",\"location\":{\"lat\":1,\"lng\":2}}")
                    .exchange().expectStatus().isOk();
        }
        List<RidesManager> managers = system.components().stream().filter(c -> c instanceof RidesManager)
                .map(c -> (RidesManager) c).toList();
        assertThat(managers).hasSize(2);
        // Each request went to exactly one manager; with a random pick per message, both got some
        // (the chance that one gets all 24 is 2^-23).
        assertThat(managers.stream().mapToLong(RidesManager::handled).sum()).isEqualTo(RIDES);
        assertThat(managers).allSatisfy(m -> assertThat(m.handled()).isPositive());

        // The count is in each manager's status too.
        Map<?, ?> board = http.get().uri("/components").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        long fromStatus = ((List<?>) board.get("components")).stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "rides-manager".equals(c.get("kind")))
                .mapToLong(c -> ((Number) c.get("rides_handled")).longValue()).sum();
        assertThat(fromStatus).isEqualTo(RIDES);
    }
}
