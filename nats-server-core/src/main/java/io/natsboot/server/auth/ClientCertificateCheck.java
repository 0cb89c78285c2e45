package io.natsboot.server.auth;

import io.natsboot.server.goformat.GoFormat;
import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client-certificate verification of the listeners with {@code verify}, reporting failures in the words of Go's
 * crypto/x509 as nats-server logs them ({@code tls: failed to verify client certificate: x509: ...}).
 *
 * <p>It also closes a gap of the JDK: a TLS session resumed from a ticket skips the trust manager, so a client
 * whose certificate expired after its first handshake would be let back in on reconnect; Go's server checks the
 * resumed certificate's validity and refuses it. {@link #validity} is that check, for the handshake-done hook.
 */
public final class ClientCertificateCheck {
    private ClientCertificateCheck() {
    }

    /** A refused client certificate; the message is Go's x509 text. */
    public static final class Refused extends CertificateException {
        private static final long serialVersionUID = 1L;

        Refused(String goText, Throwable cause) {
            super(goText, cause);
        }
    }

    /** The text nats-server logs after {@code TLS handshake error: } for a refused client certificate. */
    public static String logText(Refused r) {
        return "tls: failed to verify client certificate: " + r.getMessage();
    }

    /** Go's validity error for the first certificate of the chain outside its validity period, or null. */
    public static String validity(java.security.cert.Certificate[] chain, Instant now) {
        if (chain == null) {
            return null;
        }
        for (java.security.cert.Certificate c : chain) {
            if (c instanceof X509Certificate x) {
                String failure = validity(x, now);
                if (failure != null) {
                    return failure;
                }
            }
        }
        return null;
    }

    private static String validity(X509Certificate c, Instant now) {
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            return "x509: certificate has expired or is not yet valid: current time " + goTime(now) + " is before "
                    + goTime(notBefore);
        }
        if (now.isAfter(notAfter)) {
            return "x509: certificate has expired or is not yet valid: current time " + goTime(now) + " is after "
                    + goTime(notAfter);
        }
        return null;
    }

    /** Go's {@code time.RFC3339} in the local zone, as x509's error formats its times. */
    private static String goTime(Instant t) {
        ZoneOffset offset = ZoneId.systemDefault().getRules().getOffset(t);
        return GoFormat.rfc3339Nano(Instant.ofEpochSecond(t.getEpochSecond()), offset);
    }

    /** Wraps the X.509 trust managers of {@code factory} so their refusals carry Go's texts. */
    public static TrustManagerFactory goTexts(TrustManagerFactory factory) {
        TrustManager[] managers = factory.getTrustManagers();
        for (int i = 0; i < managers.length; i++) {
            if (managers[i] instanceof X509ExtendedTrustManager x) {
                managers[i] = new GoTextTrustManager(x);
            }
        }
        return new io.netty.handler.ssl.util.SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(java.security.KeyStore keyStore) {
            }

            @Override
            protected void engineInit(javax.net.ssl.ManagerFactoryParameters params) {
            }

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return managers.clone();
            }
        };
    }

    /** Delegates every check; a refused client chain is rethrown as {@link Refused}. */
    private static final class GoTextTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        GoTextTrustManager(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw refused(chain, e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw refused(chain, e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                delegate.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                throw refused(chain, e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /**
     * Go's text for a refused chain: validity first (Go checks each certificate's period while building the
     * chain), then an unknown issuer; anything else keeps the JDK's words.
     */
    static Refused refused(X509Certificate[] chain, CertificateException e) {
        String validity = validity(chain, Instant.now());
        if (validity != null || isValidityFailure(e)) {
            return new Refused(validity != null ? validity
                    : "x509: certificate has expired or is not yet valid", e);
        }
        if (isPathFailure(e)) {
            return new Refused("x509: certificate signed by unknown authority", e);
        }
        return new Refused(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }

    private static boolean isValidityFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertificateExpiredException || c instanceof CertificateNotYetValidException) {
                return true;
            }
            if (c instanceof CertPathValidatorException v
                    && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                            || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPathFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertPathBuilderException
                    || c instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }
}
