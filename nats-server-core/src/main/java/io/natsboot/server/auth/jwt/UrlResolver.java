package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code resolver: URL(http://host/jwt/v1/accounts/)}: each account JWT is fetched with a GET of the URL followed
 * by the account's public key (nats-account-server's API); the JDK's HTTP client. Errors use nats-server's text
 * ({@code could not fetch <"url">: ...}).
 */
final class UrlResolver implements AccountResolver {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    private final String url;
    private final Duration timeout;
    private final HttpClient http;

    UrlResolver(String url, Duration timeout, TrustOptions.ResolverTls tls) {
        this.url = url;
        this.timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(this.timeout);
        if (tls != null) {
            b.sslContext(sslContext(tls));
        }
        this.http = b.build();
    }

    /**
     * The JDK TLS context of {@code resolver_tls}, made from the PEM files by Netty's builder (it reads PKCS#8 and
     * PKCS#1 keys); throws {@link IllegalStateException} with the reason.
     */
    private static javax.net.ssl.SSLContext sslContext(TrustOptions.ResolverTls tls) {
        try {
            io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forClient()
                    .sslProvider(io.netty.handler.ssl.SslProvider.JDK);
            if (tls.certFile() != null && !tls.certFile().isEmpty()) {
                b.keyManager(new java.io.File(tls.certFile()), new java.io.File(tls.keyFile()));
            }
            if (tls.insecure()) {
                b.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caFile() != null && !tls.caFile().isEmpty()) {
                b.trustManager(new java.io.File(tls.caFile()));
            }
            return ((io.netty.handler.ssl.JdkSslContext) b.build()).context();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalStateException("error parsing resolver tls config: " + e.getMessage(), e);
        }
    }

    @Override
    public String fetch(String account) throws IOException {
        String target = url + account;
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(target)).timeout(timeout).GET().build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IllegalArgumentException e) {
            throw new IOException("could not fetch <\"" + target + "\">: Get \"" + target
                    + "\": unsupported protocol scheme \"\"");
        } catch (ConnectException e) {
            URI u = URI.create(target);
            throw new IOException("could not fetch <\"" + target + "\">: Get \"" + target + "\": dial tcp " + u.getHost()
                    + ":" + u.getPort() + ": connect: connection refused");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("could not fetch <\"" + target + "\">: interrupted");
        } catch (javax.net.ssl.SSLHandshakeException e) {
            // Go's net/http reports the certificate check this way
            throw new IOException("could not fetch <\"" + target + "\">: Get \"" + target + "\": "
                    + (untrusted(e) ? "x509: certificate signed by unknown authority" : "remote error: tls: bad certificate"));
        } catch (IOException e) {
            throw new IOException("could not fetch <\"" + target + "\">: " + e.getMessage());
        }
        if (response.statusCode() != 200) {
            throw new IOException("could not fetch <\"" + target + "\">: " + response.statusCode() + " "
                    + reason(response.statusCode()));
        }
        return response.body();
    }

    /** Whether the handshake failed on the server's certificate (not chaining to a trusted CA). */
    private static boolean untrusted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertPathValidatorException
                    || c instanceof java.security.cert.CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(int status) {
        return switch (status) {
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 403 -> "Forbidden";
            default -> "";
        };
    }

    /** nats-server checks the account server at start: a GET of the base URL must answer 200. */
    void check() throws IOException {
        fetch("");
    }

    @Override
    public void store(String account, String jwt) {
        // nats-server's URL resolver keeps nothing: every lookup goes to the account server
    }
}
