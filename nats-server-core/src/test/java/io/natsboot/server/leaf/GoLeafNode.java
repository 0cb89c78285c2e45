package io.natsboot.server.leaf;

import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real nats-server 2.9.10 (Debian's /usr/sbin/nats-server) with a config file, as a leaf-node hub or leaf for the
 * mixed tests: client, monitoring and leafnodes ports are free ephemeral ports on 127.0.0.1.
 */
final class GoLeafNode implements AutoCloseable {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    final int port;
    final int httpPort;
    final int leafPort;
    final Path conf;
    final Path logFile;
    private Process process;

    private GoLeafNode(int port, int httpPort, int leafPort, Path conf, Path logFile) {
        this.port = port;
        this.httpPort = httpPort;
        this.leafPort = leafPort;
        this.conf = conf;
        this.logFile = logFile;
    }

    /**
     * Starts nats-server with {@code body} as the rest of its config; {@code %LEAFPORT%} in it is replaced by a free
     * port (for a {@code leafnodes { listen }}), and {@link #leafPort} is that port.
     */
    static GoLeafNode start(String name, String body) throws Exception {
        return start(name, body, freePort());
    }

    static GoLeafNode start(String name, String body, int leafPort) throws Exception {
        RequiredBinaries.path("nats-server"); // fails naming the package when missing
        int port = freePort();
        int http = freePort();
        Path conf = Files.createTempFile("go-leaf-" + name, ".conf");
        Files.writeString(conf, "server_name: " + name + "\nlisten: \"127.0.0.1:" + port + "\"\nhttp: \"127.0.0.1:"
                + http + "\"\n" + body.replace("%LEAFPORT%", Integer.toString(leafPort)) + "\n");
        Path log = Files.createTempFile("go-leaf-" + name, ".log");
        GoLeafNode n = new GoLeafNode(port, http, leafPort, conf, log);
        n.launch();
        return n;
    }

    private void launch() throws Exception {
        Files.writeString(logFile, "");
        process = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-D")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        Waits.forLogLine(process, logFile, "Server is ready", Duration.ofSeconds(10));
    }

    /** Stops the process and starts it again on the same ports (a hub restart). */
    void restart() throws Exception {
        stop();
        launch();
    }

    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        return io.natsboot.server.support.Ports.free();
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    String leafUrl() {
        return "nats-leaf://127.0.0.1:" + leafPort;
    }

    String monitor(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** "leafnodes" of /leafz. */
    int leafs() throws Exception {
        String body = monitor("/leafz");
        int i = body.indexOf("\"leafnodes\":");
        return Integer.parseInt(body.substring(i + 12).trim().split("[,\\s}]")[0]);
    }

    String log() throws IOException {
        return Files.readString(logFile);
    }

    @Override
    public void close() throws Exception {
        stop();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(conf);
    }
}
