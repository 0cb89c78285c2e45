package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The routes one published message goes to, collected while its match result is walked: at most one frame
 * per route (reference §4.5), naming the queue groups whose pick landed on that route. One per publishing
 * connection, reused for every message; routes are few, so a linear scan is the fastest lookup.
 */
final class RouteFanout {
    private RouteTarget[] routes = new RouteTarget[4];
    private String[][] queues = new String[4][];
    private int[] queueCounts = new int[4];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    /** The route has plain interest in the message. */
    void plain(RouteTarget r) {
        slot(r);
    }

    /** The pick of queue group {@code queue} is a member behind the route. */
    void queue(RouteTarget r, String queue) {
        int i = slot(r);
        String[] q = queues[i];
        if (q == null) {
            q = queues[i] = new String[4];
        } else if (queueCounts[i] == q.length) {
            q = queues[i] = Arrays.copyOf(q, q.length * 2);
        }
        q[queueCounts[i]++] = queue;
    }

    private int slot(RouteTarget r) {
        for (int i = 0; i < size; i++) {
            if (routes[i] == r) {
                return i;
            }
        }
        if (size == routes.length) {
            routes = Arrays.copyOf(routes, size * 2);
            queues = Arrays.copyOf(queues, size * 2);
            queueCounts = Arrays.copyOf(queueCounts, size * 2);
        }
        routes[size] = r;
        queueCounts[size] = 0;
        return size++;
    }

    /** Sends one frame per collected route and forgets them; returns how many routes took it. */
    int send(ClientConnection from, Account account, ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength, int headerLength,
            int payloadStart, int totalLength) {
        int sent = 0;
        for (int i = 0; i < size; i++) {
            if (routes[i].sendMessage(from, account, buf, subjectStart, subjectLength, replyStart, replyLength, headerLength,
                    payloadStart, totalLength, queues[i], queueCounts[i])) {
                sent++;
            }
            routes[i] = null;
        }
        size = 0;
        return sent;
    }
}
