package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers one message published in an account, as a client's PUB/HPUB does, to everything its match result
 * holds: every plain local subscriber, one member per queue group (weighted across the cluster once routes hold
 * members), one frame per route with interest, and the subscribers of other accounts that import it. Shared by
 * client connections and internal clients, so both publish exactly alike. One per publisher (it reuses its route
 * fan-out between messages): not thread-safe.
 */
final class MessageFanout {
    private final ServerContext server;
    /** Routes the message being published goes to; created on the first publish that reaches a route. */
    private RouteFanout routeFanout;

    MessageFanout(ServerContext server) {
        this.server = server;
    }

    /**
     * Delivers the message (ranges into {@code buf}) to {@code result}, the match of {@code subject} in
     * {@code account}. {@code self} is the publisher as a receiver: skipped unless {@code echo}. {@code from} is
     * the publishing client (held back by backed-up receivers), null for an internal client. Returns the number
     * of receivers that took it (a route with interest counts as one).
     */
    int publish(Account account, MatchResult<Subscription> result, String subject, Receiver self, boolean echo,
            ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        MessageForwarder[] fw = server.forwarders();
        return publish(account, result, subject, self, echo, from, buf, subjectStart, subjectLength, replyStart,
                replyLength, headerLength, payloadStart, totalLength, null, -1, fw.length == 0 ? null : fw);
    }

    /**
     * A message from another cluster ({@link RemoteDelivery}): plain subscribers and routes, one member of each
     * queue group named in {@code queues}, nothing to forwarders.
     */
    int publishRemote(Account account, MatchResult<Subscription> result, String subject, ByteBuf buf,
            int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart,
            int totalLength, String[] queues, int queueCount) {
        return publish(account, result, subject, null, true, null, buf, subjectStart, subjectLength, replyStart,
                replyLength, headerLength, payloadStart, totalLength, queues, queueCount, null);
    }

    /**
     * A JetStream delivery's frame for other servers (routes, leafs, gateways), or null: nats-server sends them the
     * subject it is routed by (the inbox, the deliver subject) and the reply {@code <ack reply>@<subject>}, so the
     * receiving server can present the message's own subject to its clients ({@link JsDeliveryReply}).
     */
    record RemoteFrame(String subject, ByteBuf buf, int subjectStart, int subjectLength, int replyStart,
            int replyLength, int payloadStart) {
    }

    private RemoteFrame remoteFrame;
    /** The buffer's subject is the one to show, not the one matched (a JetStream delivery). */
    private boolean presentsOwnSubject;

    void presentsOwnSubject() {
        presentsOwnSubject = true;
    }

    /** The next publish sends {@code frame} to other servers instead of the local receivers' frame. */
    void remoteFrame(RemoteFrame frame) {
        this.remoteFrame = frame;
    }

    /** Queue groups that took the message in this cluster, for the forwarders (reused). */
    private String[] takenQueues = new String[4];

    private int publish(Account account, MatchResult<Subscription> result, String subject, Receiver self,
            boolean echo, ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength, int replyStart,
            int replyLength, int headerLength, int payloadStart, int totalLength, String[] queueFilter,
            int queueFilterCount, MessageForwarder[] forwarders) {
        int delivered = 0;
        int taken = 0;
        // With routes, the result may hold route interest (Subscription.route != null): collected into one
        // frame per route, sent after the walk.
        boolean remote = server.hasRouteInterest();
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            Subscription s = result.plain(i);
            if (s.route != null) {
                routeFanout().plain(s.route);
                continue;
            }
            if (!echo && s.receiver == self) {
                continue;
            }
            if (s.receiver.deliver(s, from, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength)) {
                delivered++;
            }
        }
        for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
            if (queueFilter != null && !named(queueFilter, queueFilterCount, result.queueName(g))) {
                continue; // a remote cluster's frame names the groups it picked us for
            }
            if (remote) {
                int r = deliverToWeightedQueue(result, g, self, echo, from, buf, subjectStart, subjectLength,
                        replyStart, replyLength, headerLength, payloadStart, totalLength);
                if (r == 1) {
                    delivered++;
                }
                if (r != 0 && forwarders != null) {
                    taken = take(taken, result.queueName(g));
                }
                continue;
            }
            int size = result.queueGroupSize(g);
            int first = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
            for (int k = 0; k < size; k++) {
                int idx = first + k;
                Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
                if (!echo && s.receiver == self) {
                    continue;
                }
                if (s.receiver.deliver(s, from, buf, subjectStart, subjectLength, replyStart, replyLength,
                        headerLength, payloadStart, totalLength)) {
                    delivered++;
                    if (forwarders != null) {
                        taken = take(taken, result.queueName(g));
                    }
                    break;
                }
            }
        }
        if (account.hasCrossAccountTraffic()) {
            String shown = !presentsOwnSubject ? null
                    : buf.toString(subjectStart, subjectLength, java.nio.charset.StandardCharsets.UTF_8);
            delivered += CrossAccount.deliver(from, true, forwarders, account, subject, shown, buf, replyStart, replyLength,
                    headerLength, payloadStart, totalLength);
        }
        RemoteFrame rf = remoteFrame;
        if (rf != null) {
            subject = rf.subject();
            buf = rf.buf();
            subjectStart = rf.subjectStart();
            subjectLength = rf.subjectLength();
            replyStart = rf.replyStart();
            replyLength = rf.replyLength();
            payloadStart = rf.payloadStart();
        }
        RouteFanout fanout = routeFanout;
        if (fanout != null && !fanout.isEmpty()) {
            // A message sent to a route with interest counts as delivered (no 503 to the requester).
            delivered += fanout.send(from, account, buf, subjectStart, subjectLength, replyStart, replyLength,
                    headerLength, payloadStart, totalLength);
        }
        if (forwarders != null) {
            for (MessageForwarder f : forwarders) {
                delivered += f.forward(from, account, subject, buf, subjectStart, subjectLength, replyStart,
                        replyLength, headerLength, payloadStart, totalLength, takenQueues, taken);
            }
        }
        return delivered;
    }

    private static boolean named(String[] names, int count, String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return true;
            }
        }
        return false;
    }

    private int take(int taken, String queue) {
        if (taken == takenQueues.length) {
            takenQueues = java.util.Arrays.copyOf(takenQueues, taken * 2);
        }
        takenQueues[taken] = queue;
        return taken + 1;
    }

    private RouteFanout routeFanout() {
        RouteFanout f = routeFanout;
        if (f == null) {
            f = routeFanout = new RouteFanout();
        }
        return f;
    }

    /**
     * Picks one member of queue group {@code g} when members may be behind routes: weighted by member count,
     * a route's entry weighing as many members as it advertised (reference §3.4), so the pick is uniform over
     * every member in the cluster. A route pick is added to the route fan-out with the queue name. Falls back
     * to the next members when the pick cannot take the message. Returns 1 for a local delivery, 2 for a route
     * pick, 0 when nobody took it.
     */
    private int deliverToWeightedQueue(MatchResult<Subscription> result, int g, Receiver self, boolean echo,
            ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        int size = result.queueGroupSize(g);
        int total = 0;
        for (int k = 0; k < size; k++) {
            total += result.queueMember(g, k).weight;
        }
        if (total <= 0) {
            return 0;
        }
        int r = ThreadLocalRandom.current().nextInt(total);
        int first = 0;
        for (int k = 0; k < size; k++) {
            r -= result.queueMember(g, k).weight;
            if (r < 0) {
                first = k;
                break;
            }
        }
        for (int k = 0; k < size; k++) {
            int idx = first + k;
            Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
            if (s.weight <= 0) {
                continue;
            }
            if (s.route != null) {
                routeFanout().queue(s.route, result.queueName(g));
                return 2; // counted when the route frame is sent
            }
            if (!echo && s.receiver == self) {
                continue;
            }
            if (s.receiver.deliver(s, from, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength)) {
                return 1;
            }
        }
        return 0;
    }
}
