package io.natsboot.server.tls;

import io.natsboot.server.config.OcspOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.log.ServerLog;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLEngine;

/**
 * OCSP stapling of a server (nats-server 2.9.10's {@code ocsp} setting): which listeners staple, the start-up
 * checks, and the TLS contexts that staple the current response in each handshake.
 *
 * <p>nats-server monitors the certificate of each TLS configuration it has (client port, cluster, leafnodes,
 * gateway) when the mode asks for it: {@code always} for every certificate, {@code auto} (the default, also
 * without any {@code ocsp} setting) and {@code must} for must-staple certificates only, {@code never} for none.
 * The first response is fetched while the server is created: a failure, or a status other than good in
 * {@code always}/{@code must}, refuses the start with nats-server's text.
 *
 * <p>The JDK's SSLEngine staples only responses it fetches itself (a process-wide setting, no API to hand it
 * one), so a listener that staples uses Netty's BoringSSL engine (netty-tcnative), which takes the response
 * per handshake. Listeners that do not staple keep the JDK engine.
 */
public final class OcspStaples {
    private static final OcspStaples NONE = new OcspStaples(List.of(), Map.of());

    private final List<OcspMonitor> monitors;
    /** The monitor of each TLS block that staples (identity: the block object of the options). */
    private final Map<TlsOptions, OcspMonitor> byTls;
    private volatile ScheduledExecutorService timer;

    private OcspStaples(List<OcspMonitor> monitors, Map<TlsOptions, OcspMonitor> byTls) {
        this.monitors = monitors;
        this.byTls = byTls;
    }

    /** Nothing staples. */
    public static OcspStaples none() {
        return NONE;
    }

    /**
     * The monitors the options ask for, each with its first response. Throws IllegalArgumentException with
     * nats-server's start error (printed as {@code nats-server: <text>}).
     */
    public static OcspStaples prepare(ServerOptions options) {
        OcspOptions ocsp = options.ocsp();
        if (ocsp != null && ocsp.mode() == OcspOptions.Mode.NEVER) {
            // nats-server warns about must-staple certificates here, before its logger exists: nothing shows
            return NONE;
        }
        Path storeDir = storeDir(options);
        List<OcspMonitor> monitors = new ArrayList<>();
        Map<TlsOptions, OcspMonitor> byTls = new IdentityHashMap<>();
        add(monitors, byTls, "Client", options.tls(), ocsp, storeDir);
        if (options.cluster() != null) {
            add(monitors, byTls, "Router", options.cluster().tls(), ocsp, storeDir);
        }
        if (options.leafnodes() != null) {
            add(monitors, byTls, "Leafnode", options.leafnodes().tls(), ocsp, storeDir);
        }
        if (options.gateway() != null) {
            add(monitors, byTls, "Gateway", options.gateway().tls(), ocsp, storeDir);
        }
        return monitors.isEmpty() ? NONE : new OcspStaples(List.copyOf(monitors), byTls);
    }

    private static void add(List<OcspMonitor> monitors, Map<TlsOptions, OcspMonitor> byTls, String kind,
                            TlsOptions tls, OcspOptions ocsp, Path storeDir) {
        if (tls == null || tls.certFile() == null || tls.certFile().isEmpty()) {
            return; // no certificate file (an application's key managers): nothing nats-server would staple
        }
        OcspMonitor m = monitor(kind, tls, ocsp, storeDir);
        if (m != null) {
            monitors.add(m);
            byTls.put(tls, m);
        }
    }

    /** nats-server's NewOCSPMonitor: null when this certificate is not stapled. */
    private static OcspMonitor monitor(String kind, TlsOptions tls, OcspOptions ocsp, Path storeDir) {
        String certFile = tls.certFile();
        List<X509Certificate> chain = certificates(certFile);
        if (chain.isEmpty()) {
            return null; // the TLS context reports the bad file
        }
        X509Certificate leaf = chain.get(0);
        boolean mustStaple = OcspMonitor.mustStaple(leaf);
        boolean shutdownOnRevoke = false;
        OcspOptions.Mode mode = ocsp == null ? OcspOptions.Mode.AUTO : ocsp.mode();
        if (mode == OcspOptions.Mode.ALWAYS) {
            mustStaple = true;
            shutdownOnRevoke = true;
        } else if (mode == OcspOptions.Mode.MUST && mustStaple) {
            shutdownOnRevoke = true;
        }
        if (!mustStaple) {
            return null;
        }
        if (storeDir != null) {
            setupStoreDir(storeDir);
        }
        X509Certificate issuer = issuer(tls.caFile(), chain);
        if (!OpenSsl.isOcspSupported()) {
            throw new IllegalArgumentException("OCSP stapling needs Netty's BoringSSL engine (netty-tcnative), which"
                    + " is not available here: " + OpenSsl.unavailabilityCause());
        }
        OcspMonitor m = new OcspMonitor(kind, certFile, shutdownOnRevoke, leaf, issuer,
                ocsp == null ? List.of() : ocsp.overrideUrls(), storeDir);
        OcspMonitor.Status s;
        try {
            s = m.status();
        } catch (OcspMonitor.StatusException e) {
            throw new IllegalArgumentException("bad OCSP status update for certificate at '" + certFile + "': "
                    + e.getMessage());
        }
        if (!s.good() && shutdownOnRevoke) {
            throw new IllegalArgumentException("found existing OCSP status for certificate at '" + certFile + "': "
                    + s.status());
        }
        return m;
    }

    private static Path storeDir(ServerOptions options) {
        String dir = options.jetstream() == null ? null : options.jetstream().storeDir();
        return dir == null || dir.isEmpty() ? null : Path.of(dir, "ocsp");
    }

    private static void setupStoreDir(Path dir) {
        if (!Files.exists(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IllegalArgumentException("could not create OCSP storage directory - " + e.getMessage());
            }
        } else if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("OCSP storage directory is not a directory");
        }
    }

    private static List<X509Certificate> certificates(String file) {
        try (var in = Files.newInputStream(Path.of(file))) {
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
            return chain;
        } catch (IOException | CertificateException e) {
            return List.of();
        }
    }

    /** nats-server's getOCSPIssuer: the ca_file's first certificate, else the chain's second. */
    private static X509Certificate issuer(String caFile, List<X509Certificate> chain) {
        X509Certificate issuer;
        String name = caFile == null ? "" : caFile;
        if (!name.isEmpty()) {
            issuer = firstPemCertificate(name);
        } else if (chain.size() > 1) {
            issuer = chain.get(1);
        } else {
            throw new IllegalArgumentException("ocsp ca required in chain or configuration");
        }
        if (issuer.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(name + " invalid ca basic constraints: is not ca");
        }
        return issuer;
    }

    private static X509Certificate firstPemCertificate(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("open " + file + ": " + goReason(e));
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("-----BEGIN ([^-\\r\\n]+)-----\\r?\\n(.*?)-----END \\1-----", java.util.regex.Pattern.DOTALL)
                .matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("failed to parse PEM cert " + file);
        }
        if (!m.group(1).equals("CERTIFICATE")) {
            throw new IllegalArgumentException("unexpected PEM certificate type: " + m.group(1));
        }
        try {
            byte[] der = java.util.Base64.getMimeDecoder().decode(m.group(2));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("x509: malformed certificate");
        }
    }

    private static String goReason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    }

    /** True when some listener staples. */
    public boolean any() {
        return !monitors.isEmpty();
    }

    /**
     * The server TLS context of a listener: {@link TlsContexts#server} unless this TLS block staples, then a
     * BoringSSL context whose every engine carries the current response.
     */
    public SslContext server(TlsOptions tls) {
        SslContext stapling = stapling(tls);
        return stapling != null ? stapling : TlsContexts.server(tls);
    }

    /** The stapling context of this TLS block, or null when its certificate is not stapled. */
    public SslContext stapling(TlsOptions tls) {
        OcspMonitor m = tls == null ? null : byTls.get(tls);
        return m == null ? null : stapling(m, tls);
    }

    /**
     * The HTTPS monitoring port's context ({@code monitorTls}: the client port's certificate, no client
     * certificates): stapled when the client port's certificate is, as nats-server's monitor shares its TLS
     * configuration.
     */
    public SslContext monitoring(TlsOptions clientTls, TlsOptions monitorTls) {
        OcspMonitor m = clientTls == null ? null : byTls.get(clientTls);
        return m == null ? TlsContexts.server(monitorTls) : stapling(m, monitorTls);
    }

    private SslContext stapling(OcspMonitor m, TlsOptions tls) {
        return new DelegatingSslContext(TlsContexts.serverStapling(tls)) {
            @Override
            protected void initEngine(SSLEngine engine) {
                byte[] staple = m.stapleNow();
                if (staple == null) {
                    refreshSoon(m);
                    // nats-server fails the handshake when it has no valid response to staple
                    throw new IllegalStateException("no valid OCSP response for certificate at '" + m.certFile + "'");
                }
                ((ReferenceCountedOpenSslEngine) engine).setOcspResponse(staple);
            }
        };
    }

    private void refreshSoon(OcspMonitor m) {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.execute(() -> {
                try {
                    m.status();
                } catch (OcspMonitor.StatusException e) {
                    // the monitor's next check logs it
                }
            });
        }
    }

    /**
     * Starts the monitors (nats-server's startOCSPMonitoring): one line per stapling listener, then each
     * monitor's checks on one daemon thread. {@code shutdown} is called when a revoked status must stop the
     * server.
     */
    public synchronized void start(ServerLog log, Runnable shutdown) {
        if (monitors.isEmpty() || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ocsp-monitor");
            t.setDaemon(true);
            return t;
        });
        for (OcspMonitor m : monitors) {
            log.info("OCSP Stapling enabled for " + m.kind + " connections");
        }
        for (OcspMonitor m : monitors) { // their first lines come after all of the above, as nats-server's
            m.start(timer, log, () -> new Thread(shutdown, "ocsp-shutdown").start());
        }
    }

    /** Stops the monitors (server shutdown). */
    public synchronized void stop() {
        monitors.forEach(OcspMonitor::stop);
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
