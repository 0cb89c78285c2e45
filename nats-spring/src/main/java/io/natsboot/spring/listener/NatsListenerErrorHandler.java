package io.natsboot.spring.listener;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;

/**
 * Handles an exception thrown by a {@link NatsListener} method (or by argument conversion). The default,
 * {@link #logAndReply()}, logs it and, when the message is a request, replies with an empty body and the
 * {@value NatsTemplate#ERROR_HEADER} header, so the requester fails with {@link NatsRemoteException}
 * instead of timing out.
 */
@FunctionalInterface
public interface NatsListenerErrorHandler {

    void handleError(Message message, Throwable error, Connection connection);

    /** Logs at error level and answers requests with {@link #replyWithError}. */
    static NatsListenerErrorHandler logAndReply() {
        return (message, error, connection) -> {
            org.apache.commons.logging.LogFactory.getLog("io.natsboot.spring.listener")
                    .error("NATS listener failed on '" + message.getSubject() + "'", error);
            replyWithError(message, error, connection);
        };
    }

    /** For a request, publishes an empty reply whose {@value NatsTemplate#ERROR_HEADER} header describes {@code error}. */
    static void replyWithError(Message message, Throwable error, Connection connection) {
        if (message.getReplyTo() == null || message.getReplyTo().isEmpty()) {
            return;
        }
        String text = error.getClass().getSimpleName() + (error.getMessage() != null ? ": " + error.getMessage() : "");
        // Header values must be printable ASCII on one line.
        text = text.replaceAll("[\\r\\n]+", " ").replaceAll("[^\\x20-\\x7E]", "?");
        Headers headers = new Headers().put(NatsTemplate.ERROR_HEADER, text);
        connection.publish(NatsMessage.builder().subject(message.getReplyTo()).headers(headers).data(new byte[0]).build());
    }
}
