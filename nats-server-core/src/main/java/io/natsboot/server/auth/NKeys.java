package io.natsboot.server.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import io.nats.client.NKey;
import io.nats.client.support.Encoding;
import java.util.Arrays;
import java.util.Base64;

/**
 * NATS nkeys, server side: public keys ({@code U...} users, {@code A...} accounts, {@code O...} operators) checked
 * and decoded, the per-connection nonce of INFO, and Ed25519 signature checks (the CONNECT {@code sig}, JWTs).
 *
 * <p>The text form of a key (base32 of prefix byte, 32-byte Ed25519 key and CRC-16) is jnats' {@link NKey}: it
 * checks the checksum and tells the key type. Signatures are verified with the JDK's Ed25519 (Java 15+).
 */
public final class NKeys {
    /** DER header of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112), followed by the raw 32 bytes. */
    private static final byte[] ED25519_SPKI = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
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

    /** Ed25519 check of {@code signature} over {@code data} by the public nkey {@code publicKey} (any type). */
    public static boolean verifySignature(String publicKey, byte[] data, byte[] signature) {
        try {
            byte[] raw = decodePublicKey(publicKey, null);
            byte[] spki = new byte[ED25519_SPKI.length + 32];
            System.arraycopy(ED25519_SPKI, 0, spki, 0, ED25519_SPKI.length);
            System.arraycopy(raw, 0, spki, ED25519_SPKI.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (InvalidKeyException | GeneralSecurityException e) {
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
