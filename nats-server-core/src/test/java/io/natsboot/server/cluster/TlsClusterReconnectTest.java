package io.natsboot.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A TLS client of a three-node cluster whose certificates name only {@code localhost} (no IP address among
 * their subject alternative names) reconnects to another node when its own stops. The servers gossip
 * {@code 127.0.0.1:port} URLs; nats.go verifies the server's certificate by host name and, for a gossiped IP
 * address, against the host name it first connected to. The same client program runs against a nats-server
 * 2.9.10 cluster and ours and must see the same steps.
 */
@RequiresBinary("nats-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsClusterReconnectTest {
    private static final Path CLIENT_SOURCE = Path.of("src/test/go/tlsreconnect/main.go");

    private TestCertificates certs;
    private Path dir;
    private Path client;

    @BeforeAll
    void buildClient() throws Exception {
        certs = TestCertificates.shared();
        certs.dnsOnlyLeaf("dnsonly");
        dir = Files.createTempDirectory("tls-cluster-reconnect");
        client = io.natsboot.server.support.GoPrograms.build(CLIENT_SOURCE, dir, "tlsreconnect");
    }

    @Test
    void oursReconnectsThroughGossipedUrls() throws Exception {
        TlsOptions tls = new TlsOptions(certs.path("dnsonly-cert.pem"), certs.path("dnsonly-key.pem"), null, false,
                Duration.ofSeconds(2));
        try (RunningServer a = RunningServer.start(b -> b.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("TLS").tls(tls))) {
            String seed = ClusterTestSupport.routeUrl(a);
            try (RunningServer b = RunningServer.start(o -> o.serverName("B").clusterListen("127.0.0.1:-1")
                    .clusterName("TLS").routes(List.of(seed)).tls(tls));
                    RunningServer c = RunningServer.start(o -> o.serverName("C").clusterListen("127.0.0.1:-1")
                            .clusterName("TLS").routes(List.of(seed)).tls(tls))) {
                ClusterTestSupport.awaitMesh(a, b, c);
                List<String> steps = runClient(a.port(), a::close);
                assertThat(steps).containsExactly("connected tls://localhost:" + a.port(),
                        "reconnected", "roundtrip ok");
            }
        }
    }

    @Test
    void natsServerReconnectsThroughGossipedUrls() throws Exception {
        Path conf = dir.resolve("tls.conf");
        Files.writeString(conf, "tls {\n  cert_file: \"" + certs.path("dnsonly-cert.pem") + "\"\n  key_file: \""
                + certs.path("dnsonly-key.pem") + "\"\n}\n");
        try (GoNode a = GoNode.startWithConfig(conf, "A", "TLS")) {
            try (GoNode b = GoNode.startWithConfig(conf, "B", "TLS", a.routeUrl());
                    GoNode c = GoNode.startWithConfig(conf, "C", "TLS", a.routeUrl())) {
                ClusterTestSupport.await("a full mesh of 3", Duration.ofSeconds(10), () -> {
                    try {
                        return a.routes() == 2 && b.routes() == 2 && c.routes() == 2;
                    } catch (Exception e) {
                        return false;
                    }
                });
                List<String> steps = runClient(a.port, () -> {
                    try {
                        a.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(steps).containsExactly("connected tls://localhost:" + a.port, "reconnected",
                        "roundtrip ok");
            }
        }
    }

    /**
     * Runs the Go client against {@code tls://localhost:port}, stops that node once the client is connected,
     * and returns the client's steps ("reconnected <url>" shortened to "reconnected": which node it picks is
     * the client's random choice).
     */
    private List<String> runClient(int port, Runnable stopFirstNode) throws Exception {
        Path out = Files.createTempFile(dir, "client", ".out");
        Process p = new ProcessBuilder(client.toString(), "-url", "tls://localhost:" + port, "-ca",
                certs.path("ca.pem")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            ClusterTestSupport.await("the Go client's connection", Duration.ofSeconds(10),
                    () -> read(out).contains("connected "));
            stopFirstNode.run();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(read(out)).isTrue();
            String text = read(out);
            assertThat(p.exitValue()).as(text).isZero();
            return text.lines().filter(l -> !l.startsWith("async error") && !l.startsWith("discovered")
                    && !l.startsWith("disconnected"))
                    .map(l -> l.startsWith("reconnected ") ? "reconnected" : l).toList();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
