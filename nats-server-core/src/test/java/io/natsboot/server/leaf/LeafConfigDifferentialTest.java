package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServerMainAccess;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leafnodes block's checks say what nats-server 2.9.10 says: {@code -t} for the file's own errors (positions
 * and texts), and the start-up errors ({@code validateLeafNode}: accounts that do not exist, mixed URL schemes).
 */
@RequiresBinary("nats-server")
class LeafConfigDifferentialTest {

    private static final List<String> CHECKED = List.of(
            "leafnodes { port: 7422, authorization { user: a, password: b, users: [{user: c, password: d}] } }",
            "leafnodes { port: 7422, authorization { users: [{user: c, password: d},{user: c, password: e}] } }",
            "leafnodes { port: 7422, bogus: 1 }",
            "leafnodes { remotes: [{url: \"nats://127.0.0.1:1\", bogus: 2}] }",
            "leafnodes { remotes: [{url: \"::bad\"}] }",
            "leafnodes { port: 7422, reconnect: \"2s\" }",
            "leafnodes { port: 7422, authorization { timeout: 3, token: abc } }",
            "leafnodes { listen: \"127.0.0.1:7422\", advertise: \"x:1\", no_advertise: true, reconnect: 2 }",
            "leaf { port: 7422, authorization { user: a, password: b, account: $G, timeout: 1.5 } }",
            "leafnodes { remotes: [{urls: [\"nats-leaf://u:p@127.0.0.1:1\"], account: $G, hub: true,"
                    + " deny_imports: [\"a\"], deny_exports: [\"b\"]}] }");

    private static final List<String> AT_START = List.of(
            "leafnodes { remotes: [{url: \"nats://127.0.0.1:1\", account: NOPE}] }",
            "leafnodes { port: -1, authorization { users: [{user: c, password: d, account: NOPE}] } }",
            "leafnodes { port: -1, authorization { account: NOPE } }",
            "leafnodes { remotes: [{urls: [\"nats://127.0.0.1:1\", \"ws://127.0.0.1:2\"]}] }");

    private static String binary(Path conf, boolean check) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(RequiredBinaries.path("nats-server").toString(), "-c",
                conf.toString()));
        if (check) {
            cmd.add("-t");
        } else {
            cmd.addAll(List.of("-a", "127.0.0.1", "-p", "-1"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean ended = p.waitFor(10, TimeUnit.SECONDS);
        if (!ended) {
            p.destroy();
        }
        assertThat(ended).as("nats-server stops at once on " + conf).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + "exit " + p.exitValue();
    }

    private static String ours(Path conf, boolean check) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-c", conf.toString()));
        if (check) {
            args.add("-t");
        } else {
            args.addAll(List.of("-a", "127.0.0.1", "-p", "-1"));
        }
        int exit = NatsServerMainAccess.run(args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8) + "exit " + exit;
    }

    @Test
    void checksAndStartErrorsMatch(@TempDir Path dir) throws Exception {
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String conf : CHECKED) {
            Path f = dir.resolve("c" + i++ + ".conf");
            Files.writeString(f, conf + "\n");
            String go = binary(f, true);
            String mine = ours(f, true);
            if (!go.equals(mine)) {
                problems.add(conf + "\n  nats-server: " + go + "\n  ours:        " + mine);
            }
        }
        for (String conf : AT_START) {
            Path f = dir.resolve("s" + i++ + ".conf");
            Files.writeString(f, conf + "\n");
            String go = binary(f, false);
            String mine = ours(f, false);
            if (!go.equals(mine)) {
                problems.add(conf + "\n  nats-server: " + go + "\n  ours:        " + mine);
            }
        }
        assertThat(problems).isEmpty();
    }

    private static io.natsboot.server.config.ServerOptions options(Path f) throws Exception {
        io.natsboot.server.config.ServerOptions.Builder b = io.natsboot.server.config.ServerOptions.builder();
        assertThat(io.natsboot.server.config.ConfigFileOptions.load(f.toString(), b).ok()).isTrue();
        return b.build();
    }

    @Test
    void aReloadThatChangesTheBlockIsRefusedWithNatsServersText(@TempDir Path dir) throws Exception {
        int port = GoLeafNode.freePort();
        int leafPort = GoLeafNode.freePort();
        String base = "listen: \"127.0.0.1:" + port + "\"\n";
        List<String> next = List.of(
                base + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\", reconnect: 3 }\n",
                base + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\", authorization { user: a, password: b } }\n",
                base);
        Path first = dir.resolve("first.conf");
        Files.writeString(first, base + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
        Path conf = dir.resolve("reload.conf");
        Files.copy(first, conf);
        Path log = dir.resolve("go.log");
        Process go = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            io.natsboot.server.support.Waits.forLogLine(go, log, "Server is ready", java.time.Duration.ofSeconds(10));
            int i = 0;
            for (String n : next) {
                Files.writeString(conf, n);
                new ProcessBuilder("kill", "-HUP", Long.toString(go.pid())).start().waitFor();
                int expected = ++i;
                io.natsboot.server.support.Waits.upTo("reload " + expected, java.time.Duration.ofSeconds(5)).until(
                        () -> Files.readString(log).split("Failed to reload server configuration: ", -1).length
                                > expected);
                Path mine = dir.resolve("next" + i + ".conf");
                Files.writeString(mine, n);
                String goLine = Files.readString(log).split("Failed to reload server configuration: ")[i].split("\n")[0];
                String ours;
                try {
                    io.natsboot.server.config.ConfigReload.diff(options(first), options(mine), port);
                    ours = "accepted";
                } catch (io.natsboot.server.config.ConfigReload.Refused r) {
                    ours = r.getMessage();
                }
                assertThat(ours).isEqualTo(goLine);
            }
        } finally {
            go.destroy();
            go.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
