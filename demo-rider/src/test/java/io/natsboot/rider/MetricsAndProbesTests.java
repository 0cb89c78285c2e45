package io.natsboot.rider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every role in one JVM (rider and task demo), the Actuator probes the Kubernetes Deployments use, and the
 * Prometheus scrape: every series the provisioned Grafana dashboard queries is really exported (the
 * gnatsd_varz_* ones by the server starter's gauges, under the NATS exporter's names).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0",
                "rider.roles=api,manager,agent,tasks-api,tasks-worker", "rider.agent-max-delay-millis=10"})
class MetricsAndProbesTests {

    static final Path DASHBOARD = Path.of("..", "config", "grafana", "dashboards", "nats-boot.json");

    @Value("${local.server.port}")
    int port;

    @Test
    void probesAnswerAndTheDashboardsSeriesAreScraped() throws IOException {
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

        http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"mini\",\"location\":{\"lat\":1,\"lng\":2}}").exchange().expectStatus().isOk();
        http.get().uri("/createTask").exchange().expectStatus().isOk();

        String scrape = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        List<String> series = dashboardSeries();
        assertThat(series).contains("gnatsd_varz_connections", "gnatsd_varz_routes", "http_server_requests_seconds_count",
                "jvm_memory_used_bytes");
        for (String name : series) {
            assertThat(scrape).as("series %s of the Grafana dashboard", name).containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(scrape).containsPattern("(?m)^http_server_requests_seconds_count\\{.*uri=\"/rides\".*\\} ");
        assertThat(scrape).containsPattern("(?m)^http_server_requests_seconds_count\\{.*uri=\"/createTask\".*\\} ");
    }

    /** Metric names in the dashboard's PromQL: what is left without selectors, ranges, groupings and functions. */
    static List<String> dashboardSeries() throws IOException {
        JsonNode dash = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        List<String> names = new ArrayList<>();
        Pattern identifier = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asString()
                        .replaceAll("\\{[^}]*\\}", "")
                        .replaceAll("\\[[^\\]]*\\]", "")
                        .replaceAll("\\b(by|without)\\s*\\([^)]*\\)", "");
                Matcher m = identifier.matcher(expr);
                while (m.find()) {
                    if (!names.contains(m.group(1))) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }
}
