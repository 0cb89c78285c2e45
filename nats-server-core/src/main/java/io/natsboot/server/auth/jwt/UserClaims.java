package io.natsboot.server.auth.jwt;

import io.nats.client.NKey;
import io.natsboot.server.auth.NKeys;
import java.util.List;

/**
 * A user JWT: {@code sub} is the user's public nkey (the client proves it holds the seed by signing the INFO
 * nonce, unless {@code bearer_token}); {@code iss} is the account's identity key or one of its signing keys, in
 * which case {@code issuer_account} names the account.
 */
public record UserClaims(Jwt jwt, String issuerAccount, List<String> tags, UserLimits limits) {

    public static UserClaims decode(String token) throws JwtException {
        Jwt j = Jwt.decode(token).requireType("user");
        if (!NKeys.isValidPublicKey(j.subject(), NKey.Type.USER)) {
            throw new JwtException("subject is not a user public key");
        }
        if (!NKeys.isValidPublicKey(j.issuer(), NKey.Type.ACCOUNT)) {
            throw new JwtException("issuer is not an account public key");
        }
        String issuerAccount = Claims.string(j.nats(), "issuer_account");
        if (issuerAccount != null && !issuerAccount.isEmpty()
                && !NKeys.isValidPublicKey(issuerAccount, NKey.Type.ACCOUNT)) {
            throw new JwtException("issuer_account is not an account public key");
        }
        List<String> tags = Claims.strings(j.nats(), "tags");
        return new UserClaims(j, issuerAccount == null || issuerAccount.isEmpty() ? null : issuerAccount,
                tags == null ? List.of() : tags, UserLimits.read(j.nats()));
    }

    /** The user's public key. */
    public String subject() {
        return jwt.subject();
    }

    /** The account the user belongs to: {@code issuer_account}, else the issuer. */
    public String account() {
        return issuerAccount != null ? issuerAccount : jwt.issuer();
    }
}
