package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.Subjects;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivery across accounts, for a message published in an account that exports streams, imports services
 * or owes a response to an imported service request. Only runs for accounts with imports or exports (the
 * global account has none), so the common publish path never gets here.
 */
public final class CrossAccount {
    private static final String[] NO_QUEUES = new String[0];

    private CrossAccount() {
    }

    /**
     * A message that came from a route in {@code account}: if it answers an imported request made on this node,
     * deliver it to the requester (locally). Stream and service imports are done by the publisher's node.
     */
    public static int deliverRoutedResponse(Account account, String subject, ByteBuf buf, int replyStart,
            int replyLength, int headerLength, int payloadStart, int totalLength) {
        Account.Response response = account.takeResponse(subject);
        if (response == null) {
            return 0;
        }
        String reply = replyLength > 0 ? buf.toString(replyStart, replyLength, StandardCharsets.UTF_8) : null;
        return into(null, false, null, response.importer(), response.reply(), reply, buf, headerLength,
                payloadStart, totalLength);
    }

    /** Whether a routed message in {@code account} may be an answer to route back into another account. */
    public static boolean mayCross(Account account) {
        return account.hasCrossAccountTraffic();
    }

    /**
     * Delivers {@code subject}'s message into other accounts; returns the number of deliveries. {@code from} is the
     * publishing client or null (an internal client); {@code toRoutes}: interest behind routes in the target
     * account gets a frame (false for a message that came from a route: never route to route); {@code forwarders}
     * (gateways), when not null, get a service import's request in the exporting account too, so a service whose
     * responders are in another cluster is reached as nats-server reaches it.
     */
    static int deliver(ClientConnection from, boolean toRoutes, MessageForwarder[] forwarders, Account account,
            String subject, ByteBuf buf, int replyStart, int replyLength, int headerLength, int payloadStart,
            int totalLength) {
        return deliver(from, toRoutes, forwarders, account, subject, null, buf, replyStart, replyLength, headerLength,
                payloadStart, totalLength);
    }

    /**
     * As above; {@code shown}, when not null, is the subject a JetStream delivery presents (routed by
     * {@code subject}, its deliver subject): stream importers see it as nats-server shows it.
     */
    static int deliver(ClientConnection from, boolean toRoutes, MessageForwarder[] forwarders, Account account,
            String subject, String shown, ByteBuf buf, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength) {
        int delivered = 0;
        String reply = replyLength > 0 ? buf.toString(replyStart, replyLength, StandardCharsets.UTF_8) : null;
        // An answer to a request that came in through a service import: back to the requester's reply.
        Account.Response response = account.takeResponse(subject);
        if (response != null) {
            delivered += into(from, toRoutes, null, response.importer(), response.reply(), reply, buf, headerLength,
                    payloadStart, totalLength);
        }
        for (Account.StreamImport si : account.streamImporters()) {
            if (Subjects.matches(si.subject(), subject)) {
                // other clusters get the message in the exporting account, by their own (shadow) interest there
                delivered += into(from, toRoutes, null, si.importer(), si.mapped(subject), shown, reply, buf,
                        headerLength, payloadStart, totalLength);
            }
        }
        for (Account.ServiceImport imp : account.serviceImports()) {
            if (Subjects.matches(imp.localSubject(), subject)) {
                String target = Subjects.isLiteral(imp.localSubject()) ? imp.remoteSubject()
                        : wildcardTarget(imp, subject);
                // The responder answers on a reply subject of its own account, mapped back on use.
                String mappedReply = reply == null ? null : imp.exporter().newResponse(account, reply,
                        imp.multipleResponses(), imp.responseThresholdNanos());
                int n = into(from, toRoutes, forwarders, imp.exporter(), target, mappedReply, buf, headerLength, payloadStart, totalLength);
                if (n == 0 && mappedReply != null) {
                    imp.exporter().responses.remove(mappedReply);
                }
                delivered += n;
            }
        }
        return delivered;
    }

    /**
     * Delivers to the subscribers of {@code subject} in {@code target}: every plain one, one per queue group;
     * interest behind a route gets one frame per route in the target account, unless the message itself came
     * from a route ({@code toRoutes} false: never route to route).
     */
    private static int into(ClientConnection from, boolean toRoutes, MessageForwarder[] forwarders, Account target,
            String subject, String reply, ByteBuf buf, int headerLength, int payloadStart, int totalLength) {
        return into(from, toRoutes, forwarders, target, subject, null, reply, buf, headerLength, payloadStart,
                totalLength);
    }

    /**
     * A wildcard service import's subject in the exporter: the same when the import keeps the export's subject,
     * else the importer's subject with the literal tokens of its local pattern replaced by the export's
     * ({@code to: "$JS.a.API.>"} for {@code "$JS.API.>"}: {@code $JS.a.API.INFO} becomes {@code $JS.API.INFO}).
     */
    static String wildcardTarget(Account.ServiceImport imp, String subject) {
        String local = imp.localSubject();
        String remote = imp.remoteSubject();
        if (local.equals(remote)) {
            return subject;
        }
        String[] l = local.split("\\.", -1);
        String[] r = remote.split("\\.", -1);
        String[] s = subject.split("\\.", -1);
        int wl = 0;
        int wr = 0;
        for (String t : l) {
            wl += t.equals("*") || t.equals(">") ? 1 : 0;
        }
        for (String t : r) {
            wr += t.equals("*") || t.equals(">") ? 1 : 0;
        }
        if (wl != wr || l[l.length - 1].equals(">") != r[r.length - 1].equals(">")) {
            return subject; // not a prefix rewrite: the subject as it is
        }
        // the wildcard parts of the subject, in order, go into the remote pattern's wildcards
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (int i = 0; i < l.length; i++) {
            if (l[i].equals("*")) {
                parts.add(s[i]);
            } else if (l[i].equals(">")) {
                parts.add(String.join(".", java.util.Arrays.copyOfRange(s, i, s.length)));
            }
        }
        StringBuilder b = new StringBuilder(subject.length() + 8);
        int p = 0;
        for (int i = 0; i < r.length; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(r[i].equals("*") || r[i].equals(">") ? parts.get(p++) : r[i]);
        }
        return b.toString();
    }

    private static int into(ClientConnection from, boolean toRoutes, MessageForwarder[] forwarders, Account target,
            String subject, String shown, String reply, ByteBuf buf, int headerLength, int payloadStart,
            int totalLength) {
        MatchResult<Subscription> m = target.trie().match(subject);
        if (m.isEmpty() && forwarders == null) {
            return 0;
        }
        byte[] subj = (shown != null ? shown : subject).getBytes(StandardCharsets.UTF_8);
        byte[] rep = reply == null ? new byte[0] : reply.getBytes(StandardCharsets.UTF_8);
        // deliver() takes ranges of one buffer: the new subject and reply, then the payload.
        ByteBuf frame = Unpooled.buffer(subj.length + rep.length + totalLength);
        frame.writeBytes(subj).writeBytes(rep).writeBytes(buf, payloadStart, totalLength);
        int replyAt = subj.length;
        int payloadAt = subj.length + rep.length;
        int n = 0;
        RouteFanout routes = toRoutes ? new RouteFanout() : null;
        String[] taken = null;
        int takenCount = 0;
        try {
            for (int i = 0; i < m.plainCount(); i++) {
                Subscription s = m.plain(i);
                if (s.route != null) {
                    if (routes != null) {
                        routes.plain(s.route);
                    }
                } else if (s.receiver.deliver(s, from, frame, 0, subj.length, replyAt, rep.length, headerLength,
                        payloadAt, totalLength)) {
                    n++;
                }
            }
            for (int g = 0; g < m.queueGroupCount(); g++) {
                int size = m.queueGroupSize(g);
                int first = ThreadLocalRandom.current().nextInt(size);
                for (int k = 0; k < size; k++) {
                    Subscription s = m.queueMember(g, (first + k) % size);
                    if (s.route != null) {
                        if (routes != null && s.weight > 0) {
                            routes.queue(s.route, m.queueName(g));
                            break;
                        }
                    } else if (s.receiver.deliver(s, from, frame, 0, subj.length, replyAt, rep.length,
                            headerLength, payloadAt, totalLength)) {
                        n++;
                        if (forwarders != null) {
                            // a local member took it: the group's members in other clusters must not
                            taken = taken == null ? new String[m.queueGroupCount()] : taken;
                            taken[takenCount++] = m.queueName(g);
                        }
                        break;
                    }
                }
            }
            if (routes != null && !routes.isEmpty()) {
                n += routes.send(from, target, frame, 0, subj.length, replyAt, rep.length, headerLength, payloadAt,
                        totalLength);
            }
            if (forwarders != null) {
                for (MessageForwarder f : forwarders) {
                    n += f.forward(from, target, subject, frame, 0, subj.length, replyAt, rep.length, headerLength,
                            payloadAt, totalLength, taken == null ? NO_QUEUES : taken, takenCount);
                }
            }
        } finally {
            frame.release();
        }
        return n;
    }
}
