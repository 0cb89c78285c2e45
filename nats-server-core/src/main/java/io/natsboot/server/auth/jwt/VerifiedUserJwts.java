package io.natsboot.server.auth.jwt;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User JWTs already decoded and signature-checked, by their text, so a client that reconnects again and again
 * (a reconnect storm of the same creds) is not decoded and verified each time. Only what does not change with
 * time is kept: expiry, revocation, account state and the nonce signature are still checked at every login.
 * Bounded: past {@link #MAX} entries, arbitrary ones are dropped (a bound, not an LRU: a hit costs one lookup).
 */
final class VerifiedUserJwts {
    static final int MAX = 4096;
    private final ConcurrentHashMap<String, UserClaims> byToken = new ConcurrentHashMap<>();

    /** The claims of {@code token}: cached, else decoded and verified (a token that fails is not kept). */
    UserClaims decode(String token) throws JwtException {
        UserClaims c = byToken.get(token);
        if (c != null) {
            return c;
        }
        c = UserClaims.decode(token);
        if (byToken.size() >= MAX) {
            Iterator<String> it = byToken.keySet().iterator();
            for (int i = 0; i < MAX / 8 && it.hasNext(); i++) {
                it.next();
                it.remove();
            }
        }
        byToken.put(token, c);
        return c;
    }

    int size() {
        return byToken.size();
    }
}
