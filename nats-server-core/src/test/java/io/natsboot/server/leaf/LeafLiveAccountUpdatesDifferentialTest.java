package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Account JWT updates pushed over {@code $SYS.REQ.CLAIMS.UPDATE} while leaf connections are bound to the account
 * (operator mode, full resolver), the same scenario against nats-server 2.9.10 and ours: the leaves are fake spokes
 * speaking the leaf protocol on a raw socket, logged in with a user JWT. A revoked leaf user, a removed signing key
 * and a lowered connection limit close the leaf as nats-server does; mappings and imports changed apply to what the
 * leaf sends and gets at once. What the leaves and clients read must be the same byte for byte.
 */
@RequiresBinary("nats-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeafLiveAccountUpdatesDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private Process reference;
    private Path refLog;
    private int refPort;
    private int refLeafPort;
    private RunningServer ours;
    private int ourLeafPort;
    private Connection refSys;
    private Connection ourSys;

    @BeforeAll
    void start() throws Exception {
        for (boolean ref : new boolean[] {true, false}) {
            Path dir = Files.createTempDirectory("leaf-live-updates");
            Path op = dir.resolve("op.jwt");
            Files.writeString(op, chain.operatorJwt());
            int leafPort = Ports.free();
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                    + "\nresolver: {type: full, dir: \"" + dir.resolve("jwt") + "\"}\nresolver_preload: {\n  "
                    + sys.publicKey() + ": \"" + sys.jwt() + "\"\n}\nleafnodes { listen: \"127.0.0.1:" + leafPort
                    + "\" }\n");
            TrustChain.User su = sys.user(ref ? "sys-ref" : "sys-ours");
            if (ref) {
                refPort = Ports.free();
                refLeafPort = leafPort;
                refLog = dir.resolve("ref.log");
                reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1",
                        "-p", Integer.toString(refPort), "-DV").redirectErrorStream(true)
                        .redirectOutput(refLog.toFile()).start();
                Ports.awaitListening(refPort);
                Ports.awaitListening(refLeafPort);
                refSys = connect(refPort, su);
            } else {
                ourLeafPort = leafPort;
                ours = RunningServer.start(b -> {
                    try {
                        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                        return b.host("127.0.0.1").port(0);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                ourSys = connect(ours.port(), su);
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (Connection c : new Connection[] {refSys, ourSys}) {
            if (c != null) {
                c.close();
            }
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
        if (ours != null) {
            ours.close();
        }
    }

    private static Connection connect(int port, TrustChain.User u) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .maxReconnects(0).build());
    }

    /** One server under test: its client and leaf ports and how account JWTs are pushed to it. */
    private record Server(String who, int port, int leafPort, Connection sys) {
        void push(String jwt) throws Exception {
            Message m = sys.request("$SYS.REQ.CLAIMS.UPDATE", jwt.getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(3));
            assertThat(m).as(who + ": an answer to the update").isNotNull();
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).as(who).contains("\"jwt updated\"");
        }
    }

    interface Scenario {
        List<String> run(Server s) throws Exception;
    }

    private List<String> same(Scenario scenario) throws Exception {
        List<String> theirs = scenario.run(new Server("nats-server", refPort, refLeafPort, refSys));
        List<String> mine = scenario.run(new Server("NATS Boot", ours.port(), ourLeafPort, ourSys));
        assertThat(mine).as("NATS Boot, nats-server gave %s", theirs).isEqualTo(theirs);
        return theirs;
    }

    private static final String EXCEEDED = "-ERR 'maximum account active connections exceeded'\r\n<closed>";

    /**
     * A fake spoke logged in as {@code u} on the leaf port: CONNECT with the signed nonce, then everything the hub
     * sends first (its INFO, its interest) is read up to the PONG answering our PING.
     */
    static RawClient leafLogin(int leafPort, TrustChain.User u) throws Exception {
        RawClient c = new RawClient(leafPort);
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"jwt\":\"" + u.jwt() + "\",\"sig\":\"" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII)))
                + "\",\"name\":\"SPK" + u.name + "\",\"server_id\":\"NSPK" + u.name + "\",\"headers\":true}\r\nPING\r\n");
        String line;
        while ((line = c.readLine()) != null && !line.equals("PONG\r\n")) {
            if (line.startsWith("-ERR")) {
                return c;
            }
        }
        return c;
    }

    /** What a leaf logging in as {@code u} reads after its CONNECT (the hub's INFO and interest left out). */
    static String refusedLogin(int leafPort, TrustChain.User u) throws Exception {
        try (RawClient c = new RawClient(leafPort)) {
            String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            c.send("CONNECT {\"jwt\":\"" + u.jwt() + "\",\"sig\":\"" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII)))
                    + "\",\"name\":\"SPK" + u.name + "\",\"server_id\":\"NSPK" + u.name + "\",\"headers\":true}\r\n");
            StringBuilder out = new StringBuilder();
            String line;
            while ((line = c.readLine()) != null) {
                if (line.startsWith("INFO ")) {
                    c.send("PING\r\n");
                    continue;
                }
                if (line.equals("PONG\r\n")) {
                    return out + line;
                }
                if (!line.startsWith("LS+ ") && !line.equals("PING\r\n")) {
                    out.append(line);
                }
            }
            return out + "<closed>";
        }
    }

    /** The interest a leaf logging in as {@code u} gets first (LS+ lines but the loop-detection one, sorted). */
    static String leafBurst(int leafPort, TrustChain.User u) throws Exception {
        try (RawClient c = new RawClient(leafPort)) {
            String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            c.send("CONNECT {\"jwt\":\"" + u.jwt() + "\",\"sig\":\"" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII)))
                    + "\",\"name\":\"SPK" + u.name + "\",\"server_id\":\"NSPK" + u.name
                    + "\",\"headers\":true}\r\nPING\r\n");
            List<String> subs = new ArrayList<>();
            String line;
            while ((line = c.readLine()) != null && !line.equals("PONG\r\n")) {
                if (line.startsWith("LS+ ") && !line.startsWith("LS+ $LDS.")) {
                    subs.add(line);
                }
            }
            java.util.Collections.sort(subs);
            return String.join("", subs) + (line == null ? "<closed>" : "");
        }
    }

    /** A raw client logged in as {@code u}, PONG read. */
    static RawClient clientLogin(int port, TrustChain.User u) throws Exception {
        RawClient c = new RawClient(port);
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(
                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
        assertThat(c.readLine()).isEqualTo("PONG\r\n");
        return c;
    }

    /** Sends {@code ops} then PING; what comes back up to the PONG (hub interest lines left out), or the close. */
    static String roundTrip(RawClient c, String ops) throws Exception {
        c.send(ops + "PING\r\n");
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = c.readLine()) != null) {
            if (line.equals("PONG\r\n")) {
                return out + line;
            }
            if (line.startsWith("LS+ $LDS.") || line.startsWith("LS- $LDS.") || line.equals("PING\r\n")) {
                continue;
            }
            out.append(line);
        }
        return out + "<closed>";
    }

    /** What a leaf or client reads: the close with what came before it, or (still open) a PING round trip. */
    static String fate(RawClient c) throws Exception {
        String seen = c.readUntilClose(400).replace("PING\r\n", ""); // the hub's first ping comes any time
        return seen.endsWith("<open>") ? seen + roundTrip(c, "") : seen;
    }

    @Test
    void aRevokedLeafUserIsDisconnected() throws Exception {
        TrustChain.Account a = chain.account("REVOKE");
        TrustChain.User bad = a.user("bad");
        TrustChain.User good = a.user("good");
        List<String> transcript = same(s -> {
            a.nats.remove("revocations");
            s.push(a.jwt());
            try (RawClient l1 = leafLogin(s.leafPort(), bad); RawClient l2 = leafLogin(s.leafPort(), good)) {
                a.nats.put("revocations", Map.of(bad.publicKey(), System.currentTimeMillis() / 1000 + 1));
                s.push(a.jwt());
                List<String> out = new ArrayList<>();
                out.add(fate(l1));
                out.add(fate(l2));
                out.add(refusedLogin(s.leafPort(), bad));
                return out;
            }
        });
        assertThat(transcript).containsExactly("-ERR 'User Authentication Revoked'\r\n<closed>", "<open>PONG\r\n",
                "-ERR 'Authorization Violation'\r\n<closed>");
    }

    @Test
    void aRemovedSigningKeyDisconnectsItsLeafUsers() throws Exception {
        TrustChain.Account a = chain.account("SIGNER");
        TrustChain.User byIdentity = a.user("byid");
        byIdentity.signedByAccountIdentity = true;
        TrustChain.User bySigner = a.user("bysigner");
        List<String> transcript = same(s -> {
            a.nats.put("signing_keys", new ArrayList<>(List.of(TrustChain.pub(a.signer))));
            s.push(a.jwt());
            try (RawClient l1 = leafLogin(s.leafPort(), bySigner); RawClient l2 = leafLogin(s.leafPort(), byIdentity);
                 RawClient c = clientLogin(s.port(), bySigner)) {
                a.nats.put("signing_keys", new ArrayList<>());
                s.push(a.jwt());
                return List.of(fate(l1), fate(l2), fate(c));
            }
        });
        // the leaf and the client of the removed signing key are closed without a word
        assertThat(transcript).containsExactly("<closed>", "<open>PONG\r\n", "<closed>");
    }

    @Test
    void aLoweredLeafLimitAsNatsServer() throws Exception {
        TrustChain.Account a = chain.account("LEAFLIM");
        List<String> transcript = same(s -> {
            a.limits().put("leaf", 5);
            s.push(a.jwt());
            List<RawClient> leafs = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    leafs.add(leafLogin(s.leafPort(), a.user("l" + i)));
                }
                a.limits().put("leaf", 1);
                s.push(a.jwt());
                List<String> out = new ArrayList<>();
                for (RawClient l : leafs) {
                    out.add(fate(l));
                }
                out.add(refusedLogin(s.leafPort(), a.user("late")));
                return out;
            } finally {
                for (RawClient l : leafs) {
                    l.close();
                }
            }
        });
        // no leaf is closed by the update; a new one is refused
        assertThat(transcript).containsExactly("<open>PONG\r\n", "<open>PONG\r\n", "<open>PONG\r\n", EXCEEDED);
    }

    @Test
    void aLoweredConnectionLimitWithLeafs() throws Exception {
        TrustChain.Account a = chain.account("CONNLIM");
        List<String> transcript = same(s -> {
            a.limits().put("conn", 5);
            s.push(a.jwt());
            List<RawClient> all = new ArrayList<>();
            try {
                all.add(clientLogin(s.port(), a.user("c0")));
                all.add(leafLogin(s.leafPort(), a.user("l0")));
                all.add(clientLogin(s.port(), a.user("c1")));
                all.add(leafLogin(s.leafPort(), a.user("l1")));
                a.limits().put("conn", 1);
                s.push(a.jwt());
                List<String> out = new ArrayList<>();
                for (RawClient l : all) {
                    out.add(fate(l));
                }
                // the remaining leaf holds the one connection: a client logging in now
                try (RawClient late = new RawClient(s.port())) {
                    TrustChain.User u = a.user("late");
                    String nonce = late.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
                    late.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                            + Base64.getUrlEncoder().withoutPadding().encodeToString(
                                    u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
                    out.add(late.readUntilClose(400));
                }
                // a leaf logging in now is not held to the connection limit (only to the leaf limit)
                out.add(refusedLogin(s.leafPort(), a.user("lateleaf")));
                return out;
            } finally {
                for (RawClient l : all) {
                    l.close();
                }
            }
        });
        // clients and leafs together, newest kept; a new client is refused, a new leaf is not
        assertThat(transcript).containsExactly(EXCEEDED, EXCEEDED, EXCEEDED, "<open>PONG\r\n", EXCEEDED, "PONG\r\n");
    }

    @Test
    void mappingsChangeForLeafTraffic() throws Exception {
        TrustChain.Account m = chain.account("LMAP");
        List<String> transcript = same(s -> {
            m.nats.remove("mappings");
            s.push(m.jwt());
            try (RawClient leaf = leafLogin(s.leafPort(), m.user("leaf")); RawClient c = clientLogin(s.port(),
                    m.user("c"))) {
                List<String> out = new ArrayList<>();
                out.add(roundTrip(c, "SUB b 1\r\nSUB a 2\r\n"));
                out.add(roundTrip(leaf, "LMSG a 1\r\nx\r\n"));
                out.add(roundTrip(c, ""));
                m.nats.put("mappings", Map.of("a", List.of(Map.of("subject", "b", "weight", 100))));
                s.push(m.jwt());
                out.add(roundTrip(leaf, "LMSG a 1\r\ny\r\n"));
                out.add(roundTrip(c, ""));
                out.add(roundTrip(leaf, "LS+ q\r\n"));
                out.add(roundTrip(c, "PUB q 1\r\nz\r\n"));
                out.add(roundTrip(leaf, ""));
                m.nats.remove("mappings");
                s.push(m.jwt());
                out.add(roundTrip(leaf, "LMSG a 1\r\nw\r\n"));
                out.add(roundTrip(c, ""));
                return out;
            }
        });
        assertThat(transcript.get(4)).isEqualTo("MSG b 1 1\r\ny\r\nPONG\r\n");
    }

    @Test
    void importsChangeForLeafTraffic() throws Exception {
        TrustChain.Account e = chain.account("LEXP", n -> n.put("exports", List.of(
                Map.of("name", "events", "subject", "ev.>", "type", "stream"),
                Map.of("name", "svc", "subject", "svc.q", "type", "service"))));
        TrustChain.Account i = chain.account("LIMP");
        List<Map<String, Object>> both = List.of(
                Map.of("name", "ev", "subject", "ev.>", "account", e.publicKey(), "type", "stream"),
                Map.of("name", "svc", "subject", "svc.q", "account", e.publicKey(), "type", "service"));
        List<String> transcript = same(s -> {
            i.nats.remove("imports");
            s.push(e.jwt());
            s.push(i.jwt());
            try (RawClient exporter = clientLogin(s.port(), e.user("e"));
                 RawClient leaf = leafLogin(s.leafPort(), i.user("leaf"))) {
                List<String> out = new ArrayList<>();
                out.add(roundTrip(exporter, "SUB svc.q 1\r\n"));
                out.add(roundTrip(leaf, "LS+ ev.>\r\nLS+ _r.>\r\n"));
                out.add(roundTrip(exporter, "PUB ev.1 1\r\n1\r\n"));
                out.add(roundTrip(leaf, "LMSG svc.q _r.1 1\r\nq\r\n"));
                out.add(roundTrip(exporter, ""));
                i.nats.put("imports", both);
                s.push(i.jwt());
                out.add(roundTrip(exporter, "PUB ev.2 1\r\n2\r\n"));
                out.add(roundTrip(leaf, ""));
                out.add(roundTrip(leaf, "LMSG svc.q _r.2 1\r\nq\r\n"));
                out.add(roundTrip(exporter, "").replaceAll("_R_\\.[A-Za-z0-9]+\\.[A-Za-z0-9]+", "_R_.x.y"));
                // a leaf logging in now gets the service import as interest in the first burst
                out.add(leafBurst(s.leafPort(), i.user("leaf2")));
                i.nats.remove("imports");
                s.push(i.jwt());
                out.add(roundTrip(exporter, "PUB ev.3 1\r\n3\r\n"));
                out.add(roundTrip(leaf, "LMSG svc.q _r.3 1\r\nq\r\n"));
                out.add(roundTrip(exporter, ""));
                return out;
            }
        });
        assertThat(transcript.get(6)).isEqualTo("LS+ svc.q\r\nLMSG ev.2 1\r\n2\r\nPONG\r\n");
        assertThat(transcript.get(9)).contains("LS+ svc.q\r\n");
        assertThat(transcript.get(11)).isEqualTo("LS- svc.q\r\nPONG\r\n");
    }
}
