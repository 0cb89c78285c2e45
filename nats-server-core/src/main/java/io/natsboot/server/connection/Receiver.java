package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link Subscription} delivers to: a client connection, an {@link InternalClient} (socketless, inside the
 * server), or a route (interest a peer server advertised, see {@link RouteTarget}). The publish path matches
 * subscriptions in an account's trie and hands each message to the subscription's receiver.
 */
public interface Receiver {
    /**
     * Takes one message for subscription {@code s} (subject, reply and payload are ranges into {@code buf}, valid
     * during the call; {@code headerLength} is -1 without headers, else the header part at the payload's start).
     * {@code from} is the publishing client when it is one (a backed-up receiver holds it back), null for a
     * message from a route or an internal client. Runs on the publisher's thread. Returns false when the message
     * was not taken (subscription gone, limit reached, slow consumer).
     */
    boolean deliver(Subscription s, ClientConnection from, ByteBuf buf, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength);
}
