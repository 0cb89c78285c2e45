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
 */
public record TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout,
                         List<String> cipherSuites) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

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
    }

    public TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout) {
        this(certFile, keyFile, caFile, verify, timeout, List.of());
    }
}
