package io.natsboot.server.cluster;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.InboundFramer;
import io.natsboot.server.connection.Keepalive;
import io.natsboot.server.connection.OutboundQueue;
import io.natsboot.server.connection.PeerConnection;
import io.natsboot.server.connection.PeerDialing;
import io.natsboot.server.connection.ServerMessageFrames;
import io.natsboot.server.connection.RouteTarget;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.SubjectCache;
import io.natsboot.server.protocol.FastBytes;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * One route: a connection to another server of the cluster, accepted on the cluster port or dialled by us
 * (solicited). Speaks the route protocol of nats-server 2.9 (reference §4): handshake, RS+/RS- interest,
 * RMSG/HMSG messages, PING/PONG.
 *
 * <p>The connection machinery is the shared {@link PeerConnection} (on {@link InboundFramer},
 * {@link OutboundQueue}, {@link Keepalive}); this class adds the route's ops, its handshake and its interest
 * bookkeeping. Threading as for clients: everything but the outbound queue is confined to the route's event loop.
 * Local publishers on other loops append RMSG frames under the queue's lock ({@link #sendMessage}), flushed once at
 * the end of the publisher's read, so a burst costs one write. Messages from the route are delivered to
 * local subscribers only: a message never crosses two routes (the mesh is one hop).
 */
public final class RouteConnection extends PeerConnection implements RouteOps, RouteTarget {
    private static final Kind KIND = new Kind("Router", "Route", "rid", "TLS route handshake error: ", "Client Closed",
            "Protocol Violation");
    private static final byte[] RMSG = "RMSG $G ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG = "HMSG $G ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RMSG_PREFIX = "RMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG_PREFIX = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final String GLOBAL_ACCOUNT = "$G";
    private static final String SYSTEM_ACCOUNT = "$SYS";

    private final Cluster cluster;
    private final long rid;
    /** We dialled it. */
    final boolean solicited;
    /** The URL dialled (solicited routes), for credentials and redial; null when accepted. */
    final URI url;
    /** A configured (explicit) route: redialled forever when it drops. */
    volatile boolean configured;
    private final RouteProtocolParser parser = new RouteProtocolParser();
    /** Routed subjects to match results, without allocating on a hit (as a publishing client's). */
    private final SubjectCache subjects = new SubjectCache();
    private final FastBytes fastBytes = new FastBytes();
    /** Subject caches of the other accounts' messages (loop-confined). */
    private final java.util.HashMap<Account, SubjectCache> accountSubjects = new java.util.HashMap<>();
    private final String nonce = RouteInfoWriter.nonce();

    private boolean connectReceived;
    private volatile PeerInfo peer;
    /** Interest learned from the peer, keyed exactly by the RS+ arguments without the weight (§4.4). */
    private final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();

    RouteConnection(Cluster cluster, boolean solicited, URI url, boolean configured) {
        this(cluster, cluster.nextRid(), solicited, url, configured);
    }

    private RouteConnection(Cluster cluster, long rid, boolean solicited, URI url, boolean configured) {
        super(cluster.server(), KIND, rid);
        this.cluster = cluster;
        this.rid = rid;
        this.solicited = solicited;
        this.url = url;
        this.configured = configured;
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    protected InboundFramer newFramer(ByteBufAllocator alloc, BooleanSupplier closing) {
        return new InboundFramer(alloc, buf -> parser.parse(buf, this), parser::bytesNeeded, closing);
    }

    @Override
    protected void opened() {
        cluster.track(this);
        log.info(logPrefix() + "Route connection created");
        if (solicited) {
            // The solicitor writes CONNECT and its INFO at once, without waiting (reference §4.1).
            String user = null;
            String pass = null;
            String info = url.getRawUserInfo();
            if (info != null) {
                user = PeerDialing.user(info);
                pass = PeerDialing.password(info, null);
            } else if (cluster.options().authRequired()) {
                // An implicit route: our own cluster credentials, as nats-server does.
                user = cluster.options().user();
                pass = cluster.options().password();
            }
            enqueue(RouteInfoWriter.connect(server, cluster, user, pass));
            if (log.isDebug()) {
                log.debug(logPrefix() + "Route connect msg sent");
            }
            enqueue(RouteInfoWriter.info(server, cluster, nonce, false));
        } else {
            enqueue(RouteInfoWriter.info(server, cluster, nonce, false));
            if (cluster.options().authRequired()) {
                startAuthTimer(cluster.options().authTimeout());
            }
        }
        flushNow();
        startPings();
    }

    @Override
    protected void pressurePaused() {
        cluster.routePressurePauses.increment();
    }

    @Override
    protected boolean authenticated() {
        return connectReceived;
    }

    @Override
    protected void tlsEstablished(ChannelHandlerContext ctx) {
        checkPinned(ctx);
    }

    /** cluster.tls pinned_certs: both ends of a route check the other's key. */
    private void checkPinned(ChannelHandlerContext ctx) {
        java.util.List<String> pinned = cluster.pinnedCerts();
        io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (pinned.isEmpty() || tls == null || isClosing()) {
            return;
        }
        String failure = io.natsboot.server.auth.PinnedCerts.check(tls.engine().getSession(), pinned);
        if (failure != null) {
            if (log.isDebug()) {
                log.debug(logPrefix() + failure);
            }
            log.error(logPrefix() + "TLS route handshake error: certificate not pinned");
            close("TLS Handshake Failure", false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            tlsFailed(cause);
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    // ---- Ops from the peer -----------------------------------------------------------------

    /** On an accepted route that requires authorization, CONNECT must come first (reference §4.1). */
    private boolean needsConnect() {
        if (!solicited && !connectReceived && cluster.options().authRequired()) {
            authViolation();
            return true;
        }
        return false;
    }

    @Override
    public void onConnect(String json) {
        if (solicited) {
            return;
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "processRouteConnect Parse Error: " + e.getMessage());
            return;
        }
        Object lang = m.get("lang");
        if (lang instanceof String s && !s.isEmpty()) {
            log.error(logPrefix() + "Route connect error: attempted to connect to route port");
            sendErr("attempted to connect to route port");
            close("Incorrect Port", true);
            return;
        }
        if (m.containsKey("gateway")) {
            String gw = String.valueOf(m.get("gateway"));
            log.error(logPrefix() + "Rejecting connection from gateway \"" + gw + "\" on the Route port");
            sendErr("Rejecting connection from gateway \"" + gw + "\" on the Route port");
            close("Wrong Gateway", true);
            return;
        }
        if (cluster.options().authRequired()) {
            String user = m.get("user") instanceof String s ? s : "";
            String pass = m.get("pass") instanceof String s ? s : "";
            if (!cluster.options().user().equals(user) || !java.util.Objects.equals(
                    cluster.options().password() == null ? "" : cluster.options().password(), pass)) {
                server.authFailures.increment();
                authViolation();
                return;
            }
        }
        cancelTimer();
        connectReceived = true;
        String theirs = m.get("cluster") instanceof String s ? s : "";
        boolean theirsDynamic = Boolean.TRUE.equals(m.get("cluster_dynamic"));
        if (!theirs.isEmpty() && !cluster.acceptClusterName(this, theirs, theirsDynamic)) {
            String err = "Rejecting connection, cluster name \"" + theirs + "\" does not match \""
                    + cluster.name() + "\"";
            log.error(logPrefix() + err);
            sendErr(err);
            close("Cluster Name Conflict", true);
        }
    }

    @Override
    public void onInfo(String json) {
        if (needsConnect()) {
            return;
        }
        PeerInfo info;
        try {
            info = PeerInfo.parse(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "processRouteInfo Parse Error: " + e.getMessage());
            return;
        }
        if (info.gateway()) {
            server.routeGatewayInfo(json); // gateway gossip relayed over a route: for the gateways, if any
            return;
        }
        PeerInfo known = peer;
        if (known == null) {
            firstInfo(info);
        } else if (info.serverId() != null && info.serverId().equals(known.serverId())) {
            // The same peer again: new connect URLs or lame duck (reference §4.8).
            peer = info;
            cluster.peerUpdated(this);
        } else if (info.serverId() != null) {
            cluster.gossip(this, info);
        }
    }

    private void firstInfo(PeerInfo info) {
        if (info.serverId() == null || info.serverId().isEmpty()) {
            onProtocolError(null, "processRouteInfo: missing server_id");
            return;
        }
        if (info.serverId().equals(server.serverId())) {
            if (log.isDebug()) {
                log.debug(logPrefix() + "Detected route to self, ignoring \"" + url + "\"");
            }
            configured = false; // a node listed in its own routes (one file for all nodes): never redial
            close("Duplicate Route", false);
            return;
        }
        String theirs = info.cluster() == null ? "" : info.cluster();
        if (!theirs.equals(cluster.name()) && !cluster.acceptClusterName(this, theirs, info.clusterDynamic())) {
            // The acceptor answered the CONNECT already; on the soliciting side the close is silent.
            close("Cluster Name Conflict", false);
            return;
        }
        if (!solicited && info.serverName() != null && info.serverName().equals(server.serverName())) {
            log.error(logPrefix() + "Remote server has a duplicate name: \"" + info.serverName() + "\"");
            close("Duplicate Server Name", false);
            return;
        }
        peer = info;
        if (!cluster.register(this)) {
            if (log.isDebug()) {
                log.debug(logPrefix() + "Detected duplicate remote route \"" + info.serverId() + "\"");
            }
            close("Duplicate Route", false);
            return;
        }
        markRegistered();
    }

    @Override
    public void onPing() {
        if (needsConnect()) {
            return;
        }
        super.onPing();
    }

    @Override
    public void onRemoteSub(String account, String subject, String queue, int weight) {
        if (needsConnect()) {
            return;
        }
        Account acc = server.account(account);
        if (acc == null) {
            // $SYS: a peer's event interest while we run with no_system_account, ignored quietly
            if (!SYSTEM_ACCOUNT.equals(account)) {
                log.error(logPrefix() + "Unknown account \"" + account + "\" for remote subject \"" + subject + "\"");
            }
            return;
        }
        if (!Subjects.isValidSubscribeSubject(subject) || (queue != null && !Subjects.isValidQueueName(queue))) {
            sendErr("Invalid Subscription");
            return;
        }
        if (!cluster.exportable(subject)) {
            return; // not in our cluster export permission: silently ignored, as nats-server
        }
        String key = queue == null ? account + " " + subject : account + " " + subject + " " + queue;
        Subscription existing = remoteSubs.get(key);
        if (existing != null) {
            if (queue != null) {
                existing.weight(weight);
            }
            return;
        }
        Subscription s = Subscription.remote(this, acc, subject, queue, queue == null ? 1 : weight);
        remoteSubs.put(key, s);
        server.addRouteInterest(s);
    }

    @Override
    public void onRemoteUnsub(String account, String subject, String queue) {
        if (needsConnect()) {
            return;
        }
        String key = queue == null ? account + " " + subject : account + " " + subject + " " + queue;
        Subscription s = remoteSubs.remove(key);
        if (s != null) {
            server.removeRouteInterest(s);
        }
    }

    @Override
    public void onMessage(ByteBuf buf, int accountStart, int accountLength, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        if (needsConnect()) {
            return;
        }
        countIn(totalLength);
        Account account;
        SubjectCache cache;
        if (accountLength == 2 && buf.getByte(accountStart) == '$' && buf.getByte(accountStart + 1) == 'G') {
            account = server.globalAccount();
            cache = subjects;
        } else {
            account = server.account(buf.toString(accountStart, accountLength, StandardCharsets.UTF_8));
            cache = account == null ? null : accountSubjects.computeIfAbsent(account, a -> new SubjectCache());
        }
        if (account == null) {
            if (log.isDebug()) {
                log.debug(logPrefix() + "Unknown account \"" + buf.toString(accountStart, accountLength,
                        StandardCharsets.UTF_8) + "\" for routed message on subject: \""
                        + buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8) + "\"");
            }
            return;
        }
        if (server.isRoutedReplyToUs(buf, subjectStart, subjectLength)) {
            // A gateway reply a peer passed on to us, the requester's server: deliver it under its own subject.
            subjectStart += ServerContext.ROUTED_REPLY_PREFIX_LENGTH;
            subjectLength -= ServerContext.ROUTED_REPLY_PREFIX_LENGTH;
        }
        fastBytes.bind(buf);
        MatchResult<Subscription> result = cache.lookup(fastBytes, buf, subjectStart, subjectLength,
                account.trie()).result();
        int at = replyLength > 0 ? io.natsboot.server.connection.JsDeliveryReply.split(buf, replyStart, replyLength)
                : -1;
        if (at >= 0) {
            // a JetStream delivery (<inbox> <ack reply>@<subject>): routed by the inbox, shown with its own subject
            int shownLength = io.natsboot.server.connection.JsDeliveryReply.decodedSubjectLength(at, replyStart,
                    replyLength);
            int ackLength = at - replyStart;
            ByteBuf copy = io.natsboot.server.connection.JsDeliveryReply.decoded(buf, at, replyStart, replyLength,
                    payloadStart, totalLength);
            try {
                deliverLocally(account, result, copy, 0, shownLength, shownLength, ackLength, headerLength,
                        shownLength + ackLength, totalLength);
            } finally {
                copy.release();
            }
            return;
        }
        deliverLocally(account, result, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                payloadStart, totalLength);
    }

    /** A routed message to this server's receivers (and its spoke leafs), under the subject in {@code buf}. */
    private void deliverLocally(Account account, MatchResult<Subscription> result, ByteBuf buf, int subjectStart,
            int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        // Local plain subscribers all get it; route interest is skipped: never route to route.
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            Subscription s = result.plain(i);
            if (s.route() == null) {
                s.receiver().deliver(s, null, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                        payloadStart, totalLength);
            }
        }
        if (!account.isGlobal() && io.natsboot.server.connection.CrossAccount.mayCross(account)) {
            // An answer from a responder on another node to a request imported on this one.
            io.natsboot.server.connection.CrossAccount.deliverRoutedResponse(account,
                    buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8), buf, replyStart, replyLength,
                    headerLength, payloadStart, totalLength);
        }
        if (server.hasLeafInterest()) {
            // Leafs that are our spokes get what the cluster publishes (nats-server's hub leaf nodes).
            forward().forwardRemote(account, result, RouteTarget::forwardsFromRoutes, parser, buf,
                    subjectStart, subjectLength, replyStart, replyLength, headerLength, payloadStart, totalLength);
        }
        // Each queue group named in the frame: exactly one local member (reference §4.5).
        int queues = parser.queueCount();
        for (int q = 0; q < queues; q++) {
            for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
                if (parser.queueEquals(q, result.queueName(g))) {
                    deliverToLocalMember(result, g, buf, subjectStart, subjectLength, replyStart, replyLength,
                            headerLength, payloadStart, totalLength);
                    break;
                }
            }
        }
    }

    /** Routed messages on to leaf connections; created with the first such message. */
    private io.natsboot.server.connection.ForwardFanout forward;

    private io.natsboot.server.connection.ForwardFanout forward() {
        if (forward == null) {
            forward = new io.natsboot.server.connection.ForwardFanout();
        }
        return forward;
    }

    private static void deliverToLocalMember(MatchResult<Subscription> result, int g, ByteBuf buf,
            int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength) {
        int size = result.queueGroupSize(g);
        int first = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int k = 0; k < size; k++) {
            int idx = first + k;
            Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
            if (s.route() == null && s.receiver().deliver(s, null, buf, subjectStart, subjectLength, replyStart,
                    replyLength, headerLength, payloadStart, totalLength)) {
                return;
            }
        }
    }

    private void authViolation() {
        log.error(logPrefix() + "authentication error - User \"\"");
        sendErr("Authorization Violation");
        close("Authentication Failure", true);
    }

    // ---- Outbound --------------------------------------------------------------------------

    @Override
    public boolean sendMessage(ClientConnection from, Account account, ByteBuf buf, int subjectStart,
            int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength, String[] queues,
            int queueCount) {
        PeerInfo p = peer;
        boolean withHeaders = headerLength > 0 && (p == null || p.headers());
        int bodyStart = payloadStart;
        int bodyLength = totalLength;
        if (headerLength > 0 && !withHeaders) {
            bodyStart += headerLength; // a peer without headers gets the payload only (reference §4.2)
            bodyLength -= headerLength;
        }
        boolean global = account.isGlobal();
        return ServerMessageFrames.enqueue(outboundQueue(), server.options().maxPending(), this, from,
                global ? (withHeaders ? HMSG : RMSG) : (withHeaders ? HMSG_PREFIX : RMSG_PREFIX),
                global ? null : account.name(), null, buf, subjectStart, subjectLength, null, replyStart, replyLength,
                withHeaders, headerLength, bodyStart, bodyLength, queues, queueCount);
    }

    @Override
    protected void slowConsumerCounted() {
        cluster.slowConsumerRoutes.increment();
    }

    // ---- Close -----------------------------------------------------------------------------

    /** Closing: the route's interest leaves the trie. */
    @Override
    protected void dropInterest() {
        for (Subscription s : remoteSubs.values()) {
            server.removeRouteInterest(s);
        }
        remoteSubs.clear();
    }

    /** Closed: the cluster decides whether to redial. */
    @Override
    protected void closed() {
        cluster.closed(this, wasRegistered());
    }

    // ---- Views -----------------------------------------------------------------------------

    public long rid() {
        return rid;
    }

    /** The peer's server id, or null before its INFO. */
    public String remoteId() {
        PeerInfo p = peer;
        return p == null ? null : p.serverId();
    }

    PeerInfo peer() {
        return peer;
    }

    /** The peer's server name from its INFO, or null before it (statsz {@code routes[].name}). */
    public String remoteName() {
        PeerInfo p = peer;
        return p == null ? null : p.serverName();
    }

    public boolean didSolicit() {
        return solicited;
    }

    public boolean isConfigured() {
        return configured;
    }

    /** Interest entries learned from this route. */
    public int subscriptionCount() {
        return remoteSubs.size();
    }

    /** The subjects of the interest learned from this route (for /routez?subs=1). */
    public java.util.List<Subscription> remoteSubscriptions() {
        return java.util.List.copyOf(remoteSubs.values());
    }

    /** Closes the route as nats-server does on shutdown or when a dynamic cluster name was adopted. */
    void closeForReason(String reason) {
        close(reason, true);
    }
}
