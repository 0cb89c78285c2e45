package io.natsboot.server.protocol;

/**
 * What the decoder found wrong, and how nats-server answers it: the {@code -ERR} text to send
 * (null for a silent close) and the reason recorded for the closed connection.
 */
public enum ProtocolError {
    UNKNOWN_OPERATION("Unknown Protocol Operation", "Protocol Violation"),
    MAX_CONTROL_LINE("maximum control line exceeded", "Maximum Control Line Exceeded"),
    MAX_PAYLOAD("Maximum Payload Violation", "Maximum Message Payload Exceeded"),
    AUTHORIZATION_VIOLATION("Authorization Violation", "Authentication Failure"),
    /** Wrong argument count, bad size, header size larger than total: closed without -ERR. */
    BAD_ARGUMENTS(null, "Protocol Violation"),
    /** HPUB on a connection that did not negotiate headers: closed without -ERR. */
    HEADERS_NOT_SUPPORTED(null, "Protocol Violation"),
    /** A -ERR sent by the client: closed without reply. */
    CLIENT_ERROR(null, "Parse Error");

    private final String errText;
    private final String closeReason;

    ProtocolError(String errText, String closeReason) {
        this.errText = errText;
        this.closeReason = closeReason;
    }

    /** The text inside {@code -ERR '...'}, or null when the connection closes silently. */
    public String errText() {
        return errText;
    }

    public String closeReason() {
        return closeReason;
    }
}
