package io.natsboot.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServerMainAccess;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OCSP stapling against nats-server 2.9.10 with the same certificates, configuration and local OCSP responder
 * (BouncyCastle, 127.0.0.1): the start-up outcome of each mode (good, revoked, missing must-staple, responder
 * down, no CA), the OCSP log lines, what a TLS client asking for the status sees stapled, a revocation while
 * running, and the {@code -t} checks of the {@code ocsp} setting.
 */
@RequiresBinary("nats-server")
class OcspStaplingDifferentialTest {
    private static OcspPki pki;
    private static int serial;

    @BeforeAll
    static void pki() throws Exception {
        pki = new OcspPki();
    }

    @AfterAll
    static void stop() {
        pki.close();
    }

    /** What a start showed: the refusal (stderr) or the OCSP log lines, and the stapled statuses seen. */
    record Outcome(String refused, List<String> ocspLines, List<String> staples) {
    }

    private static Path[] cert(boolean mustStaple, OcspPki.Status status) throws Exception {
        Path[] c = pki.server("s" + (++serial), mustStaple, false);
        pki.status(c[0], status);
        return c;
    }

    private static Path conf(String ocsp, Path[] cert, boolean withCa) throws Exception {
        Path f = pki.dir.resolve("c" + (++serial) + ".conf");
        Files.writeString(f, ocsp + "\nlisten: 127.0.0.1:-1\ntls {\n  cert_file: \"" + cert[0] + "\"\n  key_file: \""
                + cert[1] + "\"\n" + (withCa ? "  ca_file: \"" + pki.caFile() + "\"\n" : "") + "}\n");
        return f;
    }

    private static String normalize(String line) {
        return line.replaceAll("^\\[\\d+\\] \\S+ \\S+ ", "")
                .replaceAll("next update \\S+, checking again in \\S+", "next update T, checking again in D");
    }

    private static List<String> ocspLines(List<String> lines) {
        return lines.stream().filter(l -> l.contains("OCSP")).map(OcspStaplingDifferentialTest::normalize).toList();
    }

    private static List<String> staples(int port) throws Exception {
        List<String> out = new ArrayList<>();
        for (byte[] raw : OcspClient.staples(port, pki.caFile())) {
            BasicOCSPResp basic = (BasicOCSPResp) OcspPki.parse(raw).getResponseObject();
            CertificateStatus s = basic.getResponses()[0].getCertStatus();
            out.add(s == CertificateStatus.GOOD ? "good" : s instanceof RevokedStatus ? "revoked" : "unknown");
        }
        return out;
    }

    /** nats-server with {@code conf}: refused, or running until its OCSP lines are there and a client looked. */
    private static Outcome theirs(Path conf, int expectedOcspLines) throws Exception {
        int port = Ports.free();
        Path log = conf.resolveSibling(conf.getFileName() + ".ref.log");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Waits.upTo("nats-server starts or refuses", Duration.ofSeconds(20)).until(() -> !p.isAlive()
                    || Files.readString(log).contains("Server is ready"));
            if (!p.isAlive()) {
                return new Outcome(Files.readString(log), List.of(), List.of());
            }
            Waits.upTo("nats-server's OCSP lines", Duration.ofSeconds(20)).until(
                    () -> ocspLines(Files.readAllLines(log)).size() >= expectedOcspLines);
            List<String> staples = staples(port);
            return new Outcome(null, ocspLines(Files.readAllLines(log)), staples);
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Ours with {@code conf}: through the command line's start when nats-server refused, else in-process. */
    private static Outcome ours(Path conf, boolean refuses, int expectedOcspLines) throws Exception {
        if (refuses) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = NatsServerMainAccess.run(new String[] {"-c", conf.toString()},
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(exit).isEqualTo(1);
            return new Outcome(err.toString(StandardCharsets.UTF_8), List.of(), List.of());
        }
        try (RunningServer s = RunningServer.fromConfigFile(conf)) {
            CapturingLog log = s.log();
            Waits.upTo("our OCSP lines", Duration.ofSeconds(20)).until(
                    () -> ocspLines(log.lines()).size() >= expectedOcspLines);
            List<String> staples = staples(s.port());
            return new Outcome(null, ocspLines(log.lines()), staples);
        }
    }

    private static void same(Path conf, int ocspLines, Outcome expected) throws Exception {
        Outcome t = theirs(conf, ocspLines);
        Outcome o = ours(conf, t.refused() != null, ocspLines);
        assertThat(o).isEqualTo(t);
        assertThat(t).isEqualTo(expected);
    }

    private static String enabled() {
        return "[INF] OCSP Stapling enabled for Client connections";
    }

    private static String found(Path[] cert) {
        return "[INF] Found OCSP status for Client certificate at '" + cert[0] + "': good, next update T, checking again in D";
    }

    @Test
    void mustStapleCertificateIsStapledWithoutAnyOcspSetting() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        same(conf("", c, true), 2, new Outcome(null, List.of(enabled(), found(c)), List.of("good")));
    }

    @Test
    void autoStaplesAMustStapleCertificateAndNotAPlainOne() throws Exception {
        Path[] ms = cert(true, OcspPki.Status.GOOD);
        same(conf("ocsp: true", ms, true), 2, new Outcome(null, List.of(enabled(), found(ms)), List.of("good")));
        Path[] plain = cert(false, OcspPki.Status.GOOD);
        same(conf("ocsp { mode: auto }", plain, true), 0, new Outcome(null, List.of(), List.of()));
    }

    @Test
    void alwaysStaplesAPlainCertificate() throws Exception {
        Path[] c = cert(false, OcspPki.Status.GOOD);
        same(conf("ocsp { mode: always }", c, true), 2, new Outcome(null, List.of(enabled(), found(c)), List.of("good")));
    }

    @Test
    void mustWithoutTheMustStapleExtensionStartsWithoutStapling() throws Exception {
        Path[] c = cert(false, OcspPki.Status.GOOD);
        same(conf("ocsp { mode: must }", c, true), 0, new Outcome(null, List.of(), List.of()));
    }

    @Test
    void neverStaplesNothingEvenForAMustStapleCertificate() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        same(conf("ocsp: false", c, true), 0, new Outcome(null, List.of(), List.of()));
    }

    @Test
    void revokedCertificateRefusesTheStartInMustAndAlways() throws Exception {
        Path[] c = cert(true, OcspPki.Status.REVOKED);
        String refusal = "nats-server: found existing OCSP status for certificate at '" + c[0] + "': revoked\n";
        same(conf("ocsp { mode: must }", c, true), 0, new Outcome(refusal, List.of(), List.of()));
        Path[] plain = cert(false, OcspPki.Status.REVOKED);
        same(conf("ocsp { mode: always }", plain, true), 0, new Outcome(
                "nats-server: found existing OCSP status for certificate at '" + plain[0] + "': revoked\n",
                List.of(), List.of()));
    }

    @Test
    void revokedMustStapleCertificateInAutoStartsStaplingRevokedAndSaysSo() throws Exception {
        Path[] c = cert(true, OcspPki.Status.REVOKED);
        same(conf("ocsp { mode: auto }", c, true), 2, new Outcome(null, List.of(enabled(),
                "[ERR] Received OCSP status for Client certificate '" + c[0] + "': revoked"), List.of("revoked")));
    }

    @Test
    void responderDownRefusesTheStartWithTheRequestUrl() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        Path conf = conf("ocsp { mode: always, url: \"http://127.0.0.1:1/\" }", c, true);
        Outcome t = theirs(conf, 0);
        assertThat(t.refused()).startsWith("nats-server: bad OCSP status update for certificate at '" + c[0]
                + "': exhausted ocsp servers: Get \"http://127.0.0.1:1/").endsWith(
                "\": dial tcp 127.0.0.1:1: connect: connection refused\n");
        assertThat(ours(conf, true, 0)).isEqualTo(t); // the same request, byte for byte, in the URL
    }

    @Test
    void issuerNeededInTheChainOrCaFile() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        same(conf("", c, false), 0, new Outcome("nats-server: ocsp ca required in chain or configuration\n",
                List.of(), List.of()));
        Path[] chained = pki.server("chained" + (++serial), true, true);
        same(conf("", chained, false), 2, new Outcome(null, List.of(enabled(), found(chained)), List.of("good")));
    }

    /** The lines a revocation while running is compared by (good refreshes before it depend on timing). */
    private static boolean revocationLine(String l) {
        return (l.contains("OCSP") && !l.startsWith("[INF] Received OCSP status")) || l.contains("Shutdown")
                || l.contains("Exiting");
    }

    @Test
    void revocationWhileRunningShutsDownInAlwaysMode() throws Exception {
        Duration before = pki.validity;
        pki.validity = Duration.ofSeconds(4); // checked again after 2 s
        try {
            Path[] c = cert(false, OcspPki.Status.GOOD);
            Path conf = conf("ocsp { mode: always }", c, true);
            String revoked = "[ERR] Received OCSP status for Client certificate '" + c[0] + "': revoked";
            // theirs
            int port = Ports.free();
            Path log = conf.resolveSibling("running.ref.log");
            Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-p",
                    Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Waits.upTo(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("Found OCSP status"));
                pki.status(c[0], OcspPki.Status.REVOKED);
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            int theirExit = p.exitValue();
            List<String> theirLines = Files.readAllLines(log).stream().map(OcspStaplingDifferentialTest::normalize)
                    .filter(OcspStaplingDifferentialTest::revocationLine).toList();
            assertThat(theirLines).containsSubsequence(revoked, "[INF] Initiating Shutdown...", "[INF] Server Exiting..");
            // ours
            pki.status(c[0], OcspPki.Status.GOOD);
            try (RunningServer s = RunningServer.fromConfigFile(conf)) {
                Waits.upTo(Duration.ofSeconds(20)).until(() -> s.log().contains("Found OCSP status"));
                pki.status(c[0], OcspPki.Status.REVOKED);
                Waits.upTo("our shutdown", Duration.ofSeconds(20)).until(() -> s.log().contains("Server Exiting.."));
                List<String> ourLines = s.log().lines().stream().map(OcspStaplingDifferentialTest::normalize)
                        .filter(OcspStaplingDifferentialTest::revocationLine).toList();
                assertThat(ourLines).isEqualTo(theirLines);
            }
            // and the process ends with nats-server's exit status
            pki.status(c[0], OcspPki.Status.GOOD);
            int asked = pki.requests.get();
            java.util.concurrent.CompletableFuture<Integer> ourExit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> NatsServerMainAccess.run(new String[] {"-c", conf.toString(), "-p", "-1"},
                            new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
            // the start fetches the good response; the monitor asks again 2 s later and hears "revoked"
            Waits.upTo(Duration.ofSeconds(20)).until(() -> pki.requests.get() > asked);
            assertThat(ourExit).isNotDone();
            pki.status(c[0], OcspPki.Status.REVOKED);
            assertThat(ourExit.get(20, TimeUnit.SECONDS)).isEqualTo(theirExit);
        } finally {
            pki.validity = before;
        }
    }

    @Test
    void routeGatewayAndLeafnodeCertificatesAreMonitoredToo() throws Exception {
        Path[] c = cert(false, OcspPki.Status.GOOD);
        String tls = "tls {\n  cert_file: \"" + c[0] + "\"\n  key_file: \"" + c[1] + "\"\n  ca_file: \"" + pki.caFile()
                + "\"\n}\n";
        Path f = pki.dir.resolve("kinds" + (++serial) + ".conf");
        Files.writeString(f, "ocsp { mode: always }\nlisten: 127.0.0.1:-1\n" + tls
                + "cluster {\n  name: c\n  listen: 127.0.0.1:" + Ports.free() + "\n  " + tls + "}\n"
                + "gateway {\n  name: c\n  listen: 127.0.0.1:" + Ports.free() + "\n  " + tls + "}\n"
                + "leafnodes {\n  listen: 127.0.0.1:" + Ports.free() + "\n  " + tls + "}\n"
                + "accounts { SYS { users: [{user: s, password: s}] } }\nsystem_account: SYS\n");
        String found = "': good, next update T, checking again in D";
        List<String> lines = new ArrayList<>();
        for (String kind : List.of("Client", "Router", "Leafnode", "Gateway")) {
            lines.add("[INF] OCSP Stapling enabled for " + kind + " connections");
        }
        Outcome t = theirs(f, 8);
        Outcome o = ours(f, false, 8);
        assertThat(o.staples()).isEqualTo(t.staples()).containsExactly("good");
        assertThat(o.ocspLines().subList(0, 4)).isEqualTo(t.ocspLines().subList(0, 4)).isEqualTo(lines);
        // the four first checks run side by side: their order varies, in nats-server too
        assertThat(o.ocspLines().subList(4, 8)).containsExactlyInAnyOrderElementsOf(t.ocspLines().subList(4, 8));
        for (String kind : List.of("Client", "Router", "Leafnode", "Gateway")) {
            assertThat(o.ocspLines()).contains("[INF] Found OCSP status for " + kind + " certificate at '" + c[0] + found);
        }
    }

    /** The responses' thisUpdate times a client saw stapled, for telling a refreshed response from the first. */
    private static java.util.Date thisUpdate(int port) throws Exception {
        byte[] raw = OcspClient.staples(port, pki.caFile()).get(0);
        return ((BasicOCSPResp) OcspPki.parse(raw).getResponseObject()).getResponses()[0].getThisUpdate();
    }

    @Test
    void responseIsRefreshedAtHalfItsValidityAndTheNewOneStapled() throws Exception {
        Duration before = pki.validity;
        pki.validity = Duration.ofSeconds(6); // thisUpdate 5 s back: checked again after 3 s
        try {
            Path[] c = cert(true, OcspPki.Status.GOOD);
            Path conf = conf("ocsp: true", c, true);
            String received = "[INF] Received OCSP status for Client certificate '" + c[0]
                    + "': good, next update T, checking again in D";
            int port = Ports.free();
            Path log = conf.resolveSibling("refresh.ref.log");
            Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-p",
                    Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            List<String> theirLines;
            try {
                Waits.upTo(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("Found OCSP status"));
                java.util.Date first = thisUpdate(port);
                Waits.upTo(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("Received OCSP status"));
                assertThat(thisUpdate(port)).isAfter(first);
                theirLines = ocspLines(Files.readAllLines(log)).subList(0, 3);
            } finally {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            assertThat(theirLines).containsExactly(enabled(), found(c), received);
            try (RunningServer s = RunningServer.fromConfigFile(conf)) {
                Waits.upTo(Duration.ofSeconds(20)).until(() -> s.log().contains("Found OCSP status"));
                java.util.Date first = thisUpdate(s.port());
                Waits.upTo(Duration.ofSeconds(20)).until(() -> s.log().contains("Received OCSP status"));
                assertThat(thisUpdate(s.port())).isAfter(first);
                assertThat(ocspLines(s.log().lines()).subList(0, 3)).isEqualTo(theirLines);
            }
        } finally {
            pki.validity = before;
        }
    }

    @Test
    void storeDirKeepsTheResponseForAStartWhileTheResponderIsDown() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        String key = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                        Files.newInputStream(c[0])).getEncoded()));
        for (String who : List.of("theirs", "ours")) {
            Path store = Files.createTempDirectory(pki.dir, "store-" + who);
            String js = "jetstream { store_dir: \"" + store + "\" }\n";
            Path up = conf(js + "ocsp { mode: must }", c, true);
            Outcome first = who.equals("theirs") ? theirs(up, 2) : ours(up, false, 2);
            assertThat(first.staples()).containsExactly("good");
            assertThat(store.resolve("ocsp").resolve(key)).as(who).exists();
            // the responder "down": a URL nobody answers; the stored response is still valid
            Path down = conf(js + "ocsp { mode: must, url: \"http://127.0.0.1:1\" }", c, true);
            Outcome second = who.equals("theirs") ? theirs(down, 2) : ours(down, false, 2);
            assertThat(second).as(who).isEqualTo(new Outcome(null, List.of(enabled(), found(c)), List.of("good")));
        }
    }

    @Test
    void jnatsClientsWithCertificatesUseTheStaplingListener() throws Exception {
        Path[] c = cert(true, OcspPki.Status.GOOD);
        Path[] client = pki.server("client" + (++serial), false, false);
        Path f = pki.dir.resolve("verify" + (++serial) + ".conf");
        Files.writeString(f, "ocsp: true\nlisten: 127.0.0.1:-1\ntls {\n  cert_file: \"" + c[0] + "\"\n  key_file: \""
                + c[1] + "\"\n  ca_file: \"" + pki.caFile() + "\"\n  verify: true\n}\n");
        javax.net.ssl.SSLContext ctx = pki.clientContext(client);
        try (RunningServer s = RunningServer.fromConfigFile(f);
             io.nats.client.Connection nc = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                     .server("tls://127.0.0.1:" + s.port()).sslContext(ctx).build())) {
            io.nats.client.Subscription sub = nc.subscribe("ocsp");
            nc.publish("ocsp", "stapled".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(sub.nextMessage(Duration.ofSeconds(5)).getData(), StandardCharsets.UTF_8))
                    .isEqualTo("stapled");
        }
        // and without a client certificate the handshake fails, as it does on the JDK engine
        try (RunningServer s = RunningServer.fromConfigFile(f)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.nats.client.Nats.connect(
                    new io.nats.client.Options.Builder().server("tls://127.0.0.1:" + s.port())
                            .sslContext(pki.clientContext(null)).maxReconnects(0).build()))
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void httpsMonitoringStaplesTheClientCertificateToo() throws Exception {
        Path[] c = cert(false, OcspPki.Status.GOOD);
        int https = Ports.free();
        Path conf = pki.dir.resolve("https" + (++serial) + ".conf");
        Files.writeString(conf, "ocsp { mode: always }\nlisten: 127.0.0.1:-1\nhttps: 127.0.0.1:" + https
                + "\ntls {\n  cert_file: \"" + c[0] + "\"\n  key_file: \"" + c[1] + "\"\n  ca_file: \""
                + pki.caFile() + "\"\n}\n");
        Path log = conf.resolveSibling("https.ref.log");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-p",
                Integer.toString(Ports.free())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int theirs;
        try {
            Waits.upTo(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("Server is ready"));
            theirs = OcspClient.staplesTlsFirst(https, pki.caFile()).size();
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(theirs).isEqualTo(1);
        try (RunningServer s = RunningServer.fromConfigFile(conf)) {
            assertThat(OcspClient.staplesTlsFirst(https, pki.caFile())).hasSize(theirs);
        }
    }

    @Test
    void websocketListenerDoesNotStaple() throws Exception {
        Path[] c = cert(false, OcspPki.Status.GOOD);
        int ws = Ports.free();
        String tls = "tls {\n  cert_file: \"" + c[0] + "\"\n  key_file: \"" + c[1] + "\"\n  ca_file: \""
                + pki.caFile() + "\"\n}\n";
        Path conf = pki.dir.resolve("ws" + (++serial) + ".conf");
        Files.writeString(conf, "ocsp { mode: always }\nlisten: 127.0.0.1:-1\n" + tls
                + "websocket {\n  listen: 127.0.0.1:" + ws + "\n  " + tls + "}\n");
        Path log = conf.resolveSibling("ws.ref.log");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-p",
                Integer.toString(Ports.free())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int theirs;
        try {
            Waits.upTo(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains("Server is ready"));
            theirs = OcspClient.staplesTlsFirst(ws, pki.caFile()).size();
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(theirs).isZero();
        try (RunningServer s = RunningServer.fromConfigFile(conf)) {
            assertThat(OcspClient.staplesTlsFirst(ws, pki.caFile())).hasSize(theirs);
        }
    }

    @Test
    void configChecksMatch() throws Exception {
        String[] confs = {"ocsp: true", "ocsp: false", "OCSP: true", "ocsp: \"x\"", "ocsp: 5", "ocsp: 1.5", "ocsp: [\"a\"]",
            "ocsp {}", "ocsp { mode: always }", "ocsp { mode: MUST, url: \"http://127.0.0.1:1\" }", "ocsp { mode: Never }",
            "ocsp { mode: bogus }", "ocsp { mode: 3 }", "ocsp { urls: [\"http://a\", \"http://b\"] }",
            "ocsp { urls: \"http://a\" }", "ocsp { url: 5 }", "ocsp { foo: 1 }", "ocsp { Mode: always }",
            "ocsp {\n  mode: auto\n  foo: 1\n}"};
        for (String text : confs) {
            Path f = pki.dir.resolve("t" + (++serial) + ".conf");
            Files.writeString(f, text + "\n");
            Process p = new ProcessBuilder("/usr/sbin/nats-server", "-t", "-c", f.toString()).redirectErrorStream(true)
                    .start();
            String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int theirExit = p.waitFor();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int ourExit = NatsServerMainAccess.run(new String[] {"-t", "-c", f.toString()},
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(err.toString(StandardCharsets.UTF_8)).as(text).isEqualTo(theirs);
            assertThat(ourExit).as(text).isEqualTo(theirExit);
        }
    }
}
