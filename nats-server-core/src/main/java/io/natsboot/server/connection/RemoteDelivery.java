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
        return fanout.publishRemote(account, result, subject, buf, subjectStart, subjectLength, replyStart,
                replyLength, headerLength, payloadStart, totalLength, queues == null ? NO_QUEUES : queues, queueCount);
    }
}
