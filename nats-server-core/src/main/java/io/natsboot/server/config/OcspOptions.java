package io.natsboot.server.config;

import java.util.List;

/**
 * The top-level {@code ocsp} setting of nats-server 2.9.10: whether the server staples an OCSP response for
 * its own certificates in TLS handshakes, and what it does when the responder says the certificate is bad.
 *
 * @param mode when to staple and whether a bad status stops the server
 * @param overrideUrls responders to ask instead of the certificate's AIA OCSP URLs ({@code url} or
 *                     {@code urls}); empty = the certificate's
 */
public record OcspOptions(Mode mode, List<String> overrideUrls) {

    public OcspOptions {
        overrideUrls = overrideUrls == null ? List.of() : List.copyOf(overrideUrls);
    }

    /** nats-server's OCSP modes. */
    public enum Mode {
        /** Staple only for a certificate with the must-staple (TLS feature status_request) extension. */
        AUTO,
        /** Staple for every certificate; a status other than good refuses the start or shuts the server down. */
        ALWAYS,
        /** Never staple, even a must-staple certificate (a warning says so). */
        NEVER,
        /** As AUTO, and a must-staple certificate whose status is not good refuses the start or shuts down. */
        MUST
    }

    /** {@code ocsp: true}. */
    public static final OcspOptions AUTO = new OcspOptions(Mode.AUTO, List.of());
}
