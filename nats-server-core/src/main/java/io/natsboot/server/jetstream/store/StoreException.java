package io.natsboot.server.jetstream.store;

/** An append refused by a limit or an I/O failure. The message is nats-server's error text for the same case. */
public final class StoreException extends Exception {
    public static final String MAX_MSGS = "maximum messages exceeded";
    public static final String MAX_BYTES = "maximum bytes exceeded";
    public static final String MAX_MSGS_PER_SUBJECT = "maximum messages per subject exceeded";
    public static final String MSG_TOO_BIG = "message size exceeds maximum allowed";
    public static final String CLOSED = "store closed";

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
