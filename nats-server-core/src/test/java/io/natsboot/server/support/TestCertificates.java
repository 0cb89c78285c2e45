package io.natsboot.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away CA with a server (CN=localhost, SAN 127.0.0.1/localhost) and a client certificate, made at
 * test time with the JDK's keytool (valid 2 days; nothing that expires is committed). PEM files:
 * {@code ca.pem}, {@code server-cert.pem}, {@code server-key.pem} (PKCS#8), {@code client-cert.pem},
 * {@code client-key.pem}; PKCS12 stores {@code ca.p12}, {@code server.p12}, {@code client.p12}.
 */
public final class TestCertificates {
    public static final String PASS = "changeit";
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    public static TestCertificates create(Path dir) throws Exception {
        TestCertificates c = new TestCertificates(dir);
        c.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=NATS Boot Test CA", "-ext", "bc:c", "-validity", "2",
                "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASS);
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASS,
                "-file", "ca.pem");
        // Each keytool run is a JVM start: the leaves are made side by side (each has its own key store).
        java.util.concurrent.CompletableFuture<?>[] leaves = {
            c.leafAsync("server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth"),
            c.leafAsync("client", "CN=client", null, "eku=clientAuth"),
            // Routes are mutual TLS with one certificate per node, used as server and as client.
            c.leafAsync("route", "CN=route", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth,clientAuth")};
        java.util.concurrent.CompletableFuture.allOf(leaves).join();
        return c;
    }

    private java.util.concurrent.CompletableFuture<Void> leafAsync(String name, String dname, String san,
            String eku) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                leaf(name, dname, san, eku);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void leaf(String name, String dname, String san, String eku) throws Exception {
        String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", PASS);
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASS, "-file", name + ".csr");
        List<String> gen = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", "ca.p12",
                "-storepass", PASS, "-infile", name + ".csr", "-outfile", name + "-cert.pem", "-rfc",
                "-validity", "2", "-ext", eku));
        if (san != null) {
            gen.addAll(List.of("-ext", san));
        }
        keytool(gen.toArray(new String[0]));
        // Put the CA-signed chain back into the store, so the store works as a client key store too.
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store,
                "-storepass", PASS);
        keytool("-importcert", "-noprompt", "-alias", name, "-file", name + "-cert.pem", "-keystore", store,
                "-storepass", PASS);
        KeyStore ks = load(store);
        PrivateKey key = (PrivateKey) ks.getKey(name, PASS.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(dir.resolve(name + "-key.pem"), pem);
    }

    private KeyStore load(String store) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(store))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            return ks;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public String path(String name) {
        return dir.resolve(name).toString();
    }

    /** A client context trusting the test CA, presenting the client certificate when {@code withCert}. */
    public SSLContext clientContext(boolean withCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(file("ca.pem"))) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("ca", ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCert) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load("client.p12"), PASS.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
