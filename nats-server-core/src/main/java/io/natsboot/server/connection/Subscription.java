package io.natsboot.server.connection;

import io.natsboot.server.subject.Interest;
import java.nio.charset.StandardCharsets;

/**
 * One SUB of one client. {@code delivered} and {@code max} are guarded by the owning
 * connection's outbound lock, because publishers on other event loops count deliveries.
 */
public final class Subscription implements Interest {
    final ClientConnection client;
    private final String subject;
    private final String queue;
    final String sid;
    /** The SID as it is written into MSG lines. */
    final byte[] sidBytes;
    /** Auto-unsubscribe limit; 0 = none. */
    long max;
    long delivered;
    /** Set once the subscription is removed; a removed subscription receives nothing more. */
    volatile boolean closed;

    Subscription(ClientConnection client, String subject, String queue, String sid) {
        this.client = client;
        this.subject = subject;
        this.queue = queue;
        this.sid = sid;
        this.sidBytes = sid.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public String queue() {
        return queue;
    }

    public String sid() {
        return sid;
    }

    public ClientConnection client() {
        return client;
    }

    public long delivered() {
        return delivered;
    }

    public long max() {
        return max;
    }
}
