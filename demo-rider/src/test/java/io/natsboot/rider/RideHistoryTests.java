package io.natsboot.rider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable flow: rides completed against {@code nats-server -js} are in the {@code RIDES} stream and
 * {@code GET /rides/history} still lists them after the whole demo, and the NATS server too, restarted. The
 * embedded server (JetStream on by default) does the same on its own store directory; with its JetStream turned
 * off the history answers 503 and rides still work.
 */
class RideHistoryTests {

    static final String NATS_SERVER = "/usr/sbin/nats-server";
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private static Process startNatsServer(int port, Path storeDir, Path log) throws Exception {
        assertThat(new File(NATS_SERVER).canExecute()).as("the Debian nats-server package (.ci/run installs it)").isTrue();
        Files.deleteIfExists(log);
        Files.createFile(log);
        Process p = new ProcessBuilder(NATS_SERVER, "-a", "127.0.0.1", "-p", String.valueOf(port), "-js", "-sd",
                storeDir.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("Server is ready"));
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static ConfigurableApplicationContext startDemo(String... properties) {
        // command-line arguments: they win over application.properties (server.port=9090, natsboot.server.port=4222)
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--rider.agent-max-delay-millis=50"));
        for (String p : properties) {
            args.add("--" + p);
        }
        return new SpringApplicationBuilder(RiderApplication.class).run(args.toArray(String[]::new));
    }

    private static int httpPort(ConfigurableApplicationContext ctx) {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String ride(int port, String type) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rides"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type + "\",\"location\":{\"lat\":1.5,\"lng\":2}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).get("driver_id").asString();
    }

    @Test
    void historySurvivesARestartOfTheWholeDemo() throws Exception {
        Path dir = Files.createTempDirectory("rider-js");
        int natsPort = AgainstNatsServerTests.freePort();
        Path log = dir.resolve("server.log");
        String servers = "natsboot.client.servers=nats://127.0.0.1:" + natsPort;
        Process nats = startNatsServer(natsPort, dir.resolve("store"), log);
        List<String> drivers = new ArrayList<>();
        try {
            try (ConfigurableApplicationContext demo = startDemo("natsboot.server.enabled=false", servers)) {
                int port = httpPort(demo);
                drivers.add(ride(port, "regular"));
                drivers.add(ride(port, "mini"));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(json.readTree(get(port, "/rides/history").body())).hasSize(2));
            }
            stop(nats);
            nats = startNatsServer(natsPort, dir.resolve("store"), log);
            try (ConfigurableApplicationContext demo = startDemo("natsboot.server.enabled=false", servers)) {
                int port = httpPort(demo);
                HttpResponse<String> r = get(port, "/rides/history");
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode history = json.readTree(r.body());
                assertThat(history).hasSize(2);
                // newest first
                assertThat(history.get(0).get("driverId").asString()).isEqualTo(drivers.get(1));
                assertThat(history.get(0).get("type").asString()).isEqualTo("mini");
                assertThat(history.get(1).get("driverId").asString()).isEqualTo(drivers.get(0));
                assertThat(history.get(1).get("location").get("lat").asDouble()).isEqualTo(1.5);
                drivers.add(ride(port, "regular"));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(json.readTree(get(port, "/rides/history?limit=2").body()))
                                .extracting(n -> n.get("driverId").asString())
                                .containsExactly(drivers.get(2), drivers.get(1)));
            }
        } finally {
            stop(nats);
        }
    }

    @Test
    void withTheEmbeddedServerTheHistoryWorksAndSurvivesARestart() throws Exception {
        Path store = Files.createTempDirectory("rider-embedded-js");
        String storeDir = "natsboot.server.jetstream.store-dir=" + store;
        List<String> drivers = new ArrayList<>();
        try (ConfigurableApplicationContext demo = startDemo("natsboot.server.port=0", storeDir)) {
            int port = httpPort(demo);
            drivers.add(ride(port, "regular"));
            drivers.add(ride(port, "mini"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(json.readTree(get(port, "/rides/history").body())).hasSize(2));
        }
        assertThat(store.resolve("jetstream").resolve("$G").resolve("streams").resolve("RIDES")).isDirectory();
        try (ConfigurableApplicationContext demo = startDemo("natsboot.server.port=0", storeDir)) {
            int port = httpPort(demo);
            HttpResponse<String> r = get(port, "/rides/history");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json.readTree(r.body())).extracting(n -> n.get("driverId").asString())
                    .containsExactly(drivers.get(1), drivers.get(0));
        }
    }

    @Test
    void withoutJetStreamTheHistoryIsOffAndRidesStillWork() throws Exception {
        try (ConfigurableApplicationContext demo = startDemo("natsboot.server.port=0",
                "natsboot.server.jetstream.enabled=false")) {
            int port = httpPort(demo);
            ride(port, "regular");
            HttpResponse<String> r = get(port, "/rides/history");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("JetStream");
        }
    }
}
