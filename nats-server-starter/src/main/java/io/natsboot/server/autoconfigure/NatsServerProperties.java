package io.natsboot.server.autoconfigure;

import io.natsboot.server.config.ServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The embedded server's options under {@code natsboot.server.*}. Defaults are nats-server 2.9's, so an
 * empty {@code application.yml} runs the server {@code nats-server} would run without flags.
 *
 * <p>{@link #applyTo(ServerOptions.Builder)} maps them onto the engine's {@link ServerOptions}; a
 * {@link #getConfigFile() config file}, if set, is read on top (the keys it contains win), and
 * {@link NatsServerCustomizer} beans run last.
 */
@ConfigurationProperties("natsboot.server")
public class NatsServerProperties {

    /** Whether to run the embedded NATS server. */
    private boolean enabled = true;

    /** Interface to listen on for client connections. */
    private String host = "0.0.0.0";

    /** Client port; 0 picks a free port, published as local.natsboot.server.port. */
    private int port = 4222;

    /** Server name shown in INFO and monitoring; defaults to the server id. */
    private String serverName;

    /** Largest message payload a client may publish (nats-server's max_payload). */
    private DataSize maxPayload = DataSize.ofMegabytes(1);

    /** Outbound bytes a connection may have pending before it is a slow consumer (max_pending). */
    private DataSize maxPending = DataSize.ofMegabytes(64);

    /** Longest protocol line accepted from a client (max_control_line). */
    private DataSize maxControlLine = DataSize.ofKilobytes(4);

    /** Most client connections at once (max_connections). */
    private int maxConnections = 65536;

    /** Most subscriptions per connection; 0 = unlimited (max_subscriptions). */
    private int maxSubscriptions = 0;

    /** Interval between server PINGs to each client (ping_interval). */
    private Duration pingInterval = Duration.ofMinutes(2);

    /** Unanswered PINGs before a client is closed as stale (ping_max). */
    private int pingMax = 2;

    /** How long a write to a client may block before it is a slow consumer (write_deadline). */
    private Duration writeDeadline = Duration.ofSeconds(10);

    /** Advertised client URL ("host:port") in INFO, for clients behind NAT (client_advertise). */
    private String clientAdvertise;

    /** Turns off message headers (no_header_support). */
    private boolean noHeaderSupport;

    /**
     * Host of the nats-server-compatible monitoring HTTP endpoint. Loopback by default, unlike nats-server
     * (which binds it to the client host): its JSON has no authentication. "0.0.0.0" exposes it; empty =
     * the client host, as nats-server does.
     */
    private String httpHost = "127.0.0.1";

    /** Port of the monitoring HTTP endpoint (/varz, /connz, ...); 0 = off, -1 = a random port. */
    private int httpPort = 0;

    /** Debug logging (also needs the io.natsboot.server logger at DEBUG). */
    private boolean debug;

    /** Protocol tracing (also needs the io.natsboot.server logger at TRACE). */
    private boolean trace;

    /** Time over which lame-duck mode closes the clients (lame_duck_duration). */
    private Duration lameDuckDuration = Duration.ofMinutes(2);

    /** Wait after entering lame-duck mode before closing clients (lame_duck_grace_period). */
    private Duration lameDuckGracePeriod = Duration.ofSeconds(10);

    /** A NATS configuration file (nats-server's -c); the options it sets win over these properties. */
    private String configFile;

    private final Auth auth = new Auth();

    /** Client authentication; a user or a token switches it on. */
    public static class Auth {

        /** User name clients must send in CONNECT. */
        private String user;

        /** Password for the user (plain text or bcrypt "$2..."). */
        private String password;

        /** Token clients must send in CONNECT (instead of user/password). */
        private String token;

        /** Time a new client has to send CONNECT (authorization timeout). */
        private Duration timeout = Duration.ofSeconds(2);

        public String getUser() { return user; }
        public void setUser(String user) { this.user = user; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public String getToken() { return token; }
        public void setToken(String token) { this.token = token; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
    }

    private final Cluster cluster = new Cluster();

    private final Operator operator = new Operator();

    private final JetStream jetstream = new JetStream();

    /**
     * JetStream in the embedded server (streams, consumers, Key-Value, Object Store; see docs/jetstream.md): off
     * unless {@code enabled}. Limits default to nats-server's (75% of memory, 75% of the store's free disk).
     */
    public static class JetStream {
        /** Run JetStream ({@code -js}). */
        private boolean enabled;

        /** Where streams are stored ({@code -sd}); default: nats-server's, {@code <tmp>/nats/jetstream}. */
        private String storeDir;

        /** Memory for memory-stored streams; unset: 75% of the machine's memory. */
        private DataSize maxMemoryStore;

        /** Disk for file-stored streams; unset: 75% of the store directory's free space. */
        private DataSize maxFileStore;

        /** The JetStream domain, for leaf-node topologies; none by default. */
        private String domain;

        /** Encrypts file streams at rest with this key (nats-server's jetstream key); none by default. */
        private String encryptionKey;

        /** The cipher of encryption at rest: chacha (default) or aes. */
        private String cipher;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getStoreDir() { return storeDir; }
        public void setStoreDir(String storeDir) { this.storeDir = storeDir; }
        public DataSize getMaxMemoryStore() { return maxMemoryStore; }
        public void setMaxMemoryStore(DataSize maxMemoryStore) { this.maxMemoryStore = maxMemoryStore; }
        public DataSize getMaxFileStore() { return maxFileStore; }
        public void setMaxFileStore(DataSize maxFileStore) { this.maxFileStore = maxFileStore; }
        public String getDomain() { return domain; }
        public void setDomain(String domain) { this.domain = domain; }
        public String getEncryptionKey() { return encryptionKey; }
        public void setEncryptionKey(String encryptionKey) { this.encryptionKey = encryptionKey; }
        public String getCipher() { return cipher; }
        public void setCipher(String cipher) { this.cipher = cipher; }

        /** The engine's JetStream options, or null when not enabled (a config file may still turn it on). */
        io.natsboot.server.config.JetStreamOptions toOptions() {
            if (!enabled) {
                return null;
            }
            String c = cipher == null || cipher.isEmpty() ? null : cipher.toLowerCase(java.util.Locale.ROOT);
            if (c != null && !c.equals("chacha") && !c.equals("chachapoly") && !c.equals("aes")) {
                throw new IllegalArgumentException("Unknown cipher type: \"" + cipher + "\"");
            }
            return new io.natsboot.server.config.JetStreamOptions(true, emptyToNull(storeDir),
                    maxMemoryStore == null ? -1 : maxMemoryStore.toBytes(),
                    maxFileStore == null ? -1 : maxFileStore.toBytes(), emptyToNull(domain))
                    .withEncryption(emptyToNull(encryptionKey), c);
        }
    }

    /**
     * Operator (JWT) mode: clients log in with user JWTs (.creds) whose accounts come from the resolver. Off
     * unless {@code jwt} is set. See docs/security.md.
     */
    public static class Operator {
        /** The operator JWT (plain or nsc-decorated), e.g. {@code classpath:operator.jwt} or {@code file:...}. */
        private org.springframework.core.io.Resource jwt;

        /** Public key of the system account; default: the operator JWT's. */
        private String systemAccount;

        /** Where account JWTs come from: MEMORY (the preload only), URL, FULL or CACHE (a directory). */
        private io.natsboot.server.auth.jwt.TrustOptions.ResolverType resolver =
                io.natsboot.server.auth.jwt.TrustOptions.ResolverType.MEMORY;

        /** The account server's URL for the URL resolver (each account's JWT is fetched at URL + key). */
        private String resolverUrl;

        /** The directory of the FULL and CACHE resolvers ({@code <key>.jwt} files). */
        private String resolverDir;

        /** FULL resolver: whether accounts may be deleted. */
        private boolean allowDelete;

        /** Account JWTs by account public key, given to the resolver at start. */
        private java.util.Map<String, String> preload = new java.util.LinkedHashMap<>();

        public org.springframework.core.io.Resource getJwt() { return jwt; }
        public void setJwt(org.springframework.core.io.Resource jwt) { this.jwt = jwt; }
        public String getSystemAccount() { return systemAccount; }
        public void setSystemAccount(String systemAccount) { this.systemAccount = systemAccount; }
        public io.natsboot.server.auth.jwt.TrustOptions.ResolverType getResolver() { return resolver; }
        public void setResolver(io.natsboot.server.auth.jwt.TrustOptions.ResolverType resolver) { this.resolver = resolver; }
        public String getResolverUrl() { return resolverUrl; }
        public void setResolverUrl(String resolverUrl) { this.resolverUrl = resolverUrl; }
        public String getResolverDir() { return resolverDir; }
        public void setResolverDir(String resolverDir) { this.resolverDir = resolverDir; }
        public boolean isAllowDelete() { return allowDelete; }
        public void setAllowDelete(boolean allowDelete) { this.allowDelete = allowDelete; }
        public java.util.Map<String, String> getPreload() { return preload; }
        public void setPreload(java.util.Map<String, String> preload) { this.preload = preload; }

        /** The operator-mode options, or null when no operator JWT is set. */
        io.natsboot.server.auth.jwt.TrustOptions toTrustOptions() {
            if (jwt == null) {
                return null;
            }
            String text;
            try (java.io.InputStream in = jwt.getInputStream()) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("natsboot.server.operator.jwt " + jwt.getDescription()
                        + " is not readable: " + e.getMessage());
            }
            io.natsboot.server.auth.jwt.TrustOptions.Resolver r = switch (resolver) {
                case MEMORY -> io.natsboot.server.auth.jwt.TrustOptions.Resolver.memory();
                case URL -> {
                    if (resolverUrl == null || resolverUrl.isBlank()) {
                        throw new IllegalArgumentException("natsboot.server.operator.resolver-url is required for URL");
                    }
                    yield io.natsboot.server.auth.jwt.TrustOptions.Resolver.url(
                            resolverUrl.endsWith("/") ? resolverUrl : resolverUrl + "/");
                }
                case FULL, CACHE -> {
                    if (resolverDir == null || resolverDir.isBlank()) {
                        throw new IllegalArgumentException("natsboot.server.operator.resolver-dir is required for "
                                + resolver);
                    }
                    boolean full = resolver == io.natsboot.server.auth.jwt.TrustOptions.ResolverType.FULL;
                    yield new io.natsboot.server.auth.jwt.TrustOptions.Resolver(resolver, null,
                            java.nio.file.Path.of(resolverDir).toAbsolutePath().toString(), allowDelete,
                            full ? Duration.ofMinutes(1) : Duration.ZERO, full ? Long.MAX_VALUE : 1000,
                            Duration.ZERO, null);
                }
            };
            return io.natsboot.server.auth.jwt.TrustOptions.of(text, emptyToNull(systemAccount), r, preload);
        }
    }

    private final Ssl ssl = new Ssl();

    /**
     * Client TLS from a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}), as {@code server.ssl.bundle}
     * does for the web server. A {@code tls} block in the config file is the other way; the bundle wins.
     */
    public static class Ssl {
        /** Name of the SSL bundle with the server's certificate (key store) and the client CAs (trust store). */
        private String bundle;

        /** Client certificates: "none", or "need" (mutual TLS, as nats-server's verify). */
        private ClientAuth clientAuth = ClientAuth.NONE;

        /** Name users by the client certificate (nats-server's verify_and_map; implies client-auth=need). */
        private boolean verifyAndMap;

        /** TLS handshake before INFO (nats-server 2.10's handshake_first; jnats' tlsFirst()). */
        private boolean handshakeFirst;

        /** TLS handshake timeout. */
        private Duration timeout = Duration.ofSeconds(2);

        /** Client certificate policy. */
        public enum ClientAuth { NONE, NEED }

        public String getBundle() { return bundle; }
        public void setBundle(String bundle) { this.bundle = bundle; }
        public ClientAuth getClientAuth() { return clientAuth; }
        public void setClientAuth(ClientAuth clientAuth) { this.clientAuth = clientAuth; }
        public boolean isVerifyAndMap() { return verifyAndMap; }
        public void setVerifyAndMap(boolean verifyAndMap) { this.verifyAndMap = verifyAndMap; }
        public boolean isHandshakeFirst() { return handshakeFirst; }
        public void setHandshakeFirst(boolean handshakeFirst) { this.handshakeFirst = handshakeFirst; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }
    }

    /**
     * Clustering (nats-server's {@code cluster {}} block): routes to other servers, each of ours or
     * nats-server 2.9. Off unless {@link #getListen() listen} is set.
     */
    public static class Cluster {

        /**
         * Route listen address, "host:port" or "nats://[user:pass@]host:port" (cluster.listen); port -1 or 0
         * picks a free port, published as local.natsboot.server.cluster-port. Unset = not clustered.
         */
        private String listen;

        /** Cluster name every node must share; unset = generated, then adopted from the peers. */
        private String name;

        /** Routes to dial, "nats://[user:pass@]host:port" (cluster.routes); more are learned by gossip. */
        private List<String> routes = new ArrayList<>();

        /** "host:port" peers should dial instead of the listen address (cluster_advertise). */
        private String advertise;

        /** Do not tell clients the other servers' client URLs in INFO connect_urls (no_advertise). */
        private boolean noAdvertise;

        /** Dial retries for routes learned by gossip (connect_retries); configured routes are retried forever. */
        private int connectRetries;

        private final Authorization authorization = new Authorization();

        /** Route authorization: peers must send this user and password in their route CONNECT. */
        public static class Authorization {

            /** User peers must send; unset = routes need no authorization. */
            private String user;

            /** Password for the user. */
            private String password;

            /** Time an accepted route has to send CONNECT. */
            private Duration timeout = Duration.ofSeconds(2);

            public String getUser() { return user; }
            public void setUser(String user) { this.user = user; }
            public String getPassword() { return password; }
            public void setPassword(String password) { this.password = password; }
            public Duration getTimeout() { return timeout; }
            public void setTimeout(Duration timeout) { this.timeout = timeout; }
        }

        public String getListen() { return listen; }
        public void setListen(String listen) { this.listen = listen; }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public List<String> getRoutes() { return routes; }
        public void setRoutes(List<String> routes) { this.routes = routes; }
        public String getAdvertise() { return advertise; }
        public void setAdvertise(String advertise) { this.advertise = advertise; }
        public boolean isNoAdvertise() { return noAdvertise; }
        public void setNoAdvertise(boolean noAdvertise) { this.noAdvertise = noAdvertise; }
        public int getConnectRetries() { return connectRetries; }
        public void setConnectRetries(int connectRetries) { this.connectRetries = connectRetries; }
        public Authorization getAuthorization() { return authorization; }
    }

    /** Copies these properties onto {@code b} and returns it. */
    public ServerOptions.Builder applyTo(ServerOptions.Builder b) {
        b.host(host)
                .port(port)
                .serverName(emptyToNull(serverName))
                .maxPayload(toIntBytes(maxPayload, "max-payload"))
                .maxPending(maxPending.toBytes())
                .maxControlLine(toIntBytes(maxControlLine, "max-control-line"))
                .maxConnections(maxConnections)
                .maxSubscriptions(maxSubscriptions)
                .pingInterval(pingInterval)
                .pingMax(pingMax)
                .writeDeadline(writeDeadline)
                .clientAdvertise(emptyToNull(clientAdvertise))
                .noHeaderSupport(noHeaderSupport)
                .httpHost(emptyToNull(httpHost))
                .httpPort(httpPort)
                .debug(debug)
                .trace(trace)
                .lameDuckDuration(lameDuckDuration)
                .lameDuckGracePeriod(lameDuckGracePeriod)
                .authTimeout(auth.timeout)
                .username(emptyToNull(auth.user))
                .password(emptyToNull(auth.password))
                .authToken(emptyToNull(auth.token));
        // Applied even without a listen address: a config file read afterwards may supply it.
        Cluster.Authorization a = cluster.authorization;
        b.clusterListen(cluster.listen == null || cluster.listen.isBlank() ? null : cluster.listen.strip())
                .clusterName(emptyToNull(cluster.name))
                .routes(cluster.routes.stream().map(String::strip).filter(r -> !r.isEmpty()).toList())
                .clusterAdvertise(emptyToNull(cluster.advertise))
                .noAdvertise(cluster.noAdvertise)
                .connectRetries(cluster.connectRetries)
                .clusterUser(emptyToNull(a.user))
                .clusterPassword(emptyToNull(a.password))
                .clusterAuthTimeout(a.timeout);
        b.trust(operator.toTrustOptions());
        io.natsboot.server.config.JetStreamOptions js = jetstream.toOptions();
        if (js != null) {
            b.jetstream(js);
        }
        return b;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static int toIntBytes(DataSize size, String name) {
        long bytes = size.toBytes();
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("natsboot.server." + name + " out of range: " + size);
        }
        return (int) bytes;
    }

    public Operator getOperator() { return operator; }
    public JetStream getJetstream() { return jetstream; }
    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getServerName() { return serverName; }
    public void setServerName(String serverName) { this.serverName = serverName; }
    public DataSize getMaxPayload() { return maxPayload; }
    public void setMaxPayload(DataSize maxPayload) { this.maxPayload = maxPayload; }
    public DataSize getMaxPending() { return maxPending; }
    public void setMaxPending(DataSize maxPending) { this.maxPending = maxPending; }
    public DataSize getMaxControlLine() { return maxControlLine; }
    public void setMaxControlLine(DataSize maxControlLine) { this.maxControlLine = maxControlLine; }
    public int getMaxConnections() { return maxConnections; }
    public void setMaxConnections(int maxConnections) { this.maxConnections = maxConnections; }
    public int getMaxSubscriptions() { return maxSubscriptions; }
    public void setMaxSubscriptions(int maxSubscriptions) { this.maxSubscriptions = maxSubscriptions; }
    public Duration getPingInterval() { return pingInterval; }
    public void setPingInterval(Duration pingInterval) { this.pingInterval = pingInterval; }
    public int getPingMax() { return pingMax; }
    public void setPingMax(int pingMax) { this.pingMax = pingMax; }
    public Duration getWriteDeadline() { return writeDeadline; }
    public void setWriteDeadline(Duration writeDeadline) { this.writeDeadline = writeDeadline; }
    public String getClientAdvertise() { return clientAdvertise; }
    public void setClientAdvertise(String clientAdvertise) { this.clientAdvertise = clientAdvertise; }
    public boolean isNoHeaderSupport() { return noHeaderSupport; }
    public void setNoHeaderSupport(boolean noHeaderSupport) { this.noHeaderSupport = noHeaderSupport; }
    public String getHttpHost() { return httpHost; }
    public void setHttpHost(String httpHost) { this.httpHost = httpHost; }
    public int getHttpPort() { return httpPort; }
    public void setHttpPort(int httpPort) { this.httpPort = httpPort; }
    public boolean isDebug() { return debug; }
    public void setDebug(boolean debug) { this.debug = debug; }
    public boolean isTrace() { return trace; }
    public void setTrace(boolean trace) { this.trace = trace; }
    public Duration getLameDuckDuration() { return lameDuckDuration; }
    public void setLameDuckDuration(Duration lameDuckDuration) { this.lameDuckDuration = lameDuckDuration; }
    public Duration getLameDuckGracePeriod() { return lameDuckGracePeriod; }
    public void setLameDuckGracePeriod(Duration lameDuckGracePeriod) { this.lameDuckGracePeriod = lameDuckGracePeriod; }
    public String getConfigFile() { return configFile; }
    public void setConfigFile(String configFile) { this.configFile = configFile; }
    public Auth getAuth() { return auth; }
    public Cluster getCluster() { return cluster; }
    public Ssl getSsl() { return ssl; }
}
