package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nats-server's command line, read the way Go's {@code flag} package reads it, into {@link ServerOptions}.
 *
 * <p>Rules reproduced (observed with nats-server 2.9.10):
 * <ul>
 *   <li>{@code -name} and {@code --name} are the same; a value follows with {@code =} or as the next
 *       argument (taken even when it starts with {@code -}, so {@code -p -1} works). Boolean flags take
 *       {@code -D} or {@code -D=false}, never a following argument.</li>
 *   <li>Parsing stops at the first argument that is not a flag, or after {@code --}. Left-over arguments are
 *       commands: {@code version} and {@code help} (any case); anything else is
 *       {@code nats-server: unrecognized command: "x"} on stderr and exit status 1.</li>
 *   <li>A bad flag prints Go's message on stderr (for example {@code flag provided but not defined: -bogus}),
 *       then the usage on stdout, and exits with status <b>0</b>, as nats-server does.</li>
 *   <li>Integers as Go's {@code strconv.ParseInt(s, 0, ...)}: {@code 0x10}, {@code 010} (octal),
 *       {@code 1_000}; booleans as {@code strconv.ParseBool}; durations as {@code time.ParseDuration}.</li>
 *   <li>{@code -v} wins over {@code -h}, which wins over commands. {@code -DV}, {@code -VV}, {@code -DVV}
 *       are applied after the other flags.</li>
 *   <li>{@code -p 0} means the default port 4222 and {@code -p -1} a random port (ServerOptions port 0).</li>
 * </ul>
 *
 * <p>Every flag is one row of {@link #FLAGS}: names, value kind, help-text section and line, and its effect.
 * The usage text is generated from the table. Flags of nats-server 2.9.10 that NATS Boot does not implement
 * yet are in the table as {@linkplain FlagDef#supported() unsupported}: they parse exactly as nats-server's
 * (so a following argument is consumed or not as there), and running with one is an error rather than a
 * silently ignored option. Supporting one later means giving its row an effect (and the option a field).
 *
 * <p>Flags win over a configuration file: {@link Result#applyTo} replays just the flags that were given
 * onto any builder, e.g. one filled from a file.
 */
public final class CommandLine {

    /** The name nats-server prints in its messages; constant, whatever the executable is called. */
    public static final String PROGRAM = "nats-server";

    /** What the process should do. */
    public enum Action {
        /** Start the server with {@link Result#options()}. */
        RUN,
        /** Print {@link Result#stdout()} (the version) and exit 0. */
        VERSION,
        /** Print {@link Result#stdout()} (the usage) and exit 0. */
        HELP,
        /** A malformed flag: print {@link Result#stderr()} then {@link Result#stdout()} (usage); exit 0. */
        USAGE_ERROR,
        /** Print {@link Result#stderr()} and exit 1 (unknown command, unsupported flag). */
        ERROR,
        /** {@code -sl}: signal a running server ({@link Result#signal()}) and exit. */
        SIGNAL
    }

    /** The type of a flag's value, as Go's flag package types. */
    public enum Kind { BOOL, STRING, INT, INT64, DURATION }

    /** What a given flag does; {@code name} is the name used on the command line, without dashes. */
    @FunctionalInterface
    public interface Effect {
        void apply(Target target, String name, Object value);
    }

    /** What flags act on while being applied. */
    public static final class Target {
        private final ServerOptions.Builder builder;
        private boolean showVersion;
        private boolean showHelp;
        private boolean showTlsHelp;
        private boolean debugAndTrace;
        private boolean verboseTrace;
        private String configFile;
        private boolean testConfig;
        private String signal;
        private final List<String> unsupported = new ArrayList<>();

        Target(ServerOptions.Builder builder) {
            this.builder = builder;
        }

        public ServerOptions.Builder builder() {
            return builder;
        }
    }

    /**
     * One flag. {@code names} are spelled as shown in the usage ({@code "-a", "--addr", "--net"}); all of
     * them work with one or two dashes. {@code argName} is the usage's placeholder ({@code null} for
     * booleans); {@code help} may hold {@code \n} for continuation lines.
     */
    public record FlagDef(String section, List<String> names, Kind kind, String argName, String help,
                          Effect effect, boolean supported) {
    }

    static final String SERVER = "Server Options";
    static final String LOGGING = "Logging Options";
    static final String JETSTREAM = "JetStream Options";
    static final String AUTH = "Authorization Options";
    static final String TLS = "TLS Options";
    static final String CLUSTER = "Cluster Options";
    static final String PROFILING = "Profiling Options";
    static final String NATSBOOT = "NATS Boot Options (not in nats-server)";
    static final String COMMON = "Common Options";

    private static final List<String> SECTIONS =
            List.of(SERVER, LOGGING, JETSTREAM, AUTH, TLS, CLUSTER, PROFILING, NATSBOOT, COMMON);

    /** The flag table, in usage order. */
    public static final List<FlagDef> FLAGS = List.of(
            // Server
            on(SERVER, Kind.STRING, "<host>", "Network address to listen on (default: 0.0.0.0)",
                    Apply.HOST, "-a", "--addr", "--net"),
            on(SERVER, Kind.INT, "<port>", "Port for client connections (default: 4222, -1 for a random port)",
                    Apply.PORT, "-p", "--port"),
            on(SERVER, Kind.STRING, "<server_name>", "Name of this server (default: the server id)",
                    Apply.SERVER_NAME, "-n", "--name", "--server_name"),
            on(SERVER, Kind.STRING, "<file>", "Write the process id to this file",
                    Apply.PID_FILE, "-P", "--pid"),
            on(SERVER, Kind.INT, "<port>", "HTTP port for the monitoring endpoints (-1 for a random port)",
                    Apply.HTTP_PORT, "-m", "--http_port"),
            on(SERVER, Kind.INT, "<port>", "HTTPS port for the monitoring endpoints",
                    Apply.HTTPS_PORT, "-ms", "--https_port"),
            on(SERVER, Kind.STRING, "<file>", "Read the configuration from this file",
                    Apply.CONFIG, "-c", "--config"),
            on(SERVER, Kind.BOOL, null, "Check the configuration and exit", Apply.TEST_CONFIG, "-t"),
            on(SERVER, Kind.STRING, "<signal>[=<pid>]",
                    "Signal a running server (ldm, stop, quit, term, reopen, reload);\n"
                            + "<pid> is a process id or the path of a pid file",
                    Apply.SIGNAL, "-sl", "--signal"),
            on(SERVER, Kind.STRING, "<string>", "Client URL advertised to other servers",
                    Apply.CLIENT_ADVERTISE, "--client_advertise"),
            on(SERVER, Kind.STRING, "<dir>",
                    "Write a ports file in this directory (<executable_name>_<pid>.ports)",
                    Apply.PORTS_FILE_DIR, "--ports_file_dir"),
            // Logging
            on(LOGGING, Kind.STRING, "<file>", "Log to this file instead of stderr",
                    Apply.LOG_FILE, "-l", "--log"),
            on(LOGGING, Kind.BOOL, null, "Put a timestamp on log lines (default: true)",
                    Apply.LOG_TIME, "-T", "--logtime"),
            on(LOGGING, Kind.BOOL, null, "Log to syslog (or the Windows event log)",
                    Apply.SYSLOG, "-s", "--syslog"),
            on(LOGGING, Kind.STRING, "<addr>", "Remote syslog address (udp://localhost:514)",
                    Apply.REMOTE_SYSLOG, "-r", "--remote_syslog"),
            on(LOGGING, Kind.BOOL, null, "Log debug messages",
                    Apply.DEBUG, "-D", "--debug"),
            on(LOGGING, Kind.BOOL, null, "Trace the protocol",
                    Apply.TRACE, "-V", "--trace"),
            on(LOGGING, Kind.BOOL, null, "Verbose trace (the system account too)",
                    Apply.VERBOSE_TRACE, "-VV"),
            on(LOGGING, Kind.BOOL, null, "Debug and trace",
                    Apply.DEBUG_AND_TRACE, "-DV"),
            on(LOGGING, Kind.BOOL, null, "Debug and verbose trace (the system account too)",
                    Apply.DEBUG_AND_VERBOSE_TRACE, "-DVV"),
            on(LOGGING, Kind.INT64, "<limit>", "Rotate the log file at this size (default: no limit)",
                    Apply.LOG_SIZE_LIMIT, "--log_size_limit"),
            on(LOGGING, Kind.INT, "<len>", "Longest message payload shown in traces (default: no limit)",
                    Apply.MAX_TRACED_MSG_LEN, "--max_traced_msg_len"),
            // JetStream
            on(JETSTREAM, Kind.BOOL, null, "Enable JetStream", Apply.JETSTREAM, "-js", "--jetstream"),
            on(JETSTREAM, Kind.STRING, "<dir>", "JetStream storage directory", Apply.STORE_DIR, "-sd", "--store_dir"),
            // Authorization
            on(AUTH, Kind.STRING, "<user>", "User name clients must connect with",
                    Apply.USER, "--user"),
            on(AUTH, Kind.STRING, "<password>", "Password clients must connect with",
                    Apply.PASSWORD, "--pass"),
            on(AUTH, Kind.STRING, "<token>", "Token clients must connect with",
                    Apply.AUTH_TOKEN, "--auth"),
            // TLS
            on(TLS, Kind.BOOL, null, "Enable TLS without verifying clients (default: false)", Apply.TLS, "--tls"),
            on(TLS, Kind.STRING, "<file>", "Server certificate", Apply.TLS_CERT, "--tlscert"),
            on(TLS, Kind.STRING, "<file>", "Private key of the server certificate", Apply.TLS_KEY, "--tlskey"),
            on(TLS, Kind.BOOL, null, "Enable TLS and verify client certificates", Apply.TLS_VERIFY, "--tlsverify"),
            on(TLS, Kind.STRING, "<file>", "CA for verifying client certificates", Apply.TLS_CA_CERT, "--tlscacert"),
            // Cluster
            on(CLUSTER, Kind.STRING, "<rurl-1, rurl-2>", "Routes to solicit and connect",
                    Apply.ROUTES, "--routes"),
            on(CLUSTER, Kind.STRING, "<cluster-url>", "Cluster URL for solicited routes",
                    Apply.CLUSTER_LISTEN, "--cluster", "--cluster_listen"),
            on(CLUSTER, Kind.STRING, "<string>", "Cluster Name, if not set one will be dynamically generated",
                    Apply.CLUSTER_NAME, "--cluster_name"),
            on(CLUSTER, Kind.BOOL, null, "Do not advertise known cluster information to clients",
                    Apply.NO_ADVERTISE, "--no_advertise"),
            on(CLUSTER, Kind.STRING, "<string>", "Cluster URL to advertise to other servers",
                    Apply.CLUSTER_ADVERTISE, "--cluster_advertise"),
            on(CLUSTER, Kind.INT, "<number>", "For implicit routes, number of connect retries",
                    Apply.CONNECT_RETRIES, "--connect_retries"),
            // Profiling
            on(PROFILING, Kind.INT, "<port>", "Profiling HTTP port (accepted; NATS Boot logs a warning, see docs/config-keys.md)",
                    Apply.PROFILE, "--profile"),
            // NATS Boot extensions (set in a configuration file with nats-server)
            on(NATSBOOT, Kind.DURATION, "<duration>", "Lame duck mode duration, e.g. 30s (default: 2m)",
                    Apply.LAME_DUCK_DURATION, "--lame_duck_duration"),
            on(NATSBOOT, Kind.DURATION, "<duration>",
                    "Wait before lame duck mode starts closing clients (default: 10s)",
                    Apply.LAME_DUCK_GRACE_PERIOD, "--lame_duck_grace_period"),
            // Common
            on(COMMON, Kind.BOOL, null, "Show this help", Apply.HELP,
                    "-h", "--help"),
            on(COMMON, Kind.BOOL, null, "Show the version", Apply.VERSION,
                    "-v", "--version"),
            on(COMMON, Kind.BOOL, null, "Help on TLS", Apply.HELP_TLS, "--help_tls"));

    private static final Map<String, FlagDef> BY_NAME = index(FLAGS);

    private CommandLine() {
    }

    // ---------------------------------------------------------------------------------------------------
    // Parsing

    /** Parses nats-server arguments (without the program name). Never exits, never prints. */
    public static Result parse(String... args) {
        List<Assignment> given = new ArrayList<>();
        int i = 0;
        while (i < args.length) {
            String s = args[i];
            if (s.length() < 2 || s.charAt(0) != '-') {
                break; // first non-flag: the rest are commands
            }
            int dashes = 1;
            if (s.charAt(1) == '-') {
                dashes = 2;
                if (s.length() == 2) { // "--" ends the flags
                    i++;
                    break;
                }
            }
            String name = s.substring(dashes);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                return usageError("bad flag syntax: " + s);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=', 1);
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            FlagDef def = BY_NAME.get(name);
            if (def == null) {
                return usageError("flag provided but not defined: -" + name);
            }
            Object parsed;
            if (def.kind() == Kind.BOOL) {
                if (value == null) {
                    parsed = Boolean.TRUE;
                } else {
                    parsed = parseGoBool(value);
                    if (parsed == null) {
                        return usageError("invalid boolean value " + GoFormat.quote(value) + " for -" + name
                                + ": parse error");
                    }
                }
            } else {
                if (value == null) {
                    if (i >= args.length) {
                        return usageError("flag needs an argument: -" + name);
                    }
                    value = args[i++];
                }
                try {
                    parsed = parseValue(def.kind(), value);
                } catch (BadValue e) {
                    return usageError("invalid value " + GoFormat.quote(value) + " for flag -" + name + ": "
                            + e.getMessage());
                }
            }
            given.add(new Assignment(def, name, parsed));
        }
        List<String> commands = List.of(args).subList(i, args.length);

        ServerOptions.Builder builder = ServerOptions.builder();
        Target target = apply(given, builder);
        if (target.showVersion) {
            return new Result(Action.VERSION, null, given, versionText(), "", 0, target.unsupported);
        }
        if (target.showHelp) {
            return new Result(Action.HELP, null, given, usageText(), "", 0, target.unsupported);
        }
        if (target.showTlsHelp) { // nats-server: after -v and -h, before commands and --signal
            return new Result(Action.HELP, null, given, tlsHelpText(), "", 0, target.unsupported);
        }
        if (!commands.isEmpty()) {
            String command = commands.get(0);
            switch (command.toLowerCase(Locale.ROOT)) {
                case "version":
                    return new Result(Action.VERSION, null, given, versionText(), "", 0, target.unsupported);
                case "help":
                    return new Result(Action.HELP, null, given, usageText(), "", 0, target.unsupported);
                default:
                    return new Result(Action.ERROR, null, given, "",
                            PROGRAM + ": unrecognized command: " + GoFormat.quote(command) + "\n", 1, target.unsupported);
            }
        }
        if (target.signal != null && !target.signal.isEmpty()) {
            // nats-server handles --signal before reading the configuration: no other flag matters then.
            Result r = new Result(Action.SIGNAL, null, given, "", "", 0, target.unsupported);
            r.signal = target.signal;
            return r;
        }
        if (!target.unsupported.isEmpty()) {
            return new Result(Action.ERROR, null, given, "", PROGRAM + ": "
                    + (target.unsupported.size() == 1 ? "flag " : "flags ")
                    + String.join(", ", target.unsupported) + " not supported by NATS Boot "
                    + Versions.productVersion() + " yet\n", 1, target.unsupported);
        }
        if (target.testConfig && (target.configFile == null || target.configFile.isEmpty())) {
            return new Result(Action.ERROR, null, given, "", PROGRAM
                    + ": must specify [-c, --config] option to check configuration file syntax\n", 1,
                    target.unsupported);
        }
        ServerOptions built;
        try {
            built = builder.build();
        } catch (IllegalArgumentException e) { // a cluster or route URL that does not parse
            return new Result(Action.ERROR, null, given, "", PROGRAM + ": " + e.getMessage() + "\n", 1,
                    target.unsupported);
        }
        Result r = new Result(Action.RUN, built, given, "", "", 0, target.unsupported);
        r.configFile = target.configFile == null || target.configFile.isEmpty() ? null : target.configFile;
        r.testConfig = target.testConfig;
        return r;
    }

    private static Target apply(List<Assignment> given, ServerOptions.Builder builder) {
        Target t = new Target(builder);
        for (Assignment a : given) {
            a.def().effect().apply(t, a.name(), a.value());
        }
        // As nats-server: the combined switches are looked at after all flags, and only ever switch on.
        if (t.debugAndTrace) {
            builder.debug(true).trace(true);
        }
        if (t.verboseTrace) {
            builder.trace(true); // no system account to trace yet: -VV is -V
        }
        return t;
    }

    private static Result usageError(String message) {
        return new Result(Action.USAGE_ERROR, null, List.of(), usageText(), message + "\n", 0, List.of());
    }

    /** nats-server's port convention: 0 means the default port, -1 a random one (0 for the JVM). */
    public static int listenPort(int natsPort) {
        if (natsPort == 0) {
            return ServerOptions.DEFAULT_PORT;
        }
        if (natsPort == -1) {
            return 0;
        }
        return natsPort;
    }

    /** One flag as given. */
    record Assignment(FlagDef def, String name, Object value) {
    }

    /** The outcome of {@link #parse}. */
    public static final class Result {
        private final Action action;
        private final ServerOptions options;
        private final List<Assignment> given;
        private final String stdout;
        private final String stderr;
        private final int exitCode;
        private final List<String> unsupported;
        private String configFile;
        private boolean testConfig;
        private String signal;

        Result(Action action, ServerOptions options, List<Assignment> given, String stdout, String stderr,
               int exitCode, List<String> unsupported) {
            this.action = action;
            this.options = options;
            this.given = List.copyOf(given);
            this.stdout = stdout;
            this.stderr = stderr;
            this.exitCode = exitCode;
            this.unsupported = List.copyOf(unsupported);
        }

        public Action action() {
            return action;
        }

        /** The options to run with: defaults plus the flags. Only for {@link Action#RUN}, else null. */
        public ServerOptions options() {
            return options;
        }

        /** Applies the flags that were given, in order, onto {@code builder} (e.g. one read from a file). */
        public ServerOptions.Builder applyTo(ServerOptions.Builder builder) {
            apply(given, builder);
            return builder;
        }

        /** {@code -c}: the configuration file, or null. */
        public String configFile() {
            return configFile;
        }

        /** {@code -sl}: {@code <command>[=<pid>]}, for {@link Action#SIGNAL}; else null. */
        public String signal() {
            return signal;
        }

        /** {@code -t}: check the configuration file and exit. */
        public boolean testConfig() {
            return testConfig;
        }

        /** The flags given, by the name used (no dashes), with their parsed values, in order. */
        public Map<String, Object> flags() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Assignment a : given) {
                m.put(a.name(), a.value());
            }
            return Collections.unmodifiableMap(m);
        }

        /** Given flags NATS Boot does not implement yet, as {@code -name}. */
        public List<String> unsupportedFlags() {
            return unsupported;
        }

        /** What to print on stdout before exiting (version, usage). */
        public String stdout() {
            return stdout;
        }

        /** What to print on stderr before exiting (the error). */
        public String stderr() {
            return stderr;
        }

        /** The exit status for every action but {@link Action#RUN}. */
        public int exitCode() {
            return exitCode;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Texts

    /** {@code -v}: nats-server's line (tools parse it), then ours. */
    public static String versionText() {
        return PROGRAM + ": v" + Versions.compatVersion() + "\n"
                + "NATS Boot " + Versions.productVersion() + "\n";
    }

    /**
     * {@code --help_tls}: the sections of nats-server's TLS help (an example {@code tls} block, the cipher
     * suites, the curve preferences), on stdout. nats-server lists the suites and curves in random (Go map)
     * order; ours are sorted. The names are the Go names a configuration file uses.
     */
    public static String tlsHelpText() {
        StringBuilder sb = new StringBuilder()
                .append("\nTLS configuration is specified in the tls section of a configuration file:\n\n")
                .append("e.g.\n\n")
                .append("    tls {\n")
                .append("        cert_file:      \"./certs/server-cert.pem\"\n")
                .append("        key_file:       \"./certs/server-key.pem\"\n")
                .append("        ca_file:        \"./certs/ca.pem\"\n")
                .append("        verify:         true\n")
                .append("        verify_and_map: true\n\n")
                .append("        cipher_suites: [\n")
                .append("            \"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\",\n")
                .append("            \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n")
                .append("        ]\n")
                .append("        curve_preferences: [\n")
                .append("            \"CurveP256\",\n")
                .append("            \"CurveP384\",\n")
                .append("            \"CurveP521\"\n")
                .append("        ]\n")
                .append("    }\n\n")
                .append("Available cipher suites include:\n");
        for (String c : TLS_CIPHER_SUITES) {
            sb.append("    ").append(c).append('\n');
        }
        sb.append("\nAvailable curve preferences include:\n");
        for (String c : TLS_CURVES) {
            sb.append("    ").append(c).append('\n');
        }
        return sb.append("\nNATS Boot ").append(Versions.productVersion())
                .append(" supports cert_file, key_file, ca_file, verify, verify_and_map, timeout, cipher_suites,"
                        + " curve_preferences (on Java 20 or newer), pinned_certs, connection_rate_limit, insecure (routes),"
                        + " and nats-server 2.10's"
                        + " min_version and handshake_first; other tls keys"
                        + " refuse to start.\n").toString();
    }

    /** nats-server 2.9.10's cipher suite names (its cipherMap), sorted. */
    static final List<String> TLS_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
            "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
            "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_RC4_128_SHA");

    /** nats-server 2.9.10's curve names (its curvePreferenceMap). */
    static final List<String> TLS_CURVES = List.of("X25519", "CurveP256", "CurveP384", "CurveP521");

    private static final String NOT_YET_MARK = "(*)";

    /**
     * {@code -h}: generated from {@link #FLAGS}, in the layout of nats-server's usage; flags not implemented
     * yet are marked.
     */
    public static String usageText() {
        final int column = 37;
        StringBuilder sb = new StringBuilder("\nUsage: ").append(PROGRAM).append(" [options]\n");
        for (String section : SECTIONS) {
            sb.append('\n').append(section).append(":\n");
            for (FlagDef f : FLAGS) {
                if (!f.section().equals(section)) {
                    continue;
                }
                StringBuilder left = new StringBuilder(f.names().get(0).startsWith("--") ? "        " : "    ");
                left.append(String.join(", ", f.names()));
                if (f.argName() != null) {
                    left.append(' ').append(f.argName());
                }
                String[] help = f.help().split("\n");
                sb.append(left);
                if (left.length() >= column) {
                    sb.append('\n').append(" ".repeat(column));
                } else {
                    sb.append(" ".repeat(column - left.length()));
                }
                if (!f.supported()) {
                    help[help.length - 1] += " " + NOT_YET_MARK;
                }
                sb.append(help[0]).append('\n');
                for (int k = 1; k < help.length; k++) {
                    sb.append(" ".repeat(column)).append(help[k]).append('\n');
                }
            }
        }
        return sb.append('\n').append(NOT_YET_MARK)
                .append(" Not supported by NATS Boot yet: the server does not start with it.\n\n").toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // Go value syntax

    /** A value that does not parse; the message is Go flag's reason ("parse error", "value out of range"). */
    static final class BadValue extends Exception {
        BadValue(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final String PARSE_ERROR = "parse error";
    private static final String RANGE_ERROR = "value out of range";

    static Object parseValue(Kind kind, String v) throws BadValue {
        switch (kind) {
            case STRING:
                return v;
            case INT: {
                long n = parseGoInt(v);
                if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                    throw new BadValue(RANGE_ERROR); // Go's int is 64 bits; ours 32: no port or length needs more
                }
                return (int) n;
            }
            case INT64:
                return parseGoInt(v);
            case DURATION:
                return parseGoDuration(v);
            default:
                throw new IllegalArgumentException(kind.name());
        }
    }

    /** Go's strconv.ParseBool; null when not a boolean. */
    static Boolean parseGoBool(String s) {
        switch (s) {
            case "1": case "t": case "T": case "TRUE": case "true": case "True":
                return Boolean.TRUE;
            case "0": case "f": case "F": case "FALSE": case "false": case "False":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** Go's strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b prefixes, leading-0 octal, '_' between digits. */
    static long parseGoInt(String s) throws BadValue {
        if (s.isEmpty()) {
            throw new BadValue(PARSE_ERROR);
        }
        boolean negative = false;
        String body = s;
        if (body.charAt(0) == '+' || body.charAt(0) == '-') {
            negative = body.charAt(0) == '-';
            body = body.substring(1);
        }
        if (body.isEmpty()) {
            throw new BadValue(PARSE_ERROR);
        }
        int radix = 10;
        String digits = body;
        if (body.charAt(0) == '0' && body.length() > 1) {
            char p = Character.toLowerCase(body.charAt(1));
            if (body.length() >= 3 && (p == 'x' || p == 'o' || p == 'b')) {
                radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
                digits = body.substring(2);
            } else {
                radix = 8;
                digits = body.substring(1);
            }
        }
        StringBuilder clean = new StringBuilder(digits.length());
        boolean underscores = false;
        for (int k = 0; k < digits.length(); k++) {
            char c = digits.charAt(k);
            if (c == '_') {
                underscores = true;
                continue;
            }
            if (Character.digit(c, radix) < 0 || c > 'z') {
                throw new BadValue(PARSE_ERROR);
            }
            clean.append(c);
        }
        if (underscores && !underscoresWellPlaced(body)) {
            throw new BadValue(PARSE_ERROR);
        }
        BigInteger n = clean.length() == 0 ? BigInteger.ZERO : new BigInteger(clean.toString(), radix);
        if (negative) {
            n = n.negate();
        }
        if (n.bitLength() > 63) {
            throw new BadValue(RANGE_ERROR);
        }
        return n.longValue();
    }

    /** Underscores only between digits, or between a base prefix and a digit (Go's number literal rule). */
    private static boolean underscoresWellPlaced(String unsigned) {
        char last = '^'; // '^' start, 'd' digit or prefix, '_' underscore, '!' anything else
        int k = 0;
        boolean hex = false;
        if (unsigned.length() >= 2 && unsigned.charAt(0) == '0'
                && "box".indexOf(Character.toLowerCase(unsigned.charAt(1))) >= 0) {
            hex = Character.toLowerCase(unsigned.charAt(1)) == 'x';
            k = 2;
            last = 'd';
        }
        for (; k < unsigned.length(); k++) {
            char c = unsigned.charAt(k);
            char lc = Character.toLowerCase(c);
            if ((c >= '0' && c <= '9') || (hex && lc >= 'a' && lc <= 'f')) {
                last = 'd';
            } else if (c == '_') {
                if (last != 'd') {
                    return false;
                }
                last = '_';
            } else {
                if (last == '_') {
                    return false;
                }
                last = '!';
            }
        }
        return last != '_';
    }

    private static final Map<String, Long> DURATION_UNITS = Map.of(
            "ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    /** Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-1m"; "0" needs no unit. */
    static Duration parseGoDuration(String s) throws BadValue {
        String rest = s;
        boolean negative = false;
        if (!rest.isEmpty() && (rest.charAt(0) == '+' || rest.charAt(0) == '-')) {
            negative = rest.charAt(0) == '-';
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        if (rest.isEmpty()) {
            throw new BadValue(PARSE_ERROR);
        }
        BigDecimal total = BigDecimal.ZERO;
        int k = 0;
        while (k < rest.length()) {
            int start = k;
            while (k < rest.length() && (Character.isDigit(rest.charAt(k)) && rest.charAt(k) < 0x80
                    || rest.charAt(k) == '.')) {
                k++;
            }
            String number = rest.substring(start, k);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new BadValue(PARSE_ERROR);
            }
            int unitStart = k;
            while (k < rest.length() && rest.charAt(k) != '.' && !(rest.charAt(k) >= '0' && rest.charAt(k) <= '9')) {
                k++;
            }
            Long unit = DURATION_UNITS.get(rest.substring(unitStart, k));
            if (unit == null) {
                throw new BadValue(PARSE_ERROR);
            }
            total = total.add(new BigDecimal(number.startsWith(".") ? "0" + number : number)
                    .multiply(BigDecimal.valueOf(unit)));
        }
        BigInteger nanos = total.setScale(0, RoundingMode.DOWN).toBigInteger();
        if (negative) {
            nanos = nanos.negate();
        }
        if (nanos.bitLength() > 63) {
            throw new BadValue(PARSE_ERROR);
        }
        return Duration.ofNanos(nanos.longValue());
    }

    // ---------------------------------------------------------------------------------------------------
    // Table helpers

    private static FlagDef on(String section, Kind kind, String argName, String help, Effect effect,
                              String... names) {
        return new FlagDef(section, List.of(names), kind, argName, help, effect, true);
    }

    /** A nats-server flag NATS Boot does not implement yet. Turning a boolean one off is harmless. */
    private static FlagDef later(String section, Kind kind, String argName, String help, String... names) {
        return new FlagDef(section, List.of(names), kind, argName, help, Apply.NOT_YET, false);
    }

    /**
     * The effects of the flags in the table. An enum rather than lambdas: the table is built at every
     * start, and each lambda would cost a bootstrap call there.
     */
    private enum Apply implements Effect {
        HOST, PORT, SERVER_NAME, PID_FILE, CLIENT_ADVERTISE, PORTS_FILE_DIR, LOG_FILE, LOG_TIME, DEBUG, TRACE,
        VERBOSE_TRACE, DEBUG_AND_TRACE, DEBUG_AND_VERBOSE_TRACE, MAX_TRACED_MSG_LEN, USER, PASSWORD, AUTH_TOKEN,
        LAME_DUCK_DURATION, LAME_DUCK_GRACE_PERIOD, HTTP_PORT, HTTPS_PORT, HELP, VERSION, CONFIG, TEST_CONFIG, SIGNAL, HELP_TLS, LOG_SIZE_LIMIT, SYSLOG, REMOTE_SYSLOG, TLS, TLS_CERT, TLS_KEY, TLS_VERIFY, TLS_CA_CERT,
        ROUTES, CLUSTER_LISTEN, CLUSTER_NAME, NO_ADVERTISE, CLUSTER_ADVERTISE, CONNECT_RETRIES,
        JETSTREAM, STORE_DIR, PROFILE, NOT_YET;

        @Override
        public void apply(Target t, String name, Object v) {
            ServerOptions.Builder b = t.builder;
            switch (this) {
                case HOST: b.host((String) v); break;
                case PORT: b.port(listenPort((Integer) v)); break;
                case SERVER_NAME: b.serverName((String) v); break;
                case PID_FILE: b.pidFile((String) v); break;
                case CLIENT_ADVERTISE: b.clientAdvertise((String) v); break;
                case PORTS_FILE_DIR: b.portsFileDir((String) v); break;
                case LOG_FILE: b.logFile((String) v); break;
                case LOG_TIME: b.logTime((Boolean) v); break;
                case DEBUG: b.debug((Boolean) v); break;
                case TRACE: b.trace((Boolean) v); break;
                case VERBOSE_TRACE: t.verboseTrace |= (Boolean) v; break;
                case DEBUG_AND_TRACE: t.debugAndTrace |= (Boolean) v; break;
                case DEBUG_AND_VERBOSE_TRACE:
                    t.debugAndTrace |= (Boolean) v;
                    t.verboseTrace |= (Boolean) v;
                    break;
                case MAX_TRACED_MSG_LEN: b.maxTracedMsgLen((Integer) v); break;
                case USER: b.username((String) v); break;
                case PASSWORD: b.password((String) v); break;
                case AUTH_TOKEN: b.authToken((String) v); break;
                case LAME_DUCK_DURATION: b.lameDuckDuration((Duration) v); break;
                case LAME_DUCK_GRACE_PERIOD: b.lameDuckGracePeriod((Duration) v); break;
                case HTTP_PORT: b.httpPort((Integer) v); break; // as nats-server: 0 off, -1 random
                case HTTPS_PORT: b.httpsPort((Integer) v); break;
                case HELP: t.showHelp |= (Boolean) v; break;
                case VERSION: t.showVersion |= (Boolean) v; break;
                case CONFIG: t.configFile = (String) v; break;
                case TEST_CONFIG: t.testConfig = (Boolean) v; break;
                case SIGNAL: t.signal = (String) v; break;
                case HELP_TLS: t.showTlsHelp |= (Boolean) v; break;
                case LOG_SIZE_LIMIT: b.logSizeLimit((Long) v); break;
                case SYSLOG: b.syslog((Boolean) v); break;
                case REMOTE_SYSLOG: b.remoteSyslog((String) v); break;
                case TLS: b.tlsEnabled((Boolean) v); break;
                case TLS_CERT: b.tlsCert((String) v); break;
                case TLS_KEY: b.tlsKey((String) v); break;
                case TLS_VERIFY: b.tlsVerify((Boolean) v); break;
                case JETSTREAM: b.jetstream(b.jetstream().withEnabled((Boolean) v)); break;
                case STORE_DIR: b.jetstream(b.jetstream().withStoreDir((String) v)); break;
                case PROFILE: b.profPort((Integer) v); break;
                case TLS_CA_CERT: b.tlsCaCert((String) v); break;
                case ROUTES: b.routes(List.of((String) v)); break;
                case CLUSTER_LISTEN: b.clusterListen((String) v); break;
                case CLUSTER_NAME: b.clusterName((String) v); break;
                case NO_ADVERTISE: b.noAdvertise((Boolean) v); break;
                case CLUSTER_ADVERTISE: b.clusterAdvertise((String) v); break;
                case CONNECT_RETRIES: b.connectRetries((Integer) v); break;
                case NOT_YET:
                    if (!Boolean.FALSE.equals(v) && !t.unsupported.contains("-" + name)) {
                        t.unsupported.add("-" + name);
                    }
                    break;
                default:
                    throw new AssertionError(this);
            }
        }
    }

    private static Map<String, FlagDef> index(List<FlagDef> flags) {
        Map<String, FlagDef> m = new HashMap<>();
        for (FlagDef f : flags) {
            for (String n : f.names()) {
                String key = n.startsWith("--") ? n.substring(2) : n.substring(1);
                if (m.put(key, f) != null) {
                    throw new IllegalStateException("flag defined twice: " + key);
                }
            }
        }
        return Map.copyOf(m);
    }
}
