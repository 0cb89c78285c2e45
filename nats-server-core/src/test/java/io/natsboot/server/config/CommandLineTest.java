package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.CommandLine.Action;
import io.natsboot.server.config.CommandLine.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expected texts and exit statuses were observed with the Debian nats-server 2.9.10 binary
 * ({@code /usr/sbin/nats-server}).
 */
class CommandLineTest {

    private static ServerOptions run(String... args) {
        Result r = CommandLine.parse(args);
        assertThat(r.action()).as("action for %s: %s", List.of(args), r.stderr()).isEqualTo(Action.RUN);
        return r.options();
    }

    private static Result usageError(String... args) {
        Result r = CommandLine.parse(args);
        assertThat(r.action()).isEqualTo(Action.USAGE_ERROR);
        // nats-server: message on stderr, usage on stdout, exit status 0.
        assertThat(r.stdout()).isEqualTo(CommandLine.usageText());
        assertThat(r.exitCode()).isZero();
        return r;
    }

    @Test
    void noArgumentsGiveTheDefaults() {
        assertThat(run()).isEqualTo(ServerOptions.defaults());
    }

    @Nested
    class Flags {
        @Test
        void everySupportedFlagShortForm() {
            ServerOptions o = run("-a", "127.0.0.1", "-p", "4333", "-n", "srv", "-P", "/tmp/n.pid", "-D", "-V",
                    "-l", "/tmp/n.log", "-T=false");
            assertThat(o.host()).isEqualTo("127.0.0.1");
            assertThat(o.port()).isEqualTo(4333);
            assertThat(o.serverName()).isEqualTo("srv");
            assertThat(o.pidFile()).isEqualTo("/tmp/n.pid");
            assertThat(o.debug()).isTrue();
            assertThat(o.trace()).isTrue();
            assertThat(o.logFile()).isEqualTo("/tmp/n.log");
            assertThat(o.logTime()).isFalse();
        }

        @Test
        void everySupportedFlagLongFormWithEquals() {
            ServerOptions o = run("--addr=::1", "--port=5000", "--server_name=x", "--pid=p", "--debug",
                    "--trace=true", "--log=l", "--logtime=0", "--max_traced_msg_len=64", "--user=alice",
                    "--pass=secret", "--ports_file_dir=/tmp/pf", "--lame_duck_duration=30s",
                    "--lame_duck_grace_period=1.5s", "--client_advertise=example.com:4222");
            assertThat(o.host()).isEqualTo("::1");
            assertThat(o.port()).isEqualTo(5000);
            assertThat(o.serverName()).isEqualTo("x");
            assertThat(o.pidFile()).isEqualTo("p");
            assertThat(o.debug()).isTrue();
            assertThat(o.trace()).isTrue();
            assertThat(o.logFile()).isEqualTo("l");
            assertThat(o.logTime()).isFalse();
            assertThat(o.maxTracedMsgLen()).isEqualTo(64);
            assertThat(o.username()).isEqualTo("alice");
            assertThat(o.password()).isEqualTo("secret");
            assertThat(o.portsFileDir()).isEqualTo("/tmp/pf");
            assertThat(o.lameDuckDuration()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.lameDuckGracePeriod()).isEqualTo(Duration.ofMillis(1500));
            assertThat(o.clientAdvertise()).isEqualTo("example.com:4222");
        }

        @Test
        void oneAndTwoDashesAreTheSame() {
            assertThat(run("-addr", "h1").host()).isEqualTo("h1");
            assertThat(run("--addr", "h1").host()).isEqualTo("h1");
            assertThat(run("--net", "h2").host()).isEqualTo("h2");
            assertThat(run("-net=h3").host()).isEqualTo("h3");
            assertThat(run("--a=h4").host()).isEqualTo("h4");
            assertThat(run("-name", "a").serverName()).isEqualTo("a");
            assertThat(run("--n", "b").serverName()).isEqualTo("b");
            assertThat(run("-auth", "tok").authToken()).isEqualTo("tok");
            assertThat(run("-user", "u", "-pass", "p").authRequired()).isTrue();
        }

        @Test
        void aValueIsTakenEvenWhenItLooksLikeAFlag() {
            assertThat(run("-p", "-1").port()).isZero();
            assertThat(run("-n", "-D").serverName()).isEqualTo("-D");
            assertThat(run("-n", "-D").debug()).isFalse();
            assertThat(run("--pass", "--x").password()).isEqualTo("--x");
        }

        @Test
        void anEqualsSignInTheValueStays() {
            assertThat(run("--pass=a=b").password()).isEqualTo("a=b");
            assertThat(run("--pass", "=x").password()).isEqualTo("=x");
            assertThat(run("--pass=").password()).isEmpty();
        }

        @Test
        void monitoringPort() {
            assertThat(run().httpPort()).isZero();
            assertThat(run("-m", "8222").httpPort()).isEqualTo(8222);
            assertThat(run("--http_port=-1").httpPort()).isEqualTo(-1);
            assertThat(usageError("-m", "x").stderr()).isEqualTo("invalid value \"x\" for flag -m: parse error\n");
        }

        @Test
        void theLastOccurrenceWins() {
            assertThat(run("-p", "5", "-p", "6").port()).isEqualTo(6);
        }

        @Test
        void portZeroIsTheDefaultPortAndMinusOneIsRandom() {
            assertThat(run("-p", "0").port()).isEqualTo(4222);
            assertThat(run("-p", "-1").port()).isZero();
            assertThat(run("-p=-1").port()).isZero();
        }

        @ParameterizedTest
        @CsvSource({"0x10,16", "0X1f,31", "010,8", "0o17,15", "0b101,5", "1_000,1000", "0x_1F,31", "+7,7", "0,4222"})
        void integersAreReadAsGoReadsThem(String text, int expected) {
            assertThat(run("-p", text).port()).isEqualTo(expected);
        }

        @ParameterizedTest
        @CsvSource({"1,true", "t,true", "T,true", "TRUE,true", "true,true", "True,true",
                "0,false", "f,false", "F,false", "FALSE,false", "false,false", "False,false"})
        void booleansAreReadAsGoReadsThem(String text, boolean expected) {
            assertThat(run("-D=" + text).debug()).isEqualTo(expected);
            assertThat(run("--logtime=" + text).logTime()).isEqualTo(expected);
        }

        @Test
        void aBooleanNeverTakesTheNextArgument() {
            Result r = CommandLine.parse("-T", "false");
            assertThat(r.action()).isEqualTo(Action.ERROR);
            assertThat(r.stderr()).isEqualTo("nats-server: unrecognized command: \"false\"\n");
            assertThat(r.exitCode()).isEqualTo(1);
        }

        @Test
        void combinedDebugAndTraceSwitches() {
            assertThat(run("-DV").debug()).isTrue();
            assertThat(run("-DV").trace()).isTrue();
            assertThat(run("-VV").trace()).isTrue();
            assertThat(run("-VV").debug()).isFalse();
            assertThat(run("-DVV").debug()).isTrue();
            assertThat(run("-DVV").trace()).isTrue();
            assertThat(run("--DV").trace()).isTrue();
            // They only switch on, and are looked at after the other flags.
            assertThat(run("-DV=false").debug()).isFalse();
            assertThat(run("-DV", "-D=false").debug()).isTrue();
            assertThat(run("-D", "-D=false").debug()).isFalse();
        }

        @ParameterizedTest
        @CsvSource({"30s,30000", "1m30s,90000", "1.5h,5400000", "500ms,500", "2h45m,9900000", "0,0",
                "1000000us,1000", ".5s,500", "1s500ms,1500"})
        void durationsAreReadAsGoReadsThem(String text, long millis) {
            assertThat(run("--lame_duck_duration", text).lameDuckDuration()).isEqualTo(Duration.ofMillis(millis));
        }

        @Test
        void microsecondUnitsInUnicode() throws Exception {
            assertThat(CommandLine.parseGoDuration("7\u00b5s")).isEqualTo(Duration.ofNanos(7000));
            assertThat(CommandLine.parseGoDuration("7\u03bcs")).isEqualTo(Duration.ofNanos(7000));
        }

        @Test
        void flagsCanBeReplayedOverAnotherBuilder() {
            Result r = CommandLine.parse("-p", "5222", "-DV");
            ServerOptions fromFile = ServerOptions.builder().host("10.0.0.1").port(7000).serverName("file").build();
            ServerOptions merged = r.applyTo(fromFile.toBuilder()).build();
            assertThat(merged.host()).isEqualTo("10.0.0.1");
            assertThat(merged.serverName()).isEqualTo("file");
            assertThat(merged.port()).isEqualTo(5222);
            assertThat(merged.debug()).isTrue();
            assertThat(merged.trace()).isTrue();
            assertThat(r.flags()).containsOnlyKeys("p", "DV");
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownFlag() {
            assertThat(usageError("-bogus").stderr()).isEqualTo("flag provided but not defined: -bogus\n");
            assertThat(usageError("--bogus=1").stderr()).isEqualTo("flag provided but not defined: -bogus\n");
            // An error anywhere wins over -v.
            assertThat(usageError("-v", "-bogus").stderr()).isEqualTo("flag provided but not defined: -bogus\n");
        }

        @Test
        void lameDuckFlagsAreNotSingleLetters() {
            assertThat(usageError("-lame_duck").stderr()).isEqualTo("flag provided but not defined: -lame_duck\n");
        }

        @Test
        void badSyntax() {
            assertThat(usageError("---p").stderr()).isEqualTo("bad flag syntax: ---p\n");
            assertThat(usageError("-=x").stderr()).isEqualTo("bad flag syntax: -=x\n");
            assertThat(usageError("--=x").stderr()).isEqualTo("bad flag syntax: --=x\n");
        }

        @Test
        void missingArgument() {
            assertThat(usageError("-p").stderr()).isEqualTo("flag needs an argument: -p\n");
            assertThat(usageError("-D", "--log").stderr()).isEqualTo("flag needs an argument: -log\n");
        }

        @Test
        void invalidValues() {
            assertThat(usageError("-p", "abc").stderr()).isEqualTo("invalid value \"abc\" for flag -p: parse error\n");
            assertThat(usageError("-p", "99999999999999999999").stderr())
                    .isEqualTo("invalid value \"99999999999999999999\" for flag -p: value out of range\n");
            assertThat(usageError("--max_traced_msg_len=x").stderr())
                    .isEqualTo("invalid value \"x\" for flag -max_traced_msg_len: parse error\n");
            assertThat(usageError("-p", "08").stderr()).isEqualTo("invalid value \"08\" for flag -p: parse error\n");
            assertThat(usageError("-p", "0x").stderr()).isEqualTo("invalid value \"0x\" for flag -p: parse error\n");
            assertThat(usageError("-p", "1__0").stderr()).contains("parse error");
            assertThat(usageError("-p", "_1").stderr()).contains("parse error");
            assertThat(usageError("-p", "1_").stderr()).contains("parse error");
            assertThat(usageError("-p", "").stderr()).isEqualTo("invalid value \"\" for flag -p: parse error\n");
            assertThat(usageError("--lame_duck_duration", "5").stderr())
                    .isEqualTo("invalid value \"5\" for flag -lame_duck_duration: parse error\n");
            assertThat(usageError("--lame_duck_duration", "5x").stderr()).contains("parse error");
            assertThat(usageError("--lame_duck_duration", ".s").stderr()).contains("parse error");
        }

        @Test
        void invalidBoolean() {
            assertThat(usageError("-D=maybe").stderr()).isEqualTo("invalid boolean value \"maybe\" for -D: parse error\n");
            assertThat(usageError("-T=no").stderr()).isEqualTo("invalid boolean value \"no\" for -T: parse error\n");
            assertThat(usageError("-D=").stderr()).isEqualTo("invalid boolean value \"\" for -D: parse error\n");
        }

        @Test
        void valuesAreQuotedAsGoQuotes() {
            assertThat(usageError("-p", "a\"b\tc\\").stderr())
                    .isEqualTo("invalid value \"a\\\"b\\tc\\\\\" for flag -p: parse error\n");
            assertThat(GoFormat.quote("caf\u00e9 \u0001\u007f\u00a0\n")).isEqualTo("\"caf\u00e9 \\x01\\x7f\\u00a0\\n\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"foo", "-", "stop"})
        void unknownCommand(String command) {
            Result r = CommandLine.parse("-p", "1", command, "-v");
            assertThat(r.action()).isEqualTo(Action.ERROR);
            assertThat(r.stderr()).isEqualTo("nats-server: unrecognized command: \"" + command + "\"\n");
            assertThat(r.stdout()).isEmpty();
            assertThat(r.exitCode()).isEqualTo(1);
        }

        @Test
        void doubleDashEndsTheFlags() {
            Result r = CommandLine.parse("--", "-v");
            assertThat(r.action()).isEqualTo(Action.ERROR);
            assertThat(r.stderr()).isEqualTo("nats-server: unrecognized command: \"-v\"\n");
        }

        @Test
        void jetstreamFlags() {
            Result r = CommandLine.parse("-js", "-sd", "/data/js");
            assertThat(r.action()).isEqualTo(Action.RUN);
            assertThat(r.applyTo(ServerOptions.builder()).build().jetstream())
                    .isEqualTo(new JetStreamOptions(true, "/data/js", -1, -1, null));
            assertThat(CommandLine.parse("--jetstream=false").applyTo(ServerOptions.builder()).build().jetstream()
                    .enabled()).isFalse();
        }

        @Test
        void profileIsAcceptedWithItsPort() {
            Result r = CommandLine.parse("--profile", "6060", "--jetstream", "-c", "x.conf");
            assertThat(r.action()).isEqualTo(Action.RUN);
            assertThat(r.unsupportedFlags()).isEmpty();
            assertThat(r.options().profPort()).isEqualTo(6060);
            // Parsed with their real types: --profile takes an int.
            assertThat(usageError("--profile", "x").stderr())
                    .isEqualTo("invalid value \"x\" for flag -profile: parse error\n");
            assertThat(CommandLine.parse("--profile", "1", "-v").action()).isEqualTo(Action.VERSION);
            // Switching a boolean one off is harmless.
            assertThat(CommandLine.parse("--tls=false").action()).isEqualTo(Action.RUN);
        }
    }

    @Nested
    class VersionAndHelp {
        @ParameterizedTest
        @ValueSource(strings = {"-v", "--v", "-version", "--version", "version", "VERSION", "Version"})
        void version(String arg) {
            Result r = CommandLine.parse(arg);
            assertThat(r.action()).isEqualTo(Action.VERSION);
            assertThat(r.stdout()).startsWith("nats-server: v2.9.10\n");
            assertThat(r.stdout().split("\n")).hasSize(2);
            assertThat(r.stdout().split("\n")[1]).startsWith("NATS Boot ");
            assertThat(r.stderr()).isEmpty();
            assertThat(r.exitCode()).isZero();
        }

        @ParameterizedTest
        @ValueSource(strings = {"-h", "--h", "-help", "--help", "help", "HELP"})
        void help(String arg) {
            Result r = CommandLine.parse(arg);
            assertThat(r.action()).isEqualTo(Action.HELP);
            assertThat(r.stdout()).isEqualTo(CommandLine.usageText());
            assertThat(r.stderr()).isEmpty();
            assertThat(r.exitCode()).isZero();
        }

        @Test
        void versionWinsOverHelpWhichWinsOverCommands() {
            assertThat(CommandLine.parse("-h", "-v").action()).isEqualTo(Action.VERSION);
            assertThat(CommandLine.parse("-v", "-h").action()).isEqualTo(Action.VERSION);
            assertThat(CommandLine.parse("-h", "foo").action()).isEqualTo(Action.HELP);
            assertThat(CommandLine.parse("-v", "foo").action()).isEqualTo(Action.VERSION);
            assertThat(CommandLine.parse("version", "foo").action()).isEqualTo(Action.VERSION);
            assertThat(CommandLine.parse("help", "-v").action()).isEqualTo(Action.HELP);
            assertThat(CommandLine.parse("-v=false", "-h=false", "version").action()).isEqualTo(Action.VERSION);
        }

        @Test
        void usageHasNatsServersShape() {
            String u = CommandLine.usageText();
            assertThat(u).startsWith("\nUsage: nats-server [options]\n\nServer Options:\n");
            assertThat(u).endsWith("\n\n");
            assertThat(u).contains("    -a, --addr, --net <host>         ");
            assertThat(u).contains("    -p, --port <port>                ");
            assertThat(u).contains("        --ports_file_dir <dir>       ");
            assertThat(u).contains("    -DV                              ");
            assertThat(u).contains("        --tls                        Enable TLS without verifying clients "
                    + "(default: false)\n");
            assertThat(u).contains("    -p, --port <port>                Port for client connections "
                    + "(default: 4222, -1 for a random port)\n");
            List<String> sections = new ArrayList<>();
            for (String line : u.split("\n")) {
                if (line.endsWith(":") && !line.startsWith(" ")) {
                    sections.add(line);
                }
            }
            assertThat(sections).containsExactly("Server Options:", "Logging Options:", "JetStream Options:",
                    "Authorization Options:", "TLS Options:", "Cluster Options:", "Profiling Options:",
                    "NATS Boot Options (not in nats-server):", "Common Options:");
        }

        @Test
        void usageListsEveryFlagOfTheTable() {
            String u = CommandLine.usageText();
            for (CommandLine.FlagDef f : CommandLine.FLAGS) {
                for (String n : f.names()) {
                    assertThat(u).contains(n);
                }
            }
        }

        @Test
        void everyNatsServerFlagIsInTheTable() {
            // The flag names nats-server 2.9.10 defines (probed one by one against the binary).
            List<String> natsServer = List.of("h", "help", "help_tls", "v", "version", "p", "port", "a", "addr",
                    "net", "n", "name", "server_name", "P", "pid", "m", "http_port", "ms", "https_port", "c", "config",
                    "t", "sl", "signal", "client_advertise", "ports_file_dir", "l", "log", "T", "logtime", "s",
                    "syslog", "r", "remote_syslog", "D", "debug", "V", "trace", "VV", "DV", "DVV", "log_size_limit",
                    "max_traced_msg_len", "js", "jetstream", "sd", "store_dir", "user", "pass", "auth", "tls",
                    "tlscert", "tlskey", "tlsverify", "tlscacert", "routes", "cluster", "cluster_name",
                    "no_advertise", "cluster_advertise", "connect_retries", "cluster_listen", "profile");
            for (String name : natsServer) {
                assertThat(CommandLine.parse("-" + name + "=1").stderr())
                        .as(name).doesNotContain("flag provided but not defined");
            }
        }
    }
}
