package io.natsboot.spring.listener;

import io.nats.client.Message;
import java.util.List;

/**
 * What a listener container needs: an id, subjects, an optional queue group, a concurrency, whether to
 * start with the context, an optional error handler, and the handler that turns a message into a reply
 * (or {@code null} for none; a {@code Mono} or {@code CompletionStage} is awaited asynchronously).
 */
public record NatsListenerEndpoint(String id, List<String> subjects, String queue, int concurrency,
        boolean autoStartup, NatsListenerErrorHandler errorHandler, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        Object handle(Message message) throws Exception;
    }

    public NatsListenerEndpoint {
        if (subjects == null || subjects.isEmpty()) {
            throw new IllegalArgumentException("NATS listener '" + id + "' has no subjects");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("NATS listener '" + id + "': concurrency must be at least 1");
        }
        if (concurrency > 1 && (queue == null || queue.isEmpty())) {
            throw new IllegalArgumentException("NATS listener '" + id + "': concurrency " + concurrency
                    + " needs a queue group, else every dispatcher would receive every message");
        }
        subjects = List.copyOf(subjects);
        queue = queue == null || queue.isEmpty() ? null : queue;
    }
}
