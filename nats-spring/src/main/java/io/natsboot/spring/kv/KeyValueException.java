package io.natsboot.spring.kv;

import io.nats.client.JetStreamApiException;
import io.natsboot.spring.core.NatsException;

/**
 * A Key-Value operation failed. {@link #isConflict()}: {@code create} of a key that exists, or {@code update}
 * with a revision that is no longer the latest (the server's "wrong last sequence", 10071).
 */
public class KeyValueException extends NatsException {

    public static final int WRONG_LAST_SEQUENCE = 10071;

    private final int apiErrorCode;

    public KeyValueException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
        this.apiErrorCode = cause instanceof JetStreamApiException api ? api.getApiErrorCode() : -1;
    }

    public int getApiErrorCode() {
        return apiErrorCode;
    }

    public boolean isConflict() {
        return apiErrorCode == WRONG_LAST_SEQUENCE;
    }
}
