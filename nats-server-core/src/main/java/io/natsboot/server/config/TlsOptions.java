package io.natsboot.server.config;

import java.time.Duration;

/**
 * Client TLS of the client port (nats-server's {@code tls {}} block and {@code --tls*} flags).
 *
 * @param certFile PEM server certificate (chain)
 * @param keyFile PEM private key (PKCS#8, or what Netty reads)
 * @param caFile PEM CA certificates that client certificates must chain to; null = none
 * @param verify require and verify client certificates (mutual TLS)
 * @param timeout handshake timeout (default 2s)
 */
public record TlsOptions(String certFile, String keyFile, String caFile, boolean verify, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
}
