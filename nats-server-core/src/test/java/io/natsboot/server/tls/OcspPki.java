package io.natsboot.server.tls;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Test PKI for OCSP stapling, made in the test: a CA, server certificates for localhost/127.0.0.1 whose AIA
 * points at a local OCSP responder (with and without the must-staple extension), PEM files in a directory, and
 * the responder itself (HTTP on 127.0.0.1, GET {@code /<base64 request>} and POST, signed by the CA) whose
 * answer per certificate the test sets.
 */
final class OcspPki implements AutoCloseable {
    enum Status { GOOD, REVOKED, UNKNOWN }

    final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final HttpServer responder;
    final String responderUrl;
    private final Map<BigInteger, Status> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger serials = new AtomicInteger(100);
    final AtomicInteger requests = new AtomicInteger();
    /** Validity of the responses (next update - this update). */
    volatile Duration validity = Duration.ofHours(1);

    OcspPki() throws Exception {
        dir = Files.createTempDirectory("ocsp-pki");
        responder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        responderUrl = "http://127.0.0.1:" + responder.getAddress().getPort();
        caKeys = rsa();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=OCSP Test CA");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), caName,
                caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign
                | KeyUsage.digitalSignature));
        ca = sign(b, caKeys);
        pem(dir.resolve("ca.pem"), ca);
        responder.createContext("/", ex -> {
            try {
                byte[] der;
                if ("POST".equals(ex.getRequestMethod())) {
                    der = ex.getRequestBody().readAllBytes();
                } else {
                    String path = ex.getRequestURI().getRawPath().substring(1);
                    der = Base64.getDecoder().decode(java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8)
                            .replace(' ', '+'));
                }
                requests.incrementAndGet();
                byte[] resp = answer(new OCSPReq(der));
                ex.getResponseHeaders().add("Content-Type", "application/ocsp-response");
                ex.sendResponseHeaders(200, resp.length);
                ex.getResponseBody().write(resp);
            } catch (Exception e) {
                ex.sendResponseHeaders(400, -1);
            } finally {
                ex.close();
            }
        });
        responder.start();
    }

    Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** A server certificate and key as {@code <name>-cert.pem} / {@code <name>-key.pem}; its status starts good. */
    Path[] server(String name, boolean mustStaple, boolean chainWithCa) throws Exception {
        KeyPair keys = rsa();
        Instant now = Instant.now();
        BigInteger serial = BigInteger.valueOf(serials.incrementAndGet());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new JcaX509CertificateHolder(ca).getSubject(),
                serial, Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(10))),
                new X500Name("CN=localhost"), keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, responderUrl)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (mustStaple) {
            b.addExtension(new ASN1ObjectIdentifier(OcspMonitor.TLS_FEATURE_OID), false,
                    new DERSequence(new ASN1Integer(5)));
        }
        X509Certificate cert = sign(b, caKeys);
        statuses.put(serial, Status.GOOD);
        Path certFile = dir.resolve(name + "-cert.pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        if (chainWithCa) {
            pem(certFile, cert, ca);
        } else {
            pem(certFile, cert);
        }
        pem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null).generate());
        return new Path[] {certFile, keyFile};
    }

    /** A client TLS context trusting the CA, presenting {@code certAndKey} (a certificate of {@link #server}) if given. */
    javax.net.ssl.SSLContext clientContext(Path[] certAndKey) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.KeyManager[] keys = null;
        if (certAndKey != null) {
            java.security.cert.Certificate cert;
            try (var in = Files.newInputStream(certAndKey[0])) {
                cert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            String pem = Files.readString(certAndKey[1]).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            java.security.PrivateKey key = java.security.KeyFactory.getInstance("RSA").generatePrivate(
                    new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", key, new char[0], new java.security.cert.Certificate[] {cert, ca});
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            keys = kmf.getKeyManagers();
        }
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(keys, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Sets what the responder says about the certificate in {@code certFile}. */
    void status(Path certFile, Status s) throws Exception {
        try (var in = Files.newInputStream(certFile)) {
            X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            statuses.put(c.getSerialNumber(), s);
        }
    }

    private byte[] answer(OCSPReq req) throws Exception {
        X509CertificateHolder caHolder = new JcaX509CertificateHolder(ca);
        BasicOCSPRespBuilder rb = new BasicOCSPRespBuilder(new RespID(caHolder.getSubject()));
        Instant now = Instant.now();
        for (Req r : req.getRequestList()) {
            CertificateID id = r.getCertID();
            Status s = statuses.getOrDefault(id.getSerialNumber(), Status.UNKNOWN);
            CertificateStatus cs = switch (s) {
                case GOOD -> CertificateStatus.GOOD;
                case REVOKED -> new RevokedStatus(Date.from(now.minusSeconds(60)), 1);
                case UNKNOWN -> new UnknownStatus();
            };
            rb.addResponse(id, cs, Date.from(now.minusSeconds(5)), Date.from(now.plus(validity)), null);
        }
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate());
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                rb.build(signer, new X509CertificateHolder[] {caHolder}, Date.from(now))).getEncoded();
    }

    /** The certificate ID of a certificate of this CA, as an OCSP request names it. */
    CertificateID id(X509Certificate cert) throws Exception {
        return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(ca), cert.getSerialNumber());
    }

    static OCSPResp parse(byte[] raw) throws IOException {
        return new OCSPResp(raw);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
    }

    private static void pem(Path file, Object... objects) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            for (Object o : objects) {
                p.writeObject(o);
            }
        }
        Files.writeString(file, w.toString());
    }

    @Override
    public void close() {
        responder.stop(0);
    }
}
