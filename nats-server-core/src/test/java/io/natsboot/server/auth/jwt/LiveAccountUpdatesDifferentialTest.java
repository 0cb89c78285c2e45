package io.natsboot.server.auth.jwt;

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
 * Account JWT updates pushed over {@code $SYS.REQ.CLAIMS.UPDATE} while users of the account are connected, the
 * same scenario against nats-server 2.9.10 and ours (full resolver, same trust chain): a lowered connection limit
 * closes the connections over it, mappings and stream and service imports added or removed apply to connected
 * clients at once. What the clients read must be the same byte for byte.
 */
@RequiresBinary("nats-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveAccountUpdatesDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private Process reference;
    private int refPort;
    private RunningServer ours;
    private Connection refSys;
    private Connection ourSys;

    @BeforeAll
    void start() throws Exception {
        String sysJwt = sys.jwt();
        for (boolean ref : new boolean[] {true, false}) {
            Path dir = Files.createTempDirectory("live-updates");
            Path op = dir.resolve("op.jwt");
            Files.writeString(op, chain.operatorJwt());
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                    + "\nresolver: {type: full, dir: \"" + dir.resolve("jwt") + "\"}\nresolver_preload: {\n  "
                    + sys.publicKey() + ": \"" + sysJwt + "\"\n}\n");
            TrustChain.User su = sys.user(ref ? "sys-ref" : "sys-ours");
            if (ref) {
                refPort = Ports.free();
                reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1",
                        "-p", Integer.toString(refPort)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ref.log").toFile()).start();
                Ports.awaitListening(refPort);
                refSys = connect(refPort, su);
            } else {
                ours = RunningServer.start(b -> {
                    try {
                        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                        return b;
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

    /** One server under test: its port and how account JWTs are pushed to it. */
    private record Server(String who, int port, Connection sys) {
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

    /** Runs {@code scenario} on both servers; the transcripts must be equal (and are returned). */
    private List<String> same(Scenario scenario) throws Exception {
        List<String> theirs = scenario.run(new Server("nats-server", refPort, refSys));
        List<String> mine = scenario.run(new Server("NATS Boot", ours.port(), ourSys));
        assertThat(mine).as("NATS Boot, nats-server gave %s", theirs).isEqualTo(theirs);
        return theirs;
    }

    /** A raw client logged in as {@code u} (CONNECT with the signed nonce, PONG read). */
    private static RawClient login(int port, TrustChain.User u) throws Exception {
        RawClient c = new RawClient(port);
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(
                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
        assertThat(c.readLine()).isEqualTo("PONG\r\n");
        return c;
    }

    /** Sends {@code ops} then PING; what comes back up to the PONG, or up to the close. */
    private static String roundTrip(RawClient c, String ops) throws Exception {
        c.send(ops + "PING\r\n");
        return OperatorModeDifferentialTest.untilPongOrClose(c);
    }

    @Test
    void aLoweredConnectionLimitClosesTheConnectionsOverIt() throws Exception {
        TrustChain.Account a = chain.account("CONN");
        List<String> transcript = same(s -> {
            a.limits().put("conn", 5);
            s.push(a.jwt());
            List<RawClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    clients.add(login(s.port(), a.user("c" + i)));
                }
                a.limits().put("conn", 2);
                s.push(a.jwt());
                List<String> out = new ArrayList<>();
                for (RawClient c : clients) {
                    // a closed client reads the -ERR and the close at once (nothing sent into a closed socket);
                    // one still open reads nothing for a moment, then answers a PING
                    String seen = c.readUntilClose(300);
                    out.add(seen.endsWith("<open>") ? seen + roundTrip(c, "") : seen);
                }
                // the account is full now: a new login is refused
                out.add(OperatorModeDifferentialTest.session(s.port(), a.user("late"), "", "", true));
                return out;
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        });
        // the two oldest go, the two newest stay
        assertThat(transcript).containsExactly(EXCEEDED, EXCEEDED, "<open>PONG\r\n", "<open>PONG\r\n", EXCEEDED);
    }

    private static final String EXCEEDED = "-ERR 'maximum account active connections exceeded'\r\n<closed>";

    @Test
    void mappingsChangeForConnectedClients() throws Exception {
        TrustChain.Account m = chain.account("MAP");
        same(s -> {
            m.nats.remove("mappings");
            s.push(m.jwt());
            try (RawClient c = login(s.port(), m.user("u"))) {
                List<String> out = new ArrayList<>();
                out.add(roundTrip(c, "SUB b 1\r\nSUB a 2\r\nPUB a 1\r\nx\r\n"));
                m.nats.put("mappings", Map.of("a", List.of(Map.of("subject", "b", "weight", 100))));
                s.push(m.jwt());
                out.add(roundTrip(c, "PUB a 1\r\ny\r\n"));
                m.nats.remove("mappings");
                s.push(m.jwt());
                out.add(roundTrip(c, "PUB a 1\r\nz\r\n"));
                return out;
            }
        });
    }

    @Test
    void streamAndServiceImportsAreRewiredForConnectedClients() throws Exception {
        TrustChain.Account e = chain.account("EXP", n -> n.put("exports", List.of(
                Map.of("name", "events", "subject", "ev.>", "type", "stream"),
                Map.of("name", "svc", "subject", "svc.q", "type", "service"))));
        TrustChain.Account i = chain.account("IMP");
        List<Map<String, Object>> both = List.of(
                Map.of("name", "ev", "subject", "ev.>", "account", e.publicKey(), "type", "stream"),
                Map.of("name", "svc", "subject", "svc.q", "account", e.publicKey(), "type", "service"));
        List<String> transcript = same(s -> {
            i.nats.remove("imports");
            s.push(e.jwt());
            s.push(i.jwt());
            try (RawClient exporter = login(s.port(), e.user("e")); RawClient importer = login(s.port(), i.user("i"))) {
                List<String> out = new ArrayList<>();
                out.add(roundTrip(exporter, "SUB svc.q 1\r\n"));
                out.add(roundTrip(importer, "SUB ev.> 1\r\nSUB _r.> 2\r\n"));
                out.add(roundTrip(exporter, "PUB ev.1 1\r\n1\r\n"));
                out.add(roundTrip(importer, "PUB svc.q _r.1 1\r\nq\r\n"));
                out.add(roundTrip(exporter, ""));
                // imports added: the stream and the service reach the connected importer
                i.nats.put("imports", both);
                s.push(i.jwt());
                out.add(roundTrip(exporter, "PUB ev.2 1\r\n2\r\n"));
                out.add(roundTrip(importer, "PUB svc.q _r.2 1\r\nq\r\n"));
                out.add(withoutReplyToken(roundTrip(exporter, "")));
                // imports removed again
                i.nats.remove("imports");
                s.push(i.jwt());
                out.add(roundTrip(exporter, "PUB ev.3 1\r\n3\r\n"));
                out.add(roundTrip(importer, "PUB svc.q _r.3 1\r\nq\r\n"));
                out.add(roundTrip(exporter, ""));
                return out;
            }
        });
        assertThat(transcript.get(6)).isEqualTo("MSG ev.2 1 1\r\n2\r\nPONG\r\n");
        assertThat(transcript.get(7)).isEqualTo("MSG svc.q 1 _R_.x.y 1\r\nq\r\nPONG\r\n");
        assertThat(transcript.subList(8, 11)).containsOnly("PONG\r\n");
    }

    /** The service reply subject's random part: {@code _R_.<random>.<random>} differs per server. */
    private static String withoutReplyToken(String s) {
        return s.replaceAll("_R_\\.[A-Za-z0-9]+\\.[A-Za-z0-9]+", "_R_.x.y");
    }
}
