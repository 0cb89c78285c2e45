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

    /**
     * True when some listener could staple: OCSP not switched off and a tls block with a certificate file (client
     * port, cluster, leafnodes, gateway). Otherwise the OCSP machinery (and its classes) is never touched.
     */
    public static boolean mayStaple(ServerOptions o) {
        if (o.ocsp() != null && o.ocsp().mode() == Mode.NEVER) {
            return false;
        }
        return hasCert(o.tls()) || (o.cluster() != null && hasCert(o.cluster().tls()))
                || (o.leafnodes() != null && (hasCert(o.leafnodes().tls())
                        || o.leafnodes().remotes().stream().anyMatch(r -> hasCert(r.tls()))))
                || (o.gateway() != null && (hasCert(o.gateway().tls())
                        || o.gateway().remotes().stream().anyMatch(r -> hasCert(r.tls()))));
    }

    private static boolean hasCert(TlsOptions t) {
        return t != null && t.certFile() != null && !t.certFile().isEmpty();
    }

    /** {@code ocsp: true}. */
    public static final OcspOptions AUTO = new OcspOptions(Mode.AUTO, List.of());
}
