package io.natsboot.server.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS {@code pinned_certs}: a peer is let in only if the SHA-256 of its certificate's SubjectPublicKeyInfo
 * (what {@code openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum} prints) is listed.
 */
public final class PinnedCerts {
    private PinnedCerts() {
    }

    /** Lower-case hex SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
    public static String keyId(Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Null when the session's peer is pinned, else nats-server's debug line saying why not.
     *
     * @param pinned lower-case hex key ids
     */
    public static String check(SSLSession session, List<String> pinned) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = null;
        }
        if (chain == null || chain.length == 0) {
            return "Failed pinned cert test as client did not provide a certificate";
        }
        String id = keyId(chain[0]);
        return pinned.contains(id) ? null : "Failed pinned cert test for key id: " + id;
    }
}
