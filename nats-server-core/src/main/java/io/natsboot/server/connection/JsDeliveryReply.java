package io.natsboot.server.connection;

/**
 * How nats-server 2.9.10 carries a JetStream delivery between servers: the message travels under the subject it
 * is routed by (a pull request's inbox, a push consumer's deliver subject) and its own subject rides at the end of
 * the ack reply, {@code $JS.ACK.<stream>.<consumer>...@<subject>}; the server that delivers it to a client splits
 * the reply again (observed on the wire of a leaf connection).
 */
public final class JsDeliveryReply {
    private static final String ACK_PREFIX = "$JS.ACK.";

    private JsDeliveryReply() {
    }

    /** Whether a delivery with this reply is encoded for other servers. */
    static boolean encodes(String reply) {
        return reply != null && reply.startsWith(ACK_PREFIX);
    }

    static String encode(String reply, String subject) {
        return reply + "@" + subject;
    }

    /**
     * The position of the {@code @} that ends an encoded reply in {@code bytes[start, start+length)}, or -1 when the
     * reply is not one (not an ack reply, no subject after the {@code @}).
     */
    public static int split(io.netty.buffer.ByteBuf buf, int start, int length) {
        if (length <= ACK_PREFIX.length() + 1) {
            return -1;
        }
        for (int i = 0; i < ACK_PREFIX.length(); i++) {
            if (buf.getByte(start + i) != ACK_PREFIX.charAt(i)) {
                return -1;
            }
        }
        for (int i = start + length - 2; i >= start + ACK_PREFIX.length(); i--) {
            if (buf.getByte(i) == '@') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The message of an encoded delivery as local clients get it, in a new buffer: its own subject (after the
     * {@code @} at {@code at}), then the ack reply, then headers and payload; the caller releases it.
     */
    public static io.netty.buffer.ByteBuf decoded(io.netty.buffer.ByteBuf buf, int at, int replyStart,
            int replyLength, int payloadStart, int totalLength) {
        int presentedStart = at + 1;
        int presentedLength = replyStart + replyLength - presentedStart;
        int ackLength = at - replyStart;
        io.netty.buffer.ByteBuf copy = io.netty.buffer.Unpooled.buffer(presentedLength + ackLength + totalLength);
        copy.writeBytes(buf, presentedStart, presentedLength);
        copy.writeBytes(buf, replyStart, ackLength);
        copy.writeBytes(buf, payloadStart, totalLength);
        return copy;
    }

    /** The subject length in a {@link #decoded} buffer. */
    public static int decodedSubjectLength(int at, int replyStart, int replyLength) {
        return replyStart + replyLength - at - 1;
    }
}
