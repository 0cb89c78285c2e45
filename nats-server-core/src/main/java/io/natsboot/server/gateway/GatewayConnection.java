package io.natsboot.server.gateway;

import io.natsboot.server.cluster.RouteOps;
import io.natsboot.server.cluster.RouteProtocolParser;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.CoreFigures;
import io.natsboot.server.connection.InboundFramer;
import io.natsboot.server.connection.Keepalive;
import io.natsboot.server.connection.OutboundQueue;
import io.natsboot.server.connection.RemoteDelivery;
import io.natsboot.server.connection.RoutePressure;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.connection.ServerMessageFrames;
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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One gateway connection: outbound (we dialled a remote cluster; we send it messages and it tells us its interest)
 * or inbound (a remote cluster's server dialled us; it sends us messages and we tell it our cluster's interest).
 * The wire is the route protocol plus {@code A+}/{@code A-} and the INFO gateway commands, decoded by the route's
 * {@link RouteProtocolParser}; the machinery is the shared connection core ({@link InboundFramer},
 * {@link OutboundQueue}, {@link Keepalive}). Everything but the outbound queue and the interest state is confined
 * to the connection's event loop.
 */
final class GatewayConnection extends ChannelInboundHandlerAdapter implements RouteOps, CoreFigures,
        ServerMessageFrames.SlowConsumer {
    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RMSG = "RMSG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HMSG = "HMSG ".getBytes(StandardCharsets.US_ASCII);
    /** Publishers pause while more than this is queued for the gateway (as for routes). */
    private static final long STALL_THRESHOLD = 4L * 1024 * 1024;

    private final Gateways gateways;
    private final ServerContext server;
    private final ServerLog log;
    private final long gid;
    /** We dialled it: an outbound connection. */
    final boolean outbound;
    /** Outbound: the remote's configuration (name, URLs); null for inbound. */
    final Gateways.Remote remote;
    /** Outbound: the URL dialled. */
    final URI url;
    private final RouteProtocolParser parser = new RouteProtocolParser();
    private final Instant started = Instant.now();

    private ChannelHandlerContext ctx;
    private Channel channel;
    private EventLoop loop;
    private String host = "";
    private int remotePort;
    private String logPrefix = "";
    private boolean active;
    private InboundFramer framer;
    private OutboundQueue out;
    private Keepalive keepalive;
    private RemoteDelivery delivery;
    private ScheduledFuture<?> authTimer;

    /** The remote gateway (cluster) name: known at once for outbound, from CONNECT for inbound. */
    private volatile String remoteName;
    private volatile String remoteId;
    private volatile boolean registered;
    private volatile String closeReason;
    private boolean connectReceived;
    private boolean infoReceived;
    /** The remote takes HMSG. */
    private volatile boolean headers = true;

    /** Outbound: what the remote asked for. */
    final OutboundInterest interest = new OutboundInterest();
    /** Inbound: accounts switched to interest-only (we send every RS+/RS-), guarded by the Gateways lock. */
    final Set<String> interestOnly = new HashSet<>();
    /** Inbound: accounts we sent A- for, guarded by the Gateways lock. */
    final Set<String> noInterestSent = new HashSet<>();
    /** Inbound: per optimistic account, the subjects we sent RS- for, guarded by the Gateways lock. */
    final java.util.Map<String, Set<String>> noInterestSubjects = new java.util.HashMap<>();

    private volatile long inMsgs;
    private volatile long inBytes;
    private volatile long lastActivityNanos = System.nanoTime();
    private final long startedNanos = lastActivityNanos;

    GatewayConnection(Gateways gateways, Gateways.Remote remote, URI url) {
        this.gateways = gateways;
        this.server = gateways.server();
        this.log = server.log();
        this.gid = server.nextConnectionId();
        this.outbound = remote != null;
        this.remote = remote;
        this.url = url;
        this.remoteName = remote == null ? null : remote.name;
    }

    // ---- Netty lifecycle -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        this.out = new OutboundQueue(ctx, STALL_THRESHOLD, null);
        this.delivery = new RemoteDelivery(server);
        this.framer = new InboundFramer(ctx.alloc(), buf -> parser.parse(buf, this), parser::bytesNeeded,
                () -> closeReason != null);
        this.keepalive = new Keepalive(loop, log, "Gateway", server::options, () -> enqueue(PING), () -> {
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
        if (active) {
            return;
        }
        active = true;
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            remotePort = a.getPort();
        }
        logPrefix = (host.contains(":") ? "[" + host + "]" : host) + ":" + remotePort + " - gid:" + gid + " - ";
        gateways.track(this);
        if (outbound) {
            // The outbound waits for the remote's INFO before its CONNECT and INFO (nats-server).
            log.info(logPrefix + "Creating outbound gateway connection to \"" + remoteName + "\"");
        } else {
            log.info(logPrefix + "Processing inbound gateway connection");
            enqueue(gateways.infoBytes());
            out.flushNow();
            if (gateways.options().authRequired()) {
                authTimer = loop.schedule(this::authTimeout, gateways.options().authTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
        }
        // The first PING after min(ping_interval, 1 s) plus jitter, as routes (nats-server's first ping timer).
        keepalive.startWithJitter(Math.min(server.options().pingInterval().toNanos(), TimeUnit.SECONDS.toNanos(1)));
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
        RoutePressure.takeNoted(); // only what this read's deliveries note
        framer.read(in);
        long delivered = inMsgs - before;
        if (delivered > 0) {
            server.inMsgs.add(delivered);
            server.inBytes.add(inBytes - bytesBefore);
        }
        if (RoutePressure.takeNoted()) {
            pauseReading();
        }
        lastActivityNanos = System.nanoTime();
        keepalive.activity();
    }

    /** How long a gateway stops reading after a read that found a local receiver backed up (as routes). */
    private static final long PRESSURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private boolean paused;

    /**
     * A local receiver is over its stall threshold: stop reading for a moment so it can drain; the remote's
     * outbound queue, then its publishers, feel it through TCP instead of the receiver being cut as a slow
     * consumer. Bounded per read, as for routes (RouteConnection).
     */
    private void pauseReading() {
        if (paused || closeReason != null) {
            return;
        }
        paused = true;
        channel.config().setAutoRead(false);
        loop.schedule(() -> {
            paused = false;
            if (closeReason == null) {
                channel.config().setAutoRead(true);
            }
        }, PRESSURE_PAUSE_NANOS, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close(closeReason == null ? "Client Closed" : closeReason, false);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && !done.isSuccess()) {
            Throwable c = done.cause();
            while (c.getCause() != null && c.getCause() != c) {
                c = c.getCause();
            }
            log.error(logPrefix + "TLS gateway handshake error: " + (c.getMessage() == null ? c : c.getMessage()));
            close("TLS Handshake Failure", false);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Gateway connection error: " + cause.getMessage());
            }
            close("Client Closed", false);
        } else {
            log.error(logPrefix + "Gateway error: " + cause);
            close("Client Closed", false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            out.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- Protocol ops ----------------------------------------------------------------------

    /** An inbound connection speaks only after its CONNECT (nats-server: "expectConnect"). */
    private boolean needsConnect() {
        if (outbound || connectReceived) {
            return false;
        }
        log.error(logPrefix + "authentication error"); // nats-server's line for a gateway
        sendErr("Authorization Violation");
        close("Authentication Failure", true);
        return true;
    }

    @Override
    public void onConnect(String json) {
        if (outbound) {
            return; // nats-server ignores a CONNECT on an outbound gateway
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "processGatewayConnect Parse Error: " + e.getMessage());
            return;
        }
        String gw = m.get("gateway") instanceof String s ? s : "";
        if (gw.isEmpty()) {
            log.error(logPrefix + "attempted to connect to gateway port");
            sendErr("attempted to connect to gateway port");
            close("Incorrect Port", true);
            return;
        }
        if (gateways.options().rejectUnknown() && gateways.remote(gw) == null) {
            log.error(logPrefix + "Rejecting connection from gateway \"" + gw + "\"");
            sendErr("Connection to gateway \"" + gateways.name() + "\" rejected");
            close("Wrong Gateway", true);
            return;
        }
        if (gateways.options().authRequired()) {
            String user = m.get("user") instanceof String s ? s : "";
            String pass = m.get("pass") instanceof String s ? s : "";
            String want = gateways.options().password() == null ? "" : gateways.options().password();
            if (!gateways.options().user().equals(user) || !want.equals(pass)) {
                server.authFailures.increment();
                log.error(logPrefix + "authentication error - User \"" + user + "\"");
                sendErr("Authorization Violation");
                close("Authentication Failure", true);
                return;
            }
        }
        cancel(authTimer);
        authTimer = null;
        connectReceived = true;
        remoteName = gw;
    }

    @Override
    public void onInfo(String json) {
        if (needsConnect()) {
            return;
        }
        GatewayInfo info;
        try {
            info = GatewayInfo.parse(json);
        } catch (RuntimeException e) {
            onProtocolError(null, "processGatewayInfo Parse Error: " + e.getMessage());
            return;
        }
        boolean first = !infoReceived;
        infoReceived = true;
        if (outbound) {
            outboundInfo(info, first);
        } else if (first) {
            remoteId = info.serverId();
            if (info.gateway() != null && !info.gateway().isEmpty()) {
                remoteName = info.gateway();
            }
            gateways.registerInbound(this, info);
        }
    }

    private void outboundInfo(GatewayInfo info, boolean first) {
        String gw = info.gateway();
        if (gw == null || gw.isEmpty()) {
            String err = "Attempt to connect to gateway \"" + remoteName + "\" using wrong port";
            log.error(logPrefix + err);
            sendErr(err);
            close("Incorrect Port", true);
            return;
        }
        if (!gw.equals(remoteName)) {
            if (!first && info.gatewayCmd() == GatewayInfo.CMD_GOSSIP) {
                gateways.implicitGateway(info);
                return;
            }
            log.error(logPrefix + "Failing connection to gateway \"" + remoteName + "\", remote gateway name is \""
                    + gw + "\"");
            sendErr("Connection from \"" + gateways.name() + "\" rejected, wanted to connect to \"" + remoteName
                    + "\", this is \"" + gw + "\"");
            close("Wrong Gateway", true);
            return;
        }
        if (!info.gatewayUrls().isEmpty()) {
            remote.addUrls(info.gatewayUrls());
        }
        if (first) {
            remoteId = info.serverId();
            headers = info.headers();
            String user = null;
            String pass = null;
            String userInfo = url.getRawUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                pass = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            } else {
                user = gateways.options().user();
                pass = gateways.options().password();
            }
            enqueue(GatewayInfo.connect(user, pass, remote.tls != null, server.serverId(), gateways.name()));
            if (log.isDebug()) {
                log.debug(logPrefix + "Gateway connect protocol sent to \"" + remoteName + "\"");
            }
            enqueue(gateways.infoBytes());
            if (gateways.registerOutbound(this)) {
                registered = true;
                log.info(logPrefix + "Outbound gateway connection to \"" + remoteName + "\" (" + remoteId
                        + ") registered");
                gateways.outboundRegistered(this, info);
            } else {
                close("Wrong Gateway", false);
            }
            return;
        }
        switch (info.gatewayCmd()) {
            case GatewayInfo.CMD_ALL_SUBS_START, GatewayInfo.CMD_ALL_SUBS_COMPLETE -> {
                String account = info.gatewayCmdPayload();
                String what = info.gatewayCmd() == GatewayInfo.CMD_ALL_SUBS_START ? "start" : "complete";
                if (account == null) {
                    String err = "Account absent from receive-all-subscriptions-" + what + " command";
                    log.error(logPrefix + err);
                    sendErr(err);
                    close("Protocol Violation", true);
                    return;
                }
                if (info.gatewayCmd() == GatewayInfo.CMD_ALL_SUBS_START) {
                    interest.allSubsStart(account);
                    if (log.isDebug()) {
                        log.debug(logPrefix + "Gateway \"" + gw + "\": switching account \"" + account
                                + "\" to Interest-Only mode");
                    }
                } else {
                    interest.allSubsComplete(account);
                    if (log.isDebug()) {
                        log.debug(logPrefix + "Gateway \"" + gw + "\": switching account \"" + account
                                + "\" to Interest-Only mode complete");
                    }
                }
            }
            case 0, GatewayInfo.CMD_GOSSIP -> gateways.implicitGateway(info);
            default -> log.warn("Received unknown command " + info.gatewayCmd() + " from gateway \"" + gw + "\"");
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
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
        log.error(logPrefix + "Gateway Error '" + text + "'");
        close("Parse Error", false);
    }

    @Override
    public void onRemoteSub(String account, String subject, String queue, int weight) {
        if (needsConnect()) {
            return;
        }
        if (!outbound) {
            log.error(logPrefix + "Received RS+ from gateway on inbound connection");
            close("Protocol Violation", false);
            return;
        }
        interest.subscribed(account, subject, queue);
    }

    @Override
    public void onRemoteUnsub(String account, String subject, String queue) {
        if (needsConnect()) {
            return;
        }
        if (!outbound) {
            log.error(logPrefix + "Received RS- from gateway on inbound connection");
            close("Protocol Violation", false);
            return;
        }
        interest.unsubscribed(account, subject, queue);
    }

    @Override
    public void onAccountInterest(String account, boolean interested) {
        if (needsConnect()) {
            return;
        }
        if (!outbound) {
            log.error(logPrefix + "Received A" + (interested ? "+" : "-") + " from gateway on inbound connection");
            close("Protocol Violation", false);
            return;
        }
        if (interested) {
            interest.accountSubscribed(account);
        } else {
            interest.accountUnsubscribed(account);
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
        String accountName = buf.toString(accountStart, accountLength, StandardCharsets.UTF_8);
        Account account = server.account(accountName);
        if (account == null) {
            if (log.isDebug()) {
                log.debug(logPrefix + "Unknown account \"" + accountName + "\" for gateway message on subject: \""
                        + buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8) + "\"");
            }
            gateways.accountNoInterest(this, accountName);
            return;
        }
        boolean routedReply = Gateways.isRoutedReply(buf, subjectStart, subjectLength);
        if (routedReply) {
            // A reply to a request this cluster sent: only for us if it names our cluster.
            if (!gateways.ourCluster(buf, subjectStart)) {
                return;
            }
            subjectStart += Gateways.ROUTED_PREFIX_LENGTH;
            subjectLength -= Gateways.ROUTED_PREFIX_LENGTH;
        }
        if (Gateways.isRoutedReply(buf, replyStart, replyLength)) {
            // The requester's cluster wants the answer straight back: our subscribers see the reply without the
            // prefix, and an answer published on it goes back under the prefix (Gateways.forward).
            gateways.trackReply(account, buf.toString(replyStart, replyLength, StandardCharsets.UTF_8));
            replyStart += Gateways.ROUTED_PREFIX_LENGTH;
            replyLength -= Gateways.ROUTED_PREFIX_LENGTH;
        }
        String subject = buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8);
        MatchResult<Subscription> result = account.trie().match(subject);
        int queueCount = parser.queueCount();
        if (!routedReply && result.plainCount() == 0) {
            // No plain interest here: an account still optimistic for this remote gets RS- (or A- when it has no
            // subscription at all), as nats-server's gatewayHandleSubjectNoInterest.
            gateways.subjectNoInterest(this, account, subject);
            if (queueCount == 0) {
                return;
            }
        }
        String[] queues = null;
        if (queueCount > 0) {
            queues = new String[queueCount];
            for (int i = 0; i < queueCount; i++) {
                queues[i] = parser.queue(i);
            }
        }
        delivery.deliver(account, result, subject, buf, subjectStart, subjectLength, replyStart, replyLength,
                headerLength, payloadStart, totalLength, queues, queueCount);
    }

    @Override
    public void onProtocolError(String errText, String logDetail) {
        if (logDetail != null) {
            log.error(logPrefix + logDetail.replace("Router parser", "Gateway parser"));
        }
        if (errText != null) {
            sendErr(errText);
        }
        close("Protocol Violation", true);
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

    /**
     * Queues one RMSG/HMSG frame (any thread). {@code subject} replaces the buffer's subject when not null (a routed
     * reply's full subject); {@code replyPrefix} goes before the reply when not null (our routed-reply prefix).
     * {@code queues[0..queueCount)} are the remote's queue groups we picked it for.
     */
    boolean send(ClientConnection from, Account account, String subject, ByteBuf buf, int subjectStart,
            int subjectLength, byte[] replyPrefix, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength, String[] queues, int queueCount) {
        boolean withHeaders = headerLength > 0 && headers;
        int bodyStart = payloadStart;
        int bodyLength = totalLength;
        if (headerLength > 0 && !withHeaders) {
            bodyStart += headerLength;
            bodyLength -= headerLength;
        }
        return ServerMessageFrames.enqueue(out, server.options().maxPending(), this, from,
                withHeaders ? HMSG : RMSG, account.name(), subject, buf, subjectStart, subjectLength, replyPrefix,
                replyStart, replyLength, withHeaders, headerLength, bodyStart, bodyLength, queues, queueCount);
    }

    /** Past max_pending: cut as a slow consumer, as nats-server does any connection. */
    @Override
    public void slowConsumerLocked(OutboundQueue q) {
        q.slowConsumerLocked();
        server.slowConsumers.increment();
        log.info(logPrefix + "Slow Consumer Detected: MaxPending of " + server.options().maxPending() + " Exceeded");
        loop.execute(() -> close("Slow Consumer (Pending Bytes)", false));
    }

    /** One protocol line (RS+/RS-/A+/A-/INFO); any thread. */
    void enqueue(byte[] bytes) {
        out.enqueue(bytes);
    }

    private void sendErr(String text) {
        enqueue(("-ERR '" + text + "'\r\n").getBytes(StandardCharsets.UTF_8));
    }

    // ---- Close -----------------------------------------------------------------------------

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
        framer.release();
        log.info(logPrefix + "Gateway connection closed: " + reason);
        gateways.closed(this, registered);
        out.close(flush);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---- Views -----------------------------------------------------------------------------

    void markRegistered() {
        registered = true;
    }

    long gid() {
        return gid;
    }

    String remoteName() {
        return remoteName;
    }

    String remoteId() {
        return remoteId;
    }

    boolean isRegistered() {
        return registered && closeReason == null;
    }

    String closeReason() {
        return closeReason;
    }

    String host() {
        return host;
    }

    int remotePort() {
        return remotePort;
    }

    Instant started() {
        return started;
    }

    Instant lastActivity() {
        return started.plusNanos(lastActivityNanos - startedNanos);
    }

    long inMsgs() {
        return inMsgs;
    }

    long inBytes() {
        return inBytes;
    }

    String logPrefix() {
        return logPrefix;
    }

    @Override
    public OutboundQueue outboundQueue() {
        return out;
    }

    @Override
    public Keepalive keepaliveTimer() {
        return keepalive;
    }
}
