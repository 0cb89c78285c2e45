package io.natsboot.server.monitor;

/** A rejected monitoring query; the message is nats-server's error text (served as HTTP 400). */
public final class MonitorException extends Exception {
    private static final long serialVersionUID = 1L;

    public MonitorException(String message) {
        super(message);
    }
}
