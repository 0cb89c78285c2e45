package io.natsboot.server.auth.jwt;

import io.nats.client.NKey;
import io.natsboot.server.auth.NKeys;
import java.util.List;

/**
 * An operator JWT: the root of trust. Accounts must be signed by the operator's identity key ({@link #subject()})
 * or one of its {@code signing_keys}; {@code system_account} names the system account when the configuration
 * does not.
 */
public record OperatorClaims(Jwt jwt, List<String> signingKeys, String systemAccount, String accountServerUrl,
        boolean strictSigningKeyUsage) {

    public static OperatorClaims decode(String token) throws JwtException {
        Jwt j = Jwt.decode(token).requireType("operator");
        if (!NKeys.isValidPublicKey(j.subject(), NKey.Type.OPERATOR)) {
            throw new JwtException("expected subject to be an operator public key");
        }
        if (!NKeys.isValidPublicKey(j.issuer(), NKey.Type.OPERATOR)) {
            throw new JwtException("expected issuer to be an operator public key");
        }
        List<String> keys = Claims.strings(j.nats(), "signing_keys");
        return new OperatorClaims(j, keys == null ? List.of() : keys, Claims.string(j.nats(), "system_account"),
                Claims.string(j.nats(), "account_server_url"), Claims.bool(j.nats(), "strict_signing_key_usage"));
    }

    public String subject() {
        return jwt.subject();
    }

    /** The keys that may sign accounts: the identity key and the signing keys (nats-server's trusted keys). */
    public List<String> trustedKeys() {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        if (!strictSigningKeyUsage || signingKeys.isEmpty()) {
            out.add(jwt.subject());
        }
        out.addAll(signingKeys);
        return List.copyOf(out);
    }
}
