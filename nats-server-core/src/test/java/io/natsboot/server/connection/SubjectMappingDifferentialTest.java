package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServerMainAccess;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subject mappings against nats-server 2.9.10 with the same configuration files: what a {@code >} subscriber
 * receives for a list of publishes (every mapping function, permissions checked on the mapped subject, one mapping
 * per publish, publishes in the read of the CONNECT that changes the account), weighted mappings compared
 * statistically, and the texts {@code -t} gives for invalid mappings.
 */
@RequiresBinary("nats-server")
class SubjectMappingDifferentialTest {

    private static final String GLOBAL = """
            mappings {
              "orders.*": "orders.{{partition(3,1)}}.$1"
              plain: mapped.plain
              "split.*": "s.{{split(1,-)}}"
              "left.*": "l.{{SplitFromLeft(1,2)}}"
              "right.*": "r.{{splitfromright(1,2)}}"
              "sl.*": "sl.{{slicefromleft(1,2)}}"
              "sr.*": "sr.{{slicefromright(1,2)}}"
              "swap.*.*": "swap.{{wildcard(2)}}.$1"
              "tail.*.>": "t.$1.>"
              a: b
              b: c
              literal: "x.$1"
              "cs": [{destination: cs.c1, weight: 100%, cluster: c1}]
            }
            """;

    private static final List<String> PUBLISHES = List.of("orders.a", "orders.b", "orders.order-17", "plain",
            "split.a-b--c", "split.---", "left.abcd", "left.a", "right.abcd", "sl.abcde", "sr.abcde", "swap.x.y",
            "tail.1.2.3", "a", "b", "literal", "cs", "unmapped.x");

    @Test
    void aSubscriberSeesTheSameMappedSubjects(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "global.conf", GLOBAL);
        List<String> theirs = withReference(conf, port -> deliveries(port, null, PUBLISHES));
        List<String> ours = withOurs(conf, port -> deliveries(port, null, PUBLISHES));
        assertThat(theirs).contains("mapped.plain", "b", "x.$1", "cs").doesNotContain("plain");
        assertThat(ours).isEqualTo(theirs);
    }

    private static final String ACCOUNTS = """
            accounts {
              A {
                users: [
                  {user: a, password: a}
                  {user: p, password: p, permissions: {publish: ["out.>", "zz.end"]}}
                  {user: q, password: q, permissions: {publish: ["in.>", "zz.end"]}}
                ]
                mappings { "in.*.*": "out.$2.$1" }
              }
              B { users: [{user: b, password: b}] }
            }
            """;

    @Test
    void accountMappingsApplyInTheirAccountAndPermissionsSeeTheMappedSubject(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "accounts.conf", ACCOUNTS);
        List<String> pubs = List.of("in.1.2", "in.x", "out.1.2");
        Scenario scenario = port -> {
            List<String> out = new ArrayList<>();
            out.add("A/a: " + deliveries(port, "a", pubs));
            out.add("A/p: " + deliveries(port, "a", pubs, "p"));
            out.add("A/q: " + deliveries(port, "a", pubs, "q"));
            out.add("B/b: " + deliveries(port, "b", pubs));
            // CONNECT and PUBs in one read: nats-server decides on mapping from the account the read began in ($G)
            out.add("A/a pipelined: " + deliveries(port, "a", pubs, "a", true));
            return out;
        };
        List<String> theirs = withReference(conf, scenario);
        List<String> ours = withOurs(conf, scenario);
        assertThat(theirs.get(0)).contains("out.2.1");
        assertThat(ours).isEqualTo(theirs);
    }

    private static final String WEIGHTED = """
            mappings {
              w: [{destination: w.a, weight: 30%}, {destination: w.b, weight: 50}]
              "d.*": [{destination: "d.$1", weight: 40%}, {destination: "kept.$1", weight: 20%}]
              drop: [{destination: drop, weight: 40%}, {destination: kept, weight: 20%}]
            }
            """;

    @Test
    void weightedMappingsSplitAlike(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "weighted.conf", WEIGHTED);
        List<String> pubs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            pubs.add("w");
            pubs.add("d.x");
            pubs.add("drop");
        }
        Map<String, Integer> theirs = counts(withReference(conf, port -> deliveries(port, null, pubs)));
        Map<String, Integer> ours = counts(withOurs(conf, port -> deliveries(port, null, pubs)));
        System.out.println("weighted: nats-server " + theirs + " ours " + ours);
        for (Map<String, Integer> c : List.of(theirs, ours)) {
            // 2,000 draws each: w 30/50/20 %; d.x: the source is not listed (d.$1 is not "d.*"), so the rest (40 %)
            // goes to the source too; drop: the source is listed, so the rest (40 %) is dropped. +-5 points > 4 sigma
            assertThat(c.keySet()).containsExactlyInAnyOrder("w", "w.a", "w.b", "d.x", "kept.x", "drop", "kept");
            assertThat(c.get("w.a")).isBetween(500, 700);
            assertThat(c.get("w.b")).isBetween(900, 1_100);
            assertThat(c.get("w")).isBetween(300, 500);
            assertThat(c.get("d.x")).isBetween(1_500, 1_700);
            assertThat(c.get("kept.x")).isBetween(300, 500);
            assertThat(c.get("drop")).isBetween(700, 900);
            assertThat(c.get("kept")).isBetween(300, 500);
        }
    }

    @Test
    void invalidMappingsAreRefusedWithNatsServersTexts(@TempDir Path dir) throws Exception {
        List<String> bad = List.of(
                "mappings {\n  foo: bar\n  \"a.*\": \"b\"\n}\n",
                "mappings {\n  \"foo.*\": \"bar.$2\"\n}\n",
                "mappings {\n  \"foo.*\": \"bar.{{wildcard(x)}}\"\n}\n",
                "mappings {\n  \"foo.*\": \"bar.{{nope(1)}}\"\n}\n",
                "mappings {\n  \"foo.*\": \"bar.{{partition(3)}}.$1\"\n}\n",
                "mappings {\n  \"foo.*\": \"bar.{{split(1,a b)}}\"\n}\n",
                "mappings {\n  \"foo.>\": \"bar\"\n}\n",
                "mappings {\n  foo: \"bar..x\"\n}\n",
                "mappings {\n  \"a..b\": \"b\"\n}\n",
                "mappings {\n  foo: [\n    {destination: a, weight: 120%}\n  ]\n}\n",
                "mappings {\n  foo: [\n    {destination: a, weight: \"x\"}\n  ]\n}\n",
                "mappings {\n  foo: {dest: \"b\", weight: 10, x: 1}\n}\n",
                "mappings {\n  foo: true\n}\n",
                "mappings {\n  foo: [ 1 ]\n}\n",
                "mappings: 1\n",
                "accounts {\n  A {\n    mappings {\n      \"a.*\": \"b\"\n    }\n  }\n}\n",
                "maps {\n  foo: bar\n}\n");
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String text : bad) {
            Path conf = write(dir, "bad" + i++ + ".conf", text);
            String theirs = referenceCheck(conf);
            String ours = ourCheck(conf);
            if (!theirs.equals(ours)) {
                problems.add(text + "\n  nats-server: " + theirs + "\n  ours:        " + ours);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void aReloadChangesTheMappingsForConnectedClientsToo(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "reload.conf", "mappings { a: b }\n");
        List<String> pubs = List.of("a", "x");
        String changed = "mappings { a: c, \"x\": \"y\" }\n";
        // nats-server: SIGHUP with the changed file
        int port = Ports.free();
        Path log = dir.resolve("reload.log");
        Process p = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        List<String> theirs = new ArrayList<>();
        Ports.awaitListening(port);
        try (Connection c = connect(port, null)) {
            theirs.add(String.valueOf(collect(c, pubs)));
            Files.writeString(conf, changed);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
            io.natsboot.server.support.Waits.upTo("the reload", Duration.ofSeconds(10))
                    .until(() -> Files.readString(log).contains("Reloaded server configuration"));
            theirs.add(String.valueOf(collect(c, pubs)));
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        // ours: the same change through ConfigReload, as our SIGHUP handler does
        Files.writeString(conf, "mappings { a: b }\n");
        List<String> ours = new ArrayList<>();
        try (RunningServer s = RunningServer.start(b -> {
            try {
                ConfigFileOptions.load(conf.toString(), b);
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }); Connection c = connect(s.port(), null)) {
            ours.add(String.valueOf(collect(c, pubs)));
            Files.writeString(conf, changed);
            io.natsboot.server.config.ServerOptions.Builder b = s.server().options().toBuilder();
            ConfigFileOptions.load(conf.toString(), b);
            io.natsboot.server.config.ServerOptions next = b.build();
            io.natsboot.server.config.ConfigReload.Plan plan =
                    io.natsboot.server.config.ConfigReload.diff(s.server().options(), next, s.port());
            s.server().reload(next, plan.authChanged());
            ours.add(String.valueOf(collect(c, pubs)));
        }
        assertThat(theirs).containsExactly("[b, x]", "[c, y]");
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void headersAndSizesTravelUnchangedAndTraceShowsTheMapping(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "hpub.conf", "mappings { \"foo.*\": \"bar.$1\" }\n");
        String session = "CONNECT {\"headers\":true,\"echo\":true,\"verbose\":false}\r\nSUB > 1\r\n"
                + "HPUB foo.x rep 18 023\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\nPUB foo.y 005\r\nworld\r\nPING\r\n";
        List<String> theirs = withReference(conf, port -> List.of(raw(port, session)));
        assertThat(theirs.get(0)).isEqualTo("HMSG bar.x 1 rep 18 023\r\nNATS/1.0\r\nA: b\r\n\r\nhello\r\n"
                + "MSG bar.y 1 005\r\nworld\r\n");
        io.natsboot.server.support.CapturingLog log = new io.natsboot.server.support.CapturingLog(true);
        io.natsboot.server.config.ServerOptions.Builder b =
                io.natsboot.server.config.ServerOptions.builder().host("127.0.0.1").port(0).trace(true);
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        io.natsboot.server.NatsServer server = new io.natsboot.server.NatsServer(b.build(), log);
        server.start();
        try {
            assertThat(raw(server.port(), session)).isEqualTo(theirs.get(0));
        } finally {
            server.shutdown();
        }
        // nats-server 2.9.10 -V: the PUB line, then the mapping, then the payload
        List<String> traced = log.lines().stream().filter(l -> l.contains("<<- ")).map(l -> l.substring(l.indexOf("<<- ")))
                .map(l -> l.startsWith("<<- [HPUB") ? "HPUB" : l.startsWith("<<- [PUB") ? "PUB"
                        : l.startsWith("<<- MSG_PAYLOAD") ? "PAYLOAD" : l)
                .filter(l -> !l.startsWith("<<- [CONNECT") && !l.startsWith("<<- [SUB") && !l.startsWith("<<- [PING"))
                .toList();
        assertThat(traced).containsExactly("HPUB", "<<- [MAPPING foo.x -> bar.x]", "PAYLOAD", "PUB",
                "<<- [MAPPING foo.y -> bar.y]", "PAYLOAD");
    }

    /** What a raw session got before its PONG. */
    private static String raw(int port, String session) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.readInfo();
            c.send(session);
            StringBuilder out = new StringBuilder();
            for (String line = c.readLine(); !line.equals("PONG\r\n"); line = c.readLine()) {
                out.append(line);
            }
            return out.toString();
        }
    }

    /** Subjects a {@code >} subscriber on {@code c} gets for its own publishes. */
    private static List<String> collect(Connection c, List<String> publishes) throws Exception {
        io.nats.client.Subscription all = c.subscribe(">");
        c.flush(Duration.ofSeconds(5));
        for (String s : publishes) {
            c.publish(s, new byte[0]);
        }
        c.publish("zz.end", new byte[0]);
        List<String> out = new ArrayList<>();
        for (Message m = all.nextMessage(Duration.ofSeconds(5)); m != null && !m.getSubject().equals("zz.end");
                m = all.nextMessage(Duration.ofSeconds(5))) {
            out.add(m.getSubject());
        }
        all.unsubscribe();
        return out;
    }

    // ---------------------------------------------------------------------------------------------------

    interface Scenario {
        List<String> run(int port) throws Exception;
    }

    private static Path write(Path dir, String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static List<String> withReference(Path conf, Scenario s) throws Exception {
        int port = Ports.free();
        Process p = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true)
                .redirectOutput(conf.resolveSibling(conf.getFileName() + ".log").toFile()).start();
        try {
            Ports.awaitListening(port);
            return s.run(port);
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static List<String> withOurs(Path conf, Scenario s) throws Exception {
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            return s.run(ours.port());
        }
    }

    private static List<String> deliveries(int port, String user, List<String> publishes) throws Exception {
        return deliveries(port, user, publishes, user);
    }

    /**
     * Subscribes to {@code >} as {@code listener} (jnats), publishes as {@code publisher} over a raw connection
     * (user = password; null = no auth), and returns the subjects received in order, then the publisher's -ERR
     * lines (read up to its PONG, so none is missed).
     */
    private static List<String> deliveries(int port, String listener, List<String> publishes, String publisher)
            throws Exception {
        return deliveries(port, listener, publishes, publisher, false);
    }

    private static List<String> deliveries(int port, String listener, List<String> publishes, String publisher,
            boolean pipelined) throws Exception {
        try (Connection sub = connect(port, listener); RawClient pub = new RawClient(port)) {
            io.nats.client.Subscription all = sub.subscribe(">");
            sub.flush(Duration.ofSeconds(5));
            pub.readInfo();
            StringBuilder wire = new StringBuilder("CONNECT {\"verbose\":false,\"pedantic\":false");
            if (publisher != null) {
                wire.append(",\"user\":\"").append(publisher).append("\",\"pass\":\"").append(publisher).append('"');
            }
            wire.append("}\r\n");
            if (!pipelined) { // as clients do: CONNECT answered before the first publish
                pub.send(wire.append("PING\r\n").toString());
                assertThat(pub.readLine()).isEqualTo("PONG\r\n");
                wire.setLength(0);
            }
            for (String s : publishes) {
                wire.append("PUB ").append(s).append(" 0\r\n\r\n");
            }
            pub.send(wire.append("PUB zz.end 0\r\n\r\nPING\r\n").toString());
            List<String> errors = new ArrayList<>();
            for (String line = pub.readLine().strip(); !line.equals("PONG"); line = pub.readLine().strip()) {
                if (!line.equals("PING")) {
                    errors.add(line);
                }
            }
            List<String> out = new ArrayList<>();
            while (true) {
                Message m = all.nextMessage(Duration.ofSeconds(5));
                if (m == null) {
                    out.add("(timeout)");
                    break;
                }
                if (m.getSubject().equals("zz.end")) {
                    break;
                }
                out.add(m.getSubject());
            }
            out.addAll(errors);
            return out;
        }
    }

    private static Connection connect(int port, String user) throws Exception {
        Options.Builder o = new Options.Builder().server("nats://127.0.0.1:" + port).maxReconnects(0);
        if (user != null) {
            o.userInfo(user, user);
        }
        return Nats.connect(o.build());
    }

    private static Map<String, Integer> counts(List<String> subjects) {
        Map<String, Integer> c = new TreeMap<>();
        for (String s : subjects) {
            c.merge(s, 1, Integer::sum);
        }
        return c;
    }

    private static String referenceCheck(Path conf) throws Exception {
        Process p = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-t", "-c", conf.toString())
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + ": " + text.strip();
    }

    private static String ourCheck(Path conf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = NatsServerMainAccess.run(new String[] {"-t", "-c", conf.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        return exit + ": " + out.toString(StandardCharsets.UTF_8).strip();
    }
}
