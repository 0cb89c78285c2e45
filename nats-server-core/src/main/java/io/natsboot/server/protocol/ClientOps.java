package io.natsboot.server.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Receives the operations decoded from a client connection. Subjects and payloads of PUB/HPUB
 * are passed as index ranges into the decoder's buffer, valid only during the call, so the
 * per-message path allocates nothing.
 */
public interface ClientOps {
    void onConnect(String json);

    void onInfo(String json);

    /**
     * A PUB or HPUB control line passed the decoder's checks, before its payload is complete: where
     * nats-server's processPub runs its pedantic subject check. Called once more when the frame is not
     * complete in the same {@code parse} call (nats-server re-runs processPub to keep the arguments
     * across reads), and not again when the completed frame is then decoded. The subject range is valid
     * only during the call.
     */
    default void onPublishLine(ByteBuf buf, int subjectStart, int subjectLength) {
    }

    /**
     * A PUB (headerLength = -1) or HPUB. The header block, if any, is the first headerLength bytes
     * of the payload range; totalLength covers headers and body. replyLength is 0 without reply.
     */
    void onPublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
            int headerLength, int payloadStart, int totalLength);

    void onSubscribe(String subject, String queue, String sid);

    /** maxMessages: -1 when absent, 0 when zero or unparsable (remove now). */
    void onUnsubscribe(String sid, long maxMessages);

    void onPing();

    void onPong();

    /** A decode error. logDetail is the log line nats-server writes for it (ERR level). */
    void onProtocolError(ProtocolError error, String logDetail);

    /** Before the first CONNECT on a server that requires auth, every other op is a violation. */
    boolean connectRequiredFirst();

    /**
     * Whether the parser stops after the current op and leaves the rest unread (a CONNECT waiting for its account
     * JWT from another server); the connection parses the rest when it resumes.
     */
    default boolean parsingPaused() {
        return false;
    }

    /** Whether this connection negotiated headers (HPUB allowed). */
    boolean headersEnabled();

    /** The current max_payload for this connection. */
    int maxPayload();
}
