package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the configuration keys nats-server 2.9.10 has and NATS Boot added last do, against the Debian binary with
 * the same file: max_sub_tokens (the -ERR and the log line), server_tags (/varz tags), http_base_path (where the
 * monitoring endpoints are), disable_sublist_cache (/subsz without a cache), connect_error_reports (which route
 * dial errors are logged at ERR), and prof_port (accepted; ours logs why nothing is opened).
 */
@RequiresBinary("nats-server")
class ConfigKeyEffectsDifferentialTest {

    /** A server of either kind with a client and a monitoring port. */
    private interface Server extends AutoCloseable {
        int port();

        int httpPort();

        String log() throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Server reference(Path conf, String... extra) throws Exception {
        int port = Ports.free();
        int http = Ports.free();
        Path log = conf.resolveSibling(conf.getFileName() + ".ref.log");
        List<String> cmd = new ArrayList<>(List.of(RequiredBinaries.path("nats-server").toString(), "-c",
                conf.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-m", Integer.toString(http)));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Ports.awaitListening(port);
        return new Server() {
            public int port() {
                return port;
            }

            public int httpPort() {
                return http;
            }

            public String log() throws Exception {
                return Files.readString(log);
            }

            public void close() throws Exception {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        };
    }

    private static Server ours(Path conf, boolean debug) throws Exception {
        int http = Ports.free();
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.httpHost("127.0.0.1").httpPort(http).debug(debug);
        });
        return new Server() {
            public int port() {
                return s.port();
            }

            public int httpPort() {
                return http;
            }

            public String log() {
                return String.join("\n", s.log().lines());
            }

            public void close() {
                s.close();
            }
        };
    }

    private static Path write(Path dir, String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static HttpResponse<String> get(Server s, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + s.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The connection's answers up to its PONG, one a line. */
    private static String wire(Server s, String ops) throws Exception {
        try (RawClient c = new RawClient(s.port())) {
            c.readInfo();
            c.send("CONNECT {\"verbose\":true}\r\n" + ops + "PING\r\n");
            StringBuilder out = new StringBuilder();
            for (String line = c.readLine(); !line.equals("PONG\r\n"); line = c.readLine()) {
                out.append(line);
            }
            return out.toString();
        }
    }

    @Test
    void maxSubTokensRefusesDeeperSubscriptions(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "tokens.conf", "max_sub_tokens: 3\n");
        String ops = "SUB a.b.c 1\r\nSUB a.b.c.d 2\r\nSUB a.> 3\r\nSUB a.*.*.> 4 q\r\nSUB a.*.*.> q 5\r\n";
        String theirs;
        String theirLog;
        try (Server ref = reference(conf)) {
            theirs = wire(ref, ops);
            theirLog = ref.log();
        }
        try (Server o = ours(conf, false)) {
            assertThat(wire(o, ops)).isEqualTo(theirs);
            String line = "Subscription Violation Too Many Tokens - User \"N/A\", Subject \"a.b.c.d\", SID 2";
            assertThat(theirLog).contains(line);
            Waits.upTo("our log line", Duration.ofSeconds(5)).until(() -> o.log().contains(line));
        }
        assertThat(theirs).contains("-ERR 'Permissions Violation for Subscription to \"a.b.c.d\", too many tokens'");
    }

    @Test
    void serverTagsHttpBasePathAndNoSublistCacheInMonitoring(@TempDir Path dir) throws Exception {
        Path conf = write(dir, "mon.conf", "server_tags: [\"Region:East\", \"c\", \"c\"]\nhttp_base_path: \"mon/\"\n"
                + "disable_sublist_cache: true\n");
        List<String> theirs = monitoring(reference(conf));
        List<String> ours = monitoring(ours(conf, false));
        assertThat(theirs.get(0)).isEqualTo("/mon/varz 200");
        assertThat(ours).isEqualTo(theirs);
    }

    private static List<String> monitoring(Server s) throws Exception {
        try (s) {
            wire(s, "SUB a 1\r\nPUB a 0\r\n\r\nPUB a 0\r\n\r\n");
            List<String> out = new ArrayList<>();
            for (String path : List.of("/mon/varz", "/varz", "/mon", "/mon/", "/mon/subsz", "/mon/connz")) {
                out.add(path + " " + get(s, path).statusCode());
            }
            String varz = get(s, "/mon/varz").body();
            out.add("tags " + between(varz, "\"tags\": [", "]").replaceAll("\\s+", ""));
            out.add("http_base_path " + field(varz, "http_base_path"));
            String subsz = get(s, "/mon/subsz").body();
            out.add("num_cache " + field(subsz, "num_cache") + ", cache_hit_rate " + field(subsz, "cache_hit_rate"));
            return out;
        }
    }

    private static String between(String s, String from, String to) {
        int i = s.indexOf(from);
        return i < 0 ? "(none)" : s.substring(i + from.length(), s.indexOf(to, i + from.length()));
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\\s*(\"[^\"]*\"|[^,\\s}]+)").matcher(json);
        return m.find() ? m.group(1) : "(none)";
    }

    @Test
    void connectErrorReportsThrottleTheRouteDialErrors(@TempDir Path dir) throws Exception {
        int dead = Ports.free();
        Path conf = write(dir, "reports.conf", "connect_error_reports: 2\ncluster {\n  name: c\n  listen: \"127.0.0.1:-1\""
                + "\n  routes: [\"nats://127.0.0.1:" + dead + "\"]\n}\n");
        String theirs;
        try (Server ref = reference(conf, "-D")) {
            Waits.upTo("nats-server's 4th attempt", Duration.ofSeconds(15)).until(() -> ref.log().contains("(attempt 4)"));
            theirs = reported(ref.log());
        }
        try (Server o = ours(conf, true)) {
            Waits.upTo("our 4th attempt", Duration.ofSeconds(15)).until(() -> o.log().contains("(attempt 4)"));
            assertThat(reported(o.log())).isEqualTo(theirs);
        }
        assertThat(theirs).isEqualTo("1:ERR 2:ERR 3:DBG 4:ERR");
    }

    /** The level each of the first four "Error trying to connect to route (attempt n)" lines has. */
    private static String reported(String log) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\[(ERR|DBG)\\] Error trying to connect to route \\(attempt (\\d+)\\)").matcher(log);
        while (m.find() && out.size() < 4) {
            out.add(m.group(2) + ":" + m.group(1));
        }
        return String.join(" ", out);
    }

    @Test
    void profPortIsAcceptedAndOursSaysWhyNothingOpens(@TempDir Path dir) throws Exception {
        int prof = Ports.free();
        Path conf = write(dir, "prof.conf", "prof_port: " + prof + "\n");
        try (Server ref = reference(conf)) {
            Waits.upTo("nats-server's profiling line", Duration.ofSeconds(5))
                    .until(() -> ref.log().contains("[INF] profiling port: " + prof));
        }
        try (Server o = ours(conf, false)) {
            assertThat(o.log()).contains("[WRN] profiling port: " + prof + " not opened: NATS Boot has no Go pprof"
                    + " endpoint, profile with JDK Flight Recorder (jcmd <pid> JFR.start)");
        }
    }

    @Test
    void storeDirAtTheTopLevelOrInTheJetStreamBlockButNotBoth(@TempDir Path dir) throws Exception {
        String d = dir.toString();
        for (String text : List.of("store_dir: \"" + d + "/x\"\njetstream: {store_dir: \"" + d + "/y\"}\n",
                "jetstream: {store_dir: \"" + d + "/y\"}\nstore_dir: \"" + d + "/x\"\n",
                "storedir: 1\n")) {
            Path conf = write(dir, "sd.conf", text);
            // nats-server reads the top-level keys in Go's map order (random): which store_dir it reads second,
            // and so the position it names, varies from run to run; the rest of the answer must match
            assertThat(withoutPosition(check(conf, false))).as(text).isEqualTo(withoutPosition(check(conf, true)));
        }
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.load(write(dir, "top.conf", "store_dir: \"" + d + "/js\"\njetstream: enabled\n").toString(), b);
        assertThat(b.build().jetstream().storeDir()).isEqualTo(d + "/js");
        assertThat(b.build().jetstream().enabled()).isTrue();
    }

    @Test
    void badValuesGetNatsServersTexts(@TempDir Path dir) throws Exception {
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String text : List.of("max_sub_tokens: 300\n", "max_sub_tokens: 256\n", "max_sub_tokens: 0\n",
                "max_sub_tokens: \"x\"\n", "server_tags: 1\n", "server_tags: [1, \"a\"]\n", "server_tags: \"A\"\n",
                "http_base_path: 1\n", "prof_port: \"x\"\n", "connect_error_reports: \"x\"\n",
                "reconnect_error_reports: -1\n", "disable_sublist_cache: 1\n", "no_sublist_cache: true\n",
                "no_system: true\n", "max_subscription_tokens: 10\n")) {
            Path conf = write(dir, "bad" + i++ + ".conf", text);
            String theirs = check(conf, true);
            String ours = check(conf, false);
            if (!theirs.equals(ours)) {
                problems.add(text.strip() + "\n  nats-server: " + theirs + "\n  ours:        " + ours);
            }
        }
        assertThat(problems).isEmpty();
    }

    /**
     * Keys that nats-server 2.9.10 does not know (later versions' keys, or names that only exist elsewhere) get its
     * {@code unknown field} or context error at the same position; the JetStream placement and catch-up keys of
     * clustered JetStream are accepted with its type checks.
     */
    @Test
    void keysNatsServerDoesNotKnowAndClusteredJetStreamHints(@TempDir Path dir) throws Exception {
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String text : List.of("max_closed_clients: 5\n", "disable_short_first_ping: true\n", "nkeys: []\n",
                "max_file_store: 1GB\n", "max_memory_store: 1GB\n", "lame_duck_mode: true\n",
                "jetstream { sync_interval: 1 }\n", "jetstream { sync: 1 }\n", "jetstream { max_catchup: 1 }\n",
                "jetstream { max_buffered_size: 1 }\n", "jetstream { max_buffered_msgs: 1 }\n",
                "jetstream { max_outstanding_catchup: 100MB }\n", "jetstream { max_outstanding_catchup: \"x\" }\n",
                "jetstream { max_outstanding_catchup: \"12Q\" }\n",
                "jetstream { max_outstanding_catchup: \"99999999999999999999K\" }\n",
                "jetstream { max_outstanding_catchup: true }\n", "jetstream { extension_hint: \"x\" }\n",
                "port: 4222\njetstream {\n  extension_hint: 5\n}\n", "jetstream { unique_tag: az }\n",
                "jetstream { unique_tag: true }\n",
                "cluster { port: -1, pool_size: 3 }\n", "cluster { port: -1, compression: true }\n",
                "cluster { port: -1, accounts: [A] }\n",
                "tls { cert_file: \"/x\", verify_cert_and_check_known_urls: true }\n",
                "leafnodes { port: -1, tls { cert_file: \"/x\", verify_cert_and_check_known_urls: true } }\n",
                "websocket { port: -1, tls { cert_file: \"/x\", verify_cert_and_check_known_urls: true } }\n")) {
            Path conf = write(dir, "unknown" + i++ + ".conf", text);
            String theirs = check(conf, true);
            String ours = check(conf, false);
            if (!theirs.equals(ours)) {
                problems.add(text.strip() + "\n  nats-server: " + theirs + "\n  ours:        " + ours);
            }
        }
        assertThat(problems).isEmpty();
    }

    private static String withoutPosition(String answer) {
        return answer.replaceAll("\\.conf:\\d+:\\d+: ", ".conf:<pos>: ");
    }

    /** {@code -t -c conf}: exit code and text, of the binary or ours. */
    private static String check(Path conf, boolean reference) throws Exception {
        if (reference) {
            Process p = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-t", "-c", conf.toString())
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            return p.exitValue() + ": " + text.strip();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        int exit = io.natsboot.server.NatsServerMainAccess.run(new String[] {"-t", "-c", conf.toString()}, ps, ps);
        return exit + ": " + out.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
    }
}
