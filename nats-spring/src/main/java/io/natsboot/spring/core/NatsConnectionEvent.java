package io.natsboot.spring.core;

import io.nats.client.Connection;
import org.springframework.context.ApplicationEvent;

/** A jnats connection event or error, published as a Spring application event. */
public class NatsConnectionEvent extends ApplicationEvent {

    public enum Type { CONNECTED, DISCONNECTED, RECONNECTED, RESUBSCRIBED, CLOSED, LAME_DUCK, DISCOVERED_SERVERS,
        SLOW_CONSUMER, ERROR, EXCEPTION }

    private final Type type;
    private final String error;
    private final Throwable exception;

    public NatsConnectionEvent(Connection connection, Type type, String error, Throwable exception) {
        super(connection);
        this.type = type;
        this.error = error;
        this.exception = exception;
    }

    public Connection getConnection() {
        return (Connection) getSource();
    }

    public Type getType() {
        return type;
    }

    /** The server's -ERR text, for {@link Type#ERROR}. */
    public String getError() {
        return error;
    }

    /** For {@link Type#EXCEPTION}. */
    public Throwable getException() {
        return exception;
    }

    @Override
    public String toString() {
        return "NatsConnectionEvent[" + type + (error != null ? ", " + error : "")
                + (exception != null ? ", " + exception : "") + "]";
    }
}
