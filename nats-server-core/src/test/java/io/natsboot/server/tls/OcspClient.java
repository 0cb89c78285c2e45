package io.natsboot.server.tls;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A NATS client's TLS upgrade as jnats does it (plaintext INFO, then the handshake on the same socket), asking
 * for the certificate status (status_request): what the server stapled, or none.
 */
final class OcspClient {
    private OcspClient() {
    }

    /** The stapled OCSP responses the server sent in the handshake (empty: none). */
    static List<byte[]> staples(int port, Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            plain.setSoTimeout(5000);
            readLine(plain.getInputStream()); // INFO
            try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true)) {
                tls.startHandshake();
                return ((ExtendedSSLSession) tls.getSession()).getStatusResponses();
            }
        }
    }

    /** The stapled responses of a listener that starts with the TLS handshake (HTTPS monitoring). */
    static List<byte[]> staplesTlsFirst(int port, Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            tls.setSoTimeout(5000);
            tls.startHandshake();
            return ((ExtendedSSLSession) tls.getSession()).getStatusResponses();
        }
    }

    private static String readLine(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
