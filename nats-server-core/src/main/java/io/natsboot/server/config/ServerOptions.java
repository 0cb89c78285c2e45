package io.natsboot.server.config;

import io.natsboot.server.auth.jwt.TrustOptions;
import io.natsboot.server.auth.User;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every option of one server, immutable. Defaults are nats-server 2.9.10's (protocol reference §3.12).
 * Build changed copies with {@link #toBuilder()}.
 */
public record ServerOptions(
        String host,
        int port,
        String serverName,
        int maxPayload,
        int maxControlLine,
        long maxPending,
        int maxConnections,
        int maxSubscriptions,
        Duration pingInterval,
        int pingMax,
        Duration writeDeadline,
        Duration authTimeout,
        String username,
        String password,
        String authToken,
        boolean debug,
        boolean trace,
        boolean logTime,
        String logFile,
        int maxTracedMsgLen,
        String pidFile,
        String portsFileDir,
        Duration lameDuckDuration,
        Duration lameDuckGracePeriod,
        String compatVersion,
        boolean noHeaderSupport,
        String clientAdvertise,
        String httpHost,
        int httpPort,
        int httpsPort,
        String configFile,
        long logSizeLimit,
        boolean syslog,
        String remoteSyslog,
        List<User> users,
        String noAuthUser,
        TlsOptions tls,
        ClusterOptions cluster,
        List<AccountOptions> accounts,
        WebSocketOptions websocket,
        String systemAccount,
        boolean noSystemAccount,
        TrustOptions trust,
        /** allow_non_tls: with a tls block, clients may stay in plaintext (INFO says tls_available). */
        boolean allowNonTls,
        JetStreamOptions jetstream,
        /** Subject mappings per account name ({@code $G}: the top-level mappings block); empty = none. */
        java.util.Map<String, io.natsboot.server.subject.SubjectMappings> mappings,
        /** disable_sublist_cache: the accounts' subscription tries keep no match cache. */
        boolean disableSublistCache,
        /** http_base_path as configured ("" = none): the monitoring endpoints are served under it. */
        String httpBasePath,
        /** prof_port / --profile (0 = none): accepted, logged with a warning (no Go pprof here). */
        int profPort,
        /** max_sub_tokens (0 = no limit): subscriptions with more tokens are refused. */
        int maxSubTokens,
        /** connect_error_reports: route dial errors before a first connect are logged every this many. */
        int connectErrorReports,
        /** reconnect_error_reports: route dial errors after a route was lost are logged every this many. */
        int reconnectErrorReports,
        /** server_tags, lower-cased as nats-server keeps them (/varz "tags"). */
        List<String> serverTags,
        /** The leafnodes block; null = no leaf listener and no remotes. */
        LeafNodeOptions leafnodes,
        /** The gateway block (superclusters); null = no gateway. */
        GatewayOptions gateway,
        /** default_js_domain: account name to the JetStream domain its leaf connections use ("" = none). */
        Map<String, String> jsAccDefaultDomain,
        /** The ocsp setting (OCSP stapling); null = not configured (nats-server: auto for must-staple certs). */
        OcspOptions ocsp) {

    public ServerOptions {
        jsAccDefaultDomain = jsAccDefaultDomain == null ? Map.of() : Map.copyOf(jsAccDefaultDomain);
    }

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 4222;

    public static ServerOptions defaults() {
        return new Builder().build();
    }

    /** nats-server's default system account, created when none is configured (unless no_system_account). */
    public static final String DEFAULT_SYSTEM_ACCOUNT = "$SYS";

    /**
     * The system account's name: {@code system_account} when set, else {@code $SYS} unless
     * {@code no_system_account}; null when there is none.
     */
    public String systemAccountName() {
        if (systemAccount != null && !systemAccount.isEmpty()) {
            return systemAccount;
        }
        if (trust != null && trust.systemAccount() != null) {
            return trust.systemAccount(); // operator mode: the operator JWT's system account
        }
        return noSystemAccount ? null : DEFAULT_SYSTEM_ACCOUNT;
    }

    /** nats-server's start error when {@code system_account} names no account ({@code -t} does not check it). */
    public static final String SYSTEM_ACCOUNT_MISSING = "error resolving system account: account missing";

    /** True when {@code system_account} names an account that is neither declared nor a built-in one. */
    public boolean systemAccountMissing() {
        String name = systemAccountName();
        return name != null && trust == null && !name.equals(DEFAULT_SYSTEM_ACCOUNT) && !name.equals("$G")
                && accounts.stream().noneMatch(a -> a.name().equals(name));
    }

    public boolean authRequired() {
        return username != null || authToken != null || !users.isEmpty() || trust != null;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; every setter returns this. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String serverName;
        private int maxPayload = 1024 * 1024;
        private int maxControlLine = 4096;
        private long maxPending = 64L * 1024 * 1024;
        private int maxConnections = 65536;
        private int maxSubscriptions = 0;
        private Duration pingInterval = Duration.ofMinutes(2);
        private int pingMax = 2;
        private Duration writeDeadline = Duration.ofSeconds(10);
        private String username;
        private String password;
        private String authToken;
        private boolean debug;
        private boolean trace;
        private boolean logTime = true;
        private String logFile;
        private int maxTracedMsgLen;
        private String pidFile;
        private String portsFileDir;
        private Duration lameDuckDuration = Duration.ofMinutes(2);
        private Duration lameDuckGracePeriod = Duration.ofSeconds(10);
        private String compatVersion = Versions.compatVersion();
        private boolean noHeaderSupport;
        private String clientAdvertise;
        /** Monitoring host; null = the client host (as nats-server's -m). */
        private String httpHost;
        /** Monitoring port; 0 = off, -1 = a random port. */
        private int httpPort;
        /** Monitoring port over TLS with the tls block's certificate (https_port); 0 = off, -1 = random. */
        private int httpsPort;
        /** The -c file the options were read from, or null. */
        private String configFile;
        /** Rotate the log file past this many bytes; 0 = never (nats-server's logfile_size_limit). */
        private long logSizeLimit;
        /** Log to the local syslog (nats-server's syslog). */
        private boolean syslog;
        /** Log to this syslog, {@code udp://host:port} etc. (nats-server's remote_syslog); null = none. */
        private String remoteSyslog;
        /** authorization.users, each with its permissions (default_permissions already applied). */
        private List<User> users = List.of();
        /** The user a client connecting without credentials becomes (no_auth_user); null = none. */
        private String noAuthUser;
        /** TLS switched on (tls block, --tls or --tlsverify). */
        private boolean tlsEnabled;
        private String tlsCert;
        private String tlsKey;
        private String tlsCaCert;
        private boolean tlsVerify;
        private Duration tlsTimeout;
        /** The rest of the tls block (cipher suites, curves, map, pins, versions); the fields above win. */
        private TlsOptions tlsBlock;
        /** authorization timeout as set; null = the default (2s, or the TLS timeout + 1s with TLS). */
        private Duration authTimeoutSet;
        /** Cluster listen URL or host:port ({@code --cluster}, {@code cluster.listen}); null = no cluster. */
        private String clusterListen;
        private String clusterName;
        private String clusterAdvertise;
        private List<String> routeUrls = List.of();
        private String clusterUser;
        private String clusterPassword;
        private Duration clusterAuthTimeout;
        private boolean noAdvertise;
        private int connectRetries;
        private TlsOptions clusterTls;
        private io.natsboot.server.auth.Permissions clusterPermissions;
        /** The accounts block; empty = everyone in the global account. */
        private List<AccountOptions> accounts = List.of();
        /** The websocket block; null = no WebSocket listener. */
        private WebSocketOptions websocket;
        /** The gateway block and its port as written (-1 random, 0 none); validated by build(). */
        private GatewayOptions gateway;
        private int gatewayPort;
        private OcspOptions ocsp;
        private String systemAccount;
        private boolean noSystemAccount;
        /** Operator (JWT) mode; null = off. */
        private TrustOptions trust;
        private boolean allowNonTls;
        /** JetStream ({@code -js}, {@code -sd}, the jetstream block); OFF by default. */
        private JetStreamOptions jetstream = JetStreamOptions.OFF;
        private java.util.Map<String, io.natsboot.server.subject.SubjectMappings> mappings = java.util.Map.of();
        private boolean disableSublistCache;
        private String httpBasePath = "";
        private int profPort;
        private int maxSubTokens;
        private int connectErrorReports = 3600;
        private int reconnectErrorReports = 1;
        private List<String> serverTags = List.of();
        /** The leafnodes block; null = none. */
        private LeafNodeOptions leafnodes;

        public Builder() {
        }

        Builder(ServerOptions o) {
            host = o.host; port = o.port; serverName = o.serverName; maxPayload = o.maxPayload;
            maxControlLine = o.maxControlLine; maxPending = o.maxPending; maxConnections = o.maxConnections;
            maxSubscriptions = o.maxSubscriptions; pingInterval = o.pingInterval; pingMax = o.pingMax;
            writeDeadline = o.writeDeadline; username = o.username;
            password = o.password; authToken = o.authToken; debug = o.debug; trace = o.trace;
            logTime = o.logTime; logFile = o.logFile; maxTracedMsgLen = o.maxTracedMsgLen; pidFile = o.pidFile;
            portsFileDir = o.portsFileDir; lameDuckDuration = o.lameDuckDuration;
            lameDuckGracePeriod = o.lameDuckGracePeriod; compatVersion = o.compatVersion;
            noHeaderSupport = o.noHeaderSupport; clientAdvertise = o.clientAdvertise;
            httpHost = o.httpHost; httpPort = o.httpPort; httpsPort = o.httpsPort; configFile = o.configFile;
            logSizeLimit = o.logSizeLimit; syslog = o.syslog; remoteSyslog = o.remoteSyslog;
            users = o.users; noAuthUser = o.noAuthUser;
            allowNonTls = o.allowNonTls;
            authTimeoutSet = o.authTimeout;
            if (o.tls != null) {
                tlsEnabled = true; tlsCert = o.tls.certFile(); tlsKey = o.tls.keyFile();
                tlsCaCert = o.tls.caFile(); tlsVerify = o.tls.verify(); tlsTimeout = o.tls.timeout();
                tlsBlock = o.tls;
            }
            if (o.cluster != null) {
                ClusterOptions c = o.cluster;
                clusterListen = c.host() + ":" + c.port(); clusterName = c.name();
                clusterAdvertise = c.advertise(); clusterUser = c.user();
                routeUrls = c.routes().stream().map(java.net.URI::toString).toList();
                clusterPassword = c.password(); clusterAuthTimeout = c.authTimeout();
                noAdvertise = c.noAdvertise(); connectRetries = c.connectRetries(); clusterTls = c.tls();
                clusterPermissions = c.permissions();
            }
            accounts = o.accounts;
            websocket = o.websocket;
            if (o.gateway != null) {
                gateway = o.gateway;
                gatewayPort = o.gateway.port() == 0 ? -1 : o.gateway.port();
            }
            systemAccount = o.systemAccount; noSystemAccount = o.noSystemAccount;
            ocsp = o.ocsp;
            trust = o.trust;
            mappings = o.mappings;
            disableSublistCache = o.disableSublistCache; httpBasePath = o.httpBasePath; profPort = o.profPort;
            maxSubTokens = o.maxSubTokens; connectErrorReports = o.connectErrorReports;
            reconnectErrorReports = o.reconnectErrorReports; serverTags = o.serverTags;
            leafnodes = o.leafnodes;
            jsAccDefaultDomain = o.jsAccDefaultDomain;
        }

        private Map<String, String> jsAccDefaultDomain = Map.of();

        public Builder jsAccDefaultDomain(Map<String, String> v) { jsAccDefaultDomain = Map.copyOf(v); return this; }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder serverName(String v) { serverName = v; return this; }
        public Builder maxPayload(int v) { maxPayload = v; return this; }
        public Builder maxControlLine(int v) { maxControlLine = v; return this; }
        public Builder maxPending(long v) { maxPending = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxSubscriptions(int v) { maxSubscriptions = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder pingMax(int v) { pingMax = v; return this; }
        public Builder writeDeadline(Duration v) { writeDeadline = v; return this; }
        public Builder authTimeout(Duration v) { authTimeoutSet = v; return this; }
        public Builder username(String v) { username = v; return this; }
        public Builder password(String v) { password = v; return this; }
        public Builder authToken(String v) { authToken = v; return this; }
        public Builder debug(boolean v) { debug = v; return this; }
        public Builder trace(boolean v) { trace = v; return this; }
        public Builder logTime(boolean v) { logTime = v; return this; }
        public Builder logFile(String v) { logFile = v; return this; }
        public Builder maxTracedMsgLen(int v) { maxTracedMsgLen = v; return this; }
        public Builder pidFile(String v) { pidFile = v; return this; }
        public Builder portsFileDir(String v) { portsFileDir = v; return this; }
        public Builder lameDuckDuration(Duration v) { lameDuckDuration = v; return this; }
        public Builder lameDuckGracePeriod(Duration v) { lameDuckGracePeriod = v; return this; }
        public Builder compatVersion(String v) { compatVersion = v; return this; }
        public Builder noHeaderSupport(boolean v) { noHeaderSupport = v; return this; }
        public Builder allowNonTls(boolean v) { allowNonTls = v; return this; }
        public Builder clientAdvertise(String v) { clientAdvertise = v; return this; }
        public Builder httpHost(String v) { httpHost = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder httpsPort(int v) { httpsPort = v; return this; }
        public Builder configFile(String v) { configFile = v; return this; }
        public Builder logSizeLimit(long v) { logSizeLimit = v; return this; }
        public Builder syslog(boolean v) { syslog = v; return this; }
        public Builder remoteSyslog(String v) { remoteSyslog = v; return this; }
        public Builder users(List<User> v) { users = List.copyOf(v); return this; }
        public Builder noAuthUser(String v) { noAuthUser = v; return this; }
        /** Client TLS as a whole; null switches it off. */
        public Builder tls(TlsOptions v) {
            tlsEnabled = v != null;
            tlsCert = v == null ? null : v.certFile();
            tlsKey = v == null ? null : v.keyFile();
            tlsCaCert = v == null ? null : v.caFile();
            tlsVerify = v != null && v.verify();
            tlsTimeout = v == null ? null : v.timeout();
            tlsBlock = v;
            return this;
        }
        public Builder tlsEnabled(boolean v) { tlsEnabled = v; return this; }
        public Builder tlsCert(String v) { tlsCert = v; return this; }
        public Builder tlsKey(String v) { tlsKey = v; return this; }
        public Builder tlsCaCert(String v) { tlsCaCert = v; return this; }
        /** Require client certificates; as nats-server's --tlsverify, also switches TLS on. */
        public Builder tlsVerify(boolean v) { tlsVerify = v; if (v) { tlsEnabled = true; } return this; }
        public Builder tlsTimeout(Duration v) { tlsTimeout = v; return this; }
        /**
         * The route listener, {@code nats://[user:pass@]host:port} or {@code host:port} (port -1 or 0 = random);
         * setting it switches clustering on. User and password in the URL become the route authorization.
         */
        public Builder clusterListen(String url) { clusterListen = url; return this; }
        public Builder clusterName(String v) { clusterName = v; return this; }
        public Builder clusterAdvertise(String v) { clusterAdvertise = v; return this; }
        /** Explicit routes, {@code nats://[user:pass@]host:port}; parsed by {@link #build()}. */
        public Builder routes(List<String> v) { routeUrls = List.copyOf(v); return this; }
        public Builder clusterUser(String v) { clusterUser = v; return this; }
        public Builder clusterPassword(String v) { clusterPassword = v; return this; }
        public Builder clusterAuthTimeout(Duration v) { clusterAuthTimeout = v; return this; }
        public Builder noAdvertise(boolean v) { noAdvertise = v; return this; }
        public Builder connectRetries(int v) { connectRetries = v; return this; }
        /** Route TLS (cluster.tls); null = none. */
        public Builder clusterTls(TlsOptions v) { clusterTls = v; return this; }
        /** Cluster permissions (import = publish side, export = subscribe side); null = none. */
        public Builder clusterPermissions(io.natsboot.server.auth.Permissions v) { clusterPermissions = v; return this; }
        public Builder accounts(List<AccountOptions> v) { accounts = List.copyOf(v); return this; }
        /** The WebSocket listener; null = none. */
        public Builder websocket(WebSocketOptions v) { websocket = v; return this; }
        /** {@code system_account}: the account of the server's events and requests (null/empty = $SYS). */
        public Builder systemAccount(String v) { systemAccount = v; return this; }
        /** {@code no_system_account}: no default $SYS account. */
        public Builder noSystemAccount(boolean v) { noSystemAccount = v; return this; }
        /** Operator (JWT) mode: operators, system account, resolver; null = off. */
        public Builder trust(TrustOptions v) { trust = v; return this; }
        public Builder jetstream(JetStreamOptions v) { jetstream = v; return this; }
        public JetStreamOptions jetstream() { return jetstream; }
        public Builder disableSublistCache(boolean v) { disableSublistCache = v; return this; }
        public Builder httpBasePath(String v) { httpBasePath = v == null ? "" : v; return this; }
        public Builder profPort(int v) { profPort = v; return this; }
        public Builder maxSubTokens(int v) { maxSubTokens = v; return this; }
        public Builder connectErrorReports(int v) { connectErrorReports = v; return this; }
        public Builder reconnectErrorReports(int v) { reconnectErrorReports = v; return this; }
        public Builder serverTags(List<String> v) { serverTags = List.copyOf(v); return this; }
        /** Subject mappings per account name ({@code $G} for the global account). */
        public Builder mappings(java.util.Map<String, io.natsboot.server.subject.SubjectMappings> v) {
            mappings = java.util.Map.copyOf(v);
            return this;
        }
        /** The leafnodes block: leaf listener and remotes; null = none. */
        public Builder leafnodes(LeafNodeOptions v) { leafnodes = v; return this; }
        /** The gateway block as configured; {@code configuredPort} is the file's port (-1 random, 0 none). */
        public Builder gateway(GatewayOptions v, int configuredPort) { gateway = v; gatewayPort = configuredPort; return this; }
        /** The ocsp setting; null = not configured. */
        public Builder ocsp(OcspOptions v) { ocsp = v; return this; }

        public ServerOptions build() {
            TlsOptions x = tlsBlock != null ? tlsBlock : new TlsOptions(null, null, null, false, null);
            TlsOptions tls = tlsEnabled ? new TlsOptions(tlsCert, tlsKey, tlsCaCert, tlsVerify,
                    tlsTimeout == null || tlsTimeout.isZero() ? TlsOptions.DEFAULT_TIMEOUT : tlsTimeout,
                    x.cipherSuites(), x.curvePreferences(), x.map(), x.pinnedCerts(), x.insecure(), x.minVersion(),
                    x.handshakeFirst(), x.handshakeFirstFallback(), x.managers(), x.connectionRateLimit()) : null;
            // nats-server: without an authorization timeout, TLS makes it the TLS timeout + 1s.
            Duration authTimeout = authTimeoutSet != null ? authTimeoutSet
                    : tls != null ? tls.timeout().plusSeconds(1) : Duration.ofSeconds(2);
            return new ServerOptions(host, port, serverName, maxPayload, maxControlLine, maxPending,
                    maxConnections, maxSubscriptions, pingInterval, pingMax, writeDeadline, authTimeout,
                    username, password, authToken, debug, trace, logTime, logFile, maxTracedMsgLen, pidFile,
                    portsFileDir, lameDuckDuration, lameDuckGracePeriod, compatVersion, noHeaderSupport,
                    clientAdvertise, httpHost, httpPort, httpsPort, configFile, logSizeLimit, syslog, remoteSyslog,
                    users, noAuthUser, tls, buildCluster(), accounts, websocket, systemAccount, noSystemAccount, trust, allowNonTls,
                    jetstream, mappings, disableSublistCache, httpBasePath, profPort, maxSubTokens,
                    connectErrorReports, reconnectErrorReports, serverTags, leafnodes,
                    buildGateway(), jsAccDefaultDomain, ocsp);
        }

        /** The gateway options after nats-server's start-up checks (IllegalArgumentException with its text). */
        private GatewayOptions buildGateway() {
            if (gateway == null) {
                return null;
            }
            String problem = GatewayOptions.validate(gateway.name(), gatewayPort, gateway.remotes());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (gateway.name() == null || gateway.name().isEmpty()) {
                return null; // an empty block: no gateway, as nats-server
            }
            if (clusterName != null && !clusterName.isEmpty() && !clusterName.equals(gateway.name())) {
                throw new IllegalArgumentException("cluster name conflicts between cluster and gateway definitions");
            }
            return gateway;
        }

        /** The cluster options, or null without a cluster listener; bad URLs throw IllegalArgumentException. */
        private ClusterOptions buildCluster() {
            if (clusterListen == null || clusterListen.isEmpty()) {
                if (!routeUrls.isEmpty()) {
                    throw new IllegalArgumentException("solicited routes require cluster capabilities, e.g. --cluster");
                }
                return null;
            }
            ClusterUrls.Listen l = ClusterUrls.listen(clusterListen);
            List<java.net.URI> routes = new java.util.ArrayList<>();
            for (String r : routeUrls) {
                routes.addAll(ClusterUrls.routes(r));
            }
            String user = l.user() != null ? l.user() : clusterUser;
            String pass = l.user() != null ? l.password() : clusterPassword;
            String name = clusterName == null || clusterName.isEmpty()
                    ? (gateway != null && gateway.name() != null && !gateway.name().isEmpty() ? gateway.name() : null)
                    : clusterName;
            return new ClusterOptions(name,
                    l.host() == null ? host : l.host(), l.port(),
                    clusterAdvertise == null || clusterAdvertise.isEmpty() ? null : clusterAdvertise,
                    routes, user, pass, clusterAuthTimeout, noAdvertise, connectRetries, clusterTls,
                    clusterPermissions);
        }
    }
}
