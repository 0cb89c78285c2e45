package io.natsboot.server.leaf;

import io.natsboot.server.auth.Bcrypt;
import io.natsboot.server.auth.jwt.OperatorMode;
import io.natsboot.server.cluster.RouteOps;
import io.natsboot.server.cluster.RouteProtocolParser;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ForwardFanout;
import io.natsboot.server.connection.InboundFramer;
import io.natsboot.server.connection.Keepalive;
import io.natsboot.server.connection.OutboundQueue;
import io.natsboot.server.connection.PeerConnection;
import io.natsboot.server.connection.PeerDialing;
import io.natsboot.server.connection.RouteTarget;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.ServerMessageFrames;
import io.natsboot.server.connection.SubjectCache;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.protocol.FastBytes;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One leaf-node connection (nats-server's LEAF kind), accepted on the leafnodes port (we are the hub; the remote is
 * our spoke) or dialled to a remote (we are the spoke, unless the remote is marked {@code hub}). The connection is
 * bound to one account. It is a parser table ({@link RouteProtocolParser} in its leaf dialect) and the op handlers
 * below on the shared {@link PeerConnection} (on {@link InboundFramer}, {@link OutboundQueue}, {@link Keepalive}), as a
 * route.
 *
 * <p>Interest: LS+/LS- from the remote become {@link Subscription#remote remote subscriptions} in the account's trie
 * (so local publishers send one LMSG per leaf, naming queue picks, through the route fan-out); the account's interest
 * goes to the remote as LS+/LS-, counted per subject (queue entries with their weight), from the moment the
 * connection registers ({@link #interestChanged}). Loop detection: each account has a {@code $LDS.<nuid>} subject
 * advertised to every leaf; getting it back from a leaf means a loop.
 */
public final class LeafConnection extends PeerConnection implements RouteOps, RouteTarget {
    private static final Kind KIND = new Kind("Leafnode", "Leafnode", "lid", "TLS handshake error: ", "Read Error",
            "Protocol Violation");
    private static final byte[] LMSG = "LMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    /** nats-server's wait for a solicited leaf's first INFO. */
    private static final long INFO_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LeafNodes leafs;
    private final long lid;
    /** The remote dialled (we solicited), null when accepted. */
    final LeafNodeOptions.Remote remote;
    final URI url;
    private final RouteProtocolParser parser = new RouteProtocolParser(true);
    private final SubjectCache subjects = new SubjectCache();
    private final FastBytes fastBytes = new FastBytes();
    private final ForwardFanout forward = new ForwardFanout();
    private final ForwardFanout.TargetFilter targets = this::forwardsTo;
    private final String nonce = LeafInfo.nonce();

    /**
     * The plain JetStream API ($JS.API.>, $KV.>, $OBJ.>) stays on each side of this connection (nats-server's
     * deny); off for an account default_js_domain maps to the empty domain (LeafJetStream).
     */
    private volatile boolean jetStreamDeny = true;

    void jetStreamDeny(boolean deny) {
        jetStreamDeny = deny;
    }

    /** Accepted over the websocket listener: nats-server's log id is lid_ws. */
    private boolean webSocket;

    void overWebSocket() {
        webSocket = true;
    }

    @Override
    protected String idLabel() {
        return webSocket ? "lid_ws" : "lid";
    }

    /** The bound account, null until CONNECT (accepted) or from the start (solicited). */
    private volatile Account account;
    /** We are the spoke on this connection: our interest is local only, messages from it never reach routes. */
    private volatile boolean spoke;
    private boolean infoReceived;
    private boolean connectSent;
    private volatile boolean headers = true;
    private volatile String remoteName;
    private volatile String remoteId;
    private volatile String remoteCluster;
    private volatile String remoteAccount;
    /** The remote's JetStream domain (its INFO or CONNECT), "" without one. */
    private volatile String remoteDomain = "";
    /** Our own domain's API prefix ({@code $JS.D.API.}) that never leaves through here, or null (LeafJetStream). */
    private volatile byte[] deniedOutgoing;
    /** Interest the remote advertised, keyed {@code subject} or {@code subject queue}. */
    private final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();

    /** What we advertised: key to count (queue keys: their summed weight); guarded by itself. */
    private final Map<String, int[]> smap = new HashMap<>();
    /** The subscriptions counted in {@link #smap}, so a change seen twice is counted once. */
    private final Set<Subscription> counted = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * What may be delivered to the remote and advertised to it ({@link LeafPermissions}); null = no check.
     * Replaced as a whole (an INFO with the hub's permissions), never changed in place.
     */
    private volatile io.natsboot.server.auth.Permissions perms;
    /** Accepted for a user with a subscribe deny list: deliveries it matches are dropped without a log line. */
    private volatile io.natsboot.server.auth.Permissions silentDeny;
    /** Accepted: the user the leaf logged in as and the version its CONNECT named (for the system events). */
    private volatile String authUser;
    private volatile String remoteVersion;
    /** Accepted: the permissions of the user the leaf logged in as, null for none. */
    private io.natsboot.server.auth.Permissions userPerms;

    /** The remote's client TLS context (solicited, with a tls block), else null. */
    private final io.netty.handler.ssl.SslContext clientTls;

    LeafConnection(LeafNodes leafs, LeafNodeOptions.Remote remote, URI url, io.netty.handler.ssl.SslContext clientTls) {
        this(leafs, leafs.server().nextConnectionId(), remote, url, clientTls);
    }

    private LeafConnection(LeafNodes leafs, long lid, LeafNodeOptions.Remote remote, URI url,
            io.netty.handler.ssl.SslContext clientTls) {
        super(leafs.server(), KIND, lid);
        this.clientTls = clientTls;
        this.leafs = leafs;
        this.lid = lid;
        this.remote = remote;
        this.url = url;
        if (remote != null) {
            this.account = server.account(remote.account());
            this.spoke = !remote.hub();
            this.perms = LeafPermissions.ofRemote(remote, null, null);
        }
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    protected InboundFramer newFramer(ByteBufAllocator alloc, BooleanSupplier closing) {
        return new InboundFramer(alloc, buf -> parser.parse(buf, this), parser::bytesNeeded, closing);
    }

    @Override
    protected void opened() {
        leafs.track(this);
        if (remote != null) {
            log.info(logPrefix() + "Leafnode connection created for account: " + remote.account() + " ");
            startTimer(() -> {
                if (!infoReceived && !isClosing()) {
                    log.error(logPrefix() + "Leafnode INFO not received in time");
                    close("Read Error", false);
                }
            }, INFO_WAIT_NANOS);
        } else {
            log.info(logPrefix() + "Leafnode connection created ");
            enqueue(LeafInfo.info(server, leafs, nonce, lid, null));
            flushNow();
            startAuthTimer(leafs.options().authTimeout());
        }
    }

    @Override
    protected boolean authenticated() {
        return account != null;
    }

    // ---- Handshake ---------------------------------------------------------------------------

    /** An accepted leaf sends nothing before CONNECT. */
    private boolean needsConnect() {
        if (remote == null && account == null) {
            authViolation("");
            return true;
        }
        return false;
    }

    @Override
    public void onInfo(String json) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "Leafnode INFO parse error: " + e.getMessage());
            return;
        }
        if (remote == null) {
            return; // the accepting side does not act on INFO
        }
        List<String> leafUrls = strings(m.get("leafnode_urls"));
        List<String> wsUrls = strings(m.get("ws_connect_urls"));
        if (!leafUrls.isEmpty() || !wsUrls.isEmpty()) {
            leafs.learnUrls(this, leafUrls, wsUrls); // first and later INFOs: the hub cluster's current list
        }
        if (m.containsKey("import") || m.containsKey("export")) {
            // the hub's permissions for us, first or later INFO; our own deny lists stay appended
            perms = LeafPermissions.ofRemote(remote, LeafPermissions.parse(m.get("export")),
                    LeafPermissions.parse(m.get("import")));
        }
        if (!infoReceived) {
            infoReceived = true;
            cancelTimer();
            Object cid = m.get("client_id");
            if (!(cid instanceof Number n) || n.longValue() == 0 || !m.containsKey("leafnode_urls")) {
                log.error(logPrefix() + "attempted to connect to wrong port");
                close("Wrong Port", false);
                return;
            }
            remoteId = m.get("server_id") instanceof String s ? s : null;
            remoteName = m.get("server_name") instanceof String s && !s.isEmpty() ? s : remoteId;
            remoteCluster = m.get("cluster") instanceof String s ? s : null;
            headers = Boolean.TRUE.equals(m.get("headers"));
            remoteDomain = m.get("domain") instanceof String d ? d : "";
            // Over WebSocket the TLS handshake (wss) came before the upgrade.
            boolean tls = !remote.webSocket() && (clientTls != null || Boolean.TRUE.equals(m.get("tls_required")));
            if (tls && !startTls()) {
                return;
            }
            String nonceIn = m.get("nonce") instanceof String s ? s : "";
            byte[] connect;
            try {
                // tls_required: the remote uses TLS, wss:// included (nats-server's remote.TLS)
                boolean wss = remote.webSocket() && ("wss".equalsIgnoreCase(url.getScheme()) || remote.tls() != null);
                connect = LeafInfo.connect(server, remote, url, nonceIn, headers, tls || wss);
            } catch (IOException | RuntimeException e) {
                log.error(logPrefix() + e.getMessage());
                close("Protocol Violation", false);
                return;
            }
            enqueue(connect);
            connectSent = true;
            if (log.isDebug()) {
                log.debug(logPrefix() + "Remote leafnode connect msg sent");
            }
            if (!Boolean.TRUE.equals(m.get("info_on_connect"))) {
                finishSolicited();
            }
            return;
        }
        if (m.get("remote_account") instanceof String ra) {
            remoteAccount = ra;
        }
        if (Boolean.TRUE.equals(m.get("connect_info")) && connectSent && !wasRegistered()) {
            finishSolicited();
        }
    }

    private static List<String> strings(Object o) {
        if (!(o instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }

    /**
     * The client side of TLS after the hub's INFO: the handler goes first in the pipeline and holds what we write
     * (CONNECT) until the handshake is done. The hub's name is checked unless the remote's tls says insecure.
     */
    private boolean startTls() {
        try {
            io.netty.handler.ssl.SslContext c = clientTls != null ? clientTls
                    : LeafNodes.clientTls(new io.natsboot.server.config.TlsOptions(null, null, null, false, null));
            int port = LeafNodes.port(url);
            io.netty.handler.ssl.SslHandler h = c.newHandler(channel().alloc(), url.getHost(), port);
            if (remote.tls() == null || !remote.tls().insecure()) {
                PeerDialing.checkHostname(h);
            }
            h.setHandshakeTimeoutMillis(remote.tls() == null ? 2000 : remote.tls().timeout().toMillis());
            channel().pipeline().addFirst("nats-leaf-tls", h);
            return true;
        } catch (RuntimeException e) {
            log.error(logPrefix() + "TLS handshake error: " + e.getMessage());
            close("TLS Handshake Failure", false);
            return false;
        }
    }

    /** The solicited side is connected: its account's interest goes out, pings start. */
    private void finishSolicited() {
        if (wasRegistered() || isClosing()) {
            return;
        }
        setDeniedOutgoing(LeafJetStream.connected(this, remoteDomain));
        if (!register()) {
            return;
        }
        startPings();
    }

    @Override
    public void onConnect(String json) {
        if (remote != null) {
            return;
        }
        if (account != null) {
            return; // a second CONNECT changes nothing
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "processLeafNodeConnect Parse Error: " + e.getMessage());
            return;
        }
        if (awaitsAccountFirstLogin(m, json)) {
            return; // onConnect runs again once the account's first-login work is done
        }
        String cluster = m.get("cluster") instanceof String s ? s : null;
        Account bound = authenticate(m);
        if (bound == null) {
            return;
        }
        // after authentication, as nats-server: a client without credentials is an Authorization Violation
        if (m.get("lang") instanceof String lang && !lang.isEmpty()) {
            // a client on the leafnodes port; nats-server logs the error before and after the close
            log.error(logPrefix() + "attempted to connect to leaf node port");
            sendErr("attempted to connect to leaf node port");
            close("Incorrect Port", true);
            log.error(logPrefix() + "attempted to connect to leaf node port");
            return;
        }
        if (m.get("gateway") instanceof String gw && !gw.isEmpty()) {
            String text = "Rejecting connection from gateway \"" + gw + "\" on the leafnode port";
            log.error(logPrefix() + text);
            sendErr(text);
            close("Wrong Gateway", true);
            return;
        }
        String ours = server.clusterName();
        if (ours != null && cluster != null && !cluster.isEmpty() && cluster.equals(ours)) {
            sendErr("remote leafnode has same cluster name");
            log.error(logPrefix() + "remote leafnode has same cluster name");
            close("Cluster Names Identical", true);
            return;
        }
        if (configLeafSlot == null && !bound.reserveConfigLeaf()) { // the accounts block's max_connections / max_leafnodes
            log.error(logPrefix() + "maximum account active connections exceeded");
            sendErr("maximum account active connections exceeded");
            close("Maximum Account Connections Exceeded", true);
            return;
        }
        configLeafSlot = bound;
        cancelTimer();
        account = bound;
        headers = Boolean.TRUE.equals(m.get("headers"));
        remoteName = m.get("name") instanceof String s ? s : null;
        remoteId = m.get("server_id") instanceof String s ? s : null;
        remoteCluster = cluster == null || cluster.isEmpty() ? null : cluster;
        remoteAccount = m.get("remote_account") instanceof String s ? s : null;
        remoteVersion = m.get("version") instanceof String s ? s : null;
        authUser = m.get("user") instanceof String s && !s.isEmpty() ? s : null;
        spoke = Boolean.TRUE.equals(m.get("is_hub"));
        List<String> denyPub = m.get("deny_pub") instanceof List<?> l
                ? l.stream().filter(String.class::isInstance).map(String.class::cast).toList() : List.of();
        perms = LeafPermissions.ofAccepted(userPerms, denyPub);
        silentDeny = LeafPermissions.silentDeny(userPerms);
        remoteDomain = m.get("domain") instanceof String d ? d : "";
        setDeniedOutgoing(LeafJetStream.connected(this, remoteDomain));
        // nats-server 2.9.10 answers the CONNECT with an INFO naming the bound account (connect_info).
        enqueue(LeafInfo.info(server, leafs, null, lid, bound.name(), userPerms));
        if (!register()) {
            return;
        }
        startPings();
    }

    /** Waiting for the account's first-login work: the parser leaves what follows the CONNECT unread. */
    private volatile boolean awaitingAccount;
    /** The CONNECT is being taken again after the account's first-login work (no second wait). */
    private boolean accountPrepared;

    @Override
    public boolean parsingPaused() {
        return awaitingAccount;
    }

    /**
     * As for a client (ClientConnection): the first login to a JWT account may need work that must not block this
     * event loop (a lookup of the account at the other servers of the cluster, JetStream recovering the account's
     * streams from disk). Reading and parsing stop while it runs; the CONNECT is taken again when it is done, then
     * what the leaf sent after it, in order.
     */
    private boolean awaitsAccountFirstLogin(Map<String, Object> m, String json) {
        OperatorMode mode = server.operatorMode();
        LeafNodeOptions o = leafs.options();
        if (mode == null || accountPrepared || !o.users().isEmpty()
                || (o.username() != null && !o.username().isEmpty())) {
            accountPrepared = false;
            return false; // not a JWT login (leaf users of the config), or taken again after the work
        }
        String accountKey = mode.accountOf(m.get("jwt") instanceof String j ? j : null);
        java.util.concurrent.CompletableFuture<Void> work;
        if (accountKey != null && mode.needsRemoteFetch(accountKey)) {
            // a directory resolver that does not hold the account asks the other servers first (nats-server's
            // fetch), then the account's first-login work runs, as for a client
            work = mode.fetchRemote(accountKey).thenCompose(v -> {
                java.util.concurrent.CompletableFuture<Void> w = server.operatorAccounts().firstLoginWork(accountKey);
                return w == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : w;
            });
        } else {
            work = server.operatorAccounts().firstLoginWork(accountKey);
        }
        if (work == null) {
            return false;
        }
        awaitingAccount = true;
        channel().config().setAutoRead(false);
        work.whenComplete((v, e) -> loop().execute(() -> {
            awaitingAccount = false;
            if (isClosing()) {
                return;
            }
            accountPrepared = true;
            onConnect(json);
            if (isClosing() || awaitingAccount) {
                return;
            }
            resumeParsing();
            if (!isClosing() && !awaitingAccount) {
                channel().config().setAutoRead(true);
            }
        }));
        return true;
    }

    /** The account an accepted leaf is bound to, or null after refusing it (logged, -ERR, closed). */
    private Account authenticate(Map<String, Object> m) {
        LeafNodeOptions o = leafs.options();
        String user = m.get("user") instanceof String s ? s : "";
        String pass = m.get("pass") instanceof String s ? s : "";
        String name;
        if (!o.users().isEmpty()) {
            LeafNodeOptions.LeafUser found = null;
            for (LeafNodeOptions.LeafUser u : o.users()) {
                if (u.user().equals(user) && Bcrypt.comparePasswords(u.password() == null ? "" : u.password(), pass)) {
                    found = u;
                }
            }
            if (found == null) {
                authViolation(user);
                return null;
            }
            name = found.account() == null ? "$G" : found.account();
        } else if (o.username() != null && !o.username().isEmpty()) {
            if (!o.username().equals(user)
                    || !Bcrypt.comparePasswords(o.password() == null ? "" : o.password(), pass)) {
                authViolation(user);
                return null;
            }
            name = o.account() == null ? "$G" : o.account();
        } else if (server.operatorMode() != null) {
            OperatorMode mode = server.operatorMode();
            OperatorMode.Login login = mode.authenticate(
                    new OperatorMode.Connect(m.get("jwt") instanceof String j ? j : null,
                            m.get("sig") instanceof String s ? s : null, nonce, host(), "LEAFNODE"),
                    (k, limit) -> true,
                    new OperatorMode.ServerLimits(server.options().maxPayload(), server.options().maxSubscriptions()),
                    line -> log.debug(logPrefix() + line), line -> log.error(logPrefix() + line));
            if (!login.ok()) {
                authViolation(user);
                return null;
            }
            jwtLogin = login;
            if (!server.operatorAccounts().leafLoggedIn(jwtBound, login.accountClaims().limits().leaf())) {
                // the account's leaf connection limit: nats-server logs the error before and after the close
                log.error(logPrefix() + "maximum account active connections exceeded");
                sendErr("maximum account active connections exceeded");
                close("Maximum Account Connections Exceeded", true);
                log.error(logPrefix() + "maximum account active connections exceeded");
                return null;
            }
            if (login.expiresInNanos() > 0) {
                // the user JWT (or its connect-time window) runs out: nats-server's authExpired, as for a client
                jwtExpiry = loop().schedule(this::jwtExpired, login.expiresInNanos(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            // and it counts against the account's connection limit, as a client (never refused by it)
            server.operatorAccounts().reserveConnection(login.account(), -1);
            connectionReserved = true;
            // the user JWT's pub/sub (or its account's default permissions), as for a config user
            userPerms = login.permissions();
            return server.operatorAccounts().account(login.accountClaims());
        } else if (server.options().authRequired()) {
            // No leafnodes authorization: the server's own users, as nats-server.
            io.natsboot.server.auth.User match = null;
            for (io.natsboot.server.auth.User u : server.options().users()) {
                if (user.equals(u.username()) && u.password() != null && Bcrypt.comparePasswords(u.password(), pass)
                        && u.allowsConnectionType(webSocket ? "LEAFNODE_WS" : "LEAFNODE")) { // allowed_connection_types
                    match = u;
                }
            }
            boolean single = server.options().username() != null && server.options().username().equals(user)
                    && Bcrypt.comparePasswords(server.options().password() == null ? "" : server.options().password(), pass);
            if (match == null && !single) {
                authViolation(user);
                return null;
            }
            userPerms = match == null ? null : match.permissions();
            Account a = match == null ? null : server.accountOfUser(match.username());
            return a != null ? a : server.globalAccount();
        } else {
            name = o.account() == null ? "$G" : o.account();
        }
        Account a = server.account(name);
        if (a == null) {
            log.error(logPrefix() + "No local account \"" + name + "\" for leafnode");
            authViolation(user);
            return null;
        }
        return a;
    }

    /** Accepted in operator mode: the user JWT login, for account updates (revocations, signing keys, limits). */
    private volatile OperatorMode.Login jwtLogin;
    /** When the user JWT expires (operator mode), or null. */
    private volatile java.util.concurrent.ScheduledFuture<?> jwtExpiry;

    private void jwtExpired() {
        jwtExpiry = null;
        if (isClosing()) {
            return;
        }
        sendErr("User Authentication Expired");
        if (log.isDebug()) {
            log.debug(logPrefix() + "User Authentication Expired");
        }
        close("Authentication Expired", true);
    }

    /** The login took one of the account's connection slots, given back at close. */
    private volatile boolean connectionReserved;
    /** The account whose accounts-block leaf slot this connection holds (max_leafnodes), or null. */
    private volatile Account configLeafSlot;

    /** This leaf as its JWT account's updates reach it (OperatorAccounts). */
    private final io.natsboot.server.connection.OperatorAccounts.JwtBound jwtBound =
            new io.natsboot.server.connection.OperatorAccounts.JwtBound() {
                @Override
                public String jwtAccount() {
                    OperatorMode.Login l = jwtLogin;
                    return l == null ? null : l.account();
                }

                @Override
                public long startedNanos() {
                    return LeafConnection.this.startedNanos();
                }

                @Override
                public void accountClaimsUpdated(io.natsboot.server.auth.jwt.AccountClaims claims) {
                    loop().execute(() -> jwtClaimsUpdated(claims));
                }

                @Override
                public void closeForAccountConnections() {
                    loop().execute(() -> {
                        if (!isClosing()) {
                            log.error(logPrefix() + "maximum account active connections exceeded");
                            sendErr("maximum account active connections exceeded");
                            close("Maximum Account Connections Exceeded", true);
                        }
                    });
                }
            };

    /**
     * The account's JWT was updated while this leaf is bound to it (nats-server's updateAccountClaims for the
     * account's clients, leafs among them): a revoked user is told and closed; a user whose signing key is no
     * longer the account's is closed without a word.
     */
    private void jwtClaimsUpdated(io.natsboot.server.auth.jwt.AccountClaims claims) {
        OperatorMode.Login login = jwtLogin;
        if (login == null || isClosing() || !claims.subject().equals(login.account())) {
            return;
        }
        if (claims.userRevoked(login.user().subject(), login.user().jwt().issuedAt())) {
            sendErr("User Authentication Revoked");
            if (log.isDebug()) {
                log.debug(logPrefix() + "User Authentication Revoked");
            }
            close("Credentials Revoked", true);
            return;
        }
        if (!claims.hasIssuer(login.user().jwt().issuer())) {
            close("Authentication Failure", true);
        }
    }

    private boolean register() {
        Account a = account;
        if (a == null) {
            close("Missing Account", false);
            return false;
        }
        markRegistered();
        leafs.registered(this);
        io.natsboot.server.connection.LeafLifecycleListener l = server.leafListener();
        if (l != null) {
            // nats-server announces a leaf it is the hub of, and a solicited one only when the remote is a hub
            l.leafRegistered(a, remote == null || remote.hub());
        }
        return true;
    }

    private void authViolation(String user) {
        // nats-server 2.9.10 names the user (or nkey) only when the server itself has users (its authorization
        // block): not for the leafnodes block's own users, nor in operator mode
        List<io.natsboot.server.auth.User> users = server.operatorMode() != null ? List.of() : server.options().users();
        if (users.stream().anyMatch(io.natsboot.server.auth.User::isNkey)) {
            log.error(logPrefix() + "authentication error - Nkey \"\"");
        } else if (!users.isEmpty()) {
            log.error(logPrefix() + "authentication error - User " + io.natsboot.server.goformat.GoFormat.quote(user == null ? "" : user));
        } else {
            log.error(logPrefix() + "authentication error");
        }
        sendErr("Authorization Violation");
        close("Authentication Failure", true);
    }

    // ---- Ops from the remote ---------------------------------------------------------------

    @Override
    public void onPing() {
        if (needsConnect()) {
            return;
        }
        super.onPing();
    }

    @Override
    public void onErr(String text) {
        log.error(logPrefix() + "Leafnode Error '" + text + "'");
        if (text.contains("Loop detected")) {
            loopDetected(false);
            return;
        }
        if (text.contains("remote leafnode has same cluster name")) {
            leafs.delayReconnect(this, LeafNodes.AFTER_LOOP_DELAY);
            log.error(logPrefix() + "Leafnode connection dropped with same cluster name error. Delaying attempt to"
                    + " reconnect for " + io.natsboot.server.goformat.GoFormat.duration(LeafNodes.AFTER_LOOP_DELAY));
        }
        close("Parse Error", false);
    }

    @Override
    public void onRemoteSub(String ignoredAccount, String subject, String queue, int weight) {
        if (needsConnect()) {
            return;
        }
        Account acc = account;
        if (subject.startsWith(LeafNodes.LDS_PREFIX) && subject.equals(leafs.loopSubject(acc))) {
            loopDetected(true);
            return;
        }
        if (!Subjects.isValidSubscribeSubject(subject) || (queue != null && !Subjects.isValidQueueName(queue))) {
            sendErr("Invalid Subscription");
            return;
        }
        if (jetStreamDeny && LeafNodes.jetStreamDenied(subject)) {
            return; // JetStream is not extended over leaf connections: its API interest stays on its side
        }
        io.natsboot.server.auth.Permissions p = perms;
        if (p != null && !Subjects.hasWildcard(subject) && !LeafPermissions.exempt(subject) && !p.canPublish(subject)) {
            subscriptionViolation(subject);
            return;
        }
        String key = queue == null ? subject : subject + " " + queue;
        Subscription existing = remoteSubs.get(key);
        if (existing != null) {
            if (queue != null) {
                existing.weight(weight);
            }
            return;
        }
        Subscription s = Subscription.remote(this, acc, subject, queue, queue == null ? 1 : weight);
        remoteSubs.put(key, s);
        server.addLeafInterest(s, !spoke);
    }

    @Override
    public void onRemoteUnsub(String ignoredAccount, String subject, String queue) {
        if (needsConnect()) {
            return;
        }
        Subscription s = remoteSubs.remove(queue == null ? subject : subject + " " + queue);
        if (s != null) {
            server.removeLeafInterest(s, !spoke);
        }
    }

    @Override
    public void onMessage(ByteBuf buf, int accountStart, int accountLength, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        if (needsConnect()) {
            return;
        }
        countIn(totalLength);
        if (jetStreamDeny && jetStreamApi(buf, subjectStart, subjectLength)) {
            return; // nats-server's deny of the plain JetStream API, on what the remote sends too
        }
        Account acc = account;
        fastBytes.bind(buf);
        SubjectCache.Entry entry = subjects.lookup(fastBytes, buf, subjectStart, subjectLength, acc.trie());
        io.natsboot.server.subject.SubjectMappings mappings = acc.mappings();
        if (!mappings.isEmpty()) {
            // nats-server maps what a leaf sends as what a client publishes (the JetStream domains ride on it)
            String mapped = mappings.map(entry.subject(), server.clusterName());
            if (mapped != null) {
                deliverMapped(acc, mapped, buf, replyStart, replyLength, headerLength, payloadStart, totalLength);
                return;
            }
        }
        MatchResult<Subscription> result = entry.result();
        int at = replyLength > 0 ? io.natsboot.server.connection.JsDeliveryReply.split(buf, replyStart, replyLength) : -1;
        if (at >= 0) {
            // a JetStream delivery: routed by its subject (the inbox), shown with the one after the reply's '@'
            int presentedLength = io.natsboot.server.connection.JsDeliveryReply.decodedSubjectLength(at, replyStart,
                    replyLength);
            int ackLength = at - replyStart;
            ByteBuf copy = io.natsboot.server.connection.JsDeliveryReply.decoded(buf, at, replyStart, replyLength,
                    payloadStart, totalLength);
            try {
                forward.deliver(acc, result, targets, parser, copy, 0, presentedLength, presentedLength, ackLength,
                        headerLength, presentedLength + ackLength, totalLength);
            } finally {
                copy.release();
            }
            return;
        }
        // Never back to this leaf; to routes only when the remote is our spoke (its messages are our cluster's).
        forward.deliver(acc, result, targets, parser, buf, subjectStart, subjectLength,
                replyStart, replyLength, headerLength, payloadStart, totalLength);
    }

    /**
     * The remote asked for a literal subject we may not deliver to it: a spoke ignores it (the hub told it its
     * permissions, so its own side filters); otherwise -ERR, an error line, close, and a solicited remote waits
     * 30 s before its next dial (nats-server's leafPermViolation).
     */
    private void subscriptionViolation(String subject) {
        String text = "Permissions Violation for Subscription to \"" + subject + "\"";
        if (spoke) {
            if (log.isDebug()) {
                log.debug(logPrefix() + text);
            }
            return;
        }
        if (remote != null) {
            leafs.delayReconnect(this, LeafNodes.AFTER_PERMISSION_VIOLATION_DELAY);
        }
        sendErr(text);
        log.error(logPrefix() + "Subscription Violation on \"" + subject + "\" - Check other side configuration");
        close("Protocol Violation", true);
        if (log.isDebug()) {
            log.debug(logPrefix() + text);
        }
    }

    /** A message from the remote under the subject an account mapping gave it (copied once with that subject). */
    private void deliverMapped(Account acc, String mapped, ByteBuf buf, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        if (mapped.isEmpty()) {
            return; // the dropping part of a weighted mapping
        }
        byte[] subject = mapped.getBytes(StandardCharsets.UTF_8);
        ByteBuf copy = io.netty.buffer.Unpooled.buffer(subject.length + replyLength + totalLength);
        try {
            copy.writeBytes(subject);
            copy.writeBytes(buf, replyStart, replyLength);
            copy.writeBytes(buf, payloadStart, totalLength);
            forward.deliver(acc, acc.trie().match(mapped), targets, parser, copy, 0, subject.length,
                    subject.length, replyLength, headerLength, subject.length + replyLength, totalLength);
        } finally {
            copy.release();
        }
    }

    private void setDeniedOutgoing(String prefix) {
        deniedOutgoing = prefix == null ? null : prefix.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[][] JS_API_PREFIXES = {
        "$JS.API.".getBytes(StandardCharsets.US_ASCII), "$KV.".getBytes(StandardCharsets.US_ASCII),
        "$OBJ.".getBytes(StandardCharsets.US_ASCII),
    };

    /** A subject of {@link LeafNodes#jetStreamDenied}'s list: $JS.API.>, $KV.>, $OBJ.> (bytes, no string made). */
    private static boolean jetStreamApi(ByteBuf buf, int start, int length) {
        if (length < 5 || buf.getByte(start) != '$') {
            return false;
        }
        for (byte[] p : JS_API_PREFIXES) {
            if (length > p.length && startsWith(buf, start, length, p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the subject in {@code buf} starts with the denied outgoing prefix. */
    private static boolean startsWith(ByteBuf buf, int start, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    ServerContext server() {
        return server;
    }

    void logInfo(String line) {
        log.info(logPrefix() + line);
    }

    void logWarn(String line) {
        log.warn(logPrefix() + line);
    }

    /** The cluster the remote named (CONNECT or INFO), null for none. */
    String remoteClusterName() {
        return remoteCluster;
    }

    /** A newer connection from the same remote server replaces this one (LeafNodes, nats-server's text). */
    void closeAsDuplicate() {
        loop().execute(() -> {
            if (!isClosing()) {
                log.error(logPrefix() + "Duplicate Remote LeafNode Connection");
                sendErr("Duplicate Remote LeafNode Connection");
                close("Duplicate Remote LeafNode Connection", true);
            }
        });
    }

    private boolean forwardsTo(RouteTarget t) {
        if (t == this) {
            return false;
        }
        return t instanceof LeafConnection || !spoke;
    }

    /** nats-server's handleLeafNodeLoop: the error (sent when we found it), a log line, a delayed redial. */
    private void loopDetected(boolean found) {
        java.time.Duration delay = LeafNodes.AFTER_LOOP_DELAY;
        String accName = account == null ? "" : account.name();
        String text = "Loop detected for leafnode account=\"" + accName + "\". Delaying attempt to reconnect for "
                + io.natsboot.server.goformat.GoFormat.duration(delay);
        if (remote != null) {
            leafs.delayReconnect(this, delay);
        }
        if (found) {
            sendErr(text);
        }
        log.error(logPrefix() + text);
        close("Protocol Violation", true);
    }

    // ---- Interest to the remote --------------------------------------------------------------

    /**
     * Whether subscription {@code s} of the bound account is interest this remote should know of: never its own;
     * for a spoke connection only local subscriptions and those of our own spokes (nats-server's localSubs);
     * for a hub connection everything, but not what came from the remote's own cluster.
     */
    boolean carries(Subscription s) {
        RouteTarget from = s.route();
        if (from == this || (jetStreamDeny && LeafNodes.jetStreamDenied(s.subject()))) {
            return false;
        }
        io.natsboot.server.auth.Permissions p = perms;
        if (p != null && !LeafPermissions.exempt(s.subject()) && !p.canSubscribe(s.subject())) {
            return false; // not ours to advertise (deny_imports, the hub user's publish permissions)
        }
        if (from == null) {
            return true;
        }
        if (from instanceof LeafConnection l) {
            if (spoke) {
                return !l.spoke;
            }
            return l.remoteCluster == null || !l.remoteCluster.equals(remoteCluster);
        }
        return !spoke; // route interest
    }

    /** The first burst: every carried subscription of the account and its loop-detection subject. */
    void sendInitialInterest(Iterable<Subscription> all, String lds) {
        StringBuilder b = new StringBuilder(256);
        synchronized (smap) {
            for (Subscription s : all) {
                if (carries(s) && counted.add(s)) {
                    count(s, 1, null);
                }
            }
            // nats-server also advertises the sources of the account's mappings (JetStream domains among them)
            for (io.natsboot.server.subject.SubjectMappings.Mapping m : account.mappings().mappings()) {
                smap.computeIfAbsent(m.source(), k -> new int[1])[0]++;
            }
            // and the local subjects of its service imports (nats-server's import subscriptions)
            for (Account.ServiceImport si : account.serviceImports()) {
                smap.computeIfAbsent(si.localSubject(), k -> new int[1])[0]++;
            }
            smap.computeIfAbsent(lds, k -> new int[1])[0]++;
            for (Map.Entry<String, int[]> e : smap.entrySet()) {
                writeLeafSub(b, e.getKey(), e.getValue()[0]);
            }
            enqueue(b.toString().getBytes(StandardCharsets.UTF_8)); // before any later change's LS+/LS-
        }
    }

    /** The bound account's service imports changed (a JWT update): their local subjects come and go as interest. */
    void serviceImportsChanged(List<String> removed, List<String> added) {
        if (!isRegistered()) {
            return;
        }
        StringBuilder b = new StringBuilder(64);
        synchronized (smap) {
            for (String subject : removed) {
                int[] c = smap.get(subject);
                if (c != null && --c[0] <= 0) {
                    smap.remove(subject);
                    writeLeafSub(b, subject, 0);
                }
            }
            for (String subject : added) {
                int[] c = smap.computeIfAbsent(subject, k -> new int[1]);
                if (c[0]++ == 0) {
                    writeLeafSub(b, subject, 1);
                }
            }
            if (!b.isEmpty()) {
                enqueue(b.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A subscription of the bound account came or went (any thread). */
    void interestChanged(Subscription s, boolean added) {
        // a removal goes by what was counted: the permissions may have changed since
        if (!isRegistered() || (added && !carries(s))) {
            return;
        }
        StringBuilder b = new StringBuilder(64);
        synchronized (smap) {
            if (added ? !counted.add(s) : !counted.remove(s)) {
                return;
            }
            count(s, added ? 1 : -1, b);
            if (!b.isEmpty()) {
                enqueue(b.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Updates the count of {@code s}'s key; with {@code b}, writes the LS+/LS- the change calls for. */
    private void count(Subscription s, int sign, StringBuilder b) {
        String key = s.queue() == null ? s.subject() : s.subject() + " " + s.queue();
        int delta = sign * (s.queue() == null ? 1 : Math.max(1, s.weight()));
        int[] c = smap.get(key);
        int before = c == null ? 0 : c[0];
        if (sign < 0 && c == null) {
            return;
        }
        int after = before + delta;
        if (after > 0) {
            if (c == null) {
                smap.put(key, new int[] {after});
            } else {
                c[0] = after;
            }
        } else {
            smap.remove(key);
        }
        if (b != null && (s.queue() != null || (before <= 0 && after > 0) || (before > 0 && after <= 0))) {
            writeLeafSub(b, key, after);
        }
    }

    private static void writeLeafSub(StringBuilder b, String key, int n) {
        if (n > 0) {
            b.append("LS+ ").append(key);
            if (key.indexOf(' ') >= 0) {
                b.append(' ').append(n);
            }
        } else {
            b.append("LS- ").append(key);
        }
        b.append("\r\n");
    }

    /** The remote has interest in the subject (for tests and /leafz). */
    int advertisedCount() {
        synchronized (smap) {
            return smap.size();
        }
    }

    // ---- Outbound ----------------------------------------------------------------------------

    @Override
    public boolean sendMessage(ClientConnection from, Account acc, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength, String[] queues,
            int queueCount) {
        if (!wasRegistered()) {
            return false;
        }
        byte[] denied = deniedOutgoing;
        if (denied != null && startsWith(buf, subjectStart, subjectLength, denied)) {
            return false; // our domain's API stays here (nats-server's outgoing deny)
        }
        if (jetStreamDeny && jetStreamApi(buf, subjectStart, subjectLength)) {
            return false; // the plain JetStream API never crosses (a wildcard subscriber on the other side too)
        }
        if ((perms != null || silentDeny != null) && !deliverable(buf, subjectStart, subjectLength)) {
            return false;
        }
        boolean withHeaders = headerLength > 0 && headers;
        int bodyStart = payloadStart;
        int bodyLength = totalLength;
        if (headerLength > 0 && !withHeaders) {
            bodyStart += headerLength;
            bodyLength -= headerLength;
        }
        return ServerMessageFrames.enqueue(outboundQueue(), server.options().maxPending(), this, from,
                withHeaders ? HMSG : LMSG, null, null, buf, subjectStart, subjectLength, null, replyStart, replyLength,
                withHeaders, headerLength, bodyStart, bodyLength, queues, queueCount);
    }

    /** nats-server's deliverMsg checks for a LEAF client: the deny filter (silent), then the publish permission. */
    private boolean deliverable(ByteBuf buf, int subjectStart, int subjectLength) {
        String subject = buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8);
        io.natsboot.server.auth.Permissions quiet = silentDeny;
        if (quiet != null && quiet.deniedDelivery(subject)) {
            return false;
        }
        io.natsboot.server.auth.Permissions p = perms;
        if (p != null && !p.canPublish(subject)) {
            if (log.isDebug()) {
                log.debug(logPrefix() + "Not permitted to deliver to \"" + subject + "\"");
            }
            return false;
        }
        return true;
    }

    @Override
    public boolean forwardsFromRoutes() {
        return !spoke;
    }

    // ---- Close -------------------------------------------------------------------------------

    /** Closing: the interest the remote advertised leaves the trie. */
    @Override
    protected void dropInterest() {
        boolean toRoutes = !spoke;
        for (Subscription s : remoteSubs.values()) {
            server.removeLeafInterest(s, toRoutes);
        }
        remoteSubs.clear();
    }

    @Override
    protected String closeLogDetail() {
        Account a = account;
        return " account: " + (a == null ? "" : a.name());
    }

    /** Closed: a solicited one is dialled again. */
    @Override
    protected void closed() {
        io.natsboot.server.connection.LeafLifecycleListener l = server.leafListener();
        Account a = account;
        if (l != null && a != null && wasRegistered()) {
            long rtt = keepaliveTimer().rttNanos();
            l.leafClosed(a, new io.natsboot.server.connection.LeafLifecycleListener.Closed(started(), host(), lid,
                    authUser, remoteName, remoteVersion, Math.max(rtt, 0), java.time.Instant.now(), inMsgs(),
                    inBytes(), outboundQueue().outMsgs(), outboundQueue().outBytes(), closeReason()));
        }
        leafs.closed(this);
        java.util.concurrent.ScheduledFuture<?> expiry = jwtExpiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        Account slot = configLeafSlot;
        if (slot != null) {
            configLeafSlot = null;
            slot.releaseConfigLeaf();
        }
        if (jwtLogin != null) {
            server.operatorAccounts().leafClosed(jwtBound);
            if (connectionReserved) {
                server.operatorAccounts().releaseConnection(jwtLogin.account());
            }
        }
    }

    // ---- Views -------------------------------------------------------------------------------

    public long lid() {
        return lid;
    }

    /** The remote server's name (its INFO or CONNECT), or null. */
    public String remoteName() {
        return remoteName;
    }

    public String remoteId() {
        return remoteId;
    }

    /** The bound account's name, or null before CONNECT. */
    public String accountName() {
        Account a = account;
        return a == null ? null : a.name();
    }

    Account account() {
        return account;
    }

    /** True when we dialled it. */
    public boolean isSolicited() {
        return remote != null;
    }

    /** True when we are the spoke on this connection. */
    public boolean isSpoke() {
        return spoke;
    }

    /** The interest the remote advertised (for /leafz?subs=1). */
    public List<Subscription> remoteSubscriptions() {
        return List.copyOf(remoteSubs.values());
    }

    public int subscriptionCount() {
        return remoteSubs.size();
    }
}
