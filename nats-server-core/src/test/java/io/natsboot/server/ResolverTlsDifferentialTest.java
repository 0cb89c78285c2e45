package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.TrustChain;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code resolver_tls}: the URL resolver fetching account JWTs from an HTTPS account server (in the test, with
 * the test CA's server certificate, asking for a client certificate), against nats-server 2.9.10 with the same
 * files: with the CA and the client certificate both log in; without {@code resolver_tls} both refuse to start
 * (the account server's certificate is not trusted), with the same message.
 */
@RequiresBinary("nats-server")
class ResolverTlsDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account a = chain.account("A");
    private final TrustChain.Account missing = chain.account("MISSING");
    private final String aJwt = a.jwt();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private TestCertificates certs;
    private HttpsServer https;
    private String url;

    @BeforeEach
    void accountServer() throws Exception {
        certs = TestCertificates.shared();
        Map<String, String> served = Map.of(a.publicKey(), aJwt);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.file("server.p12"))) {
            ks.load(in, TestCertificates.PASS.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, TestCertificates.PASS.toCharArray());
        SSLContext trustingCa = certs.clientContext(false); // its trust managers: the test CA
        SSLContext ctx = SSLContext.getInstance("TLS");
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        KeyStore ca = KeyStore.getInstance("PKCS12");
        ca.load(null, null);
        try (InputStream in = Files.newInputStream(certs.file("ca.pem"))) {
            ca.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        tmf.init(ca);
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        assertThat(trustingCa).isNotNull();
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        https.createContext("/jwt/v1/accounts/", ex -> {
            String path = ex.getRequestURI().getPath();
            boolean withCert = ex instanceof com.sun.net.httpserver.HttpsExchange he
                    && peerCertificate(he) != null;
            requests.add(path + (withCert ? " with client certificate" : ""));
            String key = path.substring("/jwt/v1/accounts/".length());
            String body = key.isEmpty() ? "" : served.get(key);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        https.start();
        url = "https://localhost:" + https.getAddress().getPort() + "/jwt/v1/accounts/";
    }

    private static Object peerCertificate(com.sun.net.httpserver.HttpsExchange he) {
        try {
            return he.getSSLSession().getPeerCertificates()[0];
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @AfterEach
    void stopAccountServer() {
        https.stop(0);
    }

    private Path conf(String extra) throws Exception {
        Path dir = Files.createTempDirectory("resolver-tls");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path f = dir.resolve("s.conf");
        Files.writeString(f, "operator: \"" + op + "\"\nresolver: URL(" + url + ")\n" + extra);
        return f;
    }

    private static final String VIOLATION = "-ERR 'Authorization Violation'\r\n<closed>";

    @Test
    void accountsComeOverTlsWithTheClientCertificate() throws Exception {
        Path f = conf("resolver_tls {\n  ca_file: \"" + certs.path("ca.pem") + "\"\n  cert_file: \""
                + certs.path("client-cert.pem") + "\"\n  key_file: \"" + certs.path("client-key.pem") + "\"\n}\n");
        List<List<String>> seen = new ArrayList<>();
        int port = Ports.free();
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", f.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(f.resolveSibling("ref.log").toFile())
                .start();
        try {
            Ports.awaitListening(port);
            seen.add(sessions(port));
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        List<String> theirRequests = List.copyOf(requests);
        requests.clear();
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b;
        })) {
            seen.add(sessions(ours.port()));
        }
        assertThat(seen.get(0)).containsExactly("PONG\r\n", VIOLATION);
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
        String withCert = " with client certificate";
        assertThat(theirRequests).contains("/jwt/v1/accounts/" + withCert,
                "/jwt/v1/accounts/" + a.publicKey() + withCert, "/jwt/v1/accounts/" + missing.publicKey() + withCert);
        assertThat(requests).containsExactlyInAnyOrderElementsOf(theirRequests);
    }

    private List<String> sessions(int port) throws Exception {
        return List.of(TrustedKeysDifferentialTest.session(port, a.user("u"), ""),
                TrustedKeysDifferentialTest.session(port, missing.user("m"), ""));
    }

    @Test
    void withoutResolverTlsTheAccountServerIsNotTrusted() throws Exception {
        Path f = conf("");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", f.toString(), "-a", "127.0.0.1", "-p", "-1")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(theirs).contains("x509: certificate signed by unknown authority");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NatsServerMain.run(new String[] {"-c", f.toString(), "-a", "127.0.0.1", "-p", "-1"},
                new PrintStream(out, true), new PrintStream(err, true));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8)).isEqualTo(theirs);
    }
}
