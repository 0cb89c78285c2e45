package io.natsboot.spring.core;

import java.time.Duration;

/** No reply arrived within the request timeout. */
public class NatsRequestTimeoutException extends NatsException {
    public NatsRequestTimeoutException(String subject, Duration timeout) {
        super("No reply to request on '" + subject + "' within " + timeout);
    }
}
