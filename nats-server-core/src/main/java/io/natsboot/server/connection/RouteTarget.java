package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;

/**
 * A route as the publish path sees it: where a locally published message goes when a server on the other
 * end of the route is interested. Implemented by the cluster's route connection; kept as an interface so
 * the connection package does not depend on the cluster package.
 */
public interface RouteTarget extends Receiver {
    /**
     * Queues one RMSG/HMSG frame for a message published by a local client (ranges into {@code buf}, valid
     * during the call). {@code queues[0..queueCount)} are the queue groups whose pick was a member behind
     * this route; {@code account} is the publisher's. {@code from} is the publisher: a backed-up route holds it back as a backed-up client would.
     * Returns false if the route did not take it (closed, or slow).
     */
    boolean sendMessage(ClientConnection from, Account account, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength, String[] queues, int queueCount);

    /**
     * One frame for one subscription of the peer's interest (plain, or naming its queue). The publish path sends
     * one frame per peer for all of a message's matches instead ({@link #sendMessage}).
     */
    @Override
    default boolean deliver(Subscription s, ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
        String[] queues = s.queue() == null ? null : new String[] {s.queue()};
        return sendMessage(from, s.account(), buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                payloadStart, totalLength, queues, queues == null ? 0 : 1);
    }

    /**
     * True when messages that arrived over a route go on to this target: a leaf connection whose remote is our
     * spoke (nats-server's hub leaf node). Routes never forward to routes.
     */
    default boolean forwardsFromRoutes() {
        return false;
    }
}
