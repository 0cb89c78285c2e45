package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.auth.Permissions.SubjectPermission;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.monitor.ConnInfo;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NKey users: key decoding (checked against keys and signatures made by jnats' own NKey implementation), the INFO
 * nonce, CONNECT {@code nkey}/{@code sig} verification, the jnats client's nkey authentication end to end, and the
 * same raw sessions, configuration errors and log lines as the real nats-server 2.9.10.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NkeyAuthTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NONCE = Pattern.compile("\"client_ip\":\"127\\.0\\.0\\.1\",\"nonce\":\"([A-Za-z0-9_-]{15})\"} ");

    private static NKey user() throws Exception {
        return NKey.createUser(RANDOM);
    }

    private static String pub(NKey k) throws Exception {
        return new String(k.getPublicKey());
    }

    @Test
    void decodesAndValidatesKeysMadeByJnats() throws Exception {
        for (int i = 0; i < 20; i++) {
            NKey k = user();
            String key = pub(k);
            byte[] raw = NKeys.decodeUserPublicKey(key);
            byte[] spki = k.getKeyPair().getPublic().getEncoded();
            assertThat(raw).isEqualTo(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length));
            assertThat(NKeys.isValidPublicUserKey(key)).isTrue();
            char[] changed = key.toCharArray();
            changed[10] = changed[10] == 'A' ? 'B' : 'A';
            assertThat(NKeys.isValidPublicUserKey(new String(changed))).as("checksum catches %s", new String(changed))
                    .isFalse();
        }
        NKey user = user();
        assertThat(NKeys.isValidPublicUserKey(new String(user.getSeed()))).as("a seed is no public key").isFalse();
        assertThat(NKeys.isValidPublicUserKey(new String(NKey.createAccount(RANDOM).getPublicKey())))
                .as("an account key is no user key").isFalse();
        assertThat(NKeys.isValidPublicUserKey("U")).isFalse();
        assertThat(NKeys.isValidPublicUserKey("")).isFalse();
        assertThat(NKeys.isValidPublicUserKey(pub(user).toLowerCase())).isFalse();
    }

    @Test
    void verifiesSignaturesOfTheNonce() throws Exception {
        NKey k = user();
        String nonce = NKeys.nonce();
        assertThat(nonce).matches("[A-Za-z0-9_-]{15}");
        assertThat(NKeys.nonce()).isNotEqualTo(nonce);
        byte[] sig = k.sign(nonce.getBytes(StandardCharsets.US_ASCII));
        assertThat(NKeys.verify(pub(k), nonce, Base64.getUrlEncoder().withoutPadding().encodeToString(sig))).isTrue();
        assertThat(NKeys.verify(pub(k), nonce, Base64.getEncoder().encodeToString(sig))).as("standard base64").isTrue();
        assertThat(NKeys.verify(pub(k), nonce + "x", Base64.getUrlEncoder().encodeToString(sig))).isFalse();
        assertThat(NKeys.verify(pub(user()), nonce, Base64.getUrlEncoder().encodeToString(sig))).isFalse();
        sig[0] ^= 1;
        assertThat(NKeys.verify(pub(k), nonce, Base64.getUrlEncoder().encodeToString(sig))).isFalse();
        assertThat(NKeys.verify(pub(k), nonce, "not base64 !")).isFalse();
        assertThat(NKeys.verify(pub(k), nonce, "")).isFalse();
        assertThat(NKeys.verify(pub(k), nonce, "AAAA")).as("too short").isFalse();
    }

    private static Connection connect(RunningServer s, NKey key, BlockingQueue<String> errors) throws Exception {
        Options.Builder o = new Options.Builder().server(s.url()).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5))
                .authHandler(Nats.staticCredentials(null, key.getSeed()));
        if (errors != null) {
            o.errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                }
            });
        }
        return Nats.connect(o.build());
    }

    @Test
    void jnatsAuthenticatesWithItsNkey() throws Exception {
        NKey alice = user();
        NKey stranger = user();
        Permissions onlyFoo = new Permissions(new SubjectPermission(List.of("foo.>"), List.of()), null, null);
        String alicePub = pub(alice);
        try (RunningServer s = RunningServer.start(b -> b.users(List.of(User.ofNkey(alicePub, onlyFoo),
                new User("bob", "pw", null))))) {
            BlockingQueue<String> errors = new LinkedBlockingQueue<>();
            try (Connection a = connect(s, alice, errors);
                    Connection bob = Nats.connect(new Options.Builder().server(s.url()).userInfo("bob", "pw")
                            .maxReconnects(0).build())) {
                io.nats.client.Subscription sub = bob.subscribe("foo.>");
                bob.flush(Duration.ofSeconds(5));
                a.publish("bar", new byte[0]);
                a.publish("foo.ok", "hi".getBytes(StandardCharsets.UTF_8));
                a.flush(Duration.ofSeconds(5));
                assertThat(errors.poll(5, TimeUnit.SECONDS)).isEqualTo("Permissions Violation for Publish to \"bar\"");
                assertThat(sub.nextMessage(Duration.ofSeconds(5)).getSubject()).isEqualTo("foo.ok");
                List<ConnInfo> conns = s.server().snapshots().connz(new ConnzOptions("", true, false,
                        false, 0, 0, 0, null, "", "", "", "")).connections();
                assertThat(conns).extracting(ConnInfo::authorizedUser).contains(pub(alice), "bob");
            }
            assertThatThrownBy(() -> connect(s, stranger, null)).hasMessageContaining("Authorization Violation");
            assertThat(s.log().contains("authentication error - Nkey \"" + pub(stranger) + "\"")).isTrue();
        }
    }

    @Test
    void infoCarriesANonceOnlyWithNkeyUsers() throws Exception {
        NKey k = user();
        String kPub = pub(k);
        try (RunningServer plain = RunningServer.start(b -> b.users(List.of(new User("bob", "pw", null))));
                RunningServer nk = RunningServer.start(b -> b.users(List.of(User.ofNkey(kPub, null))))) {
            try (RawClient c = new RawClient(plain.port())) {
                assertThat(c.readInfo()).doesNotContain("nonce");
            }
            String first;
            try (RawClient c = new RawClient(nk.port())) {
                first = nonceOf(c.readInfo());
            }
            try (RawClient c = new RawClient(nk.port())) {
                String info = c.readInfo();
                assertThat(nonceOf(info)).as("a nonce per connection").isNotEqualTo(first);
                String sig = Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(k.sign(nonceOf(info).getBytes(StandardCharsets.US_ASCII)));
                c.send("CONNECT {\"verbose\":true,\"nkey\":\"" + pub(k) + "\",\"sig\":\"" + sig + "\"}\r\nPING\r\n");
                assertThat(c.readLine()).isEqualTo("+OK\r\n");
                assertThat(c.readLine()).isEqualTo("PONG\r\n");
            }
            try (RawClient c = new RawClient(nk.port())) {
                c.readInfo();
                String sig = Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(k.sign(first.getBytes(StandardCharsets.US_ASCII)));
                c.send("CONNECT {\"nkey\":\"" + pub(k) + "\",\"sig\":\"" + sig + "\"}\r\nPING\r\n");
                assertThat(c.readUntilClose(5000)).as("a signature of another connection's nonce")
                        .isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
            }
        }
    }

    private static String nonceOf(String info) {
        Matcher m = NONCE.matcher(info);
        assertThat(m.find()).as("nonce after client_ip in %s", info).isTrue();
        return m.group(1);
    }

    @Test
    void nkeyUsersBelongToTheirAccount() throws Exception {
        NKey a1 = user();
        NKey a2 = user();
        NKey b1 = user();
        Path conf = Files.createTempDirectory("nkey-acc").resolve("acc.conf");
        Files.writeString(conf, "accounts {\n  A: { users: [ {nkey: \"" + pub(a1) + "\"}, {nkey: \"" + pub(a2)
                + "\"} ] }\n  B: { users: [ {nkey: \"" + pub(b1) + "\"} ] }\n}\n");
        try (RunningServer s = RunningServer.start(b -> load(conf, b));
                Connection ca1 = connect(s, a1, null); Connection ca2 = connect(s, a2, null);
                Connection cb1 = connect(s, b1, null)) {
            io.nats.client.Subscription inA = ca2.subscribe("news");
            io.nats.client.Subscription inB = cb1.subscribe("news");
            ca2.flush(Duration.ofSeconds(5));
            cb1.flush(Duration.ofSeconds(5));
            ca1.publish("news", "for A".getBytes(StandardCharsets.UTF_8));
            ca1.flush(Duration.ofSeconds(5));
            assertThat(new String(inA.nextMessage(Duration.ofSeconds(5)).getData(), StandardCharsets.UTF_8))
                    .isEqualTo("for A");
            Deliveries.assertNothingMore(cb1, inB, "account B does not see A's subjects");
        }
    }

    // ---- Against nats-server 2.9.10 -------------------------------------------------------

    @RequiresBinary("nats-server")
    @Test
    void sameAnswersAndConfigErrorsAsNatsServer() throws Exception {
        NKey alice = user();
        Path dir = Files.createTempDirectory("nkey-diff");
        Path conf = dir.resolve("nkey.conf");
        Files.writeString(conf, "authorization { users = [ {nkey: \"" + pub(alice) + "\", permissions: {publish: "
                + "\"foo\"}}, {user: bob, password: pw} ] }\n");
        int refPort = Ports.free();
        Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        try (RunningServer ours = RunningServer.start(b -> load(conf, b))) {
            Ports.awaitListening(refPort);
            String wrongKey = pub(user());
            List<String[]> sessions = List.of(
                    new String[] {"CONNECT {\"verbose\":true,\"nkey\":\"%PUB%\",\"sig\":\"%SIG%\"}", "PUB foo 0", "",
                            "PUB bar 0", ""},
                    new String[] {"CONNECT {\"nkey\":\"%PUB%\",\"sig\":\"%BADSIG%\"}"},
                    new String[] {"CONNECT {\"nkey\":\"%PUB%\"}"},
                    new String[] {"CONNECT {\"nkey\":\"" + wrongKey + "\",\"sig\":\"%SIG%\"}"},
                    new String[] {"CONNECT {\"nkey\":\"UAAA\",\"sig\":\"xx\"}"},
                    new String[] {"CONNECT {\"user\":\"bob\",\"pass\":\"bad\"}"},
                    new String[] {"CONNECT {\"verbose\":true,\"user\":\"bob\",\"pass\":\"pw\"}"},
                    new String[] {"CONNECT {\"verbose\":true,\"user\":\"bob\",\"pass\":\"pw\",\"nkey\":\"%PUB%\","
                            + "\"sig\":\"%SIG%\"}", "PUB bar 0", ""});
            for (String[] lines : sessions) {
                String theirs = session(refPort, alice, lines);
                String mine = session(ours.port(), alice, lines);
                assertThat(mine).as(String.join(" | ", lines)).isEqualTo(theirs);
            }
            String refLog = Files.readString(dir.resolve("ref.log"));
            for (String line : List.of("authentication error - Nkey \"" + wrongKey + "\"",
                    "authentication error - Nkey \"\"", "authentication error - Nkey \"UAAA\"",
                    "Publish Violation - Nkey \"" + pub(alice) + "\", Subject \"bar\"")) {
                assertThat(refLog).contains(line);
                assertThat(ours.log().contains(line)).as(line).isTrue();
            }
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
        // Configuration errors: same positions and texts.
        String badKey = pub(alice).substring(0, 55) + (pub(alice).endsWith("A") ? "B" : "A");
        for (String users : List.of("{nkey: \"" + badKey + "\"}", "{nkey: \"" + new String(alice.getSeed()) + "\"}",
                "{nkey: \"" + pub(alice) + "\", user: \"x\", password: \"y\"}")) {
            Path bad = dir.resolve("bad.conf");
            Files.writeString(bad, "authorization { users = [ " + users + " ] }\n");
            Process p = new ProcessBuilder(NATS_SERVER.toString(), "-c", bad.toString(), "-p", "-1")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            ConfigFileOptions.Outcome o = ConfigFileOptions.load(bad.toString(), ServerOptions.builder());
            assertThat(out).startsWith("nats-server: ");
            String theirs = out.lines().findFirst().orElseThrow() + "\n";
            String mine = "nats-server: " + o.message();
            if (users.contains("password")) {
                // nats-server points at the last field its (randomly ordered) map walk visited: any of them
                theirs = theirs.replaceFirst(":\\d+:\\d+: ", ":L:C: ");
                mine = mine.replaceFirst(":\\d+:\\d+: ", ":L:C: ");
            }
            assertThat(mine).as(users).isEqualTo(theirs);
        }
    }

    private static ServerOptions.Builder load(Path conf, ServerOptions.Builder b) {
        try {
            assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return b.host("127.0.0.1").port(0);
    }

    /** One session: the nonce from INFO is signed by {@code key}; returns everything until PONG or close. */
    private static String session(int port, NKey key, String... lines) throws Exception {
        try (RawClient c = new RawClient(port)) {
            String nonce = nonceOf(c.readInfo());
            byte[] sig = key.sign(nonce.getBytes(StandardCharsets.US_ASCII));
            String good = Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
            sig[5] ^= 1;
            String badSig = Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
            StringBuilder in = new StringBuilder();
            for (String l : lines) {
                in.append(l.replace("%PUB%", pub(key)).replace("%SIG%", good).replace("%BADSIG%", badSig))
                        .append("\r\n");
            }
            c.send(in + "PING\r\n");
            StringBuilder out = new StringBuilder();
            String line;
            while ((line = c.readLine()) != null) {
                out.append(line);
                if (line.equals("PONG\r\n")) {
                    break;
                }
            }
            return out.toString();
        }
    }
}
