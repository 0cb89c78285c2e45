package io.natsboot.rider;

import io.natsboot.server.support.RequiresBinary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status board: the JSON endpoint finds every component through discovery, and the page, rendered by
 * a real headless Chromium against the running system, lists each of them with kind, id and memory.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // Own property set, so this context is never a cached one that Spring pauses and restarts: the
        // embedded server cannot start again after a stop.
        properties = {"natsboot.server.port=0", "server.port=0", "rider.agent-max-delay-millis=300"})
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusBoardTests {

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    @Test
    void componentsEndpointListsEveryComponentWithItsStatus() {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        Map<?, ?> body = http.get().uri("/components").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(body.get("discovered")).isEqualTo(7);
        List<?> components = (List<?>) body.get("components");
        assertThat(components).hasSize(7);
        assertThat(components.stream().map(c -> (Object) ((Map<?, ?>) c).get("id")).toList())
                .containsExactlyInAnyOrderElementsOf(system.components().stream().map(c -> (Object) c.id()).toList());
        for (Object o : components) {
            Map<?, ?> c = (Map<?, ?>) o;
            assertThat(c.keySet().stream().map(String::valueOf).toList()).contains("kind", "id", "cmdline", "memstats");
            assertThat((List<?>) c.get("cmdline")).isNotEmpty();
            Map<?, ?> mem = (Map<?, ?>) c.get("memstats");
            assertThat(mem.keySet().stream().map(String::valueOf).toList()).containsExactly("heap_used",
                    "heap_committed", "heap_max", "non_heap_used", "total_memory", "free_memory", "threads");
            assertThat(((Number) mem.get("heap_used")).longValue()).isPositive();
            assertThat(((Number) mem.get("threads")).intValue()).isPositive();
            if ("driver-agent".equals(c.get("kind"))) {
                assertThat(c.get("type")).isIn("regular", "mini");
            }
        }
    }

    @Test
    void boardRedirectsToThePage() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build()
                .get().uri("/board").exchange().expectStatus().isFound()
                .expectHeader().valueEquals("Location", "/board.html");
    }

    @RequiresBinary("chromium")
    @Test
    void boardPageRendersEveryComponentInHeadlessChromium() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            String url = "http://127.0.0.1:" + port + "/board.html";
            String dom = chromium.run(List.of("--dump-dom"), url, 5000);

            // Polled more than once in 5 virtual seconds: the board refreshes by itself.
            assertThat(dom).containsPattern("data-polls=\"([2-9]|\\d\\d+)\"");
            assertThat(dom).contains("class=\"status ok\" id=\"status\">live<");
            assertThat(dom).contains("id=\"count\">7<");
            for (Component c : system.components()) {
                // One row per component: kind, id and a heap figure.
                assertThat(dom).containsPattern(Pattern.compile("<tr data-id=\"" + c.id() + "\" data-kind=\""
                        + c.kind() + "\"><td class=\"kind kind-" + c.kind() + "\">" + c.kind()
                        + "</td><td class=\"id\">" + c.id() + "</td>.*?<td class=\"num heap-used\">\\d+\\.\\d MiB</td>"));
            }
            assertThat(dom).contains(">regular<", ">mini<");

            Path shot = Paths.get("target", "status-board.png").toAbsolutePath();
            Files.createDirectories(shot.getParent());
            Files.deleteIfExists(shot);
            chromium.run(List.of("--screenshot=" + shot), url, 3000);
            assertThat(Files.size(shot)).isGreaterThan(5_000);
        }
    }
}
