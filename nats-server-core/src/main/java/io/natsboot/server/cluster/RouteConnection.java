package io.natsboot.server.cluster;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.InboundFramer;
import io.natsboot.server.connection.Keepalive;
import io.natsboot.server.connection.CoreFigures;
import io.natsboot.server.connection.OutboundQueue;
import io.natsboot.server.connection.ServerMessageFrames;
import io.natsboot.server.connection.RouteTarget;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.SubjectCache;
import io.natsboot.server.protocol.FastBytes;
import io.natsboot.server.connection.Subscription;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One route: a connection to another server of the cluster, accepted on the cluster port or dialled by us
 * (solicited). Speaks the route protocol of nats-server 2.9 (reference §4): handshake, RS+/RS- interest,
 * RMSG/HMSG messages, PING/PONG.
 *
 * <p>The connection machinery is the shared core of the connection package ({@link InboundFramer},
 * {@link OutboundQueue}, {@link Keepalive}), as for clients; this class adds the route's ops and its interest
 * bookkeeping. Threading as for clients: everything but the outbound queue is confined to the route's event loop.
 * Local publishers on other loops append RMSG frames under the queue's lock ({@link #sendMessage}), flushed once at
 * the end of the publisher's read, so a burst costs one write. Messages from the route are delivered to
 * local subscribers only: a message never crosses two routes (the mesh is one hop).
 */
public final class RouteConnection extends ChannelInboundHandlerAdapter implements RouteOps, RouteTarget, CoreFigures,
        ServerMessageFrames.SlowConsumer {
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RMSG = "RMSG $G ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG = "HMSG $G ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RMSG_PREFIX = "RMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG_PREFIX = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final String GLOBAL_ACCOUNT = "$G";
    private static final String SYSTEM_ACCOUNT = "$SYS";
    /** Publishers pause while more than this is queued for the route (as for clients). */
    private static final long STALL_THRESHOLD = 4L * 1024 * 1024;

    private final Cluster cluster;
    private final ServerContext server;
    private final ServerLog log;
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
    private final Instant started = Instant.now();
    private final String nonce = RouteInfoWriter.nonce();

    private ChannelHandlerContext ctx;
    private Channel channel;
    private EventLoop loop;
    private String host = "";
    private int remotePort;
    private String logPrefix = "";
    private boolean accepted;
    private InboundFramer framer;
    private boolean connectReceived;
    private volatile PeerInfo peer;
    private volatile boolean registered;
    /** Interest learned from the peer, keyed exactly by the RS+ arguments without the weight (§4.4). */
    private final Map<String, Subscription> remoteSubs = new ConcurrentHashMap<>();

    /** Outbound: RMSG frames from local publishers on any loop, interest lines, own control lines. */
    private OutboundQueue out;

    // Inbound counters, this loop only (read racily by monitoring).
    private volatile long inMsgs;
    private volatile long inBytes;
    private volatile long lastActivityNanos = System.nanoTime();
    private final long startedNanos = lastActivityNanos;

    private Keepalive keepalive;
    private ScheduledFuture<?> authTimer;
    private volatile String closeReason;

    RouteConnection(Cluster cluster, boolean solicited, URI url, boolean configured) {
        this.cluster = cluster;
        this.server = cluster.server();
        this.log = server.log();
        this.rid = cluster.nextRid();
        this.solicited = solicited;
        this.url = url;
        this.configured = configured;
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        this.out = new OutboundQueue(ctx, STALL_THRESHOLD, null);
        this.framer = new InboundFramer(ctx.alloc(), buf -> parser.parse(buf, this), parser::bytesNeeded,
                () -> closeReason != null);
        this.keepalive = new Keepalive(loop, log, "Router", server::options, () -> enqueue(PING), () -> {
            sendErr("Stale Connection");
            close("Stale Connection", true);
        }, () -> closeReason == null, () -> logPrefix);
        if (channel.isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (accepted) {
            return;
        }
        accepted = true;
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            remotePort = a.getPort();
        }
        logPrefix = (host.contains(":") ? "[" + host + "]" : host) + ":" + remotePort + " - rid:" + rid + " - ";
        cluster.track(this);
        log.info(logPrefix + "Route connection created");
        if (solicited) {
            // The solicitor writes CONNECT and its INFO at once, without waiting (reference §4.1).
            String user = null;
            String pass = null;
            String info = url.getRawUserInfo();
            if (info != null) {
                int colon = info.indexOf(':');
                user = decode(colon < 0 ? info : info.substring(0, colon));
                pass = colon < 0 ? null : decode(info.substring(colon + 1));
            } else if (cluster.options().authRequired()) {
                // An implicit route: our own cluster credentials, as nats-server does.
                user = cluster.options().user();
                pass = cluster.options().password();
            }
            enqueue(RouteInfoWriter.connect(server, cluster, user, pass));
            if (log.isDebug()) {
                log.debug(logPrefix + "Route connect msg sent");
            }
            enqueue(RouteInfoWriter.info(server, cluster, nonce, false));
        } else {
            enqueue(RouteInfoWriter.info(server, cluster, nonce, false));
            if (cluster.options().authRequired()) {
                authTimer = loop.schedule(this::authTimeout, cluster.options().authTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
        }
        out.flushNow();
        // Routes send their first PING after min(ping_interval, 1s) plus jitter (reference §3.12).
        keepalive.startWithJitter(Math.min(server.options().pingInterval().toNanos(), TimeUnit.SECONDS.toNanos(1)));
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closeReason != null) {
            in.release();
            return;
        }
        long before = inMsgs;
        long bytesBefore = inBytes;
        io.natsboot.server.connection.RoutePressure.takeNoted(); // only what this read's deliveries note
        framer.read(in);
        addReadTotals(before, bytesBefore);
        if (io.natsboot.server.connection.RoutePressure.takeNoted()) {
            pauseReading();
        }
        lastActivityNanos = System.nanoTime();
        keepalive.activity();
    }

    /** How long a route stops reading after a read that found a local receiver backed up. */
    private static final long PRESSURE_PAUSE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);
    private boolean paused;

    /**
     * A local receiver is over its stall threshold: stop reading for {@link #PRESSURE_PAUSE_NANOS} so it can
     * drain (the peer's route queue, and then its publishers, feel it through TCP). Bounded per read, so a
     * receiver that never reads holds the route back by at most that per read and is then cut at max_pending.
     */
    private void pauseReading() {
        if (paused || closeReason != null) {
            return;
        }
        paused = true;
        cluster.routePressurePauses.increment();
        channel.config().setAutoRead(false);
        channel.eventLoop().schedule(() -> {
            paused = false;
            if (closeReason == null) {
                channel.config().setAutoRead(true);
            }
        }, PRESSURE_PAUSE_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private void addReadTotals(long msgsBefore, long bytesBefore) {
        long delivered = inMsgs - msgsBefore;
        if (delivered > 0) {
            // server totals once per read, not per message
            server.inMsgs.add(delivered);
            server.inBytes.add(inBytes - bytesBefore);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close(closeReason == null ? "Client Closed" : closeReason, false);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                tlsFailed(done.cause());
            } else {
                checkPinned(ctx);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** cluster.tls pinned_certs: both ends of a route check the other's key. */
    private void checkPinned(ChannelHandlerContext ctx) {
        java.util.List<String> pinned = cluster.pinnedCerts();
        io.netty.handler.ssl.SslHandler tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (pinned.isEmpty() || tls == null || closeReason != null) {
            return;
        }
        String failure = io.natsboot.server.auth.PinnedCerts.check(tls.engine().getSession(), pinned);
        if (failure != null) {
            if (log.isDebug()) {
                log.debug(logPrefix + failure);
            }
            log.error(logPrefix + "TLS route handshake error: certificate not pinned");
            close("TLS Handshake Failure", false);
        }
    }

    private void tlsFailed(Throwable cause) {
        if (closeReason != null) {
            return;
        }
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        log.error(logPrefix + "TLS route handshake error: " + (c.getMessage() == null ? c : c.getMessage()));
        close("TLS Handshake Failure", false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof javax.net.ssl.SSLException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            tlsFailed(cause);
            return;
        }
        if (cause instanceof IOException) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Route connection error: " + cause.getMessage());
            }
            close("Client Closed", false);
        } else {
            log.error(logPrefix + "Route error: " + cause);
            close("Protocol Violation", false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            out.writable();
        }
        ctx.fireChannelWritabilityChanged();
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
            log.error(logPrefix + "Route connect error: attempted to connect to route port");
            sendErr("attempted to connect to route port");
            close("Incorrect Port", true);
            return;
        }
        if (m.containsKey("gateway")) {
            String gw = String.valueOf(m.get("gateway"));
            log.error(logPrefix + "Rejecting connection from gateway \"" + gw + "\" on the Route port");
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
        cancel(authTimer);
        authTimer = null;
        connectReceived = true;
        String theirs = m.get("cluster") instanceof String s ? s : "";
        boolean theirsDynamic = Boolean.TRUE.equals(m.get("cluster_dynamic"));
        if (!theirs.isEmpty() && !cluster.acceptClusterName(this, theirs, theirsDynamic)) {
            String err = "Rejecting connection, cluster name \"" + theirs + "\" does not match \""
                    + cluster.name() + "\"";
            log.error(logPrefix + err);
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
                log.debug(logPrefix + "Detected route to self, ignoring \"" + url + "\"");
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
            log.error(logPrefix + "Remote server has a duplicate name: \"" + info.serverName() + "\"");
            close("Duplicate Server Name", false);
            return;
        }
        peer = info;
        if (!cluster.register(this)) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Detected duplicate remote route \"" + info.serverId() + "\"");
            }
            close("Duplicate Route", false);
            return;
        }
        registered = true;
    }

    @Override
    public void onPing() {
        if (needsConnect()) {
            return;
        }
        keepalive.pingReceived();
        enqueue(PONG);
    }

    @Override
    public void onPong() {
        keepalive.pongReceived();
    }

    @Override
    public void onErr(String text) {
        log.error(logPrefix + "Route Error '" + text + "'");
        close("Parse Error", false);
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
                log.error(logPrefix + "Unknown account \"" + account + "\" for remote subject \"" + subject + "\"");
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
        inMsgs++;
        inBytes += totalLength;
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
                log.debug(logPrefix + "Unknown account \"" + buf.toString(accountStart, accountLength,
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

    @Override
    public void onProtocolError(String errText, String logDetail) {
        if (logDetail != null) {
            log.error(logPrefix + logDetail);
        }
        if (errText != null) {
            sendErr(errText);
        }
        close("Protocol Violation", true);
    }

    private void authViolation() {
        log.error(logPrefix + "authentication error - User \"\"");
        sendErr("Authorization Violation");
        close("Authentication Failure", true);
    }

    private void authTimeout() {
        authTimer = null;
        if (connectReceived || closeReason != null) {
            return;
        }
        log.error(logPrefix + "Authentication Timeout");
        sendErr("Authentication Timeout");
        close("Authentication Timeout", true);
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
        return ServerMessageFrames.enqueue(out, server.options().maxPending(), this, from,
                global ? (withHeaders ? HMSG : RMSG) : (withHeaders ? HMSG_PREFIX : RMSG_PREFIX),
                global ? null : account.name(), null, buf, subjectStart, subjectLength, null, replyStart, replyLength,
                withHeaders, headerLength, bodyStart, bodyLength, queues, queueCount);
    }

    /**
     * One frame for one subscription of the peer's interest (plain, or naming its queue). The publish path sends
     * one frame per route for all of a message's matches instead ({@link #sendMessage}).
     */
    @Override
    public boolean deliver(Subscription s, ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        String[] queues = s.queue() == null ? null : new String[] {s.queue()};
        return sendMessage(from, s.account(), buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                payloadStart, totalLength, queues, queues == null ? 0 : 1);
    }

    /** Sends one interest line (RS+/RS-) or a forwarded INFO; any thread. */
    void enqueue(byte[] bytes) {
        out.enqueue(bytes);
    }

    private void sendErr(String text) {
        enqueue(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void slowConsumerLocked(OutboundQueue q) {
        q.slowConsumerLocked();
        server.slowConsumers.increment();
        cluster.slowConsumerRoutes.increment();
        log.info(logPrefix + "Slow Consumer Detected: MaxPending of " + server.options().maxPending() + " Exceeded");
        loop.execute(() -> close("Slow Consumer (Pending Bytes)", false));
    }

    // ---- Close -----------------------------------------------------------------------------

    /** Closes the route; its interest leaves the trie and the cluster decides whether to redial. */
    void close(String reason, boolean flush) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(reason, flush));
            return;
        }
        if (closeReason != null) {
            return;
        }
        closeReason = reason;
        keepalive.cancel();
        cancel(authTimer);
        for (Subscription s : remoteSubs.values()) {
            server.removeRouteInterest(s);
        }
        remoteSubs.clear();
        framer.release();
        log.info(logPrefix + "Router connection closed: " + reason);
        cluster.closed(this, registered);
        out.close(flush);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
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

    public boolean isRegistered() {
        return registered && closeReason == null;
    }

    public boolean didSolicit() {
        return solicited;
    }

    public boolean isConfigured() {
        return configured;
    }

    public String host() {
        return host;
    }

    public int remotePort() {
        return remotePort;
    }

    public Instant started() {
        return started;
    }

    public Instant lastActivity() {
        return started.plusNanos(lastActivityNanos - startedNanos);
    }

    @Override
    public OutboundQueue outboundQueue() {
        return out;
    }

    @Override
    public Keepalive keepaliveTimer() {
        return keepalive;
    }

    public long inMsgs() {
        return inMsgs;
    }

    public long inBytes() {
        return inBytes;
    }

    /** Interest entries learned from this route. */
    public int subscriptionCount() {
        return remoteSubs.size();
    }

    /** The subjects of the interest learned from this route (for /routez?subs=1). */
    public java.util.List<Subscription> remoteSubscriptions() {
        return java.util.List.copyOf(remoteSubs.values());
    }

    public String closeReason() {
        return closeReason;
    }

    String logPrefix() {
        return logPrefix;
    }

    /** Closes the route as nats-server does on shutdown or when a dynamic cluster name was adopted. */
    void closeForReason(String reason) {
        close(reason, true);
    }
}
