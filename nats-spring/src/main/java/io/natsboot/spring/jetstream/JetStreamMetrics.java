package io.natsboot.spring.jetstream;

/**
 * Counts what the {@link JetStreamTemplate} and the JetStream listener containers do; {@link #NONE} counts
 * nothing, {@code io.natsboot.spring.micrometer.MicrometerJetStreamMetrics} counts in Micrometer meters.
 * Keeping Micrometer behind this interface keeps it optional.
 */
public interface JetStreamMetrics {

    JetStreamMetrics NONE = new JetStreamMetrics() { };

    /** A publish the server acknowledged ({@code stream} from the ack; {@code duplicate} when it was a duplicate). */
    default void publishAcked(String stream, boolean duplicate) {
    }

    /** A publish the server refused or did not acknowledge in time. */
    default void publishFailed(String subject) {
    }

    /** A message delivered to listener {@code listenerId}; {@code redelivery} when delivered before. */
    default void delivered(String listenerId, boolean redelivery) {
    }

    default void acked(String listenerId) {
    }

    default void nacked(String listenerId) {
    }

    /** A message given up on ({@code term}) after too many deliveries. */
    default void terminated(String listenerId) {
    }
}
