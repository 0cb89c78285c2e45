package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Debian reference {@code /usr/sbin/nats-server} (2.9.10) as a child process on 127.0.0.1 and a free port,
 * optionally with a config file; {@link #stop()} and {@link #start()} again keep the port, for reconnect tests.
 */
final class ReferenceNatsServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nats-server");

    private final Path dir;
    private final Path config;
    private final int port;
    private boolean jetStream;
    private Process process;

    private ReferenceNatsServer(String configText) throws IOException {
        assertThat(Files.isExecutable(BINARY))
                .as("parity tests need the reference nats-server at %s (apt-get install nats-server)", BINARY)
                .isTrue();
        dir = Files.createTempDirectory("ref-nats");
        config = configText == null ? null : Files.writeString(dir.resolve("server.conf"), configText);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    static ReferenceNatsServer start(String configText) throws Exception {
        ReferenceNatsServer server = new ReferenceNatsServer(configText);
        server.start();
        return server;
    }

    /**
     * With JetStream ({@code -js}), storing in a directory of its own that outlives {@link #stop()}, so a
     * restarted server has the same streams.
     */
    static ReferenceNatsServer startJetStream() throws Exception {
        ReferenceNatsServer server = new ReferenceNatsServer(null);
        server.jetStream = true;
        server.start();
        return server;
    }

    void start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port)));
        if (jetStream) {
            cmd.addAll(List.of("-js", "-sd", dir.resolve("jetstream").toString()));
        }
        if (config != null) {
            cmd.addAll(List.of("-c", config.toString()));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nats-server exited: " + Files.readString(dir.resolve("server.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(25);
            }
        }
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    Path dir() {
        return dir;
    }

    int port() {
        return port;
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    String serversProperty() {
        return "natsboot.client.servers=" + url();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
