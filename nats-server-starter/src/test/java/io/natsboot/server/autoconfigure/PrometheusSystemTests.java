package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * System test: a real Prometheus (Debian package {@code prometheus}) scrapes this application's
 * {@code /actuator/prometheus} every second, and its HTTP query API returns the message counters the
 * embedded server counted, both the starter's {@code nats_server_messages_total} and the
 * prometheus-nats-exporter compatible {@code gnatsd_varz_in_msgs}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
        "management.endpoints.web.exposure.include=health,prometheus"})
class PrometheusSystemTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int webPort;

    @Value("${local.natsboot.server.port}")
    int natsPort;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Path dir;
    private Process prometheus;
    private int prometheusPort;

    /** The Prometheus executable: $PROMETHEUS, or prometheus on the PATH. */
    static String prometheusBinary() {
        String env = System.getenv("PROMETHEUS");
        if (env != null && !env.isBlank() && Files.isExecutable(Paths.get(env))) {
            return env;
        }
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Paths.get(d, "prometheus");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError("The Prometheus system test needs the prometheus binary, not found on the PATH "
                + "or in $PROMETHEUS; install it with `apt-get install -y prometheus` (.ci/run does this)");
    }

    @BeforeEach
    void startPrometheus() throws Exception {
        String binary = prometheusBinary();
        dir = Files.createTempDirectory("natsboot-prometheus");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            prometheusPort = s.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: natsboot
                    metrics_path: /actuator/prometheus
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(webPort));
        prometheus = new ProcessBuilder(binary, "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    @AfterEach
    void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void prometheusScrapesTheMessageCounters() throws Exception {
        awaitReady();
        try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + natsPort).build())) {
            Subscription sub = nc.subscribe("scraped.>");
            publish(nc, sub, 25);
            awaitValue("nats_server_messages_total{direction=\"in\"}", 25);
            awaitValue("nats_server_messages_total{direction=\"out\"}", 25);
            awaitValue("gnatsd_varz_in_msgs", 25);

            // Prometheus keeps following the live counter.
            publish(nc, sub, 15);
            awaitValue("nats_server_messages_total{direction=\"in\"}", 40);
            awaitValue("gnatsd_varz_out_msgs", 40);
            String all = query("nats_server_messages_total");
            assertThat(all).contains("\"job\":\"natsboot\"").contains("\"direction\":\"in\"")
                    .contains("\"direction\":\"out\"");
        }
    }

    private static void publish(Connection nc, Subscription sub, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            nc.publish("scraped.x", new byte[8]);
        }
        for (int i = 0; i < n; i++) {
            assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
        }
        nc.flush(Duration.ofSeconds(5));
    }

    private static final Pattern SAMPLE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"]");

    /** Waits until the instant query has exactly one series with the value {@code expected}. */
    private void awaitValue(String promql, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            assertThat(prometheus.isAlive()).as("prometheus exited: %s", log()).isTrue();
            try {
                last = query(promql);
                Matcher m = SAMPLE.matcher(last);
                if (m.find() && Double.parseDouble(m.group(1)) == expected && !m.find()) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never returned " + expected + " for " + promql + "; last answer: "
                + last + "\ntargets: " + safeTargets() + "\nprometheus log:\n" + log());
    }

    /**
     * Waits for {@code /-/ready}: until its storage is open Prometheus answers queries with 503, and a
     * first start on a fresh machine can take seconds.
     */
    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            assertThat(prometheus.isAlive()).as("prometheus exited: %s", log()).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + prometheusPort + "/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never became ready; last answer: " + last + "\nprometheus log:\n"
                + log());
    }

    private String query(String promql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                        + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("query %s: %s", promql, r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"success\"");
        return r.body();
    }

    private String safeTargets() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String log() {
        try {
            String s = Files.readString(dir.resolve("prometheus.log"));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return e.toString();
        }
    }
}
