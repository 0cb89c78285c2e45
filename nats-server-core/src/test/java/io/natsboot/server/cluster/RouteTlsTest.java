package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.awaitRouteInterest;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route TLS (cluster.tls): mutual, handshake before INFO, with our nodes and with nats-server's. */
class RouteTlsTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    private static TlsOptions routeTls() {
        return new TlsOptions(certs.path("route-cert.pem"), certs.path("route-key.pem"), certs.path("ca.pem"), true,
                Duration.ofSeconds(2));
    }

    private static RunningServer tlsNode(String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("TLS")
                .clusterTls(routeTls()).routes(List.of(routes)));
    }

    @Test
    void twoNodesMeshOverMutualTls() throws Exception {
        try (RunningServer a = tlsNode("A"); RunningServer b = tlsNode("B", ClusterTestSupport.routeUrl(a))) {
            ClusterTestSupport.awaitMesh(a, b);
            try (Connection onA = Nats.connect(a.url()); Connection onB = Nats.connect(b.url())) {
                Subscription s = onB.subscribe("tls.x");
                onB.flush(Duration.ofSeconds(2));
                awaitRouteInterest(a, "tls.x", 1);
                onA.publish("tls.x", "secret".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(s.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8))
                        .isEqualTo("secret");
            }
            // A peer speaking plaintext gets no INFO and is closed after a failed handshake.
            try (RawClient raw = new RawClient(a.server().cluster().port())) {
                raw.send("CONNECT {}\r\n");
                String got = raw.readUntilClose(3000);
                assertThat(got).doesNotContain("INFO").endsWith("<closed>");
            }
            await("handshake error logged", Duration.ofSeconds(3),
                    () -> a.log().contains("TLS route handshake error"));
        }
    }

    @Test
    void routesCheckThePeersPinnedKey() throws Exception {
        TlsOptions route = new TlsOptions(certs.path("route-cert.pem"), certs.path("route-key.pem"),
                certs.path("ca.pem"), true, Duration.ofSeconds(2));
        String clientKey = keyId("client-cert.pem");
        String routeKey = keyId("route-cert.pem");
        try (RunningServer a = RunningServer.start(b -> b.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("PIN").clusterTls(route.withPinnedCerts(List.of(clientKey))));
             RunningServer b = RunningServer.start(x -> x.serverName("B").clusterListen("127.0.0.1:-1")
                .clusterName("PIN").clusterTls(route).routes(List.of(ClusterTestSupport.routeUrl(a))))) {
            await("A refuses B's key", Duration.ofSeconds(5),
                    () -> a.log().contains("TLS route handshake error: certificate not pinned"));
            assertThat(ClusterTestSupport.routes(a)).isZero();
            assertThat(ClusterTestSupport.routes(b)).isZero();
        }
        try (RunningServer a = RunningServer.start(b -> b.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("PIN").clusterTls(route.withPinnedCerts(List.of(routeKey))));
             RunningServer b = RunningServer.start(x -> x.serverName("B").clusterListen("127.0.0.1:-1")
                .clusterName("PIN").clusterTls(route.withPinnedCerts(List.of(routeKey)))
                .routes(List.of(ClusterTestSupport.routeUrl(a))))) {
            ClusterTestSupport.awaitMesh(a, b);
        }
    }

    private static String keyId(String pem) throws Exception {
        try (java.io.InputStream in = Files.newInputStream(certs.file(pem))) {
            return io.natsboot.server.auth.PinnedCerts.keyId(
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
    }

    @RequiresBinary("nats-server")
    @Test
    void confBlockAndMixedClusterWithNatsServer() throws Exception {
        Path conf = dir.resolve("route-tls.conf");
        Files.writeString(conf, "cluster {\n  tls {\n    cert_file: \"" + certs.path("route-cert.pem") + "\"\n"
                + "    key_file: \"" + certs.path("route-key.pem") + "\"\n    ca_file: \"" + certs.path("ca.pem")
                + "\"\n    timeout: 2\n  }\n}\n");
        try (RunningServer ours = RunningServer.start(b -> {
                try {
                    assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return b.host("127.0.0.1").port(0).serverName("J").clusterListen("127.0.0.1:-1").clusterName("TLS");
            });
             GoNode go = GoNode.startWithConfig(conf, "G", "TLS", ClusterTestSupport.routeUrl(ours))) {
            assertThat(ours.server().options().cluster().tls().verify()).as("routes always verify").isTrue();
            await("TLS route with nats-server", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(ours) == 1);
            try (Connection onOurs = Nats.connect(ours.url()); Connection onGo = Nats.connect(go.url())) {
                Subscription s = onOurs.subscribe("mixed.tls");
                onOurs.flush(Duration.ofSeconds(2));
                await("interest crossed", Duration.ofSeconds(5), () -> {
                    try {
                        onGo.publish("mixed.tls", "x".getBytes(StandardCharsets.UTF_8));
                        onGo.flush(Duration.ofSeconds(1));
                        return s.nextMessage(Duration.ofMillis(200)) != null;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
            assertThat(go.monitor("/routez")).contains(ours.server().context().serverId());
        }
    }
}
