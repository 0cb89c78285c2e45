package io.natsboot.server.tls;

import io.natsboot.server.config.TlsOptions;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * The TLS contexts of the listeners and of dialled routes, built from a {@code tls} block the way nats-server
 * configures Go's crypto/tls (JDK provider; the JDK's TLS 1.3 suites stay on whatever cipher_suites says).
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    private static final java.util.List<String> TLS13_SUITES = java.util.List.of("TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /**
     * The server side TLS context (JDK provider) from PEM files or key/trust managers; with {@code verify},
     * client certificates are required and checked against {@code ca_file}.
     */
    public static SslContext server(TlsOptions tls) {
        return server(tls, false);
    }

    /**
     * As {@link #server(TlsOptions)} on Netty's BoringSSL engine with OCSP stapling on: the caller hands each
     * engine its response ({@link OcspStaples}).
     */
    static SslContext serverStapling(TlsOptions tls) {
        return server(tls, true);
    }

    private static SslContext server(TlsOptions tls, boolean stapling) {
        SslContextBuilder b;
        if (tls.managers() != null) {
            b = SslContextBuilder.forServer(tls.managers().keys());
            if (tls.managers().trust() != null) {
                b.trustManager(io.natsboot.server.auth.ClientCertificateCheck.goTexts(tls.managers().trust()));
            }
        } else {
            b = pemServerContext(tls);
        }
        if (stapling) {
            b.sslProvider(SslProvider.OPENSSL).enableOcsp(true);
        } else {
            b.sslProvider(SslProvider.JDK);
        }
        b.protocols(tls.protocols());
        b.clientAuth(tls.verify() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        if (!tls.cipherSuites().isEmpty()) {
            // Go applies cipher_suites to TLS 1.2 only; its TLS 1.3 suites always stay on.
            java.util.List<String> ciphers = new java.util.ArrayList<>(TLS13_SUITES);
            tls.cipherSuites().stream().filter(c -> !TLS13_SUITES.contains(c)).forEach(ciphers::add);
            b.ciphers(ciphers, io.netty.handler.ssl.SupportedCipherSuiteFilter.INSTANCE);
        }
        try {
            SslContext ctx = TlsCurves.apply(b.build(), tls.curvePreferences());
            if (tls.verify()) {
                noResumption(ctx);
            }
            return ctx;
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing TLS config: " + rootMessage(e), e);
        }
    }

    /**
     * No session resumption where client certificates are verified: the JDK resumes a session without asking
     * the trust manager again, so a certificate that expired (or a CA file that changed on reload) would not be
     * checked on reconnect. Go's server re-checks before resuming; here every handshake is a full one. A
     * session lifetime above TLS 1.3's 7-day ticket maximum (RFC 8446 4.6.1) makes the JDK send no tickets;
     * the handshake-done hook invalidates each session so TLS 1.2's session ids find nothing to resume.
     */
    private static void noResumption(SslContext ctx) {
        javax.net.ssl.SSLSessionContext sessions = ctx.sessionContext();
        if (sessions != null) {
            sessions.setSessionTimeout(TLS13_MAX_TICKET_LIFETIME_SECONDS + 1);
        }
    }

    private static final int TLS13_MAX_TICKET_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

    /** A server context builder from the PEM files: certificate chain, key, and the CA file if any. */
    private static SslContextBuilder pemServerContext(TlsOptions tls) {
        if (tls.certFile() == null || tls.certFile().isEmpty()) {
            throw new IllegalArgumentException("TLS Server certificate must be present and valid");
        }
        if (tls.keyFile() == null || tls.keyFile().isEmpty()) {
            throw new IllegalArgumentException("TLS Server private key must be present and valid");
        }
        SslContextBuilder b;
        try {
            b = SslContextBuilder.forServer(new File(tls.certFile()), new File(tls.keyFile()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("error parsing X509 certificate/key pair: " + rootMessage(e), e);
        }
        if (tls.caFile() != null && !tls.caFile().isEmpty()) {
            b.trustManager(io.natsboot.server.auth.ClientCertificateCheck.goTexts(caTrust(tls.caFile())));
        }
        return b;
    }

    /** The JDK's PKIX trust manager factory over the certificates of a PEM CA file. */
    private static javax.net.ssl.TrustManagerFactory caTrust(String caFile) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(caFile))) {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("failed to parse root ca certificate");
            }
            javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("failed to parse root ca certificate: " + rootMessage(e), e);
        }
    }

    /**
     * The client side TLS context of routes: our certificate (routes are mutual) and the CA peers' certificates
     * must chain to.
     */
    public static SslContext routeClient(TlsOptions tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .protocols(tls.protocols())
                    .keyManager(new File(tls.certFile()), new File(tls.keyFile()));
            if (tls.insecure()) {
                // cluster.tls insecure: Go's InsecureSkipVerify, the dialled route's certificate is not checked
                b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caFile() != null && !tls.caFile().isEmpty()) {
                b.trustManager(new File(tls.caFile()));
            }
            return TlsCurves.apply(b.build(), tls.curvePreferences());
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("error parsing cluster TLS config: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
