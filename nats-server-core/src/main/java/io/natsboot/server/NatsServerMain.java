package io.natsboot.server;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ConfParser;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.NatsFormatLog;
import io.natsboot.server.log.NettyLogging;
import io.natsboot.server.log.ServerLog;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The standalone server: what {@code bin/nats-server} runs, behaving as the nats-server 2.9.10 process does
 * towards the tools that spawn it (engineering guide §2b).
 *
 * <ol>
 *   <li>Command line ({@link CommandLine}); {@code -v}, {@code -h} and bad flags print and exit as nats-server.</li>
 *   <li>The log ({@link NatsFormatLog}): stderr or {@code -l} file. A log file that cannot be opened is
 *       {@code <date> <time> error opening file: open <f>: <reason>} on stderr and exit status 1.</li>
 *   <li>Signals, trapped before the server starts (each logged at DBG as {@code Trapped "<name>" signal}):
 *       <ul>
 *         <li>SIGINT: graceful shutdown, exit 0.</li>
 *         <li>SIGTERM: graceful shutdown, exit <b>1</b> (nats-server 2.9.10's status); ignored while in lame duck
 *             mode, which ends in a shutdown anyway.</li>
 *         <li>SIGUSR2: lame duck mode; when it has closed every client the process exits 0.</li>
 *         <li>SIGHUP: configuration reload of the {@code -c} file ({@link #reload}); without one, nats-server's
 *             "can only reload config when a file is provided" error.</li>
 *         <li>SIGUSR1: reopens the {@code -l} log file.</li>
 *       </ul></li>
 *   <li>{@code -P}: the pid (no newline) written before the server starts; failure is FTL
 *       {@code Could not write pidfile: ...} and exit status 1. The file is left in place on exit, as
 *       nats-server does.</li>
 *   <li>{@link NatsServer#start()}. If it throws, the exception's message is logged at FTL and the exit
 *       status is 1.</li>
 *   <li>{@code --ports_file_dir}: {@code <dir>/<exe>_<pid>.ports} once the server accepts clients, deleted on
 *       exit; {@code <exe>} is the {@value #EXE_PROPERTY} system property (default {@code nats-server}).
 *       Content as nats-server's: {@code {"nats":["nats://127.0.0.1:4222",...],"monitoring":[...]}}.</li>
 * </ol>
 *
 * Signal handling uses {@code sun.misc.Signal} (module jdk.unsupported) through {@link SignalTrap}; where the
 * JVM refuses a signal, its default handling applies (exit on SIGINT/SIGTERM without the graceful shutdown).
 */
public final class NatsServerMain {

    /** System property with the executable's base name, for the ports file name. Set by bin/nats-server. */
    public static final String EXE_PROPERTY = "natsboot.exe";

    /** The options in force; replaced by a configuration reload. */
    private volatile ServerOptions options;
    private final CommandLine.Result cli;
    private final ServerLog log;
    private final Object lock = new Object();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private volatile NatsServer server;
    private volatile int exitCode;
    /** The OCSP staples prepared before the log started, for the server this process runs. */
    private io.natsboot.server.tls.OcspStaples ocsp;
    private volatile boolean shutdownRequested;
    private volatile boolean lameDuck;
    private volatile Path portsFile;
    /** A SIGHUP came before the server existed (after the ports file was written): reload once it has started. */
    private volatile boolean reloadPending;

    NatsServerMain(ServerOptions options, CommandLine.Result cli, ServerLog log) {
        this.options = options;
        this.cli = cli;
        this.log = log;
    }

    /** A configuration file that cannot be used; the message is nats-server's, without its prefix. */
    static final class BadConfig extends Exception {
        BadConfig(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The options to run with: the {@code -c} file if any, then the flags given on top (as nats-server: flags
     * win, at start and on every reload). Warnings (e.g. seconds where a duration belongs) go to
     * {@code warnings}; with {@code strict} (-t) they fail as errors do.
     */
    static ServerOptions loadOptions(CommandLine.Result cli, boolean strict, List<String> warnings)
            throws BadConfig {
        String file = cli.configFile();
        if (file == null) {
            return cli.options();
        }
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome outcome;
        try {
            outcome = ConfigFileOptions.load(file, b);
        } catch (ConfParser.ConfException e) {
            throw new BadConfig(e.getMessage());
        }
        if (!outcome.ok() || (strict && !outcome.warnings().isEmpty())) {
            throw new BadConfig(outcome.message());
        }
        warnings.addAll(outcome.warnings());
        try {
            return cli.applyTo(b).configFile(file).build();
        } catch (IllegalArgumentException e) { // a cluster or route URL that does not parse
            throw new BadConfig(e.getMessage());
        }
    }

    public static void main(String[] args) {
        // Netty and Reactor find slf4j-api on the class path; with no provider, SLF4J would print a
        // three-line notice on stderr, in the middle of nats-server's log. Their messages are not ours.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        // Start-up (docs/architecture.md, "Start-up"): name SLF4J's no-op provider instead of letting it scan
        // every jar for one (about 30 ms), and give Netty a logger into the server's log instead of probing
        // SLF4J, Log4j 2, Log4j and then settling on java.util.logging (NettyLogging says why not that).
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        }
        // Netty 4.2's buffer allocators declare JDK Flight Recorder events; the first allocation initialises
        // JFR's event machinery (annotation proxies, jdk.jfr.internal): 60-150 ms of the engine's start
        // measured here, before the first client gets INFO. A standalone server is not profiled through
        // these events; -Dio.netty.jfr.enabled=true on NATSBOOT_JAVA_OPTS turns them back on.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        // Netty's epoll transport opens a JDK Selector when it loads, and the JDK's SelectorProvider.provider()
        // first looks for a provider service in every jar of the class path (EarlyListener.platformProvider):
        // naming the platform's own provider skips that search.
        if (System.getProperty("java.nio.channels.spi.SelectorProvider") == null) {
            System.setProperty("java.nio.channels.spi.SelectorProvider",
                    EarlyListener.platformProvider().getClass().getName());
        }
        NettyLogging.install();
        int status = run(args, System.out, System.err);
        // run() has shut the server down and deleted the ports file. halt, not exit: System.exit first asks the
        // JDK's logging back end whether to log the exit, and setting that up searches every jar of the class
        // path for a System.LoggerFinder service (20-40 ms between the last log line and the process's end,
        // which a harness that restarts a server waits for). The only shutdown hook is cleanUp, already run.
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** Everything {@link #main} does but the final exit; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine.Result cli = CommandLine.parse(args);
        if (cli.action() == CommandLine.Action.SIGNAL) {
            SignalCommand.Outcome o = SignalCommand.run(cli.signal());
            err.print(o.stderr());
            err.flush();
            return o.exitCode();
        }
        if (cli.action() != CommandLine.Action.RUN) {
            // Go's flag package on a bad flag: the error on stderr first, then the usage on stdout.
            err.print(cli.stderr());
            err.flush();
            out.print(cli.stdout());
            out.flush();
            return cli.exitCode();
        }
        List<String> warnings = new ArrayList<>();
        ServerOptions options;
        try {
            options = loadOptions(cli, cli.testConfig(), warnings);
        } catch (BadConfig e) {
            err.print(CommandLine.PROGRAM + ": " + e.getMessage() + "\n");
            err.flush();
            return 1;
        }
        if (cli.testConfig()) {
            err.print(CommandLine.PROGRAM + ": configuration file " + cli.configFile() + " is valid\n");
            err.flush();
            return 0;
        }
        if (options.systemAccountMissing()) { // nats-server's NewServer error, before any log line
            err.print(CommandLine.PROGRAM + ": " + ServerOptions.SYSTEM_ACCOUNT_MISSING + "\n");
            err.flush();
            return 1;
        }
        String leafProblem = options.leafnodes() == null ? null : options.leafnodes().problem(options);
        if (leafProblem != null) { // nats-server's validateLeafNode error, before any log line
            err.print(CommandLine.PROGRAM + ": " + leafProblem + "\n");
            err.flush();
            return 1;
        }
        String webSocketProblem = options.websocket() == null ? null : options.websocket().problem(options);
        if (webSocketProblem != null) { // nats-server's validateWebsocketOptions error, before any log line
            err.print(CommandLine.PROGRAM + ": " + webSocketProblem + "\n");
            err.flush();
            return 1;
        }
        String operatorProblem = operatorModeProblem(options);
        if (operatorProblem != null) { // nats-server dies with these before its log starts
            err.print(CommandLine.PROGRAM + ": " + operatorProblem + "\n");
            err.flush();
            return 1;
        }
        String jsDomainProblem = io.natsboot.server.config.DefaultJsDomain.startProblem(options);
        if (jsDomainProblem != null) { // nats-server's validateJetStreamOptions error, before any log line
            err.print(CommandLine.PROGRAM + ": " + jsDomainProblem + "\n");
            err.flush();
            return 1;
        }
        for (String w : warnings) {
            err.print(w + "\n"); // nats-server prints them before its log starts
        }
        err.flush();
        io.natsboot.server.tls.OcspStaples ocsp;
        try {
            ocsp = io.natsboot.server.tls.OcspStaples.prepare(options); // nats-server's NewServer: fetches the staples
        } catch (IllegalArgumentException e) {
            err.print(CommandLine.PROGRAM + ": " + e.getMessage() + "\n");
            err.flush();
            return 1;
        }
        // The client port listens from here on, before the engine loads (EarlyListener).
        // Not with a cluster: there the client port opens once the routes are dialled (NatsServer.start).
        EarlyListener early = options.cluster() != null ? null
                : EarlyListener.bind(options.host(), options.port(), NatsServer.ACCEPT_BACKLOG);
        // With nothing but a plain client listener (no TLS, monitoring or cluster port that could still fail or
        // is not bound yet), the ports file says where clients go as soon as that port listens. If it cannot be
        // written here, runServer tries again and logs why.
        boolean portsFileNow = early != null && options.tls() == null && options.httpPort() == 0
                && options.httpsPort() == 0 && options.cluster() == null
                && options.portsFileDir() != null && !options.portsFileDir().isEmpty();
        // The ports file itself waits for runServer's signal handlers: a harness that sees it may signal at once
        // (SIGHUP to reload, SIGTERM to stop), and the JVM's own handlers would exit instead.
        NatsFormatLog log;
        try {
            log = NatsFormatLog.forOptions(options);
        } catch (io.natsboot.server.log.SyslogSink.SyslogException e) {
            // nats-server: log.Fatalf from its syslog logger, through Go's standard logger
            err.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss"))
                    + " " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            // nats-server dies through Go's standard logger here: second-precision time, no pid, no level.
            err.println(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss"))
                    + " error opening file: " + goError("open", Path.of(options.logFile()), e));
            err.flush();
            return 1;
        }
        NettyLogging.logTo(log);
        NatsServerMain main = new NatsServerMain(options, cli, log);
        main.ocsp = ocsp;
        return main.runServer(log, early, portsFileNow);
    }


    private int runServer(NatsFormatLog fileAwareLog, EarlyListener early, boolean portsFileNow) {
        // Trapped before the server starts, so a tool's signal is never the JVM's default exit.
        installSignalHandlers(fileAwareLog);
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "natsboot-cleanup"));

        if (options.pidFile() != null && !options.pidFile().isEmpty()) {
            Path pidFile = Path.of(options.pidFile());
            try {
                writeFile(pidFile, Long.toString(NatsFormatLog.pid()), "rw-rw----", false);
            } catch (IOException e) {
                log.fatal("Could not write pidfile: " + goError("open", pidFile, e));
                return 1;
            }
        }

        if (portsFileNow) {
            // As soon as the client port listens and signals are trapped (before the engine loads)
            writePortsFile(urls("nats", options.host(), early.port()), List.of(), List.of());
        }

        NatsServer s;
        try {
            s = new NatsServer(options, log);
            s.ocsp(ocsp);
            if (early != null) {
                s.adopt(early);
            }
            synchronized (lock) {
                server = s;
            }
            if (shutdownRequested) {
                return exitCode; // a signal arrived while we were constructing it
            }
            s.start();
        } catch (Exception | LinkageError e) {
            if (shutdownRequested) {
                return exitCode; // stopped by a signal while starting
            }
            log.fatal(startFailure(options, e));
            return 1;
        }
        if (!portsFileNow && options.portsFileDir() != null && !options.portsFileDir().isEmpty()) {
            writePortsFile(s);
        }
        if (reloadPending) {
            reloadPending = false;
            reload(fileAwareLog);
        }
        if (AotTraining.enabled()) {
            AotTraining.start(s.port(), () -> stop(0));
        }

        s.awaitShutdown();
        cleanUp();
        return exitCode;
    }

    /**
     * The FTL line for a failed start. A port that cannot be bound reads as nats-server's
     * {@code Error listening on port: 0.0.0.0:4222, "listen tcp 0.0.0.0:4222: bind: address already in use"}.
     */
    /** Operator mode's start-up checks (validation, account server, system account), or null. */
    private static String operatorModeProblem(ServerOptions options) {
        if (options.trust() == null) {
            return null;
        }
        String problem = io.natsboot.server.config.OperatorConfig.startProblem(options);
        if (problem != null) {
            return problem;
        }
        try {
            new io.natsboot.server.auth.jwt.OperatorMode(options.trust(), line -> { });
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    static String startFailure(ServerOptions options, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage();
            boolean bind = c instanceof java.net.BindException
                    || (m != null && (m.contains("Address already in use") || m.contains("bind(")));
            if (bind && m != null) {
                String reason = m.substring(m.lastIndexOf(": ") + 1).trim();
                if (!reason.isEmpty()) {
                    reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
                }
                String host = options.host() == null ? "" : options.host();
                String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + options.port();
                return "Error listening on port: " + hostPort + ", \"listen tcp " + hostPort + ": bind: " + reason + "\"";
            }
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // Signals

    private void installSignalHandlers(NatsFormatLog fileAwareLog) {
        trap("INT", "interrupt", () -> stop(0));
        trap("TERM", "terminated", () -> {
            if (!lameDuck) { // nats-server: SIGTERM does not cut a lame duck shutdown short
                stop(1);
            }
        });
        trap("HUP", "hangup", () -> reload(fileAwareLog));
        trap("USR1", "user defined signal 1", () -> {
            if (!fileAwareLog.isFileLog()) {
                log.info("File log re-open ignored, not a file logger");
                return;
            }
            try {
                fileAwareLog.reopen();
                log.info("File log re-opened");
            } catch (IOException e) {
                log.error("Error re-opening log file: " + e.getMessage());
            }
        });
        trap("USR2", "user defined signal 2", () -> {
            NatsServer s = server;
            if (s != null && !lameDuck) {
                lameDuck = true;
                Thread t = new Thread(s::enterLameDuckMode, "natsboot-lame-duck");
                t.setDaemon(true);
                t.start();
            }
        });
    }

    /**
     * SIGHUP: reads the {@code -c} file again (flags still win) and applies what nats-server can change at run
     * time; anything else refuses the reload with nats-server's error, keeping the running configuration.
     */
    synchronized boolean reload(NatsFormatLog fileAwareLog) {
        final String failed = "Failed to reload server configuration: ";
        if (cli.configFile() == null) {
            log.error(failed + "can only reload config when a file is provided using -c or --config");
            return false;
        }
        NatsServer s = server;
        if (shutdownRequested) {
            return false;
        }
        if (s == null) {
            reloadPending = true; // a SIGHUP while the server is being built: applied once it has started
            return false;
        }
        ServerOptions old = options;
        ServerOptions next;
        ConfigReload.Plan plan;
        try {
            next = loadOptions(cli, false, new ArrayList<>());
            plan = ConfigReload.diff(old, next, s.port());
        } catch (BadConfig e) {
            log.error(failed + e.getMessage().strip());
            return false;
        } catch (ConfigReload.Refused e) {
            log.error(failed + e.getMessage());
            return false;
        }
        // As nats-server, the new log destination takes over after the "Reloaded: ..." lines, which go to
        // the old one; only "Reloaded server configuration" goes to the new. Where nats-server exits because
        // the new file or syslog cannot be opened, we refuse the reload up front instead.
        boolean fileChanged = plan.logChanged() && !java.util.Objects.equals(old.logFile(), next.logFile());
        String newFile = next.logFile() == null || next.logFile().isEmpty() ? null : next.logFile();
        io.natsboot.server.log.SyslogSink sink = null;
        if (plan.logChanged()) {
            if (fileChanged && newFile != null) {
                try {
                    NatsFormatLog.checkWritable(Path.of(newFile));
                } catch (IOException e) {
                    log.error(failed + goError("open", Path.of(newFile), e));
                    return false;
                }
            }
            try {
                // Go's logger choice again: file, else remote syslog, else local syslog, else stderr.
                sink = NatsFormatLog.syslogFor(next);
            } catch (io.natsboot.server.log.SyslogSink.SyslogException e) {
                log.error(failed + e.getMessage());
                return false;
            }
        }
        if (log instanceof NatsFormatLog nfl) {
            nfl.setDebug(next.debug());
            nfl.setTrace(next.trace());
        } else {
            fileAwareLog.setDebug(next.debug());
            fileAwareLog.setTrace(next.trace());
        }
        options = next;
        s.reload(next, plan.authChanged());
        if (plan.pidFileChanged() && next.pidFile() != null && !next.pidFile().isEmpty()) {
            try {
                writeFile(Path.of(next.pidFile()), Long.toString(NatsFormatLog.pid()), "rw-rw----", false);
            } catch (IOException e) {
                log.error("Unable to write pidfile: " + goError("open", Path.of(next.pidFile()), e));
            }
        }
        for (String line : plan.lines()) {
            log.info(line);
            if (!line.startsWith("Reloaded: ports_file_dir")) {
                continue;
            }
            Path oldPorts = portsFile;
            if (oldPorts != null) {
                try {
                    Files.deleteIfExists(oldPorts);
                } catch (IOException ignored) {
                    // best effort, as nats-server
                }
                portsFile = null;
            }
            if (next.portsFileDir() != null && !next.portsFileDir().isEmpty()) {
                writePortsFile(s);
            }
        }
        if (plan.logChanged()) {
            fileAwareLog.setLogTime(next.logTime());
            if (fileChanged) {
                try {
                    fileAwareLog.switchFile(newFile == null ? null : Path.of(newFile));
                } catch (IOException e) {
                    log.error(failed + goError("open", Path.of(newFile), e));
                }
            }
            fileAwareLog.switchSyslog(sink);
        }
        log.info("Reloaded server configuration");
        return true;
    }

    /** Graceful stop from a signal: record the status, shut the server down; main() then exits. */
    private void stop(int status) {
        NatsServer s;
        synchronized (lock) {
            if (!shutdownRequested) {
                exitCode = status;
                shutdownRequested = true;
            }
            s = server;
        }
        if (s == null) {
            // Not started yet: nothing to drain.
            cleanUp();
            Runtime.getRuntime().halt(status);
            return;
        }
        s.shutdown();
    }

    private boolean trap(String signal, String goName, Runnable action) {
        return SignalTrap.install(signal, goName, action, log);
    }

    // ---------------------------------------------------------------------------------------------------
    // Ports file

    private void writePortsFile(NatsServer s) {
        List<String> monitoring = List.of();
        if (s.monitor() != null) {
            monitoring = urls("http", s.monitor().host(), s.monitor().port());
        }
        List<String> cluster = List.of();
        if (s.cluster() != null) {
            cluster = urls("nats", options.cluster().host(), s.cluster().port());
        }
        writePortsFile(urls("nats", options.host(), s.port()), monitoring, cluster);
    }

    /** {@code <ports_file_dir>/<exe>_<pid>.ports}, as nats-server names it. */
    private static Path portsFilePath(ServerOptions options) {
        String exe = System.getProperty(EXE_PROPERTY, "nats-server");
        int slash = exe.lastIndexOf('/');
        if (slash >= 0) {
            exe = exe.substring(slash + 1);
        }
        return Path.of(options.portsFileDir(), exe + "_" + NatsFormatLog.pid() + ".ports");
    }

    private void writePortsFile(List<String> natsUrls, List<String> monitoring, List<String> cluster) {
        Path file = portsFilePath(options);
        String json = portsJson(natsUrls, monitoring, cluster);
        try {
            writeFile(file, json, "rw-rw-rw-", true);
            portsFile = file;
        } catch (IOException e) {
            log.error("Error writing ports file (" + file + "): " + goError("open", file, e));
        }
    }

    /**
     * The ports file's JSON, as nats-server writes it (no newline; a listener that is off is left out).
     * Profiling, websocket and leafnode listeners will join when they exist.
     */
    static String portsJson(List<String> natsUrls, List<String> monitoringUrls, List<String> clusterUrls) {
        StringBuilder sb = new StringBuilder("{");
        jsonArray(sb, "nats", natsUrls);
        jsonArray(sb, "monitoring", monitoringUrls);
        jsonArray(sb, "cluster", clusterUrls);
        return sb.append('}').toString();
    }

    private static void jsonArray(StringBuilder sb, String key, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append('"').append(key).append("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(values.get(i)).append('"');
        }
        sb.append(']');
    }

    /**
     * The URLs of a listener on {@code host}: for a wildcard address every address of every interface
     * (interface order, IPv4 before IPv6, as Go's net.InterfaceAddrs), else the address the host resolves to.
     */
    static List<String> urls(String scheme, String host, int port) {
        List<String> urls = new ArrayList<>();
        String h = host == null ? "" : host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || InetAddress.getByName(h).isAnyLocalAddress()) {
                List<NetworkInterface> nics = Collections.list(NetworkInterface.getNetworkInterfaces());
                nics.sort(Comparator.comparingInt(NetworkInterface::getIndex));
                for (NetworkInterface nic : nics) {
                    List<InetAddress> v6 = new ArrayList<>();
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            urls.add(url(scheme, a, port));
                        } else {
                            v6.add(a);
                        }
                    }
                    for (InetAddress a : v6) {
                        urls.add(url(scheme, a, port));
                    }
                }
            } else {
                urls.add(url(scheme, InetAddress.getByName(h), port));
            }
        } catch (IOException e) {
            urls.add(scheme + "://" + (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port);
        }
        return urls;
    }

    private static String url(String scheme, InetAddress a, int port) {
        String ip = GoFormat.ip(a);
        return scheme + "://" + (a instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port;
    }


    // ---------------------------------------------------------------------------------------------------
    // Files

    private void cleanUp() {
        if (cleanedUp.compareAndSet(false, true)) {
            Path p = portsFile;
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }
        }
    }

    /**
     * Writes {@code content} with the given mode before the umask (nats-server: 0660 for the pid file, 0666
     * for the ports file). With {@code atomic} the text goes to a temporary file that is renamed into place,
     * so a reader polling for it never sees it half written.
     */
    private static void writeFile(Path file, String content, String mode, boolean atomic) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Set<StandardOpenOption> opts = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode));
        Path target = atomic ? file.resolveSibling("." + file.getFileName() + ".tmp") : file;
        try (var ch = Files.newByteChannel(target, opts, perms)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            if (atomic && e instanceof NoSuchFileException) {
                throw new NoSuchFileException(file.toString()); // report the name the user asked for
            }
            throw e;
        }
        if (atomic) {
            try {
                Files.move(target, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(target);
                throw e;
            }
        }
    }

    /** An I/O failure in the words of Go's *PathError: {@code open /x/y: no such file or directory}. */
    static String goError(String op, Path path, IOException e) {
        String reason;
        if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            String r = ((FileSystemException) e).getReason();
            reason = r.isEmpty() ? r : Character.toLowerCase(r.charAt(0)) + r.substring(1);
        } else {
            reason = String.valueOf(e.getMessage());
        }
        return op + " " + path + ": " + reason;
    }
}
