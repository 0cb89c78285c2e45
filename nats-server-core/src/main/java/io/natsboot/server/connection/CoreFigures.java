package io.natsboot.server.connection;

/**
 * The monitoring figures that every connection kind reads from the shared connection core (its
 * {@link OutboundQueue} and {@link Keepalive}), so client, route and the kinds to come report them alike.
 * Both parts exist only once the connection is active: before that the figures are zero, RTT unknown (-1).
 */
public interface CoreFigures {
    /** The connection's outbound queue, or null before it is active. */
    OutboundQueue outboundQueue();

    /** The connection's keepalive, or null before it is active. */
    Keepalive keepaliveTimer();

    /** Messages written to the peer. */
    default long outMsgs() {
        OutboundQueue q = outboundQueue();
        return q == null ? 0 : q.outMsgs();
    }

    /** Payload bytes written to the peer. */
    default long outBytes() {
        OutboundQueue q = outboundQueue();
        return q == null ? 0 : q.outBytes();
    }

    /** Bytes queued to the peer and not yet written. */
    default long pendingBytes() {
        OutboundQueue q = outboundQueue();
        return q == null ? 0 : q.pendingBytes();
    }

    /** The last PING/PONG round trip, or -1 while unknown. */
    default long rttNanos() {
        Keepalive k = keepaliveTimer();
        return k == null ? -1 : k.rttNanos();
    }
}
