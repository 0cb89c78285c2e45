package io.natsboot.server.gateway;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.Waits;
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

/** A real nats-server 2.9.10 with a gateway block (and optionally a cluster), configured by a file. */
final class GoGatewayNode implements AutoCloseable {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    final String name;
    final int port;
    final int gatewayPort;
    final int clusterPort;
    final int httpPort;
    final Path logFile;
    private final Path conf;
    private Process process;

    private GoGatewayNode(String name, int port, int gatewayPort, int clusterPort, int httpPort, Path conf, Path log) {
        this.name = name;
        this.port = port;
        this.gatewayPort = gatewayPort;
        this.clusterPort = clusterPort;
        this.httpPort = httpPort;
        this.conf = conf;
        this.logFile = log;
    }

    /**
     * Starts a node of gateway {@code gateway} on {@code gatewayPort} (0 = a free one) dialling {@code remotes}
     * ("NAME=nats://host:port"), in a cluster with {@code routes} when {@code clusterPort} is not 0.
     */
    static GoGatewayNode start(String name, String gateway, int gatewayPort, List<String> remotes, int clusterPort,
            List<String> routes) throws Exception {
        return start(name, gateway, gatewayPort, remotes, clusterPort, routes, "");
    }

    /** As above, with {@code gatewayExtra} (e.g. a tls block) inside the gateway block. */
    static GoGatewayNode start(String name, String gateway, int gatewayPort, List<String> remotes, int clusterPort,
            List<String> routes, String gatewayExtra) throws Exception {
        return start(name, gateway, gatewayPort, remotes, clusterPort, routes, gatewayExtra, "");
    }

    /** As above, with {@code topExtra} (e.g. an accounts block) at the top of the file. */
    static GoGatewayNode start(String name, String gateway, int gatewayPort, List<String> remotes, int clusterPort,
            List<String> routes, String gatewayExtra, String topExtra) throws Exception {
        RequiredBinaries.path("nats-server"); // fails naming the package when missing
        int port = Ports.free();
        int gw = gatewayPort == 0 ? GatewayTestSupport.port() : gatewayPort;
        int http = Ports.free();
        StringBuilder c = new StringBuilder(topExtra);
        c.append("\nlisten: \"127.0.0.1:").append(port).append("\"\n");
        c.append("http: \"127.0.0.1:").append(http).append("\"\n");
        c.append("server_name: ").append(name).append('\n');
        c.append("gateway {\n  name: ").append(gateway).append("\n  listen: \"127.0.0.1:").append(gw).append("\"\n");
        c.append(gatewayExtra).append('\n');
        if (!remotes.isEmpty()) {
            c.append("  gateways: [\n");
            for (String r : remotes) {
                int eq = r.indexOf('=');
                List<String> urls = new ArrayList<>();
                for (String u : r.substring(eq + 1).split(",")) {
                    urls.add('"' + u + '"');
                }
                c.append("    {name: ").append(r, 0, eq).append(", urls: [").append(String.join(", ", urls))
                        .append("]}\n");
            }
            c.append("  ]\n");
        }
        c.append("}\n");
        if (clusterPort != 0) {
            c.append("cluster {\n  name: ").append(gateway).append("\n  listen: \"127.0.0.1:").append(clusterPort)
                    .append("\"\n");
            if (!routes.isEmpty()) {
                c.append("  routes: [").append(String.join(", ", routes.stream().map(u -> "\"" + u + "\"").toList()))
                        .append("]\n");
            }
            c.append("}\n");
        }
        Path conf = Files.createTempFile("go-gw-" + name, ".conf");
        Files.writeString(conf, c.toString());
        Path log = Files.createTempFile("go-gw-" + name, ".log");
        GoGatewayNode n = new GoGatewayNode(name, port, gw, clusterPort, http, conf, log);
        n.launch();
        return n;
    }

    private void launch() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NATS_SERVER.toString(), "-c", conf.toString(), "-D"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Waits.forLogLine(process, logFile, "Server is ready", Duration.ofSeconds(10));
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    String gatewayUrl() {
        return "nats://127.0.0.1:" + gatewayPort;
    }

    String monitor(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    String log() throws java.io.IOException {
        return Files.readString(logFile);
    }

    /** SIGKILL: no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** Starts the same node again (same ports and file) after a kill. */
    void restart() throws Exception {
        launch();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(conf);
    }
}
