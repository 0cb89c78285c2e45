package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.ConfParser.ConfException;
import io.natsboot.server.config.ConfParser.ConfMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expected values and messages observed with nats-server 2.9.10 ({@code -t} and /varz). */
class ConfParserTest {

    private static final Map<String, String> ENV = Map.of("NB_PORT", "4333", "NB_USER", "envuser");

    private static ConfMap parse(String text) throws ConfException {
        return ConfParser.parseString(text, "t.conf", ENV::get);
    }

    private static Object value(String text) throws ConfException {
        return parse("v: " + text + "\n").get("v").value();
    }

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("4222", 4222L),
                Arguments.of("-1", -1L),
                Arguments.of("1k", 1000L), Arguments.of("1K", 1000L), Arguments.of("1kb", 1024L),
                Arguments.of("1KB", 1024L), Arguments.of("1ki", 1024L), Arguments.of("1kib", 1024L),
                Arguments.of("1m", 1_000_000L), Arguments.of("1MB", 1_048_576L), Arguments.of("1mi", 1_048_576L),
                Arguments.of("1g", 1_000_000_000L), Arguments.of("1GB", 1_073_741_824L),
                Arguments.of("1t", 1_000_000_000_000L), Arguments.of("1tb", 1_099_511_627_776L),
                Arguments.of("64KB", 65_536L), Arguments.of("-1k", -1000L),
                Arguments.of("1.5", 1.5),
                Arguments.of("2s", "2s"), Arguments.of("4222abc", "4222abc"),
                Arguments.of("1.2.3.4", "1.2.3.4"), Arguments.of("10.0.0.1:4222", "10.0.0.1:4222"),
                Arguments.of("0.0.0.0:4222", "0.0.0.0:4222"),
                Arguments.of("abc", "abc"), Arguments.of("abc;", "abc"), Arguments.of("abc, ", "abc"),
                Arguments.of("a$b", "a$b"), Arguments.of("a#b", "a#b"), Arguments.of("a//b", "a//b"),
                Arguments.of("\"a\\tb\\x41\\\"\"", "a\tbA\""), Arguments.of("'a\\tb'", "a\\tb"),
                Arguments.of("\"with # hash\"", "with # hash"),
                Arguments.of("true", true), Arguments.of("TRUE", true), Arguments.of("yes", true),
                Arguments.of("On", true), Arguments.of("false", false), Arguments.of("no", false),
                Arguments.of("off", false), Arguments.of("\"true\"", "true"),
                Arguments.of("4222 # comment", 4222L), Arguments.of("4222 // comment", 4222L),
                Arguments.of("$NB_PORT", 4333L), Arguments.of("$NB_USER", "envuser"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void values(String text, Object expected) throws ConfException {
        assertThat(value(text)).isEqualTo(expected);
    }

    @Test
    void separatorsCommentsMapsAndArrays() throws ConfException {
        ConfMap m = parse("""
                # comment
                // another
                a = 1
                b: 2
                c 3
                d=4; e:5, f 6
                "quoted key": x
                map {
                  inner: 1   # trailing
                  deeper { x: y }
                }
                map2: { a: 1, b: 2 }
                arr = [1, 2,
                  3
                  "four" # comment
                ]
                empty: []
                maps: [ {user: a, password: b}, {user: c, password: d} ]
                a = 10
                """);
        assertThat(m.toPlain()).isEqualTo(Map.ofEntries(
                Map.entry("a", 10L), Map.entry("b", 2L), Map.entry("c", 3L), Map.entry("d", 4L),
                Map.entry("e", 5L), Map.entry("f", 6L), Map.entry("quoted key", "x"),
                Map.entry("map", Map.of("inner", 1L, "deeper", Map.of("x", "y"))),
                Map.entry("map2", Map.of("a", 1L, "b", 2L)),
                Map.entry("arr", List.of(1L, 2L, 3L, "four")), Map.entry("empty", List.of()),
                Map.entry("maps", List.of(Map.of("user", "a", "password", "b"),
                        Map.of("user", "c", "password", "d")))));
        // A repeated key keeps its first place and the last value.
        assertThat(m.toPlain().keySet()).startsWith("a", "b");
    }

    @Test
    void positionsAsNatsServer() throws ConfException {
        ConfMap m = parse("port: 1\n  max_payload = 2\nauthorization {\n  user: a\n}\n");
        assertThat(m.get("port").pos().toString()).isEqualTo("t.conf:1:0");
        assertThat(m.get("max_payload").pos().toString()).isEqualTo("t.conf:2:3");
        assertThat(((ConfMap) m.get("authorization").value()).get("user").pos().toString())
                .isEqualTo("t.conf:4:3");
    }

    @Test
    void variables() throws ConfException {
        ConfMap m = parse("PASS: secret\nauthorization { user: u, password: $PASS }\nlimit = 1MB\nmax: $limit\n");
        assertThat(((ConfMap) m.get("authorization").value()).get("password").value()).isEqualTo("secret");
        assertThat(m.get("PASS").usedAsVariable()).isTrue();
        assertThat(m.get("max").value()).isEqualTo(1_048_576L);
        // Case-sensitive, and only earlier definitions.
        assertThatThrownBy(() -> parse("a = 1\nb: $A\n")).hasMessage(
                "variable reference for 'A' on line 2 can not be found");
        assertThatThrownBy(() -> parse("b: $later\nlater: 1\n")).hasMessage(
                "variable reference for 'later' on line 1 can not be found");
    }

    @Test
    void blockString() throws ConfException {
        assertThat(value("(\n  line one\n  line two\n)")).isEqualTo("  line one\n  line two");
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("port: 4333\n  max_payload = {\n", "Parse error on line 3: 'Unexpected EOF processing map.'"),
                Arguments.of("port: 4222\nport: \n", "Parse error on line 3: 'Expected value but found new line'"),
                Arguments.of("port: \"4222\n", "Parse error on line 2: 'Unexpected EOF.'"),
                Arguments.of("server_name: abc def\n", "Parse error on line 1: 'Expected a top-level value to end "
                        + "with a new line, comment or EOF, but got 'd' instead.'"),
                Arguments.of("max_pending: 1.5k\n", "Parse error on line 1: 'Expected a top-level value to end "
                        + "with a new line, comment or EOF, but got 'k' instead.'"),
                Arguments.of("max_pending: 1 kb\n", "Parse error on line 1: 'Expected a top-level value to end "
                        + "with a new line, comment or EOF, but got 'k' instead.'"),
                Arguments.of("max_pending: 1e3\n", "Parse error on line 1: 'Expected a top-level value to end "
                        + "with a new line, comment or EOF, but got '3' instead.'"),
                Arguments.of("s: \"a\\u0041\"\n", "Parse error on line 1: 'Invalid escape character 'u'. Only the "
                        + "following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.'"),
                Arguments.of("port: $NOPE\n", "variable reference for 'NOPE' on line 1 can not be found"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("broken")
    void brokenFiles(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ConfException.class).hasMessage(message);
    }

    @Test
    void includesAreRelativeToTheIncludingFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/auth.conf"), "user: a\npassword: $PASS\n");
        Files.writeString(dir.resolve("sub/main.conf"),
                "PASS: p\nport: 1\nauthorization {\n  include ./auth.conf\n}\ninclude \"limits.conf\"\n");
        Files.writeString(dir.resolve("sub/limits.conf"), "max_payload: 2MB\n");
        ConfMap m = ConfParser.parseFile(dir.resolve("sub/main.conf").toString());
        assertThat(m.toPlain()).isEqualTo(Map.of("PASS", "p", "port", 1L,
                "authorization", Map.of("user", "a", "password", "p"), "max_payload", 2_097_152L));

        Files.writeString(dir.resolve("sub/bad.conf"), "include ./nofile.conf\n");
        assertThatThrownBy(() -> ConfParser.parseFile(dir.resolve("sub/bad.conf").toString()))
                .hasMessage("error parsing include file './nofile.conf', open " + dir.resolve("sub/nofile.conf")
                        + ": no such file or directory");
        assertThatThrownBy(() -> ConfParser.parseFile("no-such.conf"))
                .hasMessage("open no-such.conf: no such file or directory");
    }

    // ---------------------------------------------------------------------------------------------------
    // Onto ServerOptions

    private static ConfigFileOptions.Outcome options(String text, ServerOptions.Builder b) throws ConfException {
        return ConfigFileOptions.apply(parse(text), b);
    }

    @Test
    void jetstreamForms() throws ConfException {
        ServerOptions.Builder b = ServerOptions.builder();
        // 1G is the configuration language's number (10^9); a quoted "10M" is nats-server's storage size (2^20)
        assertThat(options("jetstream { store_dir: /data/js, max_memory_store: 1G, max_file_store: \"10M\", domain: hub }\n",
                b).ok()).isTrue();
        assertThat(b.build().jetstream()).isEqualTo(
                new JetStreamOptions(true, "/data/js", 1_000_000_000L, 10L * 1024 * 1024, "hub"));
        b = ServerOptions.builder();
        assertThat(options("jetstream: enabled\n", b).ok()).isTrue();
        assertThat(b.build().jetstream().enabled()).isTrue();
        b = ServerOptions.builder();
        assertThat(options("jetstream { enabled: false, store_dir: x }\n", b).ok()).isTrue();
        assertThat(b.build().jetstream().enabled()).isFalse();
        assertThat(ServerOptions.builder().build().jetstream().enabled()).isFalse();
        b = ServerOptions.builder();
        assertThat(options("accounts { A: { jetstream: enabled }, B: {}, C: { jetstream: disabled } }\njetstream: true\n",
                b).ok()).isTrue();
        assertThat(b.build().jetstream().accounts()).containsExactly("A");
        assertThat(b.build().jetstream().enabled()).isTrue();
        // a block of limits (nats-server's names and aliases; sizes with the conf file's suffixes)
        b = ServerOptions.builder();
        assertThat(options("accounts { L: { jetstream: { max_mem: 1M, store: 2G, max_streams: 3, consumers: 4,"
                + " max_ack_pending: 5, max_bytes_required: true, mem_max_stream_bytes: 6,"
                + " disk_max_stream_bytes: 7 } }, U: { jetstream: true } }\n", b).ok()).isTrue();
        assertThat(b.build().jetstream().accounts()).containsExactly("L", "U");
        assertThat(b.build().jetstream().limitsOf("L")).isEqualTo(new JetStreamAccountLimits(1_000_000,
                2_000_000_000L, 3, 4, 5, 6, 7, true));
        assertThat(b.build().jetstream().limitsOf("U")).isEqualTo(JetStreamAccountLimits.UNLIMITED);
    }

    @Test
    void everySupportedOption() throws ConfException {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome o = options("""
                listen: 127.0.0.1:-1
                server_name: n1
                http: 127.0.0.2:8223
                max_payload: 2MB
                max_pending: 128MB
                max_control_line: 8KB
                max_connections: 100
                max_subscriptions: 10
                ping_interval: "30s"
                ping_max: 3
                write_deadline: 5
                authorization { user: u, password: p, timeout: 1.5 }
                debug: true
                trace: on
                logtime: false
                log_file: /tmp/x.log
                pid_file: /tmp/x.pid
                ports_file_dir: /tmp
                lame_duck_duration: "30s"
                lame_duck_grace_period: "2s"
                max_traced_msg_len: 64
                client_advertise: "example.com:4222"
                no_header_support: true
                syslog: false
                """, b);
        assertThat(o.errors()).isEmpty();
        assertThat(o.warnings()).containsExactly("t.conf:11:1: invalid use of field \"write_deadline\": "
                + "write_deadline should be converted to a duration");
        ServerOptions s = b.build();
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isZero();
        assertThat(s.serverName()).isEqualTo("n1");
        assertThat(s.httpHost()).isEqualTo("127.0.0.2");
        assertThat(s.httpPort()).isEqualTo(8223);
        assertThat(s.maxPayload()).isEqualTo(2 * 1024 * 1024);
        assertThat(s.maxPending()).isEqualTo(128L * 1024 * 1024);
        assertThat(s.maxControlLine()).isEqualTo(8192);
        assertThat(s.maxConnections()).isEqualTo(100);
        assertThat(s.maxSubscriptions()).isEqualTo(10);
        assertThat(s.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.pingMax()).isEqualTo(3);
        assertThat(s.writeDeadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.username()).isEqualTo("u");
        assertThat(s.password()).isEqualTo("p");
        assertThat(s.authTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.debug()).isTrue();
        assertThat(s.trace()).isTrue();
        assertThat(s.logTime()).isFalse();
        assertThat(s.logFile()).isEqualTo("/tmp/x.log");
        assertThat(s.pidFile()).isEqualTo("/tmp/x.pid");
        assertThat(s.portsFileDir()).isEqualTo("/tmp");
        assertThat(s.lameDuckDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.lameDuckGracePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.maxTracedMsgLen()).isEqualTo(64);
        assertThat(s.clientAdvertise()).isEqualTo("example.com:4222");
        assertThat(s.noHeaderSupport()).isTrue();
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("port: 4333\nfoo: bar\n", "t.conf:2:1: unknown field \"foo\""),
                Arguments.of("port: \"abc\"\n", "t.conf:1:0: interface conversion: interface {} is string, not int64"),
                Arguments.of("server_name: true\n", "t.conf:1:0: interface conversion: interface {} is bool, not string"),
                Arguments.of("debug: \"true\"\n", "t.conf:1:0: interface conversion: interface {} is string, not bool"),
                Arguments.of("lame_duck_duration: 30\n",
                        "t.conf:1:0: interface conversion: interface {} is int64, not string"),
                Arguments.of("authorization {\n  user: a\n  foo: 1\n}\n", "t.conf:3:3: unknown field \"foo\""),
                Arguments.of("authorization {\n  nkeys = [\n {nkey: a}\n  ]\n}\n",
                        "t.conf:2:3: authorization nkeys is not supported by NATS Boot yet"),
                Arguments.of("tls { cert_file: x, key_file: y, verify_cert_and_check_known_urls: true }\n",
                        "t.conf:1:33: verify_cert_and_check_known_urls not supported in this context"),
                Arguments.of("port: 1\ncluster { listen: \"127.0.0.1:-1\", pool_size: 3 }\n",
                        "t.conf:2:35: unknown field \"pool_size\""),
                Arguments.of("cluster { listen: 6222, tls { cert_file: x, key_file: y, verify_cert_and_check_known_urls: true } }\n",
                        "t.conf:1:57: cluster tls verify_cert_and_check_known_urls is not supported by NATS Boot yet"),
                Arguments.of("cluster { listen: 6222, foo: 1 }\n", "t.conf:1:24: unknown field \"foo\""),
                Arguments.of("cluster { authorization { users: [ {user: a} ] } }\n",
                        "t.conf:1:10: Cluster authorization does not allow multiple users or tokens"),
                Arguments.of("jetstream: maybe\n", "t.conf:1:0: Expected 'enabled' or 'disabled' for string value, got 'maybe'"),
                Arguments.of("jetstream { sync_interval: 1 }\n", "t.conf:1:12: unknown field \"sync_interval\""),
                Arguments.of("accounts { A: { jetstream: { max_mem: \"x\" } } }\n",
                        "t.conf:1:29: Expected a parseable size for \"max_mem\", got x"),
                Arguments.of("accounts { A: { jetstream: { max_mem: 1, foo: 2 } } }\n",
                        "t.conf:1:41: unknown field \"foo\""),
                Arguments.of("accounts { A: { foo: 1 } }\n", "t.conf:1:16: unknown field \"foo\""),
                Arguments.of("no_auth_user: a\n", "no_auth_user: \"a\" present, but users are not defined"),
                Arguments.of("authorization { users = [ {user: b, password: c} ] }\nno_auth_user: a\n",
                        "no_auth_user: \"a\" not present as user in authorization block or account configuration"),
                Arguments.of("max_closed_clients: 5\n", "t.conf:1:0: unknown field \"max_closed_clients\""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rejected")
    void rejectedOptions(String text, String error) throws ConfException {
        ConfigFileOptions.Outcome o = options(text, ServerOptions.builder());
        assertThat(o.errors()).containsExactly(error);
        assertThat(o.message()).isEqualTo(error + "\n");
    }

    @Test
    void dockerClusterSampleGivesClusterOptions() throws ConfException {
        ConfMap m = ConfParser.parseFile(repoConfig("cluster-docker.conf"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cluster = (Map<String, Object>) m.toPlain().get("cluster");
        assertThat(cluster.get("authorization")).isEqualTo(Map.of("user", "ruser", "password", "T0pS3cr3t",
                "timeout", 2L));
        assertThat(cluster.get("routes")).isEqualTo(List.of("nats-route://ruser:T0pS3cr3t@nats-1:6222",
                "nats-route://ruser:T0pS3cr3t@nats-2:6222"));
        assertThat(cluster.get("listen")).isEqualTo("0.0.0.0:6222");
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.apply(m, b).errors()).isEmpty();
        ClusterOptions c = b.build().cluster();
        assertThat(c.name()).isEqualTo("docker");
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(6222);
        assertThat(c.user()).isEqualTo("ruser");
        assertThat(c.password()).isEqualTo("T0pS3cr3t");
        assertThat(c.authTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(c.routes()).extracting(java.net.URI::toString).containsExactly(
                "nats-route://ruser:T0pS3cr3t@nats-1:6222", "nats-route://ruser:T0pS3cr3t@nats-2:6222");
    }

    @Test
    void clusterFlagsWinOverTheFile() throws ConfException {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.load(repoConfig("cluster-docker.conf"), b);
        CommandLine.Result cli = CommandLine.parse(new String[] {"--cluster", "nats://u:p@127.0.0.1:-1",
                "--cluster_name", "other", "--routes", "nats://10.0.0.1:7222,nats://10.0.0.2:7222", "--no_advertise",
                "--connect_retries", "3"});
        ClusterOptions c = cli.applyTo(b).build().cluster();
        assertThat(c.name()).isEqualTo("other");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isZero();
        assertThat(c.user()).isEqualTo("u");
        assertThat(c.password()).isEqualTo("p");
        assertThat(c.noAdvertise()).isTrue();
        assertThat(c.connectRetries()).isEqualTo(3);
        assertThat(c.routes()).hasSize(2);
    }

    @Test
    void routesWithoutAClusterListenerAreAStartError() {
        CommandLine.Result cli = CommandLine.parse(new String[] {"--routes", "nats://127.0.0.1:6222"});
        assertThat(cli.action()).isEqualTo(CommandLine.Action.ERROR);
        assertThat(cli.stderr()).isEqualTo(
                "nats-server: solicited routes require cluster capabilities, e.g. --cluster\n");
    }

    @Test
    void badRouteUrlIsAStartError() {
        CommandLine.Result cli = CommandLine.parse(new String[] {"--cluster", "nats://127.0.0.1:6222", "--routes",
                "nats://host-without-port"});
        assertThat(cli.action()).isEqualTo(CommandLine.Action.ERROR);
        assertThat(cli.stderr()).contains("error parsing route url");
    }

    @Test
    void samplesThatRun() throws ConfException {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(repoConfig("single.conf"), b).message()).isEmpty();
        assertThat(b.build().maxConnections()).isEqualTo(64_000);
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(repoConfig("auth-user.conf"), b).message()).isEmpty();
        assertThat(b.build().password()).isEqualTo("s3cr3t");
        b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(repoConfig("tls.conf"), b).message()).isEmpty();
        assertThat(b.build().tls().verify()).isTrue();
        assertThat(b.build().tls().timeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    }

    static String repoConfig(String name) {
        Path p = Path.of("../config", name);
        if (!Files.exists(p)) {
            p = Path.of("config", name);
        }
        return p.toString();
    }
}
