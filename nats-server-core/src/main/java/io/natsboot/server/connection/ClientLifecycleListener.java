package io.natsboot.server.connection;

/**
 * Told about each client connection's life, for the system account's events. Calls come from the connection's
 * event loop (or the accepting thread) and must return at once: take what is needed and hand work elsewhere.
 */
public interface ClientLifecycleListener {
    /** Registered at accept: the client counts in the global account until its CONNECT is accepted. */
    void accepted(ClientConnection c);

    /** The first CONNECT was accepted: {@link ClientConnection#account()} is the client's account now. */
    void connected(ClientConnection c);

    /**
     * Unregistered after close: {@link ClientConnection#closeReason()} says why (nats-server's texts), the
     * traffic counters are final.
     */
    void closed(ClientConnection c);
}
