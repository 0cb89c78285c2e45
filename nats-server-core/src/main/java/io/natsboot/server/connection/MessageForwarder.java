package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;

/**
 * Where a message published in this cluster goes after its local and route delivery: connections to other
 * clusters (gateways; leaf connections could use the same hook). Called on the publisher's thread for messages
 * of local clients and internal clients only, never for messages that came from a route or from a forwarder's
 * own connections, so a message crosses at most one such hop.
 */
public interface MessageForwarder {
    /**
     * Forwards the message (ranges into {@code buf}, valid during the call). {@code localQueues[0..localQueueCount)}
     * are the queue groups that already have a member in this cluster taking the message: remote members of those
     * groups must not get it (local members are preferred). {@code from} is the publishing client, null for an
     * internal client. Returns how many remote connections took the message.
     */
    int forward(ClientConnection from, Account account, String subject, ByteBuf buf, int subjectStart,
            int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength,
            String[] localQueues, int localQueueCount);

    /**
     * Whether a remote connection is known to want {@code subject} of {@code account} (a JetStream pull request's
     * inbox in another cluster: the request is kept while its requester is there).
     */
    default boolean hasInterest(Account account, String subject) {
        return false;
    }
}
