package io.natsboot.spring.core;

/** Base of NATS Boot's unchecked client exceptions. */
public class NatsException extends RuntimeException {
    public NatsException(String message) {
        super(message);
    }

    public NatsException(String message, Throwable cause) {
        super(message, cause);
    }
}
