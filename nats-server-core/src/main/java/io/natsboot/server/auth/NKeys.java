package io.natsboot.server.auth;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import io.nats.client.NKey;
import io.nats.client.support.Encoding;
import java.util.Arrays;
import java.util.Base64;

/**
 * NATS nkeys, server side: public keys ({@code U...} users, {@code A...} accounts, {@code O...} operators) checked
 * and decoded, the per-connection nonce of INFO, and Ed25519 signature checks (the CONNECT {@code sig}, JWTs).
 *
 * <p>The text form of a key (base32 of prefix byte, 32-byte Ed25519 key and CRC-16) is jnats' {@link NKey}: it
 * checks the checksum and tells the key type. Signatures are verified by jnats' NKey (BouncyCastle's Ed25519).
 */
public final class NKeys {
    /** nats-server's nonce: 11 random bytes, base64url without padding (15 characters). */
    private static final int NONCE_BYTES = 11;
    private static final SecureRandom RANDOM = new SecureRandom();

    private NKeys() {
    }

    /** Thrown for a key that is not a valid nkey of the expected type. */
    public static final class InvalidKeyException extends Exception {
        InvalidKeyException(String message) {
            super(message, null, false, false);
        }
    }

    /** The raw 32-byte Ed25519 public key of a user nkey ({@code U...}, 56 characters). */
    public static byte[] decodeUserPublicKey(String key) throws InvalidKeyException {
        return decodePublicKey(key, NKey.Type.USER);
    }

    /** The raw 32-byte Ed25519 key of a public nkey of {@code type}, or of any public type if it is null. */
    public static byte[] decodePublicKey(String key, NKey.Type type) throws InvalidKeyException {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException("empty key");
        }
        char[] text = key.toCharArray();
        NKey k;
        try {
            k = NKey.fromPublicKey(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException(e.getMessage());
        }
        if (type != null && k.getType() != type) {
            throw new InvalidKeyException("not a " + type.name().toLowerCase(java.util.Locale.ROOT) + " public key");
        }
        byte[] all = Encoding.base32Decode(text); // checked above: prefix byte, 32 key bytes, CRC-16
        return Arrays.copyOfRange(all, 1, 33);
    }

    /** Whether {@code key} is a valid public user nkey (nats-server's {@code IsValidPublicUserKey}). */
    public static boolean isValidPublicUserKey(String key) {
        return isValidPublicKey(key, NKey.Type.USER);
    }

    /** Whether {@code key} is a valid public nkey of {@code type}. */
    public static boolean isValidPublicKey(String key, NKey.Type type) {
        try {
            decodePublicKey(key, type);
            return true;
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    /**
     * Ed25519 check of {@code signature} over {@code data} by the public nkey {@code publicKey} (any type), by
     * jnats' {@link NKey#verify} (BouncyCastle's Ed25519): about 8x faster than the JDK's provider, which took
     * over a millisecond a check and made a JWT login (two checks) several times slower than nats-server's.
     */
    public static boolean verifySignature(String publicKey, byte[] data, byte[] signature) {
        try {
            decodePublicKey(publicKey, null); // the key's form and checksum, as before
            return signature != null && signature.length == 64
                    && NKey.fromPublicKey(publicKey.toCharArray()).verify(data, signature);
        } catch (InvalidKeyException | GeneralSecurityException | java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** A fresh INFO nonce. */
    public static String nonce() {
        byte[] b = new byte[NONCE_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * nats-server's check of CONNECT {@code sig}: base64url (raw), else standard base64, of an Ed25519 signature of
     * the nonce text by the key {@code publicKey}.
     */
    public static boolean verify(String publicKey, String nonce, String sig) {
        if (sig == null || sig.isEmpty() || nonce == null) {
            return false;
        }
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            try {
                signature = Base64.getDecoder().decode(sig);
            } catch (IllegalArgumentException e2) {
                return false;
            }
        }
        return isValidPublicUserKey(publicKey)
                && verifySignature(publicKey, nonce.getBytes(java.nio.charset.StandardCharsets.US_ASCII), signature);
    }
}
