package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.Repeating;
import io.natsboot.server.support.RunningServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live dashboard on the monitoring port's {@code /}, rendered by a real headless Chromium
 * (Debian package {@code chromium}) against a running server with jnats traffic and a slow consumer:
 * the DOM after a few virtual seconds holds the server's real numbers, client names and close reasons.
 * Also leaves {@code target/dashboard.png} (the source of {@code docs/dashboard.png}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresBinary("chromium")
class DashboardChromiumTest {
    private Path profile;

    @BeforeEach
    void profileDir() throws IOException {
        profile = Files.createTempDirectory("natsboot-chromium");
    }

    @AfterEach
    void removeProfile() throws IOException {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** The Chromium executable: $CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH. */
    static String chromium() {
        return RequiredBinaries.path("chromium").toString();
    }

    private String runChromium(List<String> extra, String url) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--window-size=1400,1500", "--virtual-time-budget=5000"));
        cmd.addAll(extra);
        cmd.add(url);
        Path out = Files.createTempFile(profile, "stdout", ".html");
        Path err = Files.createTempFile(profile, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90s: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("chromium exit status; stderr:%n%s", Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void rendersLiveDataFromTheRunningServer() throws Exception {
        String chrome = chromium(); // fail first, and clearly, without Chromium
        assertThat(chrome).isNotEmpty();
        try (RunningServer s = RunningServer.start(b -> b.httpPort(-1).serverName("dash-srv")
                        .maxPending(256 * 1024).maxPayload(64 * 1024));
             Connection sub = connect(s, "dash-subscriber");
             Connection pub = connect(s, "dash-publisher")) {
            sub.subscribe("orders.created");
            sub.subscribe("orders.>", "workers");
            sub.flush(Duration.ofSeconds(2));
            makeSlowConsumer(s, pub);

            byte[] payload = new byte[128];
            // the background traffic the page shows: 50 messages every 20 ms
            Repeating traffic = Repeating.every(Duration.ofMillis(20), "dashboard-traffic", () -> {
                for (int i = 0; i < 50; i++) {
                    pub.publish("orders.created", payload);
                }
                pub.flush(Duration.ofSeconds(2));
            });
            try {
                String url = "http://127.0.0.1:" + s.server().monitor().port() + "/";
                String dom = runChromium(List.of("--dump-dom"), url);

                // The page polled at least twice in 5 virtual seconds and rendered the server's data.
                assertThat(dom).containsPattern("data-polls=\"([2-9]|\\d\\d+)\"");
                assertThat(dom).contains("id=\"server-name\">dash-srv<");
                assertThat(dom).contains("id=\"connections\">2<");
                assertThat(dom).containsPattern("id=\"subscriptions\">[1-9]\\d*<");
                assertThat(dom).contains("dash-subscriber", "dash-publisher", "orders.created");
                assertThat(dom).containsPattern("id=\"chart-msgs-now\">in [0-9.]+ · out [0-9.]+<");
                // The slow consumer, closed with its reason, in the slow-consumer table.
                assertThat(dom).contains("id=\"slow-consumers\">1<");
                assertThat(dom).containsPattern("<tbody id=\"slow-rows\"><tr data-cid=\"\\d+\"><td class=\"num\">\\d+</td>"
                        + "<td>stalled-reader</td>");
                assertThat(dom).contains("Slow Consumer (Pending Bytes)");
                assertThat(dom).contains("class=\"status ok\" id=\"status\"");
                // nats-server's index links stay.
                assertThat(dom).contains("href=\"./varz\"", "href=\"./connz\"", "href=\"./routez\"",
                        "href=\"./subsz\"", "href=\"./healthz\"");

                Path shot = Paths.get("target", "dashboard.png").toAbsolutePath();
                Files.createDirectories(shot.getParent());
                Files.deleteIfExists(shot);
                runChromium(List.of("--screenshot=" + shot), url);
                assertThat(shot).exists();
                assertThat(Files.size(shot)).isGreaterThan(10_000);
            } finally {
                traffic.close();
            }
        }
    }

    private static Connection connect(RunningServer s, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).connectionName(name)
                .connectionTimeout(Duration.ofSeconds(2)).noReconnect().build());
    }

    /** A raw subscriber named {@code stalled-reader} that never reads, flooded until the server cuts it off. */
    private static void makeSlowConsumer(RunningServer s, Connection pub) throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", s.port()), 2000);
            stalled.setSoTimeout(5000);
            InputStream in = stalled.getInputStream();
            OutputStream out = stalled.getOutputStream();
            while (in.read() != '\n') {
                // skip INFO
            }
            out.write("CONNECT {\"verbose\":false,\"name\":\"stalled-reader\"}\r\nSUB flood 1\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int sent = 0;
            while (s.server().context().slowConsumers.sum() == 0 && sent < 40_000) {
                for (int i = 0; i < 1000; i++, sent++) {
                    pub.publish("flood", new byte[1024]);
                }
                pub.flush(Duration.ofSeconds(10));
            }
            assertThat(s.server().context().slowConsumers.sum()).as("slow consumer after %d messages", sent)
                    .isEqualTo(1);
        }
    }
}
