package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RequiresBinary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code system_account} / {@code no_system_account}: {@code -t} and the start-up check give nats-server 2.9.10's
 * exit status and text for the same file (run side by side with the Debian binary).
 */
@RequiresBinary("nats-server")
class SystemAccountConfigTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    record Outcome(int status, String stderr) {
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "system_account: SYS",
            "system_account: SYS\naccounts { SYS { users=[{user:s,password:s}] } }",
            "system: SYS\naccounts { SYS { } }",
            "no_system_account: true",
            "no_sys_acc: true",
            "no_system: true",
            "no_system: 5",
            "port: 4222\n   system_account: 5",
            "system_account: 5",
            "   no_system_account: 5",
            "no_system_account: \"yes\"",
            "sys_account: SYS",
            "system_account: \"\"",
            "accounts { $SYS { users=[{user:s,password:s}] } }",
            "no_system_account: true\naccounts { $SYS { users=[{user:s,password:s}] } }",
    })
    void testConfigAsNatsServer(String conf) throws Exception {
        Path file = Files.createTempDirectory("sysacc").resolve("t.conf");
        Files.writeString(file, conf + "\n");
        Outcome theirs = go(file.getParent(), "-c", "t.conf", "-t");
        Outcome ours = ours(file.getParent(), "-c", file.toString(), "-t");
        assertThat(ours.status()).as(conf).isEqualTo(theirs.status());
        assertThat(ours.stderr().replace(file.toString(), "t.conf")).as(conf).isEqualTo(theirs.stderr());
    }

    /** A system account nobody declares passes -t but stops the start, before any log line. */
    @ParameterizedTest
    @ValueSource(strings = {"system_account: SYS", "system_account: NOPE\naccounts { A { } }"})
    void undeclaredSystemAccountStopsTheStart(String conf) throws Exception {
        Path file = Files.createTempDirectory("sysacc").resolve("r.conf");
        Files.writeString(file, conf + "\n");
        Outcome theirs = go(file.getParent(), "-c", "r.conf", "-a", "127.0.0.1", "-p", "-1");
        Outcome ours = ours(file.getParent(), "-c", file.toString(), "-a", "127.0.0.1", "-p", "-1");
        assertThat(theirs.stderr()).isEqualTo("nats-server: error resolving system account: account missing\n");
        assertThat(ours).isEqualTo(theirs);
    }

    /** Texts of nats-server 2.9.10's log for the same reloads (probed with SIGHUP). */
    @org.junit.jupiter.api.Test
    void reloadRefusesSystemAccountChanges() throws Exception {
        io.natsboot.server.config.ServerOptions sys = options("system_account: SYS\naccounts { SYS { }, A { } }");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.natsboot.server.config.ConfigReload.diff(sys,
                        options("system_account: A\naccounts { SYS { }, A { } }"), 4222))
                .hasMessage("config reload not supported for SystemAccount: old=SYS, new=A");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.natsboot.server.config.ConfigReload.diff(sys,
                        options("system_account: SYS\nno_system_account: true\naccounts { SYS { }, A { } }"), 4222))
                .hasMessage("config reload not supported for NoSystemAccount: old=false, new=true");
    }

    private static io.natsboot.server.config.ServerOptions options(String conf) throws Exception {
        io.natsboot.server.config.ServerOptions.Builder b = io.natsboot.server.config.ServerOptions.builder();
        assertThat(io.natsboot.server.config.ConfigFileOptions.apply(io.natsboot.server.config.ConfParser.parseString(
                conf, "r.conf", System::getenv), b).errors()).isEmpty();
        return b.build();
    }

    private static Outcome go(Path dir, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = NATS_SERVER.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nats-server did not stop: " + String.join(" ", cmd));
        }
        return new Outcome(p.exitValue(), Files.readString(err));
    }

    private static Outcome ours(Path dir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = NatsServerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, err.toString(StandardCharsets.UTF_8));
    }
}
