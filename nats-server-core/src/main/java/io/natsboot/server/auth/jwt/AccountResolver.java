package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.util.List;

/**
 * Where account JWTs come from, by account public key (nats-server's AccountResolver): in memory
 * ({@code MEMORY} + {@code resolver_preload}), an HTTP account server ({@code URL(...)}), or a directory of
 * {@code <key>.jwt} files ({@code full}/{@code cache}).
 */
public interface AccountResolver {

    /** The JWT of {@code account}; throws with nats-server's reason ("account missing", HTTP status...). */
    String fetch(String account) throws IOException;

    /** Stores a (verified) account JWT, as a preload or an update. */
    void store(String account, String jwt) throws IOException;

    /** Whether updates over {@code $SYS} may be taken (nats-server: the directory resolvers). */
    default boolean acceptsUpdates() {
        return false;
    }

    /** The keys of the accounts held (the full resolver's CLAIMS.LIST). */
    default List<String> list() throws IOException {
        return List.of();
    }

    /** Whether accounts may be deleted ({@code allow_delete} of the full resolver). */
    default boolean allowsDelete() {
        return false;
    }

    /** Removes {@code account} (nats-server keeps the file as {@code <key>.jwt.deleted}). */
    default void delete(String account) throws IOException {
        throw new IOException("delete must be enabled in server config");
    }

    /** The log line nats-server writes when this resolver starts, or null. */
    default String startLine() {
        return null;
    }

    /** Makes the resolver for {@code options}. */
    static AccountResolver of(TrustOptions.Resolver options, TrustOptions.ResolverTls tls) {
        return switch (options.type()) {
            case MEMORY -> new MemoryResolver();
            case URL -> new UrlResolver(options.url(), options.timeout(), tls);
            case FULL, CACHE -> new DirResolver(options);
        };
    }
}
