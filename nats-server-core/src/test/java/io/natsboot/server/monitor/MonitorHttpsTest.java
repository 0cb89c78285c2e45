package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.natsboot.server.support.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitoring over TLS ({@code https_port}, {@code https}, {@code --https_port}) with the tls block's certificate:
 * JSON as over HTTP, no client certificate asked even with {@code verify}, Go's 400 answer to a plain HTTP
 * request (bytes compared with nats-server 2.9.10), and nats-server's refusals.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitorHttpsTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    @TempDir
    static Path dir;
    static TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    private static TlsOptions tls(boolean verify) {
        return certs.serverTls(verify);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(certs.clientContext(false)).connectTimeout(Duration.ofSeconds(3)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheEndpointsOverTls() throws Exception {
        for (boolean verify : new boolean[] {false, true}) {
            try (RunningServer s = RunningServer.start(b -> b.tls(tls(verify)).httpsPort(-1))) {
                int port = s.server().monitor().port();
                assertThat(s.log().contains("[INF] Starting https monitor on 127.0.0.1:" + port)).isTrue();
                HttpResponse<String> varz = get(port, "/varz");
                assertThat(varz.statusCode()).isEqualTo(200);
                Map<String, Object> json = Json.parseObject(varz.body());
                assertThat(json).containsEntry("https_port", (long) port).containsEntry("http_port", 0L)
                        .containsEntry("tls_required", true);
                assertThat(get(port, "/connz?limit=1").statusCode()).as("verify=%s: no client certificate asked",
                        verify).isEqualTo(200);
                assertThat(plainHttp(port)).isEqualTo(
                        "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
            }
        }
    }

    @Test
    void aClientThatDistrustsTheCertificateFails() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.tls(tls(false)).httpsPort(-1))) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + s.server().monitor().port() + "/varz")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void refusesWithoutTlsOrWithBothPorts() {
        assertThatThrownBy(() -> RunningServer.start(b -> b.httpsPort(-1)))
                .hasMessage("Can't start monitoring: TLS cert and key required for HTTPS");
        assertThatThrownBy(() -> RunningServer.start(b -> b.tls(tls(false)).httpsPort(18443).httpPort(18222)))
                .hasMessage("Can't start monitoring: can't specify both HTTP (18222) and HTTPs (18443) ports");
    }

    @Test
    void configFileAndFlags() throws Exception {
        Path conf = dir.resolve("https.conf");
        Files.writeString(conf, "tls { cert_file: \"" + certs.path("server-cert.pem") + "\", key_file: \""
                + certs.path("server-key.pem") + "\" }\nhttps: \"127.0.0.2:8443\"\n");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        ServerOptions o = b.build();
        assertThat(o.httpsPort()).isEqualTo(8443);
        assertThat(o.httpHost()).isEqualTo("127.0.0.2");
        Files.writeString(conf, "https_port: 9443\n");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        assertThat(b.build().httpsPort()).isEqualTo(9443);
        assertThat(CommandLine.parse(new String[] {"--https_port", "7443"}).options().httpsPort()).isEqualTo(7443);
        assertThat(CommandLine.parse(new String[] {"-ms", "7444"}).options().httpsPort()).isEqualTo(7444);
    }

    /** nats-server answers a plain HTTP request on its HTTPS port with the same bytes. */
    @RequiresBinary("nats-server")
    @Test
    void plainHttpAnswerIsNatsServers() throws Exception {
        int port;
        port = io.natsboot.server.support.Ports.free();
        Path conf = dir.resolve("ref-https.conf");
        Files.writeString(conf, "listen: \"127.0.0.1:-1\"\nhttps: \"127.0.0.1:" + port + "\"\ntls { cert_file: \""
                + certs.path("server-cert.pem") + "\", key_file: \"" + certs.path("server-key.pem") + "\" }\n");
        Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref-https.log").toFile()).start();
        try (RunningServer ours = RunningServer.start(b -> b.tls(tls(false)).httpsPort(-1))) {
            Waits.forLogLine(ref, dir.resolve("ref-https.log"), "Server is ready", Duration.ofSeconds(10));
            assertThat(Files.readString(dir.resolve("ref-https.log")))
                    .contains("[INF] Starting https monitor on 127.0.0.1:" + port);
            assertThat(plainHttp(ours.server().monitor().port())).isEqualTo(plainHttp(port));
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static String plainHttp(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /varz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }
}
