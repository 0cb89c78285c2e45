package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator mode: the first login to an account whose JWT enables JetStream recovers the account's streams from
 * disk. That runs on a thread of its own while the CONNECT waits (reading and parsing of that client paused), so
 * the other clients of the same event loop are served meanwhile, and the ops pipelined after the CONNECT are
 * answered afterwards, in order, with the recovered state.
 */
class JwtAccountFirstLoginRecoveryTest {

    /** A trust chain with J (JetStream limits) and P (none), and a full resolver preloaded with them. */
    static final class Setup {
        final TrustChain.Account js;
        final TrustChain.Account plain;
        final TrustChain.User user;
        private final String conf;

        Setup(Path tmp) throws Exception {
            TrustChain chain = TrustChain.create();
            TrustChain.Account sys = chain.account("SYS");
            js = chain.account("J");
            Map<String, Object> l = js.limits();
            l.put("mem_storage", 1_000_000L);
            l.put("disk_storage", 2_000_000L);
            l.put("streams", 2L);
            l.put("consumer", 10L);
            plain = chain.account("P");
            Path op = tmp.resolve("op.jwt");
            Files.writeString(op, chain.operatorJwt());
            conf = "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                    + "\njetstream { store_dir: \"{DIR}/store\" }\nresolver: { type: full, dir: \"{DIR}/jwt\" }\n"
                    + "resolver_preload: {\n"
                    + "  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n"
                    + "  " + js.publicKey() + ": \"" + js.jwt() + "\"\n"
                    + "  " + plain.publicKey() + ": \"" + plain.jwt() + "\"\n}\n";
            user = js.user("j");
        }

        /** The configuration with its store and resolver under {@code dir}. */
        String conf(Path dir) {
            return conf.replace("{DIR}", dir.toString());
        }

        /** A first run of a server leaves stream S with two messages of J on disk. */
        void storeStream(int port) throws Exception {
            try (Connection c = Nats.connect(options(port, user))) {
                JetStreamManagement jsm = c.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("S").subjects("s").build());
                c.jetStream().publish("s", "one".getBytes(StandardCharsets.UTF_8));
                c.jetStream().publish("s", "two".getBytes(StandardCharsets.UTF_8));
            }
        }

        /** CONNECT (signed nonce), SUB, PING and two API requests, all in one write; the INFO line is read first. */
        String pipelined(RawClient raw) throws Exception {
            String info = raw.readLine();
            Matcher nonce = Pattern.compile("\"nonce\":\"([^\"]+)\"").matcher(info);
            assertThat(nonce.find()).as(info).isTrue();
            String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    NKey.fromSeed(user.seed().toCharArray()).sign(nonce.group(1).getBytes(StandardCharsets.UTF_8)));
            return "CONNECT {\"jwt\":\"" + user.jwt() + "\",\"sig\":\"" + sig
                    + "\",\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"headers\":true}\r\n"
                    + "SUB _INBOX.r 1\r\nPING\r\nPUB $JS.API.INFO _INBOX.r 0\r\n\r\n"
                    + "PUB $JS.API.STREAM.INFO.S _INBOX.r 0\r\n\r\n";
        }
    }

    @Test
    void firstLoginRecoversStreamsOffTheEventLoop(@TempDir Path tmp) throws Exception {
        Setup setup = new Setup(tmp);
        String conf = setup.conf(tmp);
        TrustChain.Account plain = setup.plain;

        NatsServer first = server(conf);
        try {
            setup.storeStream(first.port());
        } finally {
            first.shutdown();
        }

        // one event loop, so the second client surely shares the first one's loop
        String before = System.getProperty("natsboot.io.workers");
        System.setProperty("natsboot.io.workers", "1");
        NatsServer server;
        try {
            server = server(conf);
        } finally {
            if (before == null) {
                System.clearProperty("natsboot.io.workers");
            } else {
                System.setProperty("natsboot.io.workers", before);
            }
        }
        try (Connection other = Nats.connect(options(server.port(), plain.user("p")));
                RawClient raw = new RawClient(server.port());
                RawClient second = new RawClient(server.port())) {
            String ops = setup.pipelined(raw);
            String secondOps = setup.pipelined(second);
            JetStream engine = server.jetStream();
            // holding the engine's lock keeps the account's recovery (JetStream.enableAccount) from finishing
            synchronized (engine) {
                raw.send(ops);
                await().atMost(Duration.ofSeconds(10)).until(() -> recoveryThreadBlocked());
                // the other client on the same event loop is served while the recovery waits
                for (int i = 0; i < 3; i++) {
                    other.flush(Duration.ofSeconds(2));
                }
                other.publish("p", new byte[0]);
                other.flush(Duration.ofSeconds(2));
                // a second login to the same account meanwhile waits for the same recovery
                second.send(secondOps);
                other.flush(Duration.ofSeconds(2));
                assertThat(raw.available()).as("nothing answered before the recovery ends").isZero();
                assertThat(second.available()).as("nor to the second login").isZero();
            }
            assertThat(second.readLine()).isEqualTo("PONG\r\n");
            List<String> secondAnswers = List.of(readMsg(second), readMsg(second));
            assertThat(secondAnswers).anySatisfy(a -> assertThat(a).contains("\"streams\":1"))
                    .anySatisfy(a -> assertThat(a).contains("\"messages\":2,"));
            assertThat(raw.readLine()).isEqualTo("PONG\r\n");
            // Two API requests of one connection may be answered in either order (nats-server does not order
            // them either): take the answers by their type.
            List<String> answers = List.of(readMsg(raw), readMsg(raw));
            String accountInfo = answers.stream().filter(a -> a.contains("account_info_response")).findFirst()
                    .orElseThrow(() -> new AssertionError("no account info answer in " + answers));
            assertThat(accountInfo).contains("\"type\":\"io.nats.jetstream.api.v1.account_info_response\"")
                    .contains("\"limits\":{\"max_memory\":1000000,\"max_storage\":2000000,\"max_streams\":2,"
                            + "\"max_consumers\":10")
                    .contains("\"streams\":1");
            String streamInfo = answers.stream().filter(a -> a.contains("stream_info_response")).findFirst()
                    .orElseThrow(() -> new AssertionError("no stream info answer in " + answers));
            assertThat(streamInfo).contains("\"type\":\"io.nats.jetstream.api.v1.stream_info_response\"")
                    .contains("\"name\":\"S\"").contains("\"messages\":2,");
        } finally {
            server.shutdown();
        }
    }

    /**
     * The same pipelined first login after a restart on stored data, on nats-server 2.9.10 and on ours: PONG, then
     * INFO with the account's limits and usage, then the recovered stream's info (times masked).
     */
    @Test
    @io.natsboot.server.support.RequiresBinary("nats-server")
    void pipelinedFirstLoginAnswersAsNatsServer(@TempDir Path tmp) throws Exception {
        Setup setup = new Setup(tmp);
        List<String> theirs = new ArrayList<>();
        Path refDir = Files.createDirectories(tmp.resolve("ref"));
        Path refConf = refDir.resolve("server.conf");
        Files.writeString(refConf, setup.conf(refDir));
        for (int run = 0; run < 2; run++) {
            int port = io.natsboot.server.support.Ports.free();
            Process ref = new ProcessBuilder(ConfPair.NATS_SERVER.toString(), "-c", refConf.toString(), "-a",
                    "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true)
                    .redirectOutput(refDir.resolve("nats-server-" + run + ".log").toFile()).start();
            try {
                io.natsboot.server.support.Ports.awaitListening(port);
                if (run == 0) {
                    setup.storeStream(port);
                } else {
                    theirs = answers(setup, port);
                }
            } finally {
                ref.destroy(); // SIGTERM: nats-server flushes its store and exits
                assertThat(ref.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
        Path ourDir = Files.createDirectories(tmp.resolve("ours"));
        NatsServer first = server(setup.conf(ourDir));
        try {
            setup.storeStream(first.port());
        } finally {
            first.shutdown();
        }
        NatsServer second = server(setup.conf(ourDir));
        List<String> ours;
        try {
            ours = answers(setup, second.port());
        } finally {
            second.shutdown();
        }
        assertThat(ours).containsExactlyElementsOf(theirs);
        assertThat(ours.get(2)).contains("messages=2");
    }

    /** PONG and the two API answers to the pipelined first login, times masked. */
    private static List<String> answers(Setup setup, int port) throws Exception {
        List<String> seen = new ArrayList<>();
        java.util.Set<String> masked = java.util.Set.of("created", "first_ts", "last_ts");
        try (RawClient raw = new RawClient(port)) {
            raw.send(setup.pipelined(raw));
            seen.add(raw.readLine());
            seen.add(SnapshotProtocolClient.canonical(readMsg(raw), masked));
            seen.add(SnapshotProtocolClient.canonical(readMsg(raw), masked));
        }
        return seen;
    }

    static boolean recoveryThreadBlocked() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("jetstream-account-recovery") && t.getState() == Thread.State.BLOCKED);
    }

    /** Reads one MSG (line, payload, CRLF) and returns its payload. */
    private static String readMsg(RawClient raw) throws Exception {
        String line = raw.readLine();
        assertThat(line).startsWith("MSG _INBOX.r 1 ");
        int n = Integer.parseInt(line.trim().substring(line.trim().lastIndexOf(' ') + 1));
        String payload = raw.readBytes(n);
        assertThat(raw.readBytes(2)).isEqualTo("\r\n");
        return payload;
    }

    static NatsServer server(String conf) throws Exception {
        Path file = Files.createTempFile("first-login", ".conf");
        Files.writeString(file, conf);
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(file.toString(), b).errors()).isEmpty();
        Files.delete(file);
        b.host("127.0.0.1").port(0);
        NatsServer s = new NatsServer(b.build(), new CapturingLog());
        s.start();
        return s;
    }

    static io.nats.client.Options options(int port, TrustChain.User user) {
        return new io.nats.client.Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(user.jwt().toCharArray(), user.seed().toCharArray()))
                .connectionTimeout(Duration.ofSeconds(5)).build();
    }
}
