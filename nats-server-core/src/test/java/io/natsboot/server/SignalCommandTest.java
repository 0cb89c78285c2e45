package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.CommandLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --signal}: messages and statuses as nats-server 2.9.10's (observed with the Debian binary), with a
 * fake process table and kill.
 */
class SignalCommandTest {

    private final List<String> sent = new ArrayList<>();

    private SignalCommand.Outcome run(String spec, Long... running) {
        return SignalCommand.run(spec, () -> List.of(running), (pid, sig) -> {
            sent.add(sig + " " + pid);
            return pid == 99999 ? "no such process" : null;
        });
    }

    private void assertError(SignalCommand.Outcome o, String message) {
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.stderr()).isEqualTo("nats-server: " + message + "\n");
    }

    @Test
    void commandsAndTheirSignals() {
        String[][] table = {{"stop", "KILL"}, {"quit", "INT"}, {"term", "TERM"}, {"reopen", "USR1"},
            {"reload", "HUP"}, {"ldm", "USR2"}};
        for (String[] row : table) {
            sent.clear();
            SignalCommand.Outcome o = run(row[0] + "=1234");
            assertThat(o.exitCode()).isZero();
            assertThat(o.stderr()).isEmpty();
            assertThat(sent).containsExactly(row[1] + " 1234");
        }
    }

    @Test
    void withoutPidTheOnlyRunningServer() {
        assertThat(run("reload", 4321L).exitCode()).isZero();
        assertThat(run("ldm=", 4321L).exitCode()).isZero(); // empty pid: look for one
        assertThat(sent).containsExactly("HUP 4321", "USR2 4321");
    }

    @Test
    void withoutPidNoneOrSeveral() {
        assertError(run("reload"), "no nats-server processes running");
        assertError(run("bogus"), "no nats-server processes running"); // the pid is looked for first
        assertError(run("reload", 31473L, 31499L), "multiple nats-server processes running:\n31473\n31499");
        assertError(run("bogus", 31473L, 31499L), "multiple nats-server processes running:\n31473\n31499");
        assertThat(sent).isEmpty();
    }

    @Test
    void badSpecs() {
        assertError(run("bogus", 1L), "unknown signal \"bogus\"");
        assertError(run("=123"), "unknown signal \"\"");
        assertError(run("reload=a=b=c"), "invalid signal parameters: [b c]");
        assertError(run("reload=123=3"), "invalid signal parameters: [3]");
        assertError(run("ldm=abc"), "invalid pid: abc");
        assertError(run("reload=123*"), "invalid pid: 123*"); // no globs in 2.9.10
        assertError(run("reload=/nonexistent/pid"), "invalid pid: /nonexistent/pid");
        assertError(run("reload=-1"), "invalid pid: -1"); // ours: no process groups, no "everyone"
        assertError(run("reload=99999"), "no such process");
        assertThat(sent).containsExactly("HUP 99999");
    }

    @Test
    void pidFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.pid");
        Files.writeString(f, "2468");
        assertThat(run("reload=" + f).exitCode()).isZero();
        assertThat(sent).containsExactly("HUP 2468");
        Files.writeString(f, "2468\n"); // nats-server writes none, and does not trim one
        assertError(run("reload=" + f), "invalid pid: 2468\n");
    }

    @Test
    void signalWinsOverEverythingButParseErrorsCommandsHelpAndVersion() {
        CommandLine.Result r = CommandLine.parse("--signal", "reload=12", "--tls", "-c", "x.conf", "-t");
        assertThat(r.action()).isEqualTo(CommandLine.Action.SIGNAL);
        assertThat(r.signal()).isEqualTo("reload=12");
        assertThat(CommandLine.parse("-sl=stop").signal()).isEqualTo("stop");
        assertThat(CommandLine.parse("-sl", "stop", "x").action()).isEqualTo(CommandLine.Action.ERROR);
        assertThat(CommandLine.parse("-sl", "stop", "-v").action()).isEqualTo(CommandLine.Action.VERSION);
        assertThat(CommandLine.parse("-sl=").action()).isEqualTo(CommandLine.Action.RUN); // empty: no signal
    }

    @Test
    void theProcessTableHasNoSelf() {
        assertThat(SignalCommand.runningServers()).doesNotContain(ProcessHandle.current().pid());
    }
}
