package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.support.Waits;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/nats-server -c conf} as a separate process, the way client test harnesses run nats-server:
 * {@code port: -1} and {@code ports_file_dir}, wait for {@code <dir>/nats-server_<pid>.ports}, connect; then
 * SIGHUP reloads the file while the client stays connected.
 */
@Timeout(60)
class ConfigFileProcessIT {

    private static Path script() {
        Path p = Path.of("../bin/nats-server");
        return Files.exists(p) ? p.toAbsolutePath().normalize() : Path.of("bin/nats-server").toAbsolutePath();
    }

    @Test
    void spawnWithConfigReadPortsFileConnectAndReload(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("server.conf");
        Path log = dir.resolve("server.log");
        Files.writeString(conf, """
                port: -1
                ports_file_dir: "%s"
                authorization {
                  user: app
                  password: first
                }
                """.formatted(dir));
        Process p = new ProcessBuilder(script().toString(), "-c", conf.toString(), "-l", log.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            Path ports = dir.resolve("nats-server_" + p.pid() + ".ports");
            Waits.forFile(p, ports, Duration.ofSeconds(30), log);
            String json = Files.readString(ports);
            Matcher m = Pattern.compile("nats://[^\"]*:(\\d+)").matcher(json);
            assertThat(m.find()).as(json).isTrue();
            int port = Integer.parseInt(m.group(1));
            // The ports file is written as soon as the client port listens, before the rest of the start-up log.
            waitForLog(log, "[INF] Using configuration file: " + conf);
            waitForLog(log, "[INF] Server is ready");

            Options.Builder ob = new Options.Builder().server("nats://127.0.0.1:" + port)
                    .userInfo("app", "first").connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0);
            try (Connection c = Nats.connect(ob.build())) {
                Subscription sub = c.subscribe("reload.test");
                c.flush(Duration.ofSeconds(5));

                // Debug on, lower max_payload; same credentials: the client stays connected.
                Files.writeString(conf, """
                        port: -1
                        ports_file_dir: "%s"
                        debug: true
                        max_payload: 512KB
                        authorization {
                          user: app
                          password: first
                        }
                        """.formatted(dir));
                signal(p, "HUP");
                waitForLog(log, "[INF] Reloaded server configuration");
                assertThat(Files.readString(log)).contains("[INF] Reloaded: debug = true",
                        "[INF] Reloaded: authorization users", "[INF] Reloaded: accounts",
                        "[INF] Reloaded: max_payload = 524288");
                c.publish("reload.test", "still here".getBytes(StandardCharsets.UTF_8));
                Message msg = sub.nextMessage(Duration.ofSeconds(5));
                assertThat(msg).isNotNull();
                assertThat(c.getStatus()).isEqualTo(Connection.Status.CONNECTED);

                // Changes that cannot be reloaded are refused; the old configuration stays.
                Files.writeString(conf, "port: 4999\nauthorization { user: app, password: first }\n");
                signal(p, "HUP");
                waitForLog(log, "[ERR] Failed to reload server configuration: config reload not supported for "
                        + "Port: old=" + port + ", new=4999");
                Files.writeString(conf, "port: -1\nbogus: 1\n");
                signal(p, "HUP");
                waitForLog(log, "[ERR] Failed to reload server configuration: " + conf + ":2:1: unknown field \"bogus\"");
                c.publish("reload.test", "still here".getBytes(StandardCharsets.UTF_8));
                assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();

                // A new password: new clients need it, and (as nats-server) a client whose credentials the new
                // authorization rejects is closed.
                Files.writeString(conf, """
                        port: -1
                        ports_file_dir: "%s"
                        authorization {
                          user: app
                          password: second
                        }
                        """.formatted(dir));
                signal(p, "HUP");
                waitForLog(log, "[INF] Reloaded: authorization password");
                try (Connection c2 = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                        .userInfo("app", "second").maxReconnects(0).build())) {
                    assertThat(c2.getServerInfo().getMaxPayload()).isEqualTo(1024 * 1024);
                }
                assertThatThrownBy(() -> Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                        .userInfo("app", "first").maxReconnects(0).build())).isNotNull();
                Waits.upTo("the old-password client cut", Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(c.getStatus()).isNotEqualTo(Connection.Status.CONNECTED));
            }
            signal(p, "INT");
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(ports).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code nats-server --signal reload=<pid>}, {@code reload=<pid file>}, {@code stop=<pid>} on a spawned server. */
    @Test
    void signalCommandReloadsAndStops(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("server.conf");
        Path log = dir.resolve("server.log");
        Path pidFile = dir.resolve("server.pid");
        Files.writeString(conf, "port: -1\nports_file_dir: \"%s\"\n".formatted(dir));
        Process p = new ProcessBuilder(script().toString(), "-c", conf.toString(), "-l", log.toString(),
                "-P", pidFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            Path ports = dir.resolve("nats-server_" + p.pid() + ".ports");
            Waits.forFile(p, ports, Duration.ofSeconds(30), dir.resolve("out.txt"));
            // Without a pid, --signal looks for it among java processes run with -Dnatsboot.exe=nats-server.
            assertThat(SignalCommand.runningServers()).contains(p.pid());

            Files.writeString(conf, "port: -1\nports_file_dir: \"%s\"\ndebug: true\n".formatted(dir));
            assertThat(run(dir, "--signal", "reload=" + p.pid())).isEmpty();
            waitForLog(log, "[INF] Reloaded: debug = true");
            waitForLog(log, "[INF] Reloaded server configuration");

            Files.writeString(conf, "port: -1\nports_file_dir: \"%s\"\ndebug: false\n".formatted(dir));
            assertThat(run(dir, "-sl=reload=" + pidFile)).isEmpty();
            waitForLog(log, "[INF] Reloaded: debug = false");
            assertThat(p.isAlive()).isTrue();

            assertThat(run(dir, "--signal", "reload=nope")).isEqualTo("nats-server: invalid pid: nope\n");
            assertThat(run(dir, "--signal", "bogus=" + p.pid()))
                    .isEqualTo("nats-server: unknown signal \"bogus\"\n");

            // nats-server's "stop" is SIGKILL: no clean-up, the ports file stays.
            assertThat(run(dir, "--signal", "stop=" + p.pid())).isEmpty();
            assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(128 + 9);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void checkModeAndFlagsOverTheFile(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("c.conf");
        Files.writeString(conf, "port: 4333\nmax_payload = 1MB\n");
        assertThat(run(dir, "-c", conf.toString(), "-t"))
                .isEqualTo("nats-server: configuration file " + conf + " is valid\n");
        Files.writeString(conf, "port: 4333\nfoo: bar\n");
        assertThat(run(dir, "-c", conf.toString(), "-t"))
                .isEqualTo("nats-server: " + conf + ":2:1: unknown field \"foo\"\n\n");
        assertThat(run(dir, "-t")).isEqualTo(
                "nats-server: must specify [-c, --config] option to check configuration file syntax\n");
    }

    @Test
    void flagsWinOverTheFile() throws Exception {
        Path conf = Files.createTempFile("nb", ".conf");
        try {
            Files.writeString(conf, "port: 4333\nserver_name: fromfile\ndebug: true\n");
            var cli = io.natsboot.server.config.CommandLine.parse("-c", conf.toString(), "-p", "-1", "-D=false");
            var o = NatsServerMain.loadOptions(cli, false, new java.util.ArrayList<>());
            assertThat(o.port()).isZero();
            assertThat(o.debug()).isFalse();
            assertThat(o.serverName()).isEqualTo("fromfile");
            assertThat(o.configFile()).isEqualTo(conf.toString());
        } finally {
            Files.deleteIfExists(conf);
        }
    }

    private static String run(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(script().toString()));
        cmd.addAll(List.of(args));
        File out = dir.resolve("run.txt").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return Files.readString(out.toPath());
    }

    private static void signal(Process p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    private static void waitForLog(Path log, String line) {
        Waits.upTo(line, Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Waits.read(log).contains(line));
    }
}
