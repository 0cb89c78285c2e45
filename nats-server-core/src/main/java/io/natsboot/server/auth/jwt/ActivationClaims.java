package io.natsboot.server.auth.jwt;

import io.nats.client.NKey;
import io.natsboot.server.auth.NKeys;

/**
 * An activation token: the exporting account ({@code iss}, or {@code issuer_account} when a signing key signed)
 * lets the account {@code sub} import {@code subject} of {@code kind} ("stream" or "service") from an export
 * with {@code token_req}.
 */
public record ActivationClaims(Jwt jwt, String importSubject, String kind, String issuerAccount) {

    public static ActivationClaims decode(String token) throws JwtException {
        Jwt j = Jwt.decode(token).requireType("activation");
        if (!NKeys.isValidPublicKey(j.issuer(), NKey.Type.ACCOUNT)) {
            throw new JwtException("issuer is not an account public key");
        }
        String ia = Claims.string(j.nats(), "issuer_account");
        return new ActivationClaims(j, Claims.string(j.nats(), "subject"), Claims.string(j.nats(), "kind"),
                ia == null || ia.isEmpty() ? null : ia);
    }

    /** The exporting account. */
    public String exporter() {
        return issuerAccount != null ? issuerAccount : jwt.issuer();
    }
}
