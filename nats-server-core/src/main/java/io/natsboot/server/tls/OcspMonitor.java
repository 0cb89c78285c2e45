package io.natsboot.server.tls;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.log.ServerLog;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The OCSP status of one certificate that a listener staples (nats-server 2.9.10's OCSP monitor): fetched from
 * the responders (the certificate's AIA OCSP URLs, or the configured ones) with an HTTP GET of the base64
 * request, checked against the issuer, kept in memory and, with a JetStream store_dir, in
 * {@code <store_dir>/ocsp/<sha256 of the certificate>} so a restart can staple before the responder answers.
 * Refreshed at half the time to the response's next update (a day without one, two minutes when that is past).
 */
final class OcspMonitor {
    /** RFC 7633 TLS feature extension; value 5 is status_request (must-staple). */
    static final String TLS_FEATURE_OID = "1.3.6.1.5.5.7.1.24";
    private static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(24);
    private static final Duration MIN_CHECK_INTERVAL = Duration.ofMinutes(2);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    /** A parsed, checked response with its raw bytes (what is stapled). */
    record Status(byte[] raw, String status, Instant thisUpdate, Instant nextUpdate) {
        boolean good() {
            return "good".equals(status);
        }
    }

    /** A status that could not be had; its message is nats-server's text. */
    static final class StatusException extends Exception {
        StatusException(String m) {
            super(m, null, false, false);
        }
    }

    final String kind;
    final String certFile;
    final boolean shutdownOnRevoke;
    private final X509Certificate leaf;
    private final X509Certificate issuer;
    private final List<String> overrideUrls;
    private final Path storeDir;
    private final HttpClient http;
    private volatile Status current;
    private volatile boolean stopped;

    OcspMonitor(String kind, String certFile, boolean shutdownOnRevoke, X509Certificate leaf,
                X509Certificate issuer, List<String> overrideUrls, Path storeDir) {
        this.kind = kind;
        this.certFile = certFile;
        this.shutdownOnRevoke = shutdownOnRevoke;
        this.leaf = leaf;
        this.issuer = issuer;
        this.overrideUrls = overrideUrls;
        this.storeDir = storeDir;
        this.http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** True when the certificate carries the must-staple (TLS feature status_request) extension. */
    static boolean mustStaple(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(TLS_FEATURE_OID);
        if (ext == null) {
            return false;
        }
        try {
            ASN1Primitive value = ASN1Primitive.fromByteArray(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets());
            for (var element : ASN1Sequence.getInstance(value)) {
                if (ASN1Integer.getInstance(element).getValue().equals(BigInteger.valueOf(5))) {
                    return true;
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
        return false;
    }

    /** The response to staple now: the one in memory while valid, else the stored one, else the responder's. */
    Status status() throws StatusException {
        Status s = current;
        if (s != null && valid(s) == null) {
            return s;
        }
        Status local = localStatus();
        if (local != null) {
            return local;
        }
        return remoteStatus();
    }

    /** The response in memory if it is still valid (for a handshake, which must not wait on the network). */
    byte[] stapleNow() {
        Status s = current;
        return s != null && valid(s) == null ? s.raw() : null;
    }

    private Status localStatus() {
        if (storeDir == null) {
            return null;
        }
        try {
            byte[] raw = Files.readAllBytes(storeDir.resolve(key()));
            Status s = parse(raw);
            if (valid(s) != null) {
                return null;
            }
            current = s;
            return s;
        } catch (IOException | StatusException e) {
            return null;
        }
    }

    /** Asks the responders in order; the first that answers 200 decides. */
    Status remoteStatus() throws StatusException {
        byte[] request;
        try {
            CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build()
                    .get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
            request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OCSPException | OperatorCreationException | IOException
                 | java.security.cert.CertificateEncodingException e) {
            throw new StatusException(e.getMessage());
        }
        String encoded = Base64.getEncoder().encodeToString(request);
        List<String> responders = overrideUrls.isEmpty() ? aiaOcspUrls(leaf) : overrideUrls;
        if (responders.isEmpty()) {
            throw new StatusException("no available ocsp servers");
        }
        byte[] raw = null;
        String lastError = null;
        for (String u : responders) {
            String base = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
            String url = base + "/" + encoded;
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT)
                        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    lastError = "non-ok http status: " + r.statusCode();
                    continue;
                }
                raw = r.body();
                break;
            } catch (IOException | IllegalArgumentException e) {
                lastError = goHttpError(url, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lastError = "Get \"" + url + "\": context canceled";
                break;
            }
        }
        if (raw == null) {
            throw new StatusException("exhausted ocsp servers: " + lastError);
        }
        Status s = parse(raw);
        String invalid = valid(s);
        if (invalid != null) {
            throw new StatusException(invalid);
        }
        if (storeDir != null) {
            try {
                write(raw);
            } catch (IOException e) {
                throw new StatusException("failed to write ocsp status: " + e.getMessage());
            }
        }
        current = s;
        return s;
    }

    /** Go's net/http error text for a failed GET, as close as the JDK's exceptions tell. */
    private static String goHttpError(String url, Exception e) {
        String reason;
        if (e instanceof java.net.ConnectException) {
            URI u = URI.create(url);
            reason = "dial tcp " + u.getHost() + ":" + (u.getPort() < 0 ? 80 : u.getPort())
                    + ": connect: connection refused";
        } else if (e instanceof java.net.http.HttpTimeoutException) {
            reason = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        } else {
            reason = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return "Get \"" + url + "\": " + reason;
    }

    /** The responder's answer, signature checked against the issuer (directly or through a delegated cert). */
    Status parse(byte[] raw) throws StatusException {
        try {
            OCSPResp resp = new OCSPResp(raw);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new StatusException("ocsp: error from server: " + responseStatusName(resp.getStatus()));
            }
            if (!(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
                throw new StatusException("ocsp: bad OCSP response type");
            }
            X509CertificateHolder issuerHolder = new JcaX509CertificateHolder(issuer);
            X509CertificateHolder signer = issuerHolder;
            X509CertificateHolder[] certs = basic.getCerts();
            if (certs != null && certs.length > 0 && !certs[0].equals(issuerHolder)) {
                // a delegated responder: its certificate must be signed by the issuer
                if (!certs[0].isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer))) {
                    throw new StatusException("bad signature on embedded certificate: crypto/rsa: verification error");
                }
                signer = certs[0];
            }
            if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))) {
                throw new StatusException("bad OCSP signature: crypto/rsa: verification error");
            }
            SingleResp[] responses = basic.getResponses();
            if (responses.length != 1) {
                throw new StatusException("ocsp: error parsing response: OCSP response contains bad number of responses");
            }
            SingleResp single = responses[0];
            CertificateStatus cs = single.getCertStatus();
            String status = cs == CertificateStatus.GOOD ? "good" : cs instanceof RevokedStatus ? "revoked" : "unknown";
            Instant next = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
            return new Status(raw.clone(), status, single.getThisUpdate().toInstant(), next);
        } catch (IOException | OCSPException | OperatorCreationException | org.bouncycastle.cert.CertException
                 | java.security.cert.CertificateException | RuntimeException e) {
            throw new StatusException("ocsp: error parsing response: " + e.getMessage());
        }
    }

    private static String responseStatusName(int status) {
        return switch (status) {
            case OCSPResp.MALFORMED_REQUEST -> "malformed";
            case OCSPResp.INTERNAL_ERROR -> "internal error";
            case OCSPResp.TRY_LATER -> "try later";
            case OCSPResp.SIG_REQUIRED -> "signature required";
            case OCSPResp.UNAUTHORIZED -> "unauthorized";
            default -> "unknown OCSP status: " + status;
        };
    }

    /** Null when the response is current, else nats-server's reason. */
    static String valid(Status s) {
        Instant now = Instant.now();
        if (s.nextUpdate() != null && s.nextUpdate().isBefore(now)) {
            return "invalid ocsp NextUpdate, is past time: " + GoFormat.rfc3339Nano(s.nextUpdate());
        }
        if (s.thisUpdate().isAfter(now)) {
            return "invalid ocsp ThisUpdate, is future time: " + GoFormat.rfc3339Nano(s.thisUpdate());
        }
        return null;
    }

    /** The OCSP responder URLs of the certificate's Authority Information Access extension. */
    static List<String> aiaOcspUrls(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(org.bouncycastle.asn1.x509.Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return List.of();
        }
        try {
            var aia = org.bouncycastle.asn1.x509.AuthorityInformationAccess.getInstance(
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets());
            List<String> urls = new java.util.ArrayList<>();
            for (var d : aia.getAccessDescriptions()) {
                if (d.getAccessMethod().equals(org.bouncycastle.asn1.x509.AccessDescription.id_ad_ocsp)
                        && d.getAccessLocation().getTagNo() == org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier) {
                    urls.add(d.getAccessLocation().getName().toString());
                }
            }
            return urls;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The stored response's file name: the hex SHA-256 of the whole certificate. */
    private String key() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes through a temporary file and a rename, so a crash never leaves half a response. */
    private void write(byte[] raw) throws IOException {
        Path tmp = Files.createTempFile(storeDir, "tmp-cert-status", "");
        try {
            Files.write(tmp, raw);
            Files.move(tmp, storeDir.resolve(key()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Half the time to the next update; a day without one; two minutes when it is already past. */
    Duration nextRun() {
        Status s = current;
        if (s == null || s.nextUpdate() == null) {
            return DEFAULT_CHECK_INTERVAL;
        }
        Duration d = Duration.between(Instant.now(), s.nextUpdate()).dividedBy(2);
        return d.isNegative() ? MIN_CHECK_INTERVAL : d;
    }

    private static String nextUpdateText(Status s) {
        return s.nextUpdate() == null ? "0001-01-01T00:00:00Z" : GoFormat.rfc3339Nano(s.nextUpdate());
    }

    /**
     * Runs the monitor on {@code timer}: the first check now (the response fetched at start-up), then one at
     * each {@link #nextRun()}. A bad status with shutdownOnRevoke calls {@code shutdown}; any bad status ends
     * the monitoring, as nats-server's monitor ends.
     */
    void start(ScheduledExecutorService timer, ServerLog log, Runnable shutdown) {
        timer.execute(() -> {
            Duration next = Duration.ZERO;
            try {
                Status s = status();
                if (s.good()) {
                    next = nextRun();
                    log.info("Found OCSP status for " + kind + " certificate at '" + certFile + "': good, next update "
                            + nextUpdateText(s) + ", checking again in " + GoFormat.duration(next));
                } else if (shutdownOnRevoke) {
                    log.error("Found OCSP status for " + kind + " certificate at '" + certFile + "': " + s.status());
                    shutdown.run();
                    return;
                }
            } catch (StatusException e) {
                // as nats-server: checked again at once, by the loop
            }
            schedule(timer, log, shutdown, next);
        });
    }

    private void schedule(ScheduledExecutorService timer, ServerLog log, Runnable shutdown, Duration delay) {
        if (stopped) {
            return;
        }
        timer.schedule(() -> check(timer, log, shutdown), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    private void check(ScheduledExecutorService timer, ServerLog log, Runnable shutdown) {
        if (stopped) {
            return;
        }
        Status s;
        try {
            s = remoteStatus();
        } catch (StatusException e) {
            Duration next = nextRun();
            log.error("Bad OCSP status update for certificate '" + certFile + "': " + e.getMessage()
                    + ", trying again in " + GoFormat.duration(next));
            schedule(timer, log, shutdown, next);
            return;
        }
        if (s.good()) {
            Duration next = nextRun();
            log.info("Received OCSP status for " + kind + " certificate '" + certFile + "': good, next update "
                    + nextUpdateText(s) + ", checking again in " + GoFormat.duration(next));
            schedule(timer, log, shutdown, next);
            return;
        }
        log.error("Received OCSP status for " + kind + " certificate '" + certFile + "': " + s.status());
        if (shutdownOnRevoke) {
            shutdown.run();
        }
    }

    void stop() {
        stopped = true;
    }
}
