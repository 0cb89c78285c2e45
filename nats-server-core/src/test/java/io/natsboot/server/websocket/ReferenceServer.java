package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.fail;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Debian nats-server 2.9.10 started with a websocket block on free ports of 127.0.0.1, for differential
 * tests. Its log is kept for assertions.
 */
final class ReferenceServer implements AutoCloseable {
    static final String NATS_SERVER = "/usr/sbin/nats-server";

    final int port;
    final int wsPort;
    final int httpPort;
    final StringBuffer log = new StringBuffer();
    private final Process process;
    private final Path dir;

    /** {@code websocketBody}: the websocket block's keys other than listen; {@code top}: other top-level keys. */
    ReferenceServer(String websocketBody, String top) throws IOException, InterruptedException {
        requireBinary();
        port = Ports.free();
        wsPort = Ports.free();
        httpPort = Ports.free();
        dir = Files.createTempDirectory("nats-ws-ref");
        Path conf = dir.resolve("ws.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:" + port + "\"\nhttp: \"127.0.0.1:" + httpPort + "\"\n" + top
                + "\nwebsocket {\n  listen: \"127.0.0.1:" + wsPort + "\"\n" + websocketBody + "\n}\n");
        process = new ProcessBuilder(NATS_SERVER, "-c", conf.toString()).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    if (line.contains("Server is ready")) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "nats-server-ws-log");
        drain.setDaemon(true);
        drain.start();
        if (!ready.await(10, TimeUnit.SECONDS)) {
            close();
            fail("nats-server did not start: " + log);
        }
    }

    /** The config file: rewrite it and {@link #hangUp()} to reload. */
    Path conf() {
        return dir.resolve("ws.conf");
    }

    /** SIGHUP: nats-server reloads its config file (the outcome goes to {@link #log}). */
    void hangUp() throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor() != 0) {
            fail("kill -HUP failed");
        }
    }

    static void requireBinary() {
        RequiredBinaries.path("nats-server"); // fails naming the package when missing
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(dir.resolve("ws.conf"));
            Files.deleteIfExists(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (IOException ignored) {
            // temp dir left behind
        }
    }
}
