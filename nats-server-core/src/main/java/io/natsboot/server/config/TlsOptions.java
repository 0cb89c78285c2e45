package io.natsboot.server.config;

import java.time.Duration;
import java.util.List;

/**
 * Client TLS of the client port (nats-server's {@code tls {}} block and {@code --tls*} flags).
 *
 * @param certFile PEM server certificate (chain)
 * @param keyFile PEM private key (PKCS#8, or what Netty reads)
 * @param caFile PEM CA certificates that client certificates must chain to; null = none
 * @param verify require and verify client certificates (mutual TLS)
 * @param timeout handshake timeout (default 2s)
 * @param cipherSuites TLS 1.2 cipher suites by their IANA (and Go) names, in preference order; empty = the
 *                     JDK's defaults. As in Go, TLS 1.3 suites are not configurable and stay enabled.
 * @param curvePreferences key exchange groups by their Go names ({@link #GO_CURVES}), in preference order;
 *                         empty = the JDK's defaults
 * @param map verify_and_map: the client certificate names the user (emails, DNS names, URIs, subject DN)
 * @param pinnedCerts pinned_certs: lower-case hex SHA-256 of the peer certificate's SubjectPublicKeyInfo;
 *                    when not empty, a peer whose key is not listed fails the handshake
 * @param insecure routes only: do not verify the certificate of a route we dial (nats-server's
 *                 InsecureSkipVerify); accepted and without effect on the client port, as there
 * @param minVersion lowest TLS version, "1.2" (default) or "1.3" (nats-server 2.10's min_version)
 * @param handshakeFirst client port: the TLS handshake comes before INFO, which then goes out encrypted
 *                       (nats-server 2.10's handshake_first, jnats' {@code tlsFirst()})
 * @param handshakeFirstFallback with handshakeFirst: how long to wait for the client to start TLS before
 *                               sending INFO in plaintext as usual (the "auto" mode); null = never
 * @param connectionRateLimit client port: new TLS connections accepted per second, the rest get nats-server's
 *                            "Connection throttling is active" -ERR and are closed; 0 = no limit
 * @param managers key and trust material given as JDK factories (an embedding application's, e.g. a Spring
 *                 Boot SSL bundle) in place of certFile/keyFile/caFile; null = the PEM files
 */
public record TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout,
                         List<String> cipherSuites, List<String> curvePreferences, boolean map,
                         List<String> pinnedCerts, boolean insecure, String minVersion, boolean handshakeFirst,
                         Duration handshakeFirstFallback, Managers managers, long connectionRateLimit) {

    /**
     * Key material from an embedding application.
     *
     * @param keys the server's certificate and key
     * @param trust the CAs client certificates must chain to; null = the JDK's default trust
     */
    public record Managers(javax.net.ssl.KeyManagerFactory keys, javax.net.ssl.TrustManagerFactory trust) {
    }

    /** TLS from an application's key and trust managers, with the other options at their defaults. */
    public static TlsOptions of(Managers managers, boolean verify, Duration timeout) {
        return new TlsOptions(null, null, null, verify, timeout == null ? DEFAULT_TIMEOUT : timeout, List.of(),
                List.of(), false, List.of(), false, "1.2", false, null, managers, 0);
    }

    /** nats-server 2.10's fallback delay for {@code handshake_first: auto}. */
    public static final Duration DEFAULT_HANDSHAKE_FIRST_FALLBACK = Duration.ofMillis(50);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** Go's curve names (crypto/tls CurveID) that nats-server 2.9 accepts, with the JDK's named group for each. */
    public static final java.util.Map<String, String> GO_CURVES = java.util.Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");

    /** The cipher suite names Go 1.19's crypto/tls knows (secure and insecure), hence nats-server 2.9's. */
    public static final List<String> GO_CIPHER_SUITES = List.of(
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_RSA_WITH_RC4_128_SHA",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");

    public TlsOptions {
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        curvePreferences = curvePreferences == null ? List.of() : List.copyOf(curvePreferences);
        pinnedCerts = pinnedCerts == null ? List.of() : List.copyOf(pinnedCerts);
        minVersion = minVersion == null ? "1.2" : minVersion;
    }

    public TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout,
                      List<String> cipherSuites, List<String> curvePreferences, boolean map,
                      List<String> pinnedCerts, boolean insecure) {
        this(certFile, keyFile, caFile, verify, timeout, cipherSuites, curvePreferences, map, pinnedCerts, insecure,
                "1.2", false, null, null, 0);
    }

    public TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout,
                      List<String> cipherSuites) {
        this(certFile, keyFile, caFile, verify, timeout, cipherSuites, List.of(), false, List.of(), false);
    }

    public TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout) {
        this(certFile, keyFile, caFile, verify, timeout, List.of());
    }

    /** The same options with verify_and_map set (it also sets verify, as the config key does). */
    public TlsOptions withMap(boolean on) {
        return new TlsOptions(certFile, keyFile, caFile, verify || on, timeout, cipherSuites, curvePreferences, on,
                pinnedCerts, insecure, minVersion, handshakeFirst, handshakeFirstFallback, managers, connectionRateLimit);
    }

    /** The same options with these pinned key hashes (hex SHA-256 of SubjectPublicKeyInfo). */
    public TlsOptions withPinnedCerts(List<String> sha256) {
        return new TlsOptions(certFile, keyFile, caFile, verify, timeout, cipherSuites, curvePreferences, map,
                sha256.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList(), insecure, minVersion,
                handshakeFirst, handshakeFirstFallback, managers, connectionRateLimit);
    }

    /** The same options with handshake_first on; {@code fallback} null = wait for the client forever. */
    public TlsOptions withHandshakeFirst(Duration fallback) {
        return new TlsOptions(certFile, keyFile, caFile, verify, timeout, cipherSuites, curvePreferences, map,
                pinnedCerts, insecure, minVersion, true, fallback, managers, connectionRateLimit);
    }

    /** The same options with this lowest TLS version ("1.2" or "1.3"). */
    public TlsOptions withMinVersion(String version) {
        return new TlsOptions(certFile, keyFile, caFile, verify, timeout, cipherSuites, curvePreferences, map,
                pinnedCerts, insecure, version, handshakeFirst, handshakeFirstFallback, managers, connectionRateLimit);
    }

    /** The JDK protocol names from {@link #minVersion()} up. */
    public String[] protocols() {
        return "1.3".equals(minVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
    }
}
