package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client without a socket, inside the server (nats-server's internal clients of kind SYSTEM/JETSTREAM): it
 * subscribes and publishes in one account exactly as a connected client's SUB and PUB/HPUB would, so its
 * subscriptions are matched by every publisher (local clients, routes, other accounts' imports) and its
 * interest reaches the other servers of the cluster; its publishes reach local subscribers, queue groups,
 * routes and importing accounts. It is not a connection: it never appears in /connz or in client counts.
 *
 * <p>Get one with {@link ServerContext#internalClient(String)} (or {@code NatsServer.internalClient}).
 *
 * <p>Threading. {@link #publish} may be called from any thread. A subscription's {@link MessageHandler} runs on
 * the publisher's thread (an event loop for client and route publishes) with copies of the message's bytes: it
 * must not block; hand slow work (disk, waiting) to an executor of your own. A handler may publish.
 */
public final class InternalClient {
    /** Receives the messages of one subscription. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * One message: {@code reply} null when the publisher gave none, {@code headers} the raw NATS header block
         * ({@code NATS/1.0\r\n...\r\n\r\n}) or null without headers, {@code payload} never null.
         */
        void onMessage(String subject, String reply, byte[] headers, byte[] payload);
    }

    /**
     * One subscription of this client; {@link #unsubscribe()} (or close) ends it. It is the receiver of its
     * trie entry: a delivery calls its handler.
     */
    public final class InternalSubscription implements Receiver, AutoCloseable {
        private final Subscription sub;
        private final MessageHandler handler;
        /** Not advertised to routes (nats-server's service import subscriptions). */
        private final boolean local;

        private InternalSubscription(String subject, String queue, MessageHandler handler, boolean local) {
            this.sub = new Subscription(this, account, subject, queue, Long.toString(sids.incrementAndGet()));
            this.handler = handler;
            this.local = local;
        }

        @Override
        public boolean deliver(Subscription s, ClientConnection from, ByteBuf buf, int subjectStart,
                int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart,
                int totalLength) {
            if (from == null) {
                return InternalClient.this.deliver(this, buf, subjectStart, subjectLength, replyStart, replyLength,
                        headerLength, payloadStart, totalLength);
            }
            PUBLISHER.set(from);
            try {
                return InternalClient.this.deliver(this, buf, subjectStart, subjectLength, replyStart, replyLength,
                        headerLength, payloadStart, totalLength);
            } finally {
                PUBLISHER.remove();
            }
        }

        public String subject() {
            return sub.subject();
        }

        /** The queue group, or null. */
        public String queue() {
            return sub.queue();
        }

        /** Messages delivered to the handler so far. */
        public long delivered() {
            return delivered.get();
        }

        private final AtomicLong delivered = new AtomicLong();

        /** Removes the subscription (and its interest from the cluster); idempotent. */
        public void unsubscribe() {
            remove(this);
        }

        @Override
        public void close() {
            unsubscribe();
        }
    }

    /** The client whose publish is being handed to a handler on this thread (see {@link #publisher()}). */
    private static final ThreadLocal<ClientConnection> PUBLISHER = new ThreadLocal<>();

    /** What a handler may know of the client that published the message it is handling. */
    public record Publisher(String account, long rttNanos) {
    }

    /**
     * Inside a {@link MessageHandler} call: the publishing client (its account and round-trip time, as nats-server's
     * client info in JetStream's API audit advisories), or null when the message came from a route or an internal
     * client, or outside a handler.
     */
    public static Publisher publisher() {
        ClientConnection c = PUBLISHER.get();
        return c == null ? null : new Publisher(c.account().name(), c.rttForMonitor());
    }

    private final ServerContext server;
    private final Account account;
    private final String name;
    private final AtomicLong sids = new AtomicLong();
    private final Set<InternalSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    InternalClient(ServerContext server, Account account, String name) {
        this.server = server;
        this.account = account;
        this.name = name;
    }

    /** The account this client subscribes and publishes in. */
    public Account account() {
        return account;
    }

    /** A name for logs (e.g. "jetstream", "system"). */
    public String name() {
        return name;
    }

    /** Subscribes to {@code subject} (wildcards allowed) with no queue group. */
    public InternalSubscription subscribe(String subject, MessageHandler handler) {
        return subscribe(subject, null, handler);
    }

    /**
     * Subscribes to {@code subject} (wildcards allowed), in queue group {@code queue} if not null: as a client's
     * {@code SUB subject [queue] sid}, the interest is visible to every publisher and to the cluster at once.
     *
     * @throws IllegalArgumentException for an invalid subject or queue name
     * @throws IllegalStateException after {@link #close()}
     */
    public InternalSubscription subscribe(String subject, String queue, MessageHandler handler) {
        return subscribe(subject, queue, handler, false);
    }

    /**
     * As {@link #subscribe(String, String, MessageHandler)}, but the interest stays on this server: routes are not
     * told (as nats-server's service import subscriptions, e.g. the system account's imports in every account).
     */
    public InternalSubscription subscribeLocal(String subject, MessageHandler handler) {
        return subscribe(subject, null, handler, true);
    }

    private InternalSubscription subscribe(String subject, String queue, MessageHandler handler, boolean local) {
        if (!Subjects.isValidSubscribeSubject(subject)) {
            throw new IllegalArgumentException("invalid subject: " + subject);
        }
        if (queue != null && !Subjects.isValidQueueName(queue)) {
            throw new IllegalArgumentException("invalid queue name: " + queue);
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler is null");
        }
        if (closed) {
            throw new IllegalStateException("internal client " + name + " is closed");
        }
        InternalSubscription is = new InternalSubscription(subject, queue, handler, local);
        subscriptions.add(is);
        if (local) {
            is.sub.account.trie().insert(is.sub);
        } else {
            server.addSubscription(is.sub);
        }
        if (closed) { // closed meanwhile: do not leave the interest behind
            remove(is);
        }
        return is;
    }

    private void remove(InternalSubscription is) {
        if (subscriptions.remove(is)) {
            is.sub.closed = true;
            if (is.local) {
                is.sub.account.trie().remove(is.sub);
            } else {
                server.removeSubscription(is.sub);
            }
        }
    }

    /** {@link #publish(String, String, byte[], byte[])} without reply and headers. */
    public int publish(String subject, byte[] payload) {
        return publish(subject, null, null, payload);
    }

    /**
     * Publishes one message in this client's account, as a client's {@code PUB subject [reply]} (or {@code HPUB}
     * with {@code headers}, the raw header block starting with {@code NATS/1.0}) would: to local subscribers (this
     * client's own included), one member per queue group, routes with interest, and importing accounts.
     * Returns the number of receivers that took it (a route counts as one); 0 means nobody is interested.
     *
     * @throws IllegalArgumentException for a subject that is not a valid publish subject
     */
    public int publish(String subject, String reply, byte[] headers, byte[] payload) {
        return publishAs(subject, subject, reply, headers, payload);
    }

    /**
     * As {@link #publish(String, String, byte[], byte[])} to a subject used once (a reply inbox: PubAcks, API
     * responses): matched without entering the account's match cache ({@link io.natsboot.server.subject.SubscriptionTrie#matchOnce}).
     */
    public int publishReply(String subject, byte[] headers, byte[] payload) {
        return publish(subject, subject, null, headers, payload, false);
    }

    /**
     * As {@link #publish(String, String, byte[], byte[])}, but routed by {@code routeSubject} (matched against the
     * account's subscriptions) while receivers see {@code presentedSubject} in their MSG/HMSG line: nats-server's
     * JetStream deliveries, a stored message sent to a pull request's inbox or a push consumer's deliver subject
     * under the message's own subject. Import mappings use {@code routeSubject}. Route frames carry the
     * presented subject too, so a receiver behind a route is not reached this way (JetStream here is single
     * server).
     *
     * @throws IllegalArgumentException for a subject that is not a valid publish subject
     */
    public int publishAs(String routeSubject, String presentedSubject, String reply, byte[] headers,
            byte[] payload) {
        return publish(routeSubject, presentedSubject, reply, headers, payload, true);
    }

    private int publish(String routeSubject, String presentedSubject, String reply, byte[] headers,
            byte[] payload, boolean cacheMatch) {
        if (!Subjects.isValidPublishSubject(routeSubject)) {
            throw new IllegalArgumentException("invalid publish subject: " + routeSubject);
        }
        if (closed) {
            return 0;
        }
        String subject = routeSubject;
        byte[] subj = presentedSubject.getBytes(StandardCharsets.UTF_8);
        byte[] rep = reply == null || reply.isEmpty() ? new byte[0] : reply.getBytes(StandardCharsets.UTF_8);
        int headerLength = headers == null ? -1 : headers.length;
        int payloadLength = payload == null ? 0 : payload.length;
        int total = Math.max(headerLength, 0) + payloadLength;
        // The publish path takes ranges of one buffer, as a client's read: subject, reply, then headers+payload.
        ByteBuf buf = Unpooled.buffer(subj.length + rep.length + total);
        buf.writeBytes(subj).writeBytes(rep);
        if (headers != null) {
            buf.writeBytes(headers);
        }
        if (payload != null) {
            buf.writeBytes(payload);
        }
        ByteBuf remote = null;
        try {
            MatchResult<Subscription> result = cacheMatch ? account.trie().match(subject)
                    : account.trie().matchOnce(subject);
            // a fan-out per call: publish may run on many threads at once
            MessageFanout fanout = new MessageFanout(server);
            if (!routeSubject.equals(presentedSubject)) {
                fanout.presentsOwnSubject();
            }
            if (!routeSubject.equals(presentedSubject) && JsDeliveryReply.encodes(reply)
                    && (server.forwarders().length > 0 || hasRemote(result))) {
                byte[] rs = routeSubject.getBytes(StandardCharsets.UTF_8);
                byte[] rr = JsDeliveryReply.encode(reply, presentedSubject).getBytes(StandardCharsets.UTF_8);
                remote = Unpooled.buffer(rs.length + rr.length + total);
                remote.writeBytes(rs).writeBytes(rr).writeBytes(buf, subj.length + rep.length, total);
                fanout.remoteFrame(new MessageFanout.RemoteFrame(routeSubject, remote, 0, rs.length, rs.length,
                        rr.length, rs.length + rr.length));
            }
            return fanout.publish(account, result, subject, null, true, null, buf, 0, subj.length,
                    subj.length, rep.length, headerLength, subj.length + rep.length, total);
        } finally {
            buf.release();
            if (remote != null) {
                remote.release();
            }
        }
    }

    /** Whether the match holds interest behind a route or leaf connection (they get the encoded frame). */
    private static boolean hasRemote(MatchResult<Subscription> result) {
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            if (result.plain(i).route != null) {
                return true;
            }
        }
        for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
            for (int k = 0, size = result.queueGroupSize(g); k < size; k++) {
                if (result.queueMember(g, k).route != null) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean deliver(InternalSubscription is, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        if (is.sub.closed || closed) {
            return false;
        }
        String subject = buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8);
        String reply = replyLength > 0 ? buf.toString(replyStart, replyLength, StandardCharsets.UTF_8) : null;
        byte[] headers = null;
        int bodyStart = payloadStart;
        int bodyLength = totalLength;
        if (headerLength > 0) {
            headers = new byte[headerLength];
            buf.getBytes(payloadStart, headers);
            bodyStart += headerLength;
            bodyLength -= headerLength;
        }
        byte[] payload = new byte[bodyLength];
        buf.getBytes(bodyStart, payload);
        is.delivered.incrementAndGet();
        try {
            is.handler.onMessage(subject, reply, headers, payload);
        } catch (RuntimeException e) {
            // the publisher (a client's read, a route) must not fail because of a handler
            server.log().error("Internal client " + name + " handler error on \"" + subject + "\": " + e);
        }
        return true;
    }

    /** Whether any subscription in this client's account (local, route or internal) matches {@code subject}. */
    public boolean hasInterest(String subject) {
        if (!account.trie().match(subject).isEmpty()) {
            return true;
        }
        for (MessageForwarder f : server.forwarders()) {
            if (f.hasInterest(account, subject)) {
                return true; // interest in another cluster (gateways)
            }
        }
        // subscribers in accounts that import it as a stream count too (a consumer delivering to another account)
        for (Account.StreamImport si : account.streamImporters()) {
            if (Subjects.matches(si.subject(), subject) && !si.importer().trie().match(si.mapped(subject)).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Removes every subscription; later publishes are dropped and subscribes refused. */
    public void close() {
        closed = true;
        for (InternalSubscription is : subscriptions) {
            remove(is);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "InternalClient[" + name + " in " + account.name() + "]";
    }
}
