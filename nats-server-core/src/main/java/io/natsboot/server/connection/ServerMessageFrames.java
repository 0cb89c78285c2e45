package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The message frame of the server-to-server protocols, queued the same way for every kind: routes and gateways
 * send {@code RMSG <account> <subject> [reply | + reply queue.. | | queue..] [hdr] size}, leaf connections
 * {@code LMSG} without the account (their connection is bound to one), and {@code HMSG} with headers. One place
 * for the frame and for the queueing rules around it: closed queue, slow consumer past max_pending, publisher hold
 * while the queue is backed up, one flush at the end of the publisher's read.
 */
public final class ServerMessageFrames {
    private static final byte[] CRLF = {'\r', '\n'};

    private ServerMessageFrames() {
    }

    /** What a connection does when a frame would pass max_pending; called under the queue's lock. */
    @FunctionalInterface
    public interface SlowConsumer {
        void slowConsumerLocked(OutboundQueue q);
    }

    /**
     * Queues one frame on {@code q} (any thread). {@code op} is the op with its trailing space and, for the global
     * account on routes, the account ({@code "RMSG $G "}); {@code account}, when not null, follows it. {@code subject}
     * replaces the buffer's subject when not null; {@code replyPrefix} goes before the reply when not null.
     * {@code bodyStart/bodyLength} cover the headers (when {@code withHeaders}) and the payload. {@code from} is
     * the publishing client, held back while the queue is backed up; null for internal publishers and messages that
     * came from another server. Returns false when the queue is closed or the connection was cut as a slow consumer.
     */
    public static boolean enqueue(OutboundQueue q, long maxPending, SlowConsumer slow, ClientConnection from,
            byte[] op, String account, String subject, ByteBuf buf, int subjectStart, int subjectLength,
            byte[] replyPrefix, int replyStart, int replyLength, boolean withHeaders, int headerLength,
            int bodyStart, int bodyLength, String[] queues, int queueCount) {
        boolean stall = false;
        boolean schedule;
        synchronized (q) {
            if (q.isClosedLocked()) {
                return false;
            }
            long queued = q.pendingBytesLocked();
            if (queued > maxPending) {
                slow.slowConsumerLocked(q);
                return false;
            }
            if (from != null && q.backedUpLocked(queued)) {
                q.holdLocked(from.publisherHold());
                stall = true;
            }
            ByteBuf o = q.bufferLocked((subject != null ? subject.length() * 3 : subjectLength) + replyLength
                    + bodyLength + 96 + queueCount * 16 + (account == null ? 0 : account.length())
                    + (replyPrefix == null ? 0 : replyPrefix.length));
            o.writeBytes(op);
            if (account != null) {
                o.writeCharSequence(account, StandardCharsets.UTF_8);
                o.writeByte(' ');
            }
            if (subject != null) {
                o.writeCharSequence(subject, StandardCharsets.UTF_8);
            } else {
                o.writeBytes(buf, subjectStart, subjectLength);
            }
            o.writeByte(' ');
            if (queueCount > 0) {
                if (replyLength > 0) {
                    o.writeByte('+').writeByte(' ');
                    writeReply(o, replyPrefix, buf, replyStart, replyLength);
                    o.writeByte(' ');
                } else {
                    o.writeByte('|').writeByte(' ');
                }
                for (int i = 0; i < queueCount; i++) {
                    o.writeCharSequence(queues[i], StandardCharsets.UTF_8);
                    o.writeByte(' ');
                }
            } else if (replyLength > 0) {
                writeReply(o, replyPrefix, buf, replyStart, replyLength);
                o.writeByte(' ');
            }
            if (withHeaders) {
                ClientConnection.writeDecimal(o, headerLength);
                o.writeByte(' ');
            }
            ClientConnection.writeDecimal(o, bodyLength);
            o.writeBytes(CRLF);
            o.writeBytes(buf, bodyStart, bodyLength);
            o.writeBytes(CRLF);
            q.countLocked(bodyLength);
            schedule = q.markFlushLocked();
        }
        if (stall) {
            from.publisherHold().stall();
        }
        if (schedule) {
            if (from == null) {
                q.flushLater();
            } else {
                q.flushAfter(from.reads()); // once, at the end of the publisher's read
            }
        }
        return true;
    }

    private static void writeReply(ByteBuf o, byte[] prefix, ByteBuf buf, int start, int length) {
        if (prefix != null) {
            o.writeBytes(prefix);
        }
        o.writeBytes(buf, start, length);
    }
}
