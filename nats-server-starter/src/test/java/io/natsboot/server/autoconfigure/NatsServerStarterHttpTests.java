package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A real Spring Boot web application with the starter: the Actuator endpoints over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "natsboot.server.host=127.0.0.1", "natsboot.server.port=0", "natsboot.server.http-port=-1",
        // the client starter is on this module's test classpath (optional dependency); this test counts its own client
        "spring.autoconfigure.exclude=io.natsboot.client.autoconfigure.NatsClientAutoConfiguration",
        "management.endpoints.web.exposure.include=health,varz,connz,routez,subsz,prometheus",
        "management.endpoint.health.show-details=always"})
class NatsServerStarterHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int webPort;

    @Value("${local.natsboot.server.port}")
    int natsPort;

    @Value("${local.natsboot.server.http-port}")
    int monitorPort;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void actuatorServesTheMonitoringJsonHealthAndPrometheus() throws Exception {
        try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + natsPort).build())) {
            nc.subscribe("metrics.test");
            nc.publish("metrics.test", new byte[3]);
            nc.flush(Duration.ofSeconds(5));

            HttpResponse<String> varz = get(webPort, "/actuator/varz");
            assertThat(varz.statusCode()).isEqualTo(200);
            assertThat(varz.headers().firstValue("Content-Type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            assertThat(varz.body()).contains("\"server_id\": ").contains("\"in_msgs\": 1")
                    .contains("\"connections\": 1");
            assertThat(get(monitorPort, "/varz").body()).contains("\"in_msgs\": 1");

            HttpResponse<String> connz = get(webPort, "/actuator/connz?subs=1&sort=msgs_from");
            assertThat(connz.statusCode()).isEqualTo(200);
            assertThat(connz.body()).contains("\"num_connections\": 1").contains("\"metrics.test\"");

            HttpResponse<String> bad = get(webPort, "/actuator/connz?sort=bogus");
            assertThat(bad.statusCode()).isEqualTo(400);

            // $G holds the client's subscription and the system account's 3 imports; the test matches the first only
            assertThat(get(webPort, "/actuator/subsz?subs=true&test=metrics.test").body())
                    .contains("\"num_subscriptions\": 4").contains("\"total\": 1");
            assertThat(get(webPort, "/actuator/routez").body()).contains("\"num_routes\": 0");

            HttpResponse<String> health = get(webPort, "/actuator/health");
            assertThat(health.body()).contains("\"nats\":{").contains("\"status\":\"UP\"");

            HttpResponse<String> prometheus = get(webPort, "/actuator/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body()).containsPattern("nats_server_messages_total\\{direction=\"in\",server_id=\"\\w+\"} 1\\.0")
                    .contains("nats_server_connections{");
        }
    }
}
