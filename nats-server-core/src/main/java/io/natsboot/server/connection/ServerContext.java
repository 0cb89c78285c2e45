package io.natsboot.server.connection;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.Versions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.SubscriptionTrie;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state every client connection shares: options, log, the subscription trie, the registry
 * of live connections and the server-wide counters. One per server; {@code NatsServer} owns it.
 */
public final class ServerContext {
    /** Replaced as a whole by a configuration reload; connections read it once per read batch. */
    private volatile ServerOptions options;
    private final ServerLog log;
    /** The global account $G: clients without an account, and the only one without an accounts block. */
    private final Account global;
    private final SubscriptionTrie<Subscription> trie;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    /** User name -> account, for users declared inside an account. */
    private final Map<String, Account> userAccounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, ClientConnection> clients = new ConcurrentHashMap<>();
    private final AtomicLong cids = new AtomicLong();
    private final String serverId;
    private final String serverName;
    private final Instant startTime = Instant.now();
    private volatile int port;
    private volatile List<String> connectUrls = List.of();
    private volatile boolean lameDuck;
    /** Told about every local subscription change when clustered (to send RS+/RS-); null otherwise. */
    private volatile LocalInterestListener interestListener;
    /** Set once a route has put interest into the trie: publishes then check for route members. */
    private volatile boolean routeInterest;
    /** The cluster name clients see in INFO; null when not clustered. */
    private volatile String clusterName;
    /** Told of each client as it closes (the monitor's closed-connection ring); ClientConnection.close() calls them. */
    private final java.util.List<java.util.function.Consumer<ClientConnection>> closeRecorders =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Told about client connections' life (the system account's events); null when there is none. */
    private volatile ClientLifecycleListener clientListener;

    public final LongAdder inMsgs = new LongAdder();
    public final LongAdder inBytes = new LongAdder();
    public final LongAdder outMsgs = new LongAdder();
    public final LongAdder outBytes = new LongAdder();
    public final LongAdder slowConsumers = new LongAdder();
    /** Clients rejected by authentication (each "authentication error" log line). */
    public final LongAdder authFailures = new LongAdder();
    public final AtomicLong totalConnections = new AtomicLong();

    /** The TLS context of a listener whose certificate is OCSP-stapled, null for one that is not (NatsServer sets it). */
    private volatile java.util.function.Function<io.natsboot.server.config.TlsOptions, io.netty.handler.ssl.SslContext>
            staplingTls = t -> null;

    /** Where listeners get their OCSP-stapling TLS contexts (the server's OCSP monitors). */
    public void staplingTls(java.util.function.Function<io.natsboot.server.config.TlsOptions,
            io.netty.handler.ssl.SslContext> contexts) {
        staplingTls = contexts;
    }

    /** The stapling server TLS context for this tls block, or null when its certificate is not stapled. */
    public io.netty.handler.ssl.SslContext staplingTls(io.natsboot.server.config.TlsOptions tls) {
        return staplingTls.apply(tls);
    }

    public ServerContext(ServerOptions options, ServerLog log, String serverId) {
        this.options = options;
        this.log = log;
        this.serverId = serverId;
        this.serverName = options.serverName() == null || options.serverName().isEmpty()
                ? serverId : options.serverName();
        this.port = options.port();
        this.global = newAccount(Account.GLOBAL);
        this.trie = global.trie();
        accounts.put(Account.GLOBAL, global);
        configureAccounts(options.accounts());
        options.mappings().forEach((name, m) -> accountOrCreate(name).mappings(m));
        this.systemAccount = systemAccount(options);
        long rate = options.tls() == null ? 0 : options.tls().connectionRateLimit();
        this.tlsRate = rate > 0 ? new ConnectionRateCounter(rate) : null;
        this.operatorAccounts = options.trust() == null ? null : new OperatorAccounts(this, options, log);
    }

    /** Operator (JWT) mode's accounts, logins' connection slots and $SYS claims requests; null when off. */
    private final OperatorAccounts operatorAccounts;

    public OperatorAccounts operatorAccounts() {
        return operatorAccounts;
    }

    /** Operator (JWT) mode: trusted operators, account resolver, JWT logins; null when not configured. */
    public io.natsboot.server.auth.jwt.OperatorMode operatorMode() {
        return operatorAccounts == null ? null : operatorAccounts.mode();
    }

    /** The account named {@code name}, made on first use (operator mode: accounts come from JWTs). */
    public Account accountOrCreate(String name) {
        Account existing = accounts.get(name);
        if (existing != null) {
            return existing;
        }
        boolean[] made = new boolean[1];
        Account a = accounts.computeIfAbsent(name, n -> {
            made[0] = true;
            return newAccount(n);
        });
        java.util.function.Consumer<Account> l = accountCreated;
        if (made[0] && l != null) {
            l.accept(a);
        }
        return a;
    }

    /** Told of each account made after start (operator mode's accounts, at their first login); may be null. */
    private volatile java.util.function.Consumer<Account> accountCreated;

    public void onAccountCreated(java.util.function.Consumer<Account> l) {
        this.accountCreated = l;
    }

    /** The system account (the server's events and $SYS requests), or null with no_system_account. */
    private final Account systemAccount;

    /**
     * The configured system account, or $SYS created here when it is the default and not declared; a name
     * no account has fails as nats-server's start does.
     */
    private Account systemAccount(ServerOptions o) {
        String name = o.systemAccountName();
        if (name == null) {
            return null;
        }
        Account a = accounts.get(name);
        if (a == null && (name.equals(ServerOptions.DEFAULT_SYSTEM_ACCOUNT) || o.trust() != null)) {
            // the default $SYS, or in operator mode the account key: its JWT comes from the resolver
            a = newAccount(name);
            accounts.put(name, a);
        }
        if (a == null) {
            throw new IllegalArgumentException(ServerOptions.SYSTEM_ACCOUNT_MISSING);
        }
        return a;
    }

    /** The system account, or null when there is none (no_system_account). */
    public Account systemAccount() {
        return systemAccount;
    }

    /** TLS connection_rate_limit of the client port; null = none. */
    private final ConnectionRateCounter tlsRate;

    public ConnectionRateCounter tlsRate() {
        return tlsRate;
    }

    /**
     * Creates the configured accounts and wires their imports to the exports they name. An import of
     * something not exported (or not to this account) is logged and left out, as nats-server refuses it.
     */
    private void configureAccounts(List<io.natsboot.server.config.AccountOptions> list) {
        for (io.natsboot.server.config.AccountOptions a : list) {
            Account acc = newAccount(a.name());
            acc.configLimits(a.limits());
            accounts.put(a.name(), acc);
            for (String user : a.users()) {
                userAccounts.put(user, acc);
            }
        }
        java.util.Map<Account, List<Account.StreamImport>> streams = new java.util.HashMap<>();
        for (io.natsboot.server.config.AccountOptions a : list) {
            Account importer = accounts.get(a.name());
            List<Account.ServiceImport> services = new java.util.ArrayList<>();
            for (io.natsboot.server.config.AccountOptions.Import imp : a.imports()) {
                Account exporter = accounts.get(imp.account());
                io.natsboot.server.config.AccountOptions exporterOptions = list.stream()
                        .filter(x -> x.name().equals(imp.account())).findFirst().orElse(null);
                if (exporter == null || exporterOptions == null || !exported(exporterOptions, imp, a.name())) {
                    log.error("Error adding " + (imp.service() ? "service" : "stream") + " import " + GoFormat.quote(imp.subject()) + " from account " + GoFormat.quote(imp.account())
                            + " to account " + GoFormat.quote(a.name()) + ": not exported to it");
                    continue;
                }
                if (imp.service()) {
                    exporter.servesImports(true);
                    io.natsboot.server.config.AccountOptions.Export export = exportOf(exporterOptions, imp, a.name());
                    services.add(new Account.ServiceImport(exporter, imp.subject(),
                            imp.to() == null || imp.to().isEmpty() ? imp.subject() : imp.to(),
                            export.multipleResponses(), export.responseThreshold() == null
                                    ? Account.RESPONSE_THRESHOLD_NANOS : export.responseThreshold().toNanos()));
                } else {
                    streams.computeIfAbsent(exporter, k -> new java.util.ArrayList<>())
                            .add(new Account.StreamImport(importer, imp.subject(), imp.to()));
                }
            }
            importer.serviceImports(services);
        }
        streams.forEach(Account::streamImporters);
    }

    private static boolean exported(io.natsboot.server.config.AccountOptions exporter,
            io.natsboot.server.config.AccountOptions.Import imp, String importer) {
        return exportOf(exporter, imp, importer) != null;
    }

    /** The export of {@code exporter} that {@code imp} of account {@code importer} takes, or null. */
    private static io.natsboot.server.config.AccountOptions.Export exportOf(
            io.natsboot.server.config.AccountOptions exporter,
            io.natsboot.server.config.AccountOptions.Import imp, String importer) {
        for (io.natsboot.server.config.AccountOptions.Export e : exporter.exports()) {
            if (e.service() == imp.service() && io.natsboot.server.subject.Subjects.subsetOf(imp.subject(), e.subject())
                    && (e.accounts().isEmpty() || e.accounts().contains(importer))) {
                return e;
            }
        }
        return null;
    }

    /** A new account; with disable_sublist_cache its trie keeps no match cache. */
    private Account newAccount(String name) {
        return new Account(name, !options.disableSublistCache());
    }

    /** The global account $G. */
    public Account globalAccount() {
        return global;
    }

    /** The account named {@code name}, or null. */
    public Account account(String name) {
        return accounts.get(name);
    }

    /** Every account, $G first. */
    public List<Account> accounts() {
        List<Account> out = new java.util.ArrayList<>();
        out.add(global);
        for (Account a : accounts.values()) {
            if (a != global) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * A new internal (socketless) client in account {@code accountName} ({@code "$G"} for the global account),
     * named {@code name} in logs. See {@link InternalClient}.
     *
     * @throws IllegalArgumentException when there is no such account
     */
    public InternalClient internalClient(String accountName, String name) {
        Account a = account(accountName);
        if (a == null) {
            throw new IllegalArgumentException("no account " + accountName);
        }
        return new InternalClient(this, a, name);
    }

    /** The account of an authenticated user: the one it is declared in, else $G. */
    public Account accountOfUser(String user) {
        return user == null ? global : userAccounts.getOrDefault(user, global);
    }

    public ServerOptions options() {
        return options;
    }

    /** Configuration reload: later reads see {@code next}. Callers tell the connections. */
    public void options(ServerOptions next) {
        this.options = next;
        reloadMappings(next);
    }

    /**
     * A reload's mappings, as nats-server applies them (to connected clients too): $G and the configured accounts
     * take the file's mappings, none if it has none. JWT accounts keep their own.
     */
    private void reloadMappings(ServerOptions next) {
        global.mappings(next.mappings().get(Account.GLOBAL));
        for (io.natsboot.server.config.AccountOptions a : next.accounts()) {
            Account acc = accounts.get(a.name());
            if (acc != null) {
                acc.mappings(next.mappings().get(a.name()));
            }
        }
    }

    public ServerLog log() {
        return log;
    }

    /** The global account's trie (where everything lives without an accounts block). */
    public SubscriptionTrie<Subscription> trie() {
        return trie;
    }

    /** Listens to local subscription changes; the cluster sets itself before any client connects. */
    public interface LocalInterestListener {
        void localAdded(Subscription s);

        void localRemoved(Subscription s);
    }

    /** One sequence for every message this server sends on $SYS (the {@code seq} of their {@code server} object). */
    private final java.util.concurrent.atomic.AtomicLong systemSequence = new java.util.concurrent.atomic.AtomicLong();

    /** The next {@code seq} of a $SYS message's {@code server} object, shared by every sender in this server. */
    public long nextSystemSequence() {
        return systemSequence.incrementAndGet();
    }

    public void clusterName(String name) {
        this.clusterName = name;
    }

    public String clusterName() {
        return clusterName;
    }

    /** Observers of all interest (local and routes), e.g. gateways; set before clients connect. */
    private final java.util.List<InterestObserver> interestObservers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Where messages published here go after local and route delivery (gateways); empty for most servers. */
    private volatile MessageForwarder[] forwarders = new MessageForwarder[0];

    /** Length of a gateway routed reply's prefix: {@code _GR_.<cluster hash>.<server hash>.} */
    public static final int ROUTED_REPLY_PREFIX_LENGTH = 19;
    /** {@code _GR_.<our cluster hash>.<our server hash>.} once gateways run; null without. */
    private volatile byte[] routedReplyPrefix;
    /** Where gateway INFO gossip that arrives over a route goes (the gateways); null without. */
    private volatile java.util.function.Consumer<String> routeGatewayInfo;

    /** Where the gateway URLs of route peers go (the gateways tell other clusters); null without. */
    private volatile java.util.function.BiConsumer<String, Boolean> peerGatewayUrl;
    /** This server's gateway URL (host:port) once the gateway listens; null without gateways. */
    private volatile String gatewayUrl;

    /**
     * The gateways' routed-reply prefix of this server, their handler of gateway gossip from routes and of route
     * peers' gateway URLs.
     */
    public void gatewayHooks(byte[] routedReplyPrefix, java.util.function.Consumer<String> routeGatewayInfo,
            java.util.function.BiConsumer<String, Boolean> peerGatewayUrl) {
        this.routedReplyPrefix = routedReplyPrefix;
        this.routeGatewayInfo = routeGatewayInfo;
        this.peerGatewayUrl = peerGatewayUrl;
    }

    public void gatewayUrl(String url) {
        this.gatewayUrl = url;
    }

    /** This server's gateway URL as route INFO carries it ({@code gateway_url}); null without gateways. */
    public String gatewayUrl() {
        return gatewayUrl;
    }

    /** A route peer with gateway URL {@code url} registered ({@code added}) or left. */
    public void peerGatewayUrl(String url, boolean added) {
        java.util.function.BiConsumer<String, Boolean> c = peerGatewayUrl;
        if (c != null) {
            c.accept(url, added);
        }
    }

    /** The leafnode URLs route peers advertise ({@code leafnode_urls} of their route INFO). */
    private final GossipedUrls peerLeafUrls = new GossipedUrls();
    /** The websocket URLs route peers advertise ({@code ws_connect_urls} of their route INFO). */
    private final GossipedUrls peerWebSocketUrls = new GossipedUrls();
    /** This server's leafnode URL for route INFO; null without a leafnodes listener or with no_advertise. */
    private volatile String leafUrl;
    /** This server's websocket URLs for route INFO and websocket clients; empty without a websocket listener. */
    private volatile java.util.List<String> webSocketUrls = java.util.List.of();

    public GossipedUrls peerLeafUrls() {
        return peerLeafUrls;
    }

    public GossipedUrls peerWebSocketUrls() {
        return peerWebSocketUrls;
    }

    public void leafUrl(String url) {
        this.leafUrl = url;
    }

    public String leafUrl() {
        return leafUrl;
    }

    public void webSocketUrls(java.util.List<String> urls) {
        this.webSocketUrls = java.util.List.copyOf(urls);
    }

    public java.util.List<String> webSocketUrls() {
        return webSocketUrls;
    }

    /**
     * The {@code connect_urls} of a websocket client's INFO (nats-server's WSConnectURLs): ours, then the cluster's
     * other nodes' websocket URLs; empty until a peer advertised some.
     */
    public java.util.List<String> webSocketConnectUrls() {
        if (!peerWebSocketUrls.everAdded()) {
            return java.util.List.of();
        }
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(webSocketUrls);
        all.addAll(peerWebSocketUrls.urls());
        return java.util.List.copyOf(all);
    }

    /** A gateway INFO (gateway gossip) a route peer forwarded: handed to the gateways, ignored without. */
    public void routeGatewayInfo(String json) {
        java.util.function.Consumer<String> c = routeGatewayInfo;
        if (c != null) {
            c.accept(json);
        }
    }

    /** The subject is a gateway reply routed to this very server ({@code _GR_.<our cluster>.<us>.subject}). */
    public boolean isRoutedReplyToUs(io.netty.buffer.ByteBuf buf, int start, int length) {
        byte[] p = routedReplyPrefix;
        if (p == null || length <= p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (buf.getByte(start + i) != p[i]) {
                return false;
            }
        }
        return true;
    }

    public void observeInterest(InterestObserver o) {
        interestObservers.add(o);
    }

    public synchronized void addForwarder(MessageForwarder f) {
        MessageForwarder[] next = java.util.Arrays.copyOf(forwarders, forwarders.length + 1);
        next[next.length - 1] = f;
        forwarders = next;
    }

    MessageForwarder[] forwarders() {
        return forwarders;
    }

    private void interestAdded(Subscription s) {
        for (InterestObserver o : interestObservers) {
            o.interestAdded(s);
        }
    }

    private void interestRemoved(Subscription s) {
        for (InterestObserver o : interestObservers) {
            o.interestRemoved(s);
        }
    }

    public void interestListener(LocalInterestListener l) {
        this.interestListener = l;
    }

    /** Adds a local client's subscription to the trie and tells the cluster. */
    void addSubscription(Subscription s) {
        s.account.trie().insert(s);
        LocalInterestListener l = interestListener;
        if (l != null) {
            l.localAdded(s);
        }
        interestAdded(s);
    }

    /** Removes a local client's subscription from the trie and tells the cluster. */
    void removeSubscription(Subscription s) {
        if (s.account.trie().remove(s)) {
            LocalInterestListener l = interestListener;
            if (l != null) {
                l.localRemoved(s);
            }
            interestRemoved(s);
        }
    }

    /** Route interest (RS+) goes into the same trie as local subscriptions. */
    public void addRouteInterest(Subscription s) {
        routeInterest = true;
        s.account.trie().insert(s);
        interestAdded(s);
    }

    public void removeRouteInterest(Subscription s) {
        if (s.account.trie().remove(s)) {
            interestRemoved(s);
        }
    }

    private volatile boolean leafInterest;

    /**
     * Interest a leaf connection advertised (LS+), in the trie like route interest. {@code toRoutes}: the leaf is
     * our spoke, so its interest is this cluster's as a client's would be (RS+ to the routes); interest our hub
     * sends us stays on this server.
     */
    public void addLeafInterest(Subscription s, boolean toRoutes) {
        routeInterest = true;
        leafInterest = true;
        s.account.trie().insert(s);
        LocalInterestListener l = interestListener;
        if (toRoutes && l != null) {
            l.localAdded(s);
        }
        interestAdded(s);
    }

    public void removeLeafInterest(Subscription s, boolean toRoutes) {
        if (s.account.trie().remove(s)) {
            LocalInterestListener l = interestListener;
            if (toRoutes && l != null) {
                l.localRemoved(s);
            }
            interestRemoved(s);
        }
    }

    /** True once a leaf connection advertised interest: routed messages may have to go on to leafs. */
    public boolean hasLeafInterest() {
        return leafInterest;
    }

    boolean hasRouteInterest() {
        return routeInterest;
    }

    public String serverId() {
        return serverId;
    }

    public String serverName() {
        return serverName;
    }

    public Instant startTime() {
        return startTime;
    }

    public int port() {
        return port;
    }

    public void port(int bound) {
        this.port = bound;
    }

    public boolean lameDuck() {
        return lameDuck;
    }

    public void lameDuck(boolean on) {
        this.lameDuck = on;
    }

    public void connectUrls(List<String> urls) {
        this.connectUrls = List.copyOf(urls);
    }

    public Collection<ClientConnection> clients() {
        return clients.values();
    }

    public int clientCount() {
        return clients.size();
    }

    long nextCid() {
        return cids.incrementAndGet();
    }

    /** A new connection id from the counter clients and routes share (cid / rid). */
    public long nextConnectionId() {
        return cids.incrementAndGet();
    }

    /**
     * Registers a new client; false when max_connections is reached. Synchronized because connections are
     * accepted on several event loops: the size check and the insert must be one step, or a flood passes the limit.
     */
    boolean register(ClientConnection c) {
        if (!registerWithinLimit(c)) {
            return false;
        }
        ClientLifecycleListener l = clientListener; // outside the lock: accepts on other loops go on meanwhile
        if (l != null) {
            l.accepted(c);
        }
        return true;
    }

    private synchronized boolean registerWithinLimit(ClientConnection c) {
        if (clients.size() >= options.maxConnections()) {
            return false;
        }
        clients.put(c.cid(), c);
        totalConnections.incrementAndGet();
        return true;
    }

    void unregister(ClientConnection c) {
        if (clients.remove(c.cid()) != null && c.account() != null) {
            c.account().addClosedTraffic(c.inMsgs(), c.inBytes(), c.outMsgs(), c.outBytes());
            ClientLifecycleListener l = clientListener;
            if (l != null) {
                l.closed(c);
            }
        }
    }

    /** A client's first CONNECT was accepted (called by the connection once). */
    void connected(ClientConnection c) {
        ClientLifecycleListener l = clientListener;
        if (l != null) {
            l.connected(c);
        }
    }

    private volatile LeafLifecycleListener leafListener;

    /** Sets (or with null removes) the listener of leaf connections' life; the system account sets it. */
    public void leafListener(LeafLifecycleListener l) {
        this.leafListener = l;
    }

    /** The listener of leaf connections' life, or null. */
    public LeafLifecycleListener leafListener() {
        return leafListener;
    }

    /** Sets (or with null removes) the listener of client connections' life; the system account sets it. */
    public void clientListener(ClientLifecycleListener l) {
        this.clientListener = l;
    }

    /**
     * The INFO line for one client, fields in nats-server 2.9's order, omitting empty optional
     * fields as it does (protocol reference §1.4).
     */
    byte[] infoLine(long cid, String clientIp, boolean ldm) {
        StringBuilder b = new StringBuilder(320).append("INFO {");
        b.append("\"server_id\":");
        Json.quote(b, serverId);
        b.append(",\"server_name\":");
        Json.quote(b, serverName);
        b.append(",\"version\":");
        Json.quote(b, options.compatVersion());
        b.append(",\"proto\":1,\"go\":");
        Json.quote(b, Versions.runtimeVersion());
        b.append(",\"host\":");
        Json.quote(b, advertisedHost());
        b.append(",\"port\":").append(advertisedPort());
        b.append(",\"headers\":").append(!options.noHeaderSupport());
        if (options.authRequired()) {
            b.append(",\"auth_required\":true");
        }
        if (options.tls() != null) {
            if (!options.allowNonTls()) {
                b.append(",\"tls_required\":true");
            }
            if (options.tls().verify()) {
                b.append(",\"tls_verify\":true");
            }
            if (options.allowNonTls()) {
                b.append(",\"tls_available\":true"); // allow_non_tls: TLS if the client starts it
            }
        }
        b.append(",\"max_payload\":").append(options.maxPayload());
        if (options.jetstream() != null && options.jetstream().enabled()) {
            b.append(",\"jetstream\":true");
        }
        if (cid > 0) {
            b.append(",\"client_id\":").append(cid);
        }
        if (clientIp != null) {
            b.append(",\"client_ip\":");
            Json.quote(b, clientIp);
        }
        String cluster = clusterName;
        if (cluster != null) {
            b.append(",\"cluster\":");
            Json.quote(b, cluster);
        }
        Json.stringArrayOmitEmpty(b, "connect_urls", connectUrls);
        if (ldm) {
            b.append(",\"ldm\":true");
        }
        // nats-server joins "INFO", the JSON and "\r\n" with spaces: the space before CRLF is real.
        b.append("} \r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String advertisedHost() {
        String adv = options.clientAdvertise();
        if (adv != null && !adv.isEmpty()) {
            int colon = adv.lastIndexOf(':');
            return colon > 0 ? adv.substring(0, colon) : adv;
        }
        return options.host();
    }

    private int advertisedPort() {
        String adv = options.clientAdvertise();
        if (adv != null && !adv.isEmpty()) {
            int colon = adv.lastIndexOf(':');
            if (colon > 0) {
                try {
                    return Integer.parseInt(adv.substring(colon + 1));
                } catch (NumberFormatException ignored) {
                    // fall through to the listen port
                }
            }
        }
        return port;
    }

    // ---- Views for monitoring --------------------------------------------------------------

    // ---- The monitoring endpoint, shared by every view of this server (8222 and Actuator) ----------

    private volatile String monitoringHost = "";
    private volatile int monitoringHttpPort;
    private volatile int monitoringHttpsPort;
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> httpRequestStats =
            new ConcurrentHashMap<>();

    /** Where the monitoring endpoint listens (for /varz http_host, http_port, https_port). */
    public void monitoringEndpoint(String host, int httpPort, int httpsPort) {
        this.monitoringHost = host;
        this.monitoringHttpPort = httpPort;
        this.monitoringHttpsPort = httpsPort;
    }

    public String monitoringHost() {
        return monitoringHost;
    }

    public int monitoringHttpPort() {
        return monitoringHttpPort;
    }

    public int monitoringHttpsPort() {
        return monitoringHttpsPort;
    }

    /** Requests per monitoring path (/varz http_req_stats). */
    public ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> httpRequestStats() {
        return httpRequestStats;
    }

    /**
     * Adds a recorder told of each client as it closes, on the client's event loop with its close reason and
     * final counters set; it must return at once.
     */
    public void onClientClose(java.util.function.Consumer<ClientConnection> recorder) {
        closeRecorders.add(recorder);
    }

    /** Tells the recorders that {@code c} is closing. */
    void clientClosing(ClientConnection c) {
        for (java.util.function.Consumer<ClientConnection> r : closeRecorders) {
            r.accept(c);
        }
    }

    /** The open client with this cid, or null. */
    public ClientConnection client(long cid) {
        return clients.get(cid);
    }

    /** The host clients are told in INFO (client_advertise or the listen host), as /varz shows it. */
    public String infoHost() {
        return advertisedHost();
    }

    /** The port clients are told in INFO (client_advertise or the bound port), as /varz shows it. */
    public int infoPort() {
        return advertisedPort();
    }

    /** The connect_urls clients are told in INFO. */
    public List<String> connectUrls() {
        return connectUrls;
    }

    /** The bound WebSocket port, 0 without a WebSocket listener (for /varz). */
    private volatile int webSocketPort;

    public int webSocketPort() {
        return webSocketPort;
    }

    public void webSocketPort(int port) {
        webSocketPort = port;
    }
}
