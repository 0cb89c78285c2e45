package io.natsboot.server.auth.jwt;

import io.nats.client.NKey;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * One NATS JWT, decoded and its signature checked: {@code header.claims.signature}, each part base64url without
 * padding, the header {@code {"typ":"JWT","alg":"ed25519-nkey"}} ({@code "ed25519"} for version 1 tokens), the
 * signature an Ed25519 signature of {@code header.claims} by the issuer's nkey ({@code iss}).
 *
 * <p>The claims JSON is parsed with jnats' JSON parser; the issuer's key is checked (type, CRC) by jnats' {@link NKey}
 * and the signature verified with the JDK's Ed25519 ({@link io.natsboot.server.auth.NKeys#verifySignature}). What a claim means (operator,
 * account, user, activation) is read by the claim records of this package from {@link #nats()}.
 */
public record Jwt(String token, String issuer, String subject, String name, String id, long issuedAt, long expires,
        long notBefore, String type, int version, JsonValue nats) {

    /** Decodes {@code token} and verifies that {@code iss} signed it. */
    public static Jwt decode(String token) throws JwtException {
        if (token == null) {
            throw new JwtException("expected 3 chunks");
        }
        token = token.strip();
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            throw new JwtException("expected 3 chunks");
        }
        JsonValue header = json(token.substring(0, dot1), "header");
        String typ = Claims.string(header, "typ");
        String alg = Claims.string(header, "alg");
        if (typ == null || !typ.toUpperCase(Locale.ROOT).equals("JWT")) {
            throw new JwtException("not supported type " + quote(typ));
        }
        if (!"ed25519-nkey".equals(alg) && !"ed25519".equals(alg)) {
            throw new JwtException("unexpected " + quote(alg) + " algorithm");
        }
        JsonValue claims = json(token.substring(dot1 + 1, dot2), "claims");
        String iss = Claims.string(claims, "iss");
        if (iss == null || iss.isEmpty()) {
            throw new JwtException("claim issuer is not set");
        }
        byte[] sig;
        try {
            sig = Base64.getUrlDecoder().decode(token.substring(dot2 + 1));
        } catch (IllegalArgumentException e) {
            throw new JwtException("illegal base64 signature");
        }
        byte[] signed = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        if (!io.natsboot.server.auth.NKeys.verifySignature(iss, signed, sig)) {
            throw new JwtException("claim failed V2 signature verification");
        }
        JsonValue nats = claims.map.get("nats");
        if (nats == null || nats.map == null) {
            nats = JsonValue.EMPTY_MAP;
        }
        Long version = Claims.longValue(nats, "version");
        return new Jwt(token, iss, Claims.string(claims, "sub"), Claims.string(claims, "name"),
                Claims.string(claims, "jti"), Claims.longOr(claims, "iat", 0), Claims.longOr(claims, "exp", 0),
                Claims.longOr(claims, "nbf", 0), Claims.string(nats, "type"), version == null ? 1 : version.intValue(),
                nats);
    }

    /** nsc's decoration: the first block between {@code ---...---} lines (creds files, operator files). */
    private static final java.util.regex.Pattern DECORATED = java.util.regex.Pattern.compile(
            "\\s*(?:(?:-{3,}[^\\n]*-{3,}\\n)(.+)(?:\\n\\s*-{3,}[^\\n]*-{3,}\\n*))");

    /** The JWT of an nsc-decorated text (creds file, operator file), else the text itself, stripped. */
    public static String undecorate(String contents) {
        java.util.regex.Matcher m = DECORATED.matcher(contents);
        return m.find() ? m.group(1).strip() : contents.strip();
    }

    /** Whether {@code exp} is set and passed at {@code nowSeconds} (jwt's "claim is expired"). */
    public boolean expiredAt(long nowSeconds) {
        return expires > 0 && nowSeconds > expires;
    }

    /** Whether {@code nbf} is set and still ahead at {@code nowSeconds} (jwt's "claim is not yet valid"). */
    public boolean notYetValidAt(long nowSeconds) {
        return notBefore > 0 && notBefore > nowSeconds;
    }

    /** The time checks nats-server counts as blocking: expired or not yet valid. */
    public String timeProblem(long nowSeconds) {
        if (expiredAt(nowSeconds)) {
            return "claim is expired";
        }
        if (notYetValidAt(nowSeconds)) {
            return "claim is not yet valid";
        }
        return null;
    }

    /** Checks that the claim is of {@code expected} type (operator, account, user, activation). */
    Jwt requireType(String expected) throws JwtException {
        String t = type;
        if (t == null && version < 2) {
            t = expected; // version 1 tokens may omit the type; their fields are read the same way
        }
        if (!expected.equals(t)) {
            throw new JwtException("not " + article(expected) + " claim");
        }
        return this;
    }

    private static String article(String kind) {
        return (kind.startsWith("a") || kind.startsWith("o") ? "an " : "a ") + kind;
    }

    private static JsonValue json(String part, String what) throws JwtException {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new JwtException("illegal base64 " + what);
        }
        try {
            JsonValue v = JsonParser.parse(raw);
            if (v.map == null) {
                throw new JwtException("invalid " + what + " json");
            }
            return v;
        } catch (JsonParseException e) {
            throw new JwtException("invalid " + what + " json: " + e.getMessage());
        }
    }

    static String quote(String s) {
        return s == null ? "\"\"" : "\"" + s + "\"";
    }
}
