package io.natsboot.server;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code nats-server --signal <command>[=<pid>]}: signal a running server and exit, as nats-server 2.9.10
 * does (observed with the Debian binary):
 *
 * <ul>
 *   <li>Commands and the signals they send: {@code stop} SIGKILL (sic: nats-server's "stop" is a kill),
 *       {@code quit} SIGINT, {@code term} SIGTERM, {@code reopen} SIGUSR1, {@code reload} SIGHUP,
 *       {@code ldm} SIGUSR2. Anything else: {@code unknown signal "x"}.</li>
 *   <li>{@code <pid>} is a number, else the path of a pid file holding one. Not a number and no readable
 *       file: {@code invalid pid: <arg>}; a file whose content is not a number: {@code invalid pid: <content>}
 *       (content as read, a trailing newline included). The process need not be a nats-server.</li>
 *   <li>No pid (or {@code reload=}): the running nats-server processes other than this one, found as
 *       {@code pgrep nats-server} finds them (process name), plus NATS Boot servers (a {@code java} process
 *       with {@code -Dnatsboot.exe=...nats-server...}). None: {@code no nats-server processes running};
 *       several: {@code multiple nats-server processes running:} followed by one pid a line, ascending.
 *       The pid is checked before the command, so {@code --signal bogus} without a server says there is
 *       none.</li>
 *   <li>{@code a=b=c}: {@code invalid signal parameters: [c]} (Go's %v of what follows the second '=').</li>
 *   <li>A failed kill: the errno text ({@code no such process}, {@code operation not permitted}).</li>
 *   <li>Success prints nothing, exit status 0; every error is {@code nats-server: <message>} on stderr and
 *       exit status 1.</li>
 * </ul>
 *
 * Deliberate difference: a pid of 0 or below (process groups, "every process" for -1, which kill(2) would
 * take and nats-server passes on) is refused as {@code invalid pid}.
 *
 * <p>Java cannot send arbitrary signals, so this runs {@code kill -s SIG pid}.
 */
public final class SignalCommand {

    /** The process name nats-server looks for. */
    static final String PROCESS_NAME = "nats-server";

    static final Map<String, String> SIGNALS = Map.of(
            "stop", "KILL", "quit", "INT", "term", "TERM", "reopen", "USR1", "reload", "HUP", "ldm", "USR2");

    /** The result: exit status and what to print on stderr (empty on success). */
    public record Outcome(int exitCode, String stderr) {
    }

    /** Sends a signal; returns null on success, else the errno text. */
    @FunctionalInterface
    interface Killer {
        String kill(long pid, String signal);
    }

    private SignalCommand() {
    }

    /** {@code --signal spec} with the real process table and kill. */
    public static Outcome run(String spec) {
        return run(spec, SignalCommand::runningServers, SignalCommand::kill);
    }

    static Outcome run(String spec, Supplier<List<Long>> servers, Killer killer) {
        String error = process(spec, servers, killer);
        return error == null ? new Outcome(0, "") : new Outcome(1, CommandLine.PROGRAM + ": " + error + "\n");
    }

    /** Null on success, else the error message (without the program prefix). */
    private static String process(String spec, Supplier<List<Long>> servers, Killer killer) {
        String[] parts = spec.split("=", -1);
        String command = parts[0];
        String pidArg = parts.length >= 2 ? parts[1] : "";
        if (parts.length > 2) {
            return "invalid signal parameters: [" + String.join(" ", Arrays.asList(parts).subList(2, parts.length))
                    + "]";
        }
        List<Long> pids;
        if (!pidArg.isEmpty()) {
            Long pid = atoi(pidArg);
            if (pid == null) {
                String content;
                try {
                    content = Files.readString(Path.of(pidArg), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    return "invalid pid: " + pidArg;
                }
                pid = atoi(content);
                if (pid == null) {
                    return "invalid pid: " + content;
                }
            }
            if (pid <= 0) {
                return "invalid pid: " + pid;
            }
            pids = List.of(pid);
        } else {
            try {
                pids = servers.get();
            } catch (RuntimeException e) {
                return "unable to resolve pid, try providing one";
            }
            if (pids.size() > 1) {
                StringBuilder sb = new StringBuilder("multiple " + PROCESS_NAME + " processes running:");
                for (long p : pids) {
                    sb.append('\n').append(p);
                }
                return sb.toString();
            }
            if (pids.isEmpty()) {
                return "no " + PROCESS_NAME + " processes running";
            }
        }
        String signal = SIGNALS.get(command);
        if (signal == null) {
            return "unknown signal " + GoFormat.quote(command);
        }
        return killer.kill(pids.get(0), signal);
    }

    /** Go's strconv.Atoi: optional sign, ASCII digits, 64-bit range; null otherwise. */
    static Long atoi(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (s.length() == start) {
            return null;
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // The process table

    /** The pids of running nats-server processes but this one, ascending. */
    static List<Long> runningServers() {
        long self = ProcessHandle.current().pid();
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> {
            if (ph.pid() != self && isServer(ph)) {
                pids.add(ph.pid());
            }
        });
        pids.sort(null);
        return pids;
    }

    private static boolean isServer(ProcessHandle ph) {
        // pgrep matches the process name: the executable's base name as exec'd, at most 15 characters.
        String comm = readProc(ph.pid(), "comm");
        if (comm == null) {
            comm = ph.info().command().map(c -> c.substring(c.lastIndexOf('/') + 1)).orElse("");
        }
        if (comm.strip().contains(PROCESS_NAME)) {
            return true;
        }
        List<String> args = commandLine(ph);
        for (String a : args) {
            if (a.startsWith("-D" + NatsServerMain.EXE_PROPERTY + "=")
                    && a.substring(a.indexOf('=') + 1).contains(PROCESS_NAME)) {
                return true;
            }
        }
        return false;
    }

    /** The process's arguments, from /proc where ProcessHandle has none (another user's process). */
    private static List<String> commandLine(ProcessHandle ph) {
        Optional<String[]> args = ph.info().arguments();
        if (args.isPresent() && args.get().length > 0) {
            return Arrays.asList(args.get());
        }
        String raw = readProc(ph.pid(), "cmdline");
        return raw == null ? List.of() : Arrays.asList(raw.split("\0"));
    }

    private static String readProc(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // kill

    private static String kill(long pid, String signal) {
        String kill = Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill"
                : Files.isExecutable(Path.of("/usr/bin/kill")) ? "/usr/bin/kill" : null;
        if (kill == null) {
            if (signal.equals("KILL") || signal.equals("TERM")) {
                Optional<ProcessHandle> ph = ProcessHandle.of(pid);
                if (ph.isEmpty()) {
                    return "no such process";
                }
                boolean sent = signal.equals("KILL") ? ph.get().destroyForcibly() : ph.get().destroy();
                return sent ? null : "operation not permitted";
            }
            return "unable to send signal: no kill command found";
        }
        try {
            Process p = new ProcessBuilder(kill, "-s", signal, "--", Long.toString(pid))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0) {
                return null;
            }
            String lower = out.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("no such process")) {
                return "no such process";
            }
            if (lower.contains("not permitted")) {
                return "operation not permitted";
            }
            return out.strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
