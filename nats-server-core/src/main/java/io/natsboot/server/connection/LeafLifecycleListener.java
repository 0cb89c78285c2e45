package io.natsboot.server.connection;

import java.time.Instant;

/**
 * Told about each leaf connection's life, for the system account's events (nats-server counts leafs in an
 * account's connections and reports a closed leaf as a Leafnode client). Calls come from the connection's event
 * loop and must return at once.
 */
public interface LeafLifecycleListener {
    /** What the disconnect event says about a closed leaf connection (nats-server's ClientInfo of a LEAF client). */
    record Closed(Instant start, String host, long id, String user, String name, String version, long rttNanos,
                  Instant stop, long inMsgs, long inBytes, long outMsgs, long outBytes, String reason) {
    }

    /**
     * A leaf connection registered with {@code account}; {@code announce}: nats-server's leaf node connect event
     * goes out (we are the hub on it).
     */
    void leafRegistered(Account account, boolean announce);

    /** A registered leaf connection closed. */
    void leafClosed(Account account, Closed closed);
}
