package io.natsboot.server.auth.jwt;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code resolver: MEMORY}: only the preloaded account JWTs (and updates stored by the server itself). */
final class MemoryResolver implements AccountResolver {
    private final Map<String, String> jwts = new ConcurrentHashMap<>();

    @Override
    public String fetch(String account) throws IOException {
        String jwt = jwts.get(account);
        if (jwt == null) {
            throw new IOException("account missing");
        }
        return jwt;
    }

    @Override
    public void store(String account, String jwt) {
        jwts.put(account, jwt);
    }
}
