package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers a message that arrived over a server-to-server connection other than a route (a leaf connection), and
 * the part of a routed message that goes on to leaf connections. Which remote targets may get it is the caller's
 * {@link TargetFilter} (never the connection it came from; routes only when the origin is our spoke), so a message
 * does not loop back. Queue groups are served only when the frame names them: one member each, local members first.
 * One per receiving connection, reused (not thread-safe).
 */
public final class ForwardFanout {
    /** Which remote targets (routes, leaf connections) a forwarded message may go to. */
    @FunctionalInterface
    public interface TargetFilter {
        boolean accepts(RouteTarget target);
    }

    /** The queue names a frame carries ({@code +}/{@code |} part of LMSG/RMSG). */
    public interface QueueNames {
        int queueCount();

        boolean queueEquals(int i, String name);
    }

    private final RouteFanout targets = new RouteFanout();

    /**
     * A message from a leaf connection, as nats-server's processInboundLeafMsg: every local plain subscriber, the
     * accepted remote targets with plain interest, one member of each queue group the frame names, importing
     * accounts. Returns the number of receivers that took it.
     */
    public int deliver(Account account, MatchResult<Subscription> result, TargetFilter filter,
            QueueNames queues, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        int delivered = 0;
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            Subscription s = result.plain(i);
            if (s.route != null) {
                if (filter.accepts(s.route)) {
                    targets.plain(s.route);
                }
            } else if (s.receiver.deliver(s, null, buf, subjectStart, subjectLength, replyStart, replyLength,
                    headerLength, payloadStart, totalLength)) {
                delivered++;
            }
        }
        for (int q = 0, nq = queues.queueCount(); q < nq; q++) {
            for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
                if (queues.queueEquals(q, result.queueName(g))) {
                    if (deliverToLocalMember(result, g, buf, subjectStart, subjectLength, replyStart, replyLength,
                            headerLength, payloadStart, totalLength)) {
                        delivered++;
                    } else {
                        remoteMember(result, g, filter);
                    }
                    break;
                }
            }
        }
        if (account.hasCrossAccountTraffic()) {
            String subject = buf.toString(subjectStart, subjectLength, java.nio.charset.StandardCharsets.UTF_8);
            delivered += CrossAccount.deliver(null, false, null, account, subject, buf, replyStart,
                    replyLength, headerLength, payloadStart, totalLength);
        }
        return delivered + send(account, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                payloadStart, totalLength);
    }

    /**
     * The remote part of a routed message (the route delivered it locally already): accepted targets with plain
     * interest, and for each queue group the frame names that has no local member, one accepted remote member.
     */
    public int forwardRemote(Account account, MatchResult<Subscription> result, TargetFilter filter,
            QueueNames queues, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength) {
        for (int i = 0, n = result.plainCount(); i < n; i++) {
            Subscription s = result.plain(i);
            if (s.route != null && filter.accepts(s.route)) {
                targets.plain(s.route);
            }
        }
        for (int q = 0, nq = queues.queueCount(); q < nq; q++) {
            for (int g = 0, groups = result.queueGroupCount(); g < groups; g++) {
                if (queues.queueEquals(q, result.queueName(g))) {
                    if (!hasLocalMember(result, g)) {
                        remoteMember(result, g, filter);
                    }
                    break;
                }
            }
        }
        return send(account, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength, payloadStart,
                totalLength);
    }

    private int send(Account account, ByteBuf buf, int subjectStart, int subjectLength, int replyStart,
            int replyLength, int headerLength, int payloadStart, int totalLength) {
        return targets.isEmpty() ? 0 : targets.send(null, account, buf, subjectStart, subjectLength, replyStart,
                replyLength, headerLength, payloadStart, totalLength);
    }

    private static boolean hasLocalMember(MatchResult<Subscription> result, int g) {
        for (int k = 0, size = result.queueGroupSize(g); k < size; k++) {
            if (result.queueMember(g, k).route == null) {
                return true;
            }
        }
        return false;
    }

    /** One accepted remote member of group {@code g}, picked at random, gets the frame naming the group. */
    private void remoteMember(MatchResult<Subscription> result, int g, TargetFilter filter) {
        int size = result.queueGroupSize(g);
        int first = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int k = 0; k < size; k++) {
            int idx = first + k;
            Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
            if (s.route != null && s.weight > 0 && filter.accepts(s.route)) {
                targets.queue(s.route, result.queueName(g));
                return;
            }
        }
    }

    private static boolean deliverToLocalMember(MatchResult<Subscription> result, int g, ByteBuf buf,
            int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart,
            int totalLength) {
        int size = result.queueGroupSize(g);
        int first = size == 1 ? 0 : ThreadLocalRandom.current().nextInt(size);
        for (int k = 0; k < size; k++) {
            int idx = first + k;
            Subscription s = result.queueMember(g, idx >= size ? idx - size : idx);
            if (s.route == null && s.receiver.deliver(s, null, buf, subjectStart, subjectLength, replyStart,
                    replyLength, headerLength, payloadStart, totalLength)) {
                return true;
            }
        }
        return false;
    }
}
