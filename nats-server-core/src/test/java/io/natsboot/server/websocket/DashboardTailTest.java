package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.Repeating;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The monitoring dashboard's live message tail in headless Chromium: opened as {@code /#tail=dash.>} on a server
 * with a WebSocket listener, it subscribes over WebSocket and lists the messages a plain client publishes.
 */
class DashboardTailTest {

    @Test
    void tailShowsPublishedMessages() throws Exception {
        assertThat(Files.isExecutable(Path.of(WebSocketBrowserTest.CHROMIUM)))
                .as("needs headless Chromium (Debian package chromium)").isTrue();
        Path profile = Files.createTempDirectory("chromium-tail");
        try (RunningServer s = RunningServer.start(b -> b.httpPort(-1)
                .websocket(io.natsboot.server.config.WebSocketOptions.plain("127.0.0.1", 0)));
             RawClient pub = new RawClient(s.port())) {
            pub.readInfo();
            pub.send("CONNECT {\"verbose\":false}\r\n");
            int[] next = {0};
            // the traffic the page tails: one message every 10 ms
            Repeating publisher = Repeating.every(java.time.Duration.ofMillis(10), "dashboard-tail-publisher",
                    () -> pub.send("PUB dash.rides 11\r\nride-" + String.format("%06d", next[0]++) + "\r\n"));
            String url = "http://127.0.0.1:" + s.server().monitor().port() + "/#tail=dash.%3E";
            Process p = new ProcessBuilder(WebSocketBrowserTest.CHROMIUM, "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url)
                    .redirectError(profile.resolve("chromium.log").toFile()).start();
            String dom;
            try {
                dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                publisher.close();
            }
            assertThat(dom).containsPattern("data-tail-count=\"[1-9]\\d*\"");
            assertThat(dom).containsPattern("<td>dash.rides</td><td></td><td class=\"num\">11</td>"
                    + "<td class=\"payload\">ride-\\d{6}</td>");
            assertThat(dom).contains("tailing dash.&gt; over ws://127.0.0.1:" + s.server().context().webSocketPort());
        } finally {
            try (Stream<Path> all = Files.walk(profile)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void withoutAListenerTheTailSaysWhatIsMissing() throws Exception {
        Path profile = Files.createTempDirectory("chromium-tail");
        try (RunningServer s = RunningServer.start(b -> b.httpPort(-1))) {
            String url = "http://127.0.0.1:" + s.server().monitor().port() + "/#tail=x";
            Process p = new ProcessBuilder(WebSocketBrowserTest.CHROMIUM, "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom", url)
                    .redirectError(profile.resolve("chromium.log").toFile()).start();
            String dom;
            try {
                dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            assertThat(dom).contains("the server has no WebSocket listener: add a websocket block");
        } finally {
            try (Stream<Path> all = Files.walk(profile)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
