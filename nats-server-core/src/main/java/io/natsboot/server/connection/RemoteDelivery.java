package io.natsboot.server.connection;

import io.natsboot.server.subject.MatchResult;
import io.netty.buffer.ByteBuf;

/**
 * Delivery of a message that came from another cluster (a gateway): to every plain subscriber of this cluster
 * (local ones and one frame per route with interest), and for each queue group the frame names, one member
 * anywhere in this cluster. Never back to a {@link MessageForwarder}. One per receiving connection (it reuses
 * its fan-out): not thread-safe.
 */
public final class RemoteDelivery {
    private static final String[] NO_QUEUES = new String[0];
    private final MessageFanout fanout;

    public RemoteDelivery(ServerContext server) {
        this.fanout = new MessageFanout(server);
    }

    /** Returns how many receivers took the message; no queue names: no queue group gets it. */
    public int deliver(Account account, MatchResult<Subscription> result, String subject, ByteBuf buf,
            int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength, int payloadStart,
            int totalLength, String[] queues, int queueCount) {
        String[] q = queues == null ? NO_QUEUES : queues;
        int at = replyLength > 0 ? JsDeliveryReply.split(buf, replyStart, replyLength) : -1;
        if (at < 0) {
            return fanout.publishRemote(account, result, subject, buf, subjectStart, subjectLength, replyStart,
                    replyLength, headerLength, payloadStart, totalLength, q, queueCount);
        }
        // A JetStream delivery (<ack reply>@<subject>): this cluster's clients see its own subject, routes get it
        // as it came.
        int shown = JsDeliveryReply.decodedSubjectLength(at, replyStart, replyLength);
        int ack = at - replyStart;
        ByteBuf copy = JsDeliveryReply.decoded(buf, at, replyStart, replyLength, payloadStart, totalLength);
        fanout.remoteFrame(new MessageFanout.RemoteFrame(subject, buf, subjectStart, subjectLength, replyStart,
                replyLength, payloadStart));
        try {
            return fanout.publishRemote(account, result, subject, copy, 0, shown, shown, ack, headerLength,
                    shown + ack, totalLength, q, queueCount);
        } finally {
            fanout.remoteFrame(null);
            copy.release();
        }
    }
}
