package io.natsboot.spring.jetstream;

import io.nats.client.JetStreamApiException;
import io.natsboot.spring.core.NatsException;

/**
 * The server did not store a published message: no stream listens on the subject, an expectation failed
 * (wrong last sequence, wrong last message id: {@link #getApiErrorCode()} 10071 and 10070), or no ack came.
 */
public class JetStreamPublishException extends NatsException {

    private final int apiErrorCode;

    public JetStreamPublishException(String subject, Throwable cause) {
        super("JetStream publish to '" + subject + "' failed: " + cause.getMessage(), cause);
        this.apiErrorCode = cause instanceof JetStreamApiException api ? api.getApiErrorCode() : -1;
    }

    /** The server's JetStream error code (10071: wrong last sequence), or -1 when the failure was not the server's answer. */
    public int getApiErrorCode() {
        return apiErrorCode;
    }
}
