package io.natsboot.spring.core;

/** A request found no subscriber on its subject (the server's 503 status), rather than timing out. */
public class NatsNoRespondersException extends NatsException {
    private final String subject;

    public NatsNoRespondersException(String subject) {
        super("No responders for request on '" + subject + "'");
        this.subject = subject;
    }

    public String getSubject() {
        return subject;
    }
}
