package io.natsboot.spring.jetstream;

import io.natsboot.spring.core.NatsException;

/**
 * A declared stream, consumer, Key-Value bucket or object store could not be created or updated, e.g. because
 * one of that name exists with a configuration the server will not change to the declared one.
 */
public class JetStreamDeclarationException extends NatsException {

    public JetStreamDeclarationException(String message, Throwable cause) {
        super(message, cause);
    }
}
