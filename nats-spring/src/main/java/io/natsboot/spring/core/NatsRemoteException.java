package io.natsboot.spring.core;

/** The responder failed and said so in the {@value NatsTemplate#ERROR_HEADER} header of its reply. */
public class NatsRemoteException extends NatsException {
    public NatsRemoteException(String subject, String error) {
        super("Responder on '" + subject + "' failed: " + error);
    }
}
