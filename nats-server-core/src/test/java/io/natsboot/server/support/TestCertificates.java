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

    private static TestCertificates shared;
    /** Not the class: shared() holds that while leaves are made on other threads. */
    private static final Object KEYTOOL_LOCK = new Object();

    /**
     * One set for the whole test JVM, made on first use in a temporary directory removed at exit: every TLS
     * test class shares the CA, so certificates are made once per run rather than once per class.
     */
    public static synchronized TestCertificates shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("natsboot-certs");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory left behind
                }
            }));
            shared = create(dir);
        }
        return shared;
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

    private void leaf(String name, String dname, String san, String eku, String... gencertOptions) throws Exception {
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
        gen.addAll(List.of(gencertOptions)); // a later -validity wins over the one above
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

    /** File arguments of the keytool commands used here: made absolute for an in-process run. */
    private static final java.util.Set<String> FILE_OPTIONS = java.util.Set.of("-keystore", "-file", "-infile",
            "-outfile");

    /**
     * Runs one keytool command: in this JVM when the surefire configuration opens the JDK's keytool
     * package to tests (a JVM start per command made certificate creation take seconds), else as a process.
     */
    private void keytool(String... args) throws IOException, InterruptedException {
        java.lang.reflect.Method run = inProcessKeytool();
        if (run != null) {
            String[] abs = args.clone();
            for (int i = 1; i < abs.length; i++) {
                if (FILE_OPTIONS.contains(abs[i - 1])) {
                    abs[i] = dir.resolve(abs[i]).toString();
                }
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try {
                java.lang.reflect.Constructor<?> make = run.getDeclaringClass().getDeclaredConstructor();
                make.setAccessible(true);
                Object tool = make.newInstance();
                synchronized (KEYTOOL_LOCK) { // one keytool at a time: it prints through shared streams
                    run.invoke(tool, abs, new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
                }
                return;
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out + e.getCause(),
                        e.getCause());
            } catch (ReflectiveOperationException e) {
                // not accessible after all: fall through to a process
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    private static java.lang.reflect.Method inProcessKeytool() {
        try {
            Class<?> main = Class.forName("sun.security.tools.keytool.Main");
            if (!main.getModule().isOpen(main.getPackageName(), TestCertificates.class.getModule())) {
                return null;
            }
            java.lang.reflect.Method run = main.getDeclaredMethod("run", String[].class, java.io.PrintStream.class);
            run.setAccessible(true);
            return run;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The client port's TLS with the server certificate (2 s handshake timeout); with {@code verify}, client
     * certificates are required and checked against the test CA.
     */
    public io.natsboot.server.config.TlsOptions serverTls(boolean verify) {
        return new io.natsboot.server.config.TlsOptions(path("server-cert.pem"), path("server-key.pem"),
                verify ? path("ca.pem") : null, verify, java.time.Duration.ofSeconds(2));
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    public String path(String name) {
        return dir.resolve(name).toString();
    }

    /**
     * One more client certificate signed by the test CA, for certificate-to-user mapping: files
     * {@code name-cert.pem}, {@code name-key.pem}, {@code name.p12}.
     *
     * @param dname the subject in keytool's syntax (RFC 2253 order, {@code +} for a multi-valued RDN)
     * @param san keytool's {@code san=...} extension (e.g. {@code san=email:a@b.io,uri:spiffe://x}), or null
     */
    public void clientLeaf(String name, String dname, String san) throws Exception {
        synchronized (madeLeaves) {
            if (!madeLeaves.add(name)) {
                return; // made by an earlier test class sharing this set
            }
        }
        leaf(name, dname, san, "eku=clientAuth");
    }

    private final java.util.Set<String> madeLeaves = new java.util.HashSet<>();

    /**
     * A client certificate of the test CA that expires about {@code validFor} from now (files as
     * {@link #clientLeaf}): a one-day validity that began a day ago, less {@code validFor}. Returns its notAfter.
     */
    public java.time.Instant clientLeafExpiring(String name, java.time.Duration validFor) throws Exception {
        leaf(name, "CN=" + name, null, "eku=clientAuth", "-startdate", "-1d+" + validFor.toSeconds() + "S",
                "-validity", "1");
        try (InputStream in = Files.newInputStream(file(name + "-cert.pem"))) {
            java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) CertificateFactory
                    .getInstance("X.509").generateCertificate(in);
            return cert.getNotAfter().toInstant();
        }
    }

    /**
     * A certificate of the test CA for {@code CN=localhost} with the DNS name {@code localhost} and no IP
     * address among its subject alternative names, usable as server and client (route) certificate: files
     * {@code name-cert.pem}, {@code name-key.pem}, {@code name.p12}.
     */
    public void dnsOnlyLeaf(String name) throws Exception {
        synchronized (madeLeaves) {
            if (!madeLeaves.add(name)) {
                return;
            }
        }
        leaf(name, "CN=localhost", "san=dns:localhost", "eku=serverAuth,clientAuth");
    }

    /** A client context trusting the test CA, presenting the client certificate when {@code withCert}. */
    public SSLContext clientContext(boolean withCert) throws Exception {
        return clientContext(withCert ? "client" : null);
    }

    /** A client context trusting the test CA, presenting the named leaf's certificate (none when null). */
    public SSLContext clientContext(String leafName) throws Exception {
        boolean withCert = leafName != null;
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
            kmf.init(load(leafName + ".p12"), PASS.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
