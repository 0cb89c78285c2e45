package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * nats.ws in headless Chromium: a page served from a local HTTP server runs the scenarios of
 * {@code src/test/js/scenarios.mjs} against our listener and against nats-server 2.9.10's, and posts what it saw
 * back; both must match. Covers a browser's upgrade (Origin header, Mozilla user agent: 4 KiB frames),
 * compression on and off, and an origin the server refuses.
 */
class WebSocketBrowserTest {
    static final String CHROMIUM = "/usr/bin/chromium";
    private static HttpServer pages;
    private static volatile CompletableFuture<String> result;

    @BeforeAll
    static void servePages() throws Exception {
        assertThat(Files.isExecutable(Path.of(CHROMIUM)))
                .as("WebSocketBrowserTest needs headless Chromium at " + CHROMIUM
                        + " (Debian package chromium; CI: .ci/run installs it)").isTrue();
        Path js = JsProject.dir();
        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/page.html", ex -> file(ex, js.resolve("page.html"), "text/html"));
        pages.createContext("/scenarios.mjs", ex -> file(ex, js.resolve("scenarios.mjs"), "text/javascript"));
        pages.createContext("/nats.js", ex -> file(ex, js.resolve("node_modules/nats.ws/esm/nats.js"),
                "text/javascript"));
        pages.createContext("/result", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.sendResponseHeaders(204, -1);
            ex.close();
            result.complete(body);
        });
        pages.start();
    }

    @AfterAll
    static void stopPages() {
        if (pages != null) {
            pages.stop(0);
        }
    }

    private static void file(HttpExchange ex, Path f, String type) throws IOException {
        byte[] b = Files.readAllBytes(f);
        ex.getResponseHeaders().add("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    /** The page's origin, as the browser sends it in the upgrade request. */
    private static String pageOrigin() {
        return "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    /** Opens the page in headless Chromium against {@code wsPort} and returns what it posted back. */
    private static String browser(int wsPort) throws Exception {
        result = new CompletableFuture<>();
        Path profile = Files.createTempDirectory("chromium-ws");
        Process p = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, pageOrigin() + "/page.html?ws=ws://127.0.0.1:" + wsPort)
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            return result.get(90, TimeUnit.SECONDS);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> all = Files.walk(profile)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String sameAsNatsServer(String natsBlock, WebSocketOptions ours) throws Exception {
        String theirs;
        try (ReferenceServer ref = new ReferenceServer(natsBlock, "")) {
            theirs = browser(ref.wsPort);
        }
        String mine;
        try (RunningServer s = RunningServer.start(b -> b.websocket(ours))) {
            mine = browser(s.server().context().webSocketPort());
        }
        assertThat(mine).as("nats.ws in Chromium against ours vs nats-server").isEqualTo(theirs);
        return mine;
    }

    private static final String OK = "\"pubsub\":[\"one\",\"two\",\"three\"],\"reply\":\"echo:hi\","
            + "\"big\":[\"716800:4243294208\",\"70000:3078001416\"],\"big_sent\":[\"716800:4243294208\","
            + "\"70000:3078001416\"],\"many_bytes\":23890,\"closed\":\"ok\",\"user_agent_mozilla\":true}";

    @Test
    void compressionOnAndOff() throws Exception {
        String on = sameAsNatsServer("no_tls: true\ncompression: true", options(true, List.of()));
        assertThat(on).isEqualTo("{\"extensions\":\"permessage-deflate; server_no_context_takeover; "
                + "client_no_context_takeover\",\"server_version\":\"2.9.10\",\"max_payload\":1048576," + OK);
        String off = sameAsNatsServer("no_tls: true", options(false, List.of()));
        assertThat(off).isEqualTo("{\"extensions\":\"\",\"server_version\":\"2.9.10\",\"max_payload\":1048576," + OK);
    }

    @Test
    void pageOriginAllowedOrRefused() throws Exception {
        String allowed = sameAsNatsServer("no_tls: true\nallowed_origins: [\"" + pageOrigin() + "\"]",
                options(false, List.of(pageOrigin())));
        assertThat(allowed).endsWith(OK);
        String refused = sameAsNatsServer("no_tls: true\nallowed_origins: [\"https://app.example\"]",
                options(false, List.of("https://app.example")));
        assertThat(refused).startsWith("{\"extensions\":\"error\",\"error\":");
    }

    private static WebSocketOptions options(boolean compression, List<String> origins) {
        return new WebSocketOptions("127.0.0.1", 0, null, null, true, false, origins, compression, null, null, null,
                null, null, null, null);
    }
}
