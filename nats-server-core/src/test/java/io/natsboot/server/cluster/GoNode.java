package io.natsboot.server.cluster;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real nats-server 2.9.10 (Debian's /usr/sbin/nats-server) as a cluster node, for mixed-cluster tests. */
final class GoNode implements AutoCloseable {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    final String name;
    final int port;
    final int clusterPort;
    final int httpPort;
    final Path logFile;
    private final Process process;

    private GoNode(String name, int port, int clusterPort, int httpPort, Path logFile, Process process) {
        this.name = name;
        this.port = port;
        this.clusterPort = clusterPort;
        this.httpPort = httpPort;
        this.logFile = logFile;
        this.process = process;
    }

    static GoNode start(String name, String clusterName, String... routes) throws Exception {
        return startWithConfig(null, name, clusterName, routes);
    }

    /** As {@link #start}, reading {@code conf} first (flags win, as always). */
    static GoNode startWithConfig(Path conf, String name, String clusterName, String... routes) throws Exception {
        RequiredBinaries.path("nats-server"); // fails naming the package when missing
        int port = freePort();
        int clusterPort = freePort();
        int httpPort = freePort();
        Path log = Files.createTempFile("go-node-" + name, ".log");
        List<String> cmd = new ArrayList<>(List.of(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port), "-m", Integer.toString(httpPort), "-n", name, "--cluster",
                "nats://127.0.0.1:" + clusterPort, "--cluster_name", clusterName, "-D"));
        if (conf != null) {
            cmd.add("-c");
            cmd.add(conf.toString());
        }
        if (routes.length > 0) {
            cmd.add("--routes");
            cmd.add(String.join(",", routes));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GoNode node = new GoNode(name, port, clusterPort, httpPort, log, p);
        node.awaitListening();
        return node;
    }

    static int freePort() throws IOException {
        return io.natsboot.server.support.Ports.free();
    }

    private void awaitListening() throws Exception {
        Waits.forLogLine(process, logFile, "Server is ready", Duration.ofSeconds(10));
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    String routeUrl() {
        return "nats://127.0.0.1:" + clusterPort;
    }

    /** GET a monitoring endpoint, e.g. "/routez?subs=1". */
    String monitor(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** num_routes from /routez. */
    int routes() throws Exception {
        String body = monitor("/routez");
        int i = body.indexOf("\"num_routes\":");
        return Integer.parseInt(body.substring(i + 13).trim().split("[,\\s}]")[0]);
    }

    String log() throws IOException {
        return Files.readString(logFile);
    }

    /** SIGKILL: no goodbye to peers or clients. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        Files.deleteIfExists(logFile);
    }
}
