package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Hashes made by Python's bcrypt 5.0.0 (pyca, OpenBSD's algorithm), checked by our implementation. */
class BcryptTest {

    @Test
    void verifiesHashesFromPythonBcrypt() {
        assertThat(Bcrypt.verify("s3cret", "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa.")).isTrue();
        assertThat(Bcrypt.verify("", "$2b$05$4YXsTgkYBAQhhquGJMjgAeLtUh1CZRznhObUZFMTBI9CZYzPyzVS6")).isTrue();
        assertThat(Bcrypt.verify("pässwörd", "$2b$05$GUof0RVeDb2sl9UV2Juf7eXdT6ik4ePsqIfdKOJxfwND39h7G2TcC")).isTrue();
        assertThat(Bcrypt.verify("pw", "$2a$04$cVHsaQgfRkOcklbtZku.Me8ghrasLZ/sBU1v4uBZxfv31ky0WNw0O")).isTrue();
        assertThat(Bcrypt.verify("x".repeat(72), "$2b$04$6kZbdcX/g6YGb0z0J1vqX.pqAOZBfYK7L0Hsgbk6BBBXSV5i4HYnK")).isTrue();
        assertThat(Bcrypt.verify("cost ten", "$2b$10$sCcIbOphzl2SmjutB/ez7eq5zUVPQFg3R4I3nQe9HhYYlO/Fd9bkG")).isTrue();
    }

    @Test
    void rejectsWrongPasswords() {
        assertThat(Bcrypt.verify("s3cre", "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa.")).isFalse();
        assertThat(Bcrypt.verify("x", "$2b$05$4YXsTgkYBAQhhquGJMjgAeLtUh1CZRznhObUZFMTBI9CZYzPyzVS6")).isFalse();
        assertThat(Bcrypt.verify("x".repeat(71), "$2b$04$6kZbdcX/g6YGb0z0J1vqX.pqAOZBfYK7L0Hsgbk6BBBXSV5i4HYnK")).isFalse();
        // Past 72 bytes the password is not looked at, as in every bcrypt.
        assertThat(Bcrypt.verify("x".repeat(80), "$2b$04$6kZbdcX/g6YGb0z0J1vqX.pqAOZBfYK7L0Hsgbk6BBBXSV5i4HYnK")).isTrue();
    }

    @Test
    void malformedHashesNeverMatch() {
        assertThat(Bcrypt.verify("s3cret", "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa")).isFalse();
        assertThat(Bcrypt.verify("s3cret", "$2b$03$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa.")).isFalse();
        assertThat(Bcrypt.verify("s3cret", "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZ!.")).isFalse();
    }

    @Test
    void natsServersPrefixTest() {
        assertThat(Bcrypt.isBcrypt("$2a$11$abc")).isTrue();
        assertThat(Bcrypt.isBcrypt("$2y$11$abc")).isTrue();
        assertThat(Bcrypt.isBcrypt("$2,$11$abc")).isTrue(); // the character class includes the comma
        assertThat(Bcrypt.isBcrypt("$2c$11$abc")).isFalse();
        assertThat(Bcrypt.isBcrypt("$2a$1$abc")).isFalse();
        assertThat(Bcrypt.isBcrypt("plain")).isFalse();
        assertThat(Bcrypt.comparePasswords("plain", "plain")).isTrue();
        assertThat(Bcrypt.comparePasswords("$2a$04$cVHsaQgfRkOcklbtZku.Me8ghrasLZ/sBU1v4uBZxfv31ky0WNw0O", "pw")).isTrue();
    }
}
