package io.natsboot.server.auth.jwt;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Operator (decentralized JWT) mode: the trusted operators, the system account, the account resolver and the
 * account JWTs preloaded into it. Null in ServerOptions.trust() when no operator is configured.
 *
 * @param operators      decoded operator JWTs (file or inline in the configuration)
 * @param systemAccount  the system account's public key, from the configuration or the operator JWT; may be null
 * @param resolver       where account JWTs come from; null = not configured (nats-server then refuses to start)
 * @param preload        account public key -> account JWT ({@code resolver_preload})
 * @param pinnedAccounts {@code resolver_pinned_accounts}: when not empty, only users of these accounts (and of the
 *                       system account) may log in
 * @param trustedKeys    {@code trusted}/{@code trusted_keys}: operator public keys trusted without an operator JWT
 *                       (then {@code operators} is empty; nats-server refuses both together)
 */
public record TrustOptions(List<OperatorClaims> operators, String systemAccount, Resolver resolver,
        Map<String, String> preload, java.util.Set<String> pinnedAccounts, List<String> trustedKeys,
        ResolverTls resolverTls) {

    public TrustOptions(List<OperatorClaims> operators, String systemAccount, Resolver resolver,
            Map<String, String> preload, java.util.Set<String> pinnedAccounts) {
        this(operators, systemAccount, resolver, preload, pinnedAccounts, List.of(), null);
    }

    /**
     * {@code resolver_tls}: the TLS of the URL resolver's HTTPS requests, PEM files as in nats-server's tls blocks:
     * the client certificate and key (both or neither), the CA the account server's certificate must chain to
     * (the JDK's default trust when null), or {@code insecure} (no check).
     */
    public record ResolverTls(String certFile, String keyFile, String caFile, boolean insecure) {
    }

    public TrustOptions {
        trustedKeys = trustedKeys == null ? List.of() : List.copyOf(trustedKeys);
        operators = List.copyOf(operators);
        preload = Map.copyOf(preload);
        pinnedAccounts = pinnedAccounts == null ? java.util.Set.of()
                : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(pinnedAccounts));
    }

    public TrustOptions(List<OperatorClaims> operators, String systemAccount, Resolver resolver,
            Map<String, String> preload) {
        this(operators, systemAccount, resolver, preload, java.util.Set.of());
    }

    /**
     * Operator mode from parts (the Spring Boot starter's properties): the operator JWT (maybe nsc-decorated),
     * checked as the configuration file's would be; throws {@link IllegalArgumentException} with the reason.
     */
    public static TrustOptions of(String operatorJwt, String systemAccount, Resolver resolver,
            Map<String, String> preload) {
        OperatorClaims op;
        try {
            op = OperatorClaims.decode(Jwt.undecorate(operatorJwt));
        } catch (JwtException e) {
            throw new IllegalArgumentException("error parsing operator JWT: " + e.getMessage());
        }
        for (Map.Entry<String, String> p : preload.entrySet()) {
            try {
                AccountClaims.decode(p.getValue());
            } catch (JwtException e) {
                throw new IllegalArgumentException("invalid account JWT for " + p.getKey() + ": " + e.getMessage());
            }
        }
        String sys = systemAccount != null && !systemAccount.isEmpty() ? systemAccount : op.systemAccount();
        return new TrustOptions(List.of(op), sys == null || sys.isEmpty() ? null : sys, resolver, preload);
    }

    /** The kinds of nats-server 2.9's account resolvers. */
    public enum ResolverType { MEMORY, URL, FULL, CACHE }

    /**
     * One resolver: {@code MEMORY}, {@code URL(url)}, or a directory store ({@code FULL} keeps every account,
     * {@code CACHE} up to {@code limit} with a {@code ttl}).
     */
    public record Resolver(ResolverType type, String url, String dir, boolean allowDelete, Duration interval,
            long limit, Duration ttl, Duration timeout) {

        public static Resolver memory() {
            return new Resolver(ResolverType.MEMORY, null, null, false, Duration.ZERO, 0, Duration.ZERO, null);
        }

        public static Resolver url(String url) {
            return new Resolver(ResolverType.URL, url, null, false, Duration.ZERO, 0, Duration.ZERO, null);
        }
    }
}
