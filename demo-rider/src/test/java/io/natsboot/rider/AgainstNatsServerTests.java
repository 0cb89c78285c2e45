package io.natsboot.rider;

import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.Waits;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole rider system against the reference nats-server 2.9.10 (Debian package) instead of the embedded
 * server: rides work and the server itself lists every component's connection under its {@code kind:id} name.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "natsboot.server.enabled=false", "rider.agent-max-delay-millis=50"})
@RequiresBinary("nats-server")
class AgainstNatsServerTests {

    static final String NATS_SERVER = "/usr/sbin/nats-server";
    static Process natsServer;
    static int monitorPort;

    @DynamicPropertySource
    static void startNatsServer(DynamicPropertyRegistry registry) throws Exception {
        int port = freePort();
        monitorPort = freePort();
        Path log = Files.createTempFile("rider-nats-server", ".log");
        natsServer = new ProcessBuilder(NATS_SERVER, "-a", "127.0.0.1", "-p", String.valueOf(port),
                "-m", String.valueOf(monitorPort)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Waits.forLogLine(natsServer, log, "Server is ready", Duration.ofSeconds(10));
        registry.add("natsboot.client.servers", () -> "nats://127.0.0.1:" + port);
    }

    @AfterAll
    static void stopNatsServer() throws InterruptedException {
        if (natsServer != null) {
            natsServer.destroy();
            natsServer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    @Autowired
    ApplicationContext context;

    @Test
    void ridesAndDiscoveryWorkOnNatsServer() throws Exception {
        assertThat(context.containsBean("natsServerLifecycle")).as("no embedded server").isFalse();
        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
        Map<?, ?> ride = http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"type\":\"regular\",\"location\":{\"lat\":1,\"lng\":2}}")
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(system.components()).anySatisfy(c -> assertThat(c.id()).isEqualTo(ride.get("driver_id")));
        Map<?, ?> board = http.get().uri("/components").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat((List<?>) board.get("components")).hasSize(7);

        HttpResponse<String> connz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + monitorPort + "/connz?limit=100")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode conns = JsonMapper.builder().build().readTree(connz.body()).get("connections");
        List<String> names = new java.util.ArrayList<>();
        conns.forEach(c -> names.add(c.path("name").asString()));
        for (Component c : system.components()) {
            assertThat(names).contains(c.kind() + ":" + c.id());
        }
    }
}
