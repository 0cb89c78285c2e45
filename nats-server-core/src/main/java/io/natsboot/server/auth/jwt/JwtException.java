package io.natsboot.server.auth.jwt;

/** A JWT that does not decode, is not signed by its issuer, or does not hold the claims its kind needs. */
public final class JwtException extends Exception {
    public JwtException(String message) {
        super(message, null, false, false);
    }
}
