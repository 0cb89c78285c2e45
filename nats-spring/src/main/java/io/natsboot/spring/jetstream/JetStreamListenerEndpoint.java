package io.natsboot.spring.jetstream;

import io.nats.client.Message;
import java.time.Duration;
import java.util.List;
import org.springframework.util.backoff.BackOff;

/**
 * A listener on a durable pull consumer of a stream.
 *
 * @param id                 id in the listener registry
 * @param stream             the stream
 * @param consumer           the durable consumer's name (it must exist: declare it as a {@link JetStreamConsumerDeclaration})
 * @param concurrency        threads, each pulling from the same consumer
 * @param batchSize          messages pulled at a time; with {@code batch} the handler gets them as one list
 * @param pollTimeout        how long one pull waits for messages
 * @param batch              the handler takes the pulled messages as one list
 * @param maxDeliveries      deliveries after which a failing message is terminated ({@code term}); 0 for no limit
 * @param nakBackOff         the delay of the n-th redelivery after a failure ({@code nak} with delay); when it
 *                           stops ({@code BackOffExecution.STOP}) the message is terminated; null to nak at once
 * @param inProgressInterval how often a running handler tells the server it is still working; null for half the
 *                           consumer's ack wait, {@link Duration#ZERO} for never
 * @param autoStartup        start with the context
 * @param handler            handles the pulled messages (a single message unless {@code batch})
 */
public record JetStreamListenerEndpoint(String id, String stream, String consumer, int concurrency, int batchSize,
        Duration pollTimeout, boolean batch, long maxDeliveries, BackOff nakBackOff, Duration inProgressInterval,
        boolean autoStartup, Handler handler) {

    /** Returns normally: the messages are acked; throws: they are nacked (or terminated). */
    @FunctionalInterface
    public interface Handler {
        Object handle(List<Message> messages) throws Exception;
    }

    public JetStreamListenerEndpoint {
        if (stream == null || stream.isBlank() || consumer == null || consumer.isBlank()) {
            throw new IllegalArgumentException("JetStream listener '" + id + "' needs a stream and a durable consumer");
        }
        if (concurrency < 1 || batchSize < 1) {
            throw new IllegalArgumentException("JetStream listener '" + id + "': concurrency and batch size must be at least 1");
        }
        if (pollTimeout == null || pollTimeout.toMillis() < 1) {
            pollTimeout = Duration.ofSeconds(1);
        }
    }
}
