package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.Waits;
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
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
@RequiresBinary("prometheus")
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
        return RequiredBinaries.path("prometheus").toString();
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
    private void awaitValue(String promql, double expected) {
        AtomicReference<String> last = new AtomicReference<>("");
        awaitPrometheus("Prometheus returning " + expected + " for " + promql, Duration.ofSeconds(30), () -> {
            try {
                last.set(query(promql));
                Matcher m = SAMPLE.matcher(last.get());
                return m.find() && Double.parseDouble(m.group(1)) == expected && !m.find();
            } catch (IOException e) {
                last.set(e.toString()); // not listening yet
                return false;
            }
        }, () -> "last answer: " + last.get() + "\ntargets: " + safeTargets());
    }

    /**
     * Waits for {@code /-/ready}: until its storage is open Prometheus answers queries with 503, and a
     * first start on a fresh machine can take seconds.
     */
    private void awaitReady() {
        AtomicReference<String> last = new AtomicReference<>("");
        awaitPrometheus("Prometheus ready", Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + prometheusPort + "/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last.set(r.statusCode() + " " + r.body());
                return r.statusCode() == 200;
            } catch (IOException e) {
                last.set(e.toString()); // not listening yet
                return false;
            }
        }, () -> "last answer: " + last.get());
    }

    /** Polls {@code condition} every 250 ms (Prometheus scrapes every second); fails at once if it exits. */
    private void awaitPrometheus(String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition,
            java.util.function.Supplier<String> detail) {
        try {
            Waits.upTo(what, timeout).pollInterval(Duration.ofMillis(250))
                    .failFast("prometheus exited", () -> !prometheus.isAlive())
                    .until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; " + detail.get() + "\nprometheus log:\n" + log(), e);
        }
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
