package io.natsboot.server.monitor;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.cluster.Cluster;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.Versions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.subject.Subjects;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The monitoring data source: builds immutable snapshots ({@link Varz}, {@link Connz},
 * {@link Routez}, {@link Subsz}, {@link HealthStatus}, ...) from a server's {@link ServerContext},
 * with nats-server 2.9's query semantics and error texts. The HTTP server ({@link MonitorServer})
 * serves them as JSON; another front end (e.g. a Spring Actuator endpoint) can serve the same
 * objects.
 *
 * <p>Everything here runs on the caller's thread and reads the engine's counters without locks
 * on the message path; figures of a busy server are a consistent-enough view, as nats-server's are.
 */
public final class Monitor {
    /** The default page size of /connz and /subsz. */
    public static final int DEFAULT_LIST_SIZE = 1024;
    /** nats-server's default TLS timeout, reported by /varz even without TLS. */
    private static final double TLS_TIMEOUT_SECONDS = 2.0;

    private final ServerContext context;
    private final BooleanSupplier ready;
    private final Supplier<Cluster> cluster;
    private final ServerMetrics metrics;
    /** The last closed clients, for /connz?state=closed ({@link #recordClosed}). */
    private final ClosedConnections closed = new ClosedConnections();
    /** Kept in the server's context, so every Monitor of one server (8222, Actuator) shows the same. */
    private final ConcurrentHashMap<String, LongAdder> httpReqStats;
    private final ProcessStats process = new ProcessStats();

    /**
     * A monitor of {@code context}; {@code cluster} gives the routes (null when standalone), {@code ready} tells
     * /healthz whether clients can connect. {@code NatsServer.snapshots()} is the server's own.
     */
    public Monitor(ServerContext context, Supplier<Cluster> cluster, BooleanSupplier ready) {
        this.context = context;
        this.cluster = cluster;
        this.ready = ready;
        this.httpReqStats = context.httpRequestStats();
        this.metrics = new ServerMetrics(context, cluster);
    }

    /** The cluster (routes), or null when standalone or not started. */
    public Cluster cluster() {
        return cluster.get();
    }

    /** Records a closing client for /connz?state=closed; the server calls it from the client's close. */
    public void recordClosed(ClientConnection c) {
        closed.add(c);
    }

    /** The counters and gauges every snapshot reads (and the starter's meters). */
    public ServerMetrics metrics() {
        return metrics;
    }

    public ServerContext context() {
        return context;
    }

    /** Counts one HTTP request to a monitoring path, for /varz {@code http_req_stats}. */
    public void countRequest(String path) {
        httpReqStats.computeIfAbsent(path, p -> new LongAdder()).increment();
    }

    /** Where the HTTP endpoint listens, for /varz {@code http_host} / {@code http_port}. */
    public void httpEndpoint(String host, int port) {
        context.monitoringEndpoint(host, port, context.monitoringHttpsPort());
    }

    /** Where the HTTPS endpoint listens, for /varz {@code http_host} / {@code https_port}. */
    public void httpsEndpoint(String host, int port) {
        context.monitoringEndpoint(host, context.monitoringHttpPort(), port);
    }

    // ---- /varz ------------------------------------------------------------------------------

    public Varz varz() {
        ServerOptions o = context.options();
        Instant now = Instant.now();
        Map<String, Long> stats = new TreeMap<>();
        httpReqStats.forEach((k, v) -> stats.put(k, v.sum()));
        int cores = Runtime.getRuntime().availableProcessors();
        return new Varz(
                context.serverId(),
                context.serverName(),
                o.compatVersion(),
                1,
                null,
                Versions.runtimeVersion(),
                context.infoHost(),
                context.infoPort(),
                o.authRequired(),
                o.tls() != null,
                o.tls() != null && o.tls().verify(),
                null,
                context.connectUrls(),
                List.of(),
                o.maxConnections(),
                o.maxSubscriptions(),
                o.pingInterval(),
                o.pingMax(),
                context.monitoringHost(),
                context.monitoringHttpPort(),
                o.httpBasePath(),
                context.monitoringHttpsPort(),
                seconds(o.authTimeout()),
                o.maxControlLine(),
                o.maxPayload(),
                o.maxPending(),
                clusterVarz(),
                o.tls() != null ? seconds(o.tls().timeout()) : TLS_TIMEOUT_SECONDS,
                o.writeDeadline(),
                context.startTime(),
                now,
                GoFormat.uptime(Duration.between(context.startTime(), now)),
                process.residentBytes(),
                cores,
                cores,
                process.cpuPercent(),
                metrics.connections(),
                metrics.totalConnections(),
                metrics.routes(),
                // nats-server 2.9 counts remote servers = routed peers (one route per peer)
                metrics.routes(),
                leafCount(),
                metrics.inMsgs(),
                metrics.outMsgs(),
                metrics.inBytes(),
                metrics.outBytes(),
                metrics.slowConsumers(),
                metrics.subscriptions(),
                stats,
                context.startTime(),
                systemAccountName(),
                Versions.productVersion(),
                webSocketVarz(o.websocket()),
                jetStream.get(),
                o.serverTags(),
                leafVarz(),
                gatewayVarz());
    }

    /** /varz's gateway object: the block as configured, with the bound port and every remote known. */
    private Varz.GatewayOptsVarz gatewayVarz() {
        io.natsboot.server.gateway.Gateways g = gateways.get();
        if (g == null) {
            return Varz.GatewayOptsVarz.EMPTY;
        }
        io.natsboot.server.config.GatewayOptions o = g.options();
        return new Varz.GatewayOptsVarz(o.name(), o.host(), g.port(), seconds(o.authTimeout()),
                o.tls() != null ? seconds(o.tls().timeout()) : TLS_TIMEOUT_SECONDS, o.advertise(), o.connectRetries(),
                g.remoteUrls(), o.rejectUnknown());
    }

    /** Where /varz and /gatewayz read the gateways from (set by the server when configured; null = none). */
    private volatile Supplier<io.natsboot.server.gateway.Gateways> gateways = () -> null;

    public void gateways(Supplier<io.natsboot.server.gateway.Gateways> g) {
        this.gateways = g == null ? () -> null : g;
    }

    /**
     * /gatewayz: with gateways, this server's gateway and its connections ({@code gwName} keeps one remote
     * cluster; {@code accs} or {@code accName} adds the accounts' interest modes); without, two empty maps.
     */
    public JsonWriter.Writable gatewayz(boolean accs, String gwName, String accName) {
        io.natsboot.server.gateway.Gateways g = gateways.get();
        if (g == null) {
            return gatewayz();
        }
        Map<String, io.natsboot.server.gateway.GatewayView> out = g.outboundViews();
        Map<String, List<io.natsboot.server.gateway.GatewayView>> in = g.inboundViews();
        if (gwName != null && !gwName.isEmpty()) {
            out.keySet().retainAll(java.util.Set.of(gwName));
            in.keySet().retainAll(java.util.Set.of(gwName));
        }
        return new Gatewayz(context.serverId(), Instant.now(), g.name(), g.options().host(), g.port(), out, in,
                accs || (accName != null && !accName.isEmpty()), accName);
    }

    /** /varz's websocket object: the block as configured, with the bound port. */
    private Varz.WebSocketOptsVarz webSocketVarz(io.natsboot.server.config.WebSocketOptions w) {
        if (w == null) {
            return Varz.WebSocketOptsVarz.EMPTY;
        }
        return new Varz.WebSocketOptsVarz(w.host(), context.webSocketPort(), w.advertise(), w.noAuthUser(),
                w.jwtCookie(), w.handshakeTimeout(), w.authTimeout() == null ? 0 : seconds(w.authTimeout()),
                w.noTls(), w.tls() != null && w.tls().map(), w.tls() == null ? List.of() : w.tls().pinnedCerts(),
                w.sameOrigin(), w.allowedOrigins(), w.compression());
    }

    /** Subscriptions of every account (the server's internal ones and route interest included), as nats-server. */
    public long subscriptionCount() {
        return metrics.subscriptions();
    }

    /** The system account's name, or null without one (no_system_account). */
    private String systemAccountName() {
        io.natsboot.server.connection.Account sys = context.systemAccount();
        return sys == null ? null : sys.name();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    // ---- /connz -----------------------------------------------------------------------------

    /** /connz; throws with nats-server's message for a bad sort or filter combination. */
    public Connz connz(ConnzOptions o) throws MonitorException {
        SortOpt sort = SortOpt.parse(o.sort());
        if (sort == null) {
            throw new MonitorException("invalid sorting option: " + o.sort());
        }
        long offset = Math.max(0, o.offset());
        long limit = o.limit() <= 0 ? DEFAULT_LIST_SIZE : o.limit();
        ConnState state = o.state();
        if (sort == SortOpt.STOP && state != ConnState.CLOSED) {
            throw new MonitorException("sort by stop only valid on closed connections");
        }
        if (sort == SortOpt.REASON && state != ConnState.CLOSED) {
            throw new MonitorException("sort by reason only valid on closed connections");
        }
        long cid = o.cid();
        if (cid != 0) {
            limit = 1;
        }
        String acc = o.account();
        if (!o.filterSubject().isEmpty() && !o.filterSubject().equals(">") && acc.isEmpty()) {
            throw new MonitorException("filter by subject only valid with account filtering");
        }
        Instant now = Instant.now();
        List<ClientConnection> clist;
        if (acc.isEmpty()) {
            clist = new ArrayList<>(context.clients());
        } else if (context.account(acc) != null) {
            clist = new ArrayList<>();
            for (ClientConnection c : context.clients()) {
                if (c.account().name().equals(acc)) {
                    clist.add(c);
                }
            }
        } else if (acc.equals(ConnViews.SYSTEM_ACCOUNT)) {
            clist = List.of();
        } else {
            // nats-server answers an unknown account with an empty, id-less result.
            return new Connz("", now, 0, 0, offset, limit, null);
        }
        clist.sort(Comparator.comparingLong(ClientConnection::cid));

        List<ClosedConnections.Entry> closed = List.of();
        int total;
        switch (state) {
            case CLOSED:
                closed = this.closed.snapshot();
                total = closed.size();
                break;
            case ALL:
                closed = this.closed.snapshot();
                total = clist.size() + closed.size();
                break;
            default:
                total = clist.size();
        }
        if (!acc.isEmpty() && !closed.isEmpty()) {
            List<ClosedConnections.Entry> kept = new ArrayList<>();
            for (ClosedConnections.Entry e : closed) {
                if (acc.equals(e.account())) {
                    kept.add(e);
                }
            }
            total -= closed.size() - kept.size();
            closed = kept;
        }

        List<ClientConnection> open = new ArrayList<>();
        if (cid != 0) {
            // As nats-server 2.9: with state=all only the closed ring is searched.
            if (state == ConnState.CLOSED || state == ConnState.ALL) {
                ClosedConnections.Entry found = null;
                for (ClosedConnections.Entry e : closed) {
                    if (e.info().cid() == cid) {
                        found = e;
                        break;
                    }
                }
                closed = found == null ? List.of() : List.of(found);
            } else {
                ClientConnection c = context.client(cid);
                if (c != null) {
                    open.add(c);
                }
            }
        } else if (state == ConnState.OPEN || state == ConnState.ALL) {
            for (ClientConnection c : clist) {
                if (!o.user().isEmpty() && !o.user().equals(c.user())) {
                    continue;
                }
                if (!o.mqttClient().isEmpty()) {
                    continue;
                }
                open.add(c);
            }
        }
        String filter = o.filterSubject();
        if (!filter.isEmpty() && !filter.equals(">")) {
            List<ClientConnection> kept = new ArrayList<>();
            for (ClientConnection c : open) {
                for (Subscription s : c.subscriptions()) {
                    if (subjectsCollide(filter, s.subject())) {
                        kept.add(c);
                        break;
                    }
                }
            }
            open = kept;
        }
        if (open.isEmpty() && closed.isEmpty()) {
            return new Connz(context.serverId(), now, 0, total, offset, limit, List.of());
        }

        List<ConnInfo> infos = new ArrayList<>(open.size() + closed.size());
        for (ClientConnection c : open) {
            ConnInfo ci = ConnViews.info(c, now);
            List<String> subjects = null;
            List<SubDetail> detail = null;
            if (o.subsDetail()) {
                detail = ConnViews.details(c, null);
            } else if (o.subs()) {
                subjects = ConnViews.subjects(c);
            }
            String user = o.auth() ? c.user() : null;
            String account = o.auth() && !c.account().isGlobal() ? c.account().name() : null;
            infos.add(ci.with(subjects, detail, user, account));
        }
        for (ClosedConnections.Entry e : closed) {
            if (!o.user().isEmpty() && !o.user().equals(e.user())) {
                continue;
            }
            if (!o.mqttClient().isEmpty()) {
                continue;
            }
            List<String> subjects = null;
            List<SubDetail> detail = null;
            if (o.subsDetail()) {
                detail = e.subs();
            } else if (o.subs()) {
                subjects = new ArrayList<>(e.subs().size());
                for (SubDetail d : e.subs()) {
                    subjects.add(d.subject());
                }
            }
            String user = o.auth() ? e.user() : null;
            String account = o.auth() && !ConnViews.GLOBAL_ACCOUNT.equals(e.account()) ? e.account() : null;
            infos.add(e.info().with(subjects, detail, user, account));
        }

        infos.sort(comparator(sort, now));
        long from = Math.min(offset, infos.size());
        long to = Math.min(offset + limit < 0 ? Long.MAX_VALUE : offset + limit, infos.size());
        List<ConnInfo> page = List.copyOf(infos.subList((int) from, (int) Math.max(from, to)));
        return new Connz(context.serverId(), now, page.size(), total, offset, limit, page);
    }

    private static Comparator<ConnInfo> comparator(SortOpt sort, Instant now) {
        Comparator<ConnInfo> byCid = (a, b) -> Long.compareUnsigned(a.cid(), b.cid());
        Comparator<ConnInfo> c;
        switch (sort) {
            case SUBS:
                c = Comparator.comparingInt(ConnInfo::subscriptions).reversed();
                break;
            case PENDING:
                c = Comparator.comparingLong(ConnInfo::pendingBytes).reversed();
                break;
            case MSGS_TO:
                c = Comparator.comparingLong(ConnInfo::outMsgs).reversed();
                break;
            case MSGS_FROM:
                c = Comparator.comparingLong(ConnInfo::inMsgs).reversed();
                break;
            case BYTES_TO:
                c = Comparator.comparingLong(ConnInfo::outBytes).reversed();
                break;
            case BYTES_FROM:
                c = Comparator.comparingLong(ConnInfo::inBytes).reversed();
                break;
            case LAST:
                c = Comparator.comparing(ConnInfo::lastActivity).reversed();
                break;
            case IDLE:
                // nats-server 2.9 orders "idle" by last activity minus start, descending.
                c = Comparator.comparing((ConnInfo i) -> Duration.between(i.start(), i.lastActivity())).reversed();
                break;
            case UPTIME:
                c = Comparator.comparing((ConnInfo i) -> Duration.between(i.start(), i.stop() != null ? i.stop() : now));
                break;
            case STOP:
                c = Comparator.comparing(ConnInfo::stop, Comparator.nullsLast(Comparator.naturalOrder())).reversed();
                break;
            case REASON:
                c = Comparator.comparing((ConnInfo i) -> i.reason() == null ? "" : i.reason());
                break;
            default:
                return byCid;
        }
        return c.thenComparing(byCid);
    }

    /** Whether two subjects (wildcards allowed in both) can match a common subject. */
    static boolean subjectsCollide(String a, String b) {
        String[] ta = a.split("\\.", -1);
        String[] tb = b.split("\\.", -1);
        int n = Math.min(ta.length, tb.length);
        for (int i = 0; i < n; i++) {
            String x = ta[i];
            String y = tb[i];
            if (x.equals(">") || y.equals(">")) {
                return true;
            }
            if (!x.equals(y) && !x.equals("*") && !y.equals("*")) {
                return false;
            }
        }
        // No '>' in the common prefix: the extra tokens of a longer subject cannot be matched.
        return ta.length == tb.length;
    }

    // ---- /routez ----------------------------------------------------------------------------

    /** The /varz {@code cluster} object; empty when not clustered. */
    private Varz.ClusterOptsVarz clusterVarz() {
        Cluster c = cluster.get();
        if (c == null) {
            return Varz.ClusterOptsVarz.EMPTY;
        }
        return new Varz.ClusterOptsVarz(c.name(), c.options().host(), c.port(),
                seconds(c.options().authTimeout()), c.configuredUrls(), TLS_TIMEOUT_SECONDS, false, false);
    }

    /** /routez: one entry per registered route; {@code subs} adds the interest learned from each. */
    public Routez routez(boolean subs, boolean subsDetail) {
        Instant now = Instant.now();
        Cluster c = cluster.get();
        if (c == null) {
            return new Routez(context.serverId(), now, 0, List.of());
        }
        List<Routez.RouteInfo> routes = c.mapRoutes(r -> {
            List<String> list = null;
            List<SubDetail> detail = null;
            if (subs || subsDetail) {
                List<Subscription> remote = r.remoteSubscriptions();
                if (subsDetail) {
                    detail = new ArrayList<>();
                    for (Subscription s : remote) {
                        String account = s.account().name();
                        String sid = account + " " + s.subject() + (s.queue() == null ? "" : " " + s.queue());
                        detail.add(new SubDetail(account, s.subject(), s.queue(), sid, 0, 0, r.rid()));
                    }
                } else {
                    list = new ArrayList<>();
                    for (Subscription s : remote) {
                        list.add(s.subject());
                    }
                }
            }
            Instant last = r.lastActivity();
            return new Routez.RouteInfo(r.rid(), r.remoteId(), r.didSolicit(), r.isConfigured(), r.host(),
                    r.remotePort(), r.started(), last, GoFormat.rtt(r.rttNanos()),
                    GoFormat.uptime(Duration.between(r.started(), now)), GoFormat.uptime(Duration.between(last, now)),
                    r.pendingBytes(), r.inMsgs(), r.outMsgs(), r.inBytes(), r.outBytes(), r.subscriptionCount(),
                    list, detail);
        });
        return new Routez(context.serverId(), now, routes.size(), routes);
    }

    // ---- /subsz -----------------------------------------------------------------------------

    /** /subsz (alias /subscriptionsz). */
    public Subsz subsz(SubszOptions o) throws MonitorException {
        long offset = Math.max(0, o.offset());
        long limit = o.limit() <= 0 ? DEFAULT_LIST_SIZE : o.limit();
        String test = o.test();
        if (!test.isEmpty() && !Subjects.isValidPublishSubject(test)) {
            throw new MonitorException("invalid test subject, must be valid publish subject: " + test);
        }
        String acc = o.account();
        boolean global = acc.isEmpty() || acc.equals(ConnViews.GLOBAL_ACCOUNT);
        // an account's own subject space (nats-server's /subsz?acc=); an unknown one has nothing
        io.natsboot.server.connection.Account account = global ? context.globalAccount() : context.account(acc);
        SublistStats stats = account != null ? SublistStats.of(account.trie().stats()) : SublistStats.EMPTY;
        Instant now = Instant.now();
        if (!o.subscriptions() || account == null) {
            return new Subsz(context.serverId(), now, stats, 0, offset, limit, null);
        }
        String name = global ? ConnViews.GLOBAL_ACCOUNT : account.name();
        List<SubDetail> all = new ArrayList<>();
        account.trie().forEach(s -> {
            if (s.route() != null) {
                return; // route interest is counted in the stats but not listed (reference §5.4)
            }
            if (!test.isEmpty() && !Subjects.matches(s.subject(), test)) {
                return;
            }
            all.add(ConnViews.detail(s, name));
        });
        long from = Math.min(offset, all.size());
        long to = Math.min(offset + limit < 0 ? Long.MAX_VALUE : offset + limit, all.size());
        List<SubDetail> page = List.copyOf(all.subList((int) from, (int) Math.max(from, to)));
        return new Subsz(context.serverId(), now, stats, page.size(), offset, limit, page);
    }

    // ---- /healthz ---------------------------------------------------------------------------

    /**
     * /healthz: ok while the client listener accepts connections (no JetStream to check). nats-server probes
     * its listeners for 1 ms and names the client listener {@code server}; it is also not ready in lame-duck
     * mode, whose first step closes that listener.
     */
    public HealthStatus healthz() {
        if (!ready.getAsBoolean() || context.lameDuck()) {
            return new HealthStatus("error", "failed to be ready for connections after 1ms: server");
        }
        return HealthStatus.OK;
    }

    // ---- Endpoints of absent features --------------------------------------------------------

    public FeatureViews.Gatewayz gatewayz() {
        return new FeatureViews.Gatewayz(context.serverId(), Instant.now());
    }

    public JsonWriter.Writable leafz() {
        return leafz(false);
    }

    /** /leafz; {@code subs}: each leaf's advertised subjects too. */
    public JsonWriter.Writable leafz(boolean subs) {
        return leafz(subs, null);
    }

    /** /leafz of the leafs bound to {@code account} (null or empty: all), as nats-server's LeafzOptions.Account. */
    public JsonWriter.Writable leafz(boolean subs, String account) {
        LeafView v = leafView.get();
        if (v == null) {
            return new FeatureViews.Leafz(context.serverId(), Instant.now());
        }
        List<LeafView.Leaf> leafs = v.leafs();
        if (account != null && !account.isEmpty()) {
            leafs = leafs.stream().filter(l -> account.equals(l.account())).toList();
        }
        return new LeafView.Leafz(context.serverId(), Instant.now(), leafs, subs);
    }

    /** /accountz: {@code $G} and {@code $SYS}; with {@code acc}, that account's detail. */
    public FeatureViews.Accountz accountz(String acc) throws MonitorException {
        Instant now = Instant.now();
        if (acc == null || acc.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (io.natsboot.server.connection.Account a : context.accounts()) {
                names.add(a.name());
            }
            return new FeatureViews.Accountz(context.serverId(), now, systemAccountName(), names, null);
        }
        FeatureViews.AccountInfo info;
        io.natsboot.server.connection.Account account = context.account(acc);
        io.natsboot.server.auth.jwt.OperatorMode mode = context.operatorMode();
        io.natsboot.server.auth.jwt.AccountClaims claims = null;
        if (mode != null && account != null) {
            try {
                // an account not in use yet is not looked up: nats-server says it does not exist
                claims = mode.lookup(acc);
            } catch (java.io.IOException e) {
                claims = null; // not a JWT account
            }
        }
        if (account != null) {
            int conns = 0;
            for (ClientConnection c : context.clients()) {
                if (c.account() == account) {
                    conns++;
                }
            }
            info = new FeatureViews.AccountInfo(acc, context.startTime(), account == context.systemAccount(), conns,
                    account.trie().count(), SublistStats.of(account.trie().stats()), account.mappings().shown(),
                    accountExports(account), accountImports(account), claims == null ? null : jwtFields(claims));
        } else {
            throw new MonitorException("Account " + acc + " does not exist");
        }
        return new FeatureViews.Accountz(context.serverId(), now, systemAccountName(), null, info);
    }

    /** nats-server's JWT fields of an account's /accountz detail. */
    private static FeatureViews.JwtFields jwtFields(io.natsboot.server.auth.jwt.AccountClaims claims) {
        io.natsboot.server.auth.jwt.Jwt jwt = claims.jwt();
        java.util.SortedMap<String, Instant> revoked = new java.util.TreeMap<>();
        claims.revocations().forEach((k, t) -> revoked.put(k, Instant.ofEpochSecond(t)));
        List<String> warnings = new ArrayList<>();
        for (io.natsboot.server.auth.jwt.AccountClaims.Import i : claims.imports()) {
            if (i.to() != null && !i.to().isEmpty()) {
                warnings.add("the field to has been deprecated (use LocalSubject instead)");
            }
        }
        return new FeatureViews.JwtFields(jwt.token(), jwt.issuer(), jwt.name(),
                claims.tags(),
                io.natsboot.server.auth.jwt.ClaimsJson.of(jwt.token()), warnings, revoked,
                jwt.expiredAt(System.currentTimeMillis() / 1000));
    }

    /**
     * An account's exports for /accountz: a configured account's from the file, a JWT account's from its claims,
     * the system account's three service exports (nats-server's).
     */
    private List<FeatureViews.ExtExport> accountExports(io.natsboot.server.connection.Account account) {
        List<FeatureViews.ExtExport> out = new ArrayList<>();
        if (account == context.systemAccount()) {
            out.add(new FeatureViews.ExtExport("$SYS.REQ.ACCOUNT.*.CONNZ", true, false, "Streamed", List.of()));
            out.add(new FeatureViews.ExtExport("$SYS.REQ.ACCOUNT.*.STATZ", true, false, "Streamed", List.of()));
            out.add(new FeatureViews.ExtExport("$SYS.DEBUG.SUBSCRIBERS", true, false, "Singleton", List.of()));
            return out;
        }
        for (io.natsboot.server.config.AccountOptions a : context.options().accounts()) {
            if (a.name().equals(account.name())) {
                for (io.natsboot.server.config.AccountOptions.Export e : a.exports()) {
                    out.add(new FeatureViews.ExtExport(e.subject(), e.service(), false,
                            e.service() ? e.responseType() : null, e.accounts()));
                }
            }
        }
        io.natsboot.server.auth.jwt.OperatorMode mode = context.operatorMode();
        if (mode != null && out.isEmpty()) {
            try {
                for (io.natsboot.server.auth.jwt.AccountClaims.Export e : mode.lookup(account.name()).exports()) {
                    String rt = e.responseType() == null || e.responseType().isEmpty() ? "Singleton" : e.responseType();
                    out.add(new FeatureViews.ExtExport(e.subject(), e.service(), e.tokenRequired(),
                            e.service() ? rt : null, List.of()));
                }
            } catch (java.io.IOException ignored) {
                // not a JWT account (or its JWT is gone): no exports to show
            }
        }
        return out;
    }

    /**
     * An account's imports for /accountz, as wired: streams (exported subject, local subject), services (local
     * subject, {@code to} the exporter's), and nats-server's three system imports when there is a system account.
     */
    private List<FeatureViews.ExtImport> accountImports(io.natsboot.server.connection.Account account) {
        List<FeatureViews.ExtImport> out = new ArrayList<>();
        for (io.natsboot.server.connection.Account exporter : context.accounts()) {
            for (io.natsboot.server.connection.Account.StreamImport si : exporter.streamImporters()) {
                if (si.importer() == account) {
                    String local = si.prefix() == null || si.prefix().isEmpty() ? si.subject()
                            : si.prefix() + "." + si.subject();
                    out.add(new FeatureViews.ExtImport(si.subject(), exporter.name(), local, null, false));
                }
            }
        }
        for (io.natsboot.server.connection.Account.ServiceImport si : account.serviceImports()) {
            out.add(new FeatureViews.ExtImport(si.localSubject(), si.exporter().name(), null, si.remoteSubject(), true));
        }
        io.natsboot.server.connection.Account sys = context.systemAccount();
        if (sys != null && account != sys) {
            String connz = "$SYS.REQ.ACCOUNT." + account.name() + ".CONNZ";
            out.add(new FeatureViews.ExtImport("$SYS.REQ.ACCOUNT.PING.CONNZ", sys.name(), null, connz, true));
            out.add(new FeatureViews.ExtImport("$SYS.REQ.SERVER.PING.CONNZ", sys.name(), null, connz, true));
            out.add(new FeatureViews.ExtImport("$SYS.REQ.ACCOUNT.PING.STATZ", sys.name(), null,
                    "$SYS.REQ.ACCOUNT." + account.name() + ".STATZ", true));
        }
        return out;
    }

    /**
     * /accstatz: per account, its client connections and their traffic ({@code received} from its clients,
     * {@code sent} to them), closed connections' traffic included; accounts without connections only with
     * {@code unused}, as nats-server 2.9.10 answers.
     */
    public FeatureViews.AccountStatz accstatz(boolean unused) {
        Map<io.natsboot.server.connection.Account, long[]> live = new LinkedHashMap<>();
        for (io.natsboot.server.connection.Account a : context.accounts()) {
            live.put(a, new long[6]);
        }
        for (ClientConnection c : context.clients()) {
            long[] t = live.get(c.account());
            if (t != null) {
                t[0]++;
                t[1] += c.inMsgs();
                t[2] += c.inBytes();
                t[3] += c.outMsgs();
                t[4] += c.outBytes();
            }
        }
        List<FeatureViews.AccountStat> list = new ArrayList<>();
        live.forEach((a, t) -> {
            int conns = (int) t[0];
            if (unused || conns > 0) {
                io.natsboot.server.connection.Account.Traffic closed = a.closedTraffic();
                list.add(new FeatureViews.AccountStat(a.name(), conns, 0, conns,
                        t[3] + closed.outMsgs(), t[4] + closed.outBytes(), t[1] + closed.inMsgs(),
                        t[2] + closed.inBytes(), a.slowConsumers()));
            }
        });
        return new FeatureViews.AccountStatz(context.serverId(), Instant.now(), list);
    }

    /** /jsz: JetStream's configuration and usage when it runs, else nats-server's "disabled" answer. */
    public JsonWriter.Writable jsz(boolean leaderOnly) throws MonitorException {
        return jsz(new JetStreamView.JszOptions("", false, false, false, false, leaderOnly, 0, 0));
    }

    /**
     * /jsz with nats-server 2.9.10's options: with JetStream off, {@code leader-only} is the "not leader" error
     * and otherwise the "disabled" answer; with it on (a single server leads itself) the usage, plus the account
     * details asked for.
     */
    public JsonWriter.Writable jsz(JetStreamView.JszOptions options) throws MonitorException {
        JetStreamView js = jetStream.get();
        if (js == null) {
            if (options.leaderOnly()) {
                throw new MonitorException("filtered response: not leader");
            }
            return new FeatureViews.Jsz(context.serverId(), Instant.now());
        }
        JetStreamView.Details d = jetStreamDetails;
        return new JetStreamView.Jsz(context.serverId(), Instant.now(), js,
                options.details() && d != null ? d.accounts(options) : null);
    }

    private volatile JetStreamView.Details jetStreamDetails;

    /**
     * One account's /jsz detail ({@code $SYS.REQ.ACCOUNT.<acc>.JSZ}): null when JetStream is off or the account has
     * none.
     */
    public java.util.Map<String, Object> jszAccount(String account, boolean streams, boolean consumers,
            boolean config) {
        JetStreamView.Details d = jetStreamDetails;
        if (jetStream.get() == null || d == null) {
            return null;
        }
        List<java.util.Map<String, Object>> l = d.accounts(new JetStreamView.JszOptions(account, false, streams,
                consumers, config, false, 0, 0));
        return l.isEmpty() ? null : l.get(0);
    }

    /** JetStream's configuration and usage now, or null when it is off (or the server not started). */
    public JetStreamView jetStreamView() {
        return jetStream.get();
    }

    /** Where /jsz reads account, stream and consumer details from (set with {@link #jetStream}). */
    public void jetStreamDetails(JetStreamView.Details details) {
        this.jetStreamDetails = details;
    }

    /** Where /varz and /jsz read JetStream from (set by the server when JetStream runs; null = off). */
    private volatile Supplier<JetStreamView> jetStream = () -> null;

    private volatile Supplier<LeafView> leafView = () -> null;

    /** The leaf nodes' view for /leafz and /varz; the server sets it when it has a leafnodes block. */
    public void leafView(Supplier<LeafView> view) {
        this.leafView = view;
    }

    private int leafCount() {
        LeafView v = leafView.get();
        return v == null ? 0 : v.leafs().size();
    }

    private JsonWriter.Writable leafVarz() {
        LeafView v = leafView.get();
        return v == null ? null : v.leafVarz();
    }

    public void jetStream(Supplier<JetStreamView> view) {
        this.jetStream = view == null ? () -> null : view;
    }
}
