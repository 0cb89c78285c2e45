package io.natsboot.server.cluster;

import io.netty.buffer.ByteBuf;

/**
 * Receives the operations decoded from a route connection (protocol reference §4). Message subjects,
 * replies and payloads are index ranges into the decoder's buffer, valid only during the call.
 */
public interface RouteOps {
    /**
     * True while the connection waits for work its CONNECT started (a leaf's first login to a JWT account): the
     * parser stops and leaves the rest of the buffer unread until the connection resumes parsing.
     */
    default boolean parsingPaused() {
        return false;
    }

    void onInfo(String json);

    void onConnect(String json);

    void onPing();

    void onPong();

    /** {@code -ERR 'text'} from the peer; text without the quotes. */
    void onErr(String text);

    /** RS+ (or LS+ without the origin): queue null for plain interest; weight 1 for plain interest. */
    void onRemoteSub(String account, String subject, String queue, int weight);

    /** RS- (or LS-). */
    void onRemoteUnsub(String account, String subject, String queue);

    /**
     * RMSG, HMSG or LMSG. {@code headerLength} is -1 without headers (RMSG); the queue names of a
     * {@code +}/{@code |} frame are {@link RouteProtocolParser#queueCount()} and {@link RouteProtocolParser#queue}.
     */
    void onMessage(ByteBuf buf, int accountStart, int accountLength, int subjectStart, int subjectLength,
            int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength);

    /**
     * {@code A+ account} / {@code A- account}: a gateway's account interest. Routes do not speak it: nats-server's
     * route parser refuses it as an unknown operation.
     */
    default void onAccountInterest(String account, boolean interested) {
        onProtocolError("Unknown Protocol Operation", "Router parser ERROR, state=0, i=0: proto='A"
                + (interested ? "+" : "-") + " " + account + "...'");
    }

    /** A line that is not the route protocol: nats-server answers -ERR (if text non-null) and closes. */
    void onProtocolError(String errText, String logDetail);
}
