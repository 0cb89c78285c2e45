package io.natsboot.server.jetstream;

/**
 * What JetStream needs from the messaging core, and nothing more: subscriptions in an account (the API, stream
 * subjects, acks, flow control replies) and publishing into an account (responses, deliveries, pub acks,
 * advisories). The server wires it to its internal (socketless) client; tests use a loopback.
 */
public interface JetStreamTransport {

    /** Receives messages published to a subscribed subject. {@code headers} is the raw header block or null. */
    @FunctionalInterface
    interface Handler {
        void onMessage(String subject, String reply, byte[] headers, byte[] payload);
    }

    /** A subscription to cancel. */
    interface Subscription {
        void unsubscribe();
    }

    Subscription subscribe(String account, String subject, Handler handler);

    void publish(String account, String subject, String reply, byte[] headers, byte[] payload);

    /**
     * A reply to a request's inbox (a PubAck, an ack's empty reply): a subject published to once, which the
     * transport need not remember (see SubscriptionTrie.matchOnce).
     */
    default void publishReply(String account, String subject, byte[] headers, byte[] payload) {
        publish(account, subject, null, headers, payload);
    }

    /**
     * Delivers a stored message to a consumer's subscriber: routed by {@code deliverSubject} (a pull request's
     * reply inbox or a push consumer's deliver subject) but presented with the message's own {@code subject},
     * as nats-server does ({@code MSG c.1 <sid> $JS.ACK...} on a subscription to the inbox).
     */
    void deliver(String account, String deliverSubject, String subject, String reply, byte[] headers, byte[] payload);

    /** The client that sent a request: its account and round-trip time (nanoseconds, 0 or less = unknown). */
    record Requester(String account, long rttNanos) {
    }

    /**
     * Inside a {@link Handler} call: the client whose message is being handled, when the transport knows it (for
     * the API audit advisory); null otherwise.
     */
    default Requester requester() {
        return null;
    }

    /** Whether anyone in the account is subscribed to {@code subject} (push consumers' active state). */
    default boolean hasInterest(String account, String subject) {
        return true;
    }

    /**
     * A JetStream domain is set: the account's {@code $JS.<domain>.API} subjects map to its API
     * ({@link JetStreamDomains}). Transports without accounts' mappings ignore it.
     */
    default void addDomainMappings(String account, String domain) {
    }
}
