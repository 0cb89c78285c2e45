package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An application that adds Spring Security and exposes the NATS endpoints, with nothing else: Boot's
 * default web security lets {@code /actuator/health} through and asks for the configured user on
 * everything else, the starter's endpoints included. Runs in the with-spring-security test execution.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1", "natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
        // the client starter is on this module's test classpath (optional dependency); no client of its own here
        "spring.autoconfigure.exclude=io.natsboot.client.autoconfigure.NatsClientAutoConfiguration",
        "management.endpoints.web.exposure.include=health,varz,connz,routez,subsz",
        "spring.security.user.name=ops", "spring.security.user.password=ops-pass-1"})
class NatsActuatorDefaultSecurityTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int webPort;

    @Value("${local.natsboot.server.port}")
    int natsPort;

    private final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> get(HttpClient http, int port, String path, String user, String password)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(10));
        if (user != null) {
            String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + basic);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void natsEndpointsAskForCredentials() throws Exception {
        for (String path : new String[] {"/actuator/varz", "/actuator/connz", "/actuator/routez", "/actuator/subsz"}) {
            HttpResponse<String> anonymous = get(http, webPort, path, null, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(path)
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(anonymous.body()).as(path).doesNotContain("server_id");
            assertThat(get(http, webPort, path, "ops", "wrong").statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void configuredUserReadsTheVarzJson() throws Exception {
        try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + natsPort).build())) {
            nc.flush(Duration.ofSeconds(5));
            HttpResponse<String> varz = get(http, webPort, "/actuator/varz", "ops", "ops-pass-1");
            assertThat(varz.statusCode()).isEqualTo(200);
            assertThat(varz.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
            assertThat(varz.body()).contains("\"server_id\": ").contains("\"connections\": 1")
                    .contains("\"port\": " + natsPort);
            HttpResponse<String> connz = get(http, webPort, "/actuator/connz", "ops", "ops-pass-1");
            assertThat(connz.statusCode()).isEqualTo(200);
            assertThat(connz.body()).contains("\"num_connections\": 1");
        }
    }

    @Test
    void healthStaysOpenWithoutDetails() throws Exception {
        HttpResponse<String> health = get(http, webPort, "/actuator/health", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("server_id");
    }
}
