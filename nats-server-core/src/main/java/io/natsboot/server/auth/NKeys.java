package io.natsboot.server.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * NATS nkeys, server side: public keys ({@code U...} for users) decoded from their text form, the per-connection
 * nonce of INFO, and the Ed25519 check of the client's CONNECT {@code sig} (the JDK's Ed25519, Java 15+).
 *
 * <p>Text form of a key: RFC 4648 base32 without padding of {@code prefix byte | 32-byte Ed25519 public key |
 * CRC-16}, the CRC (polynomial 0x1021, initial value 0, the XMODEM variant) over the first 33 bytes, stored little
 * endian. The prefix byte puts the key type letter first: {@code U} (20 << 3) for users.
 */
public final class NKeys {
    /** Prefix byte of user public keys: base32 'U'. */
    public static final int PREFIX_USER = 20 << 3;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
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
        byte[] raw = decode(key);
        if (raw.length != 33) { // prefix byte and key; the CRC is gone
            throw new InvalidKeyException("invalid length");
        }
        if ((raw[0] & 0xff) != PREFIX_USER) {
            throw new InvalidKeyException("not a user public key");
        }
        byte[] pub = new byte[32];
        System.arraycopy(raw, 1, pub, 0, 32);
        return pub;
    }

    /** Whether {@code key} is a valid public user nkey (nats-server's {@code IsValidPublicUserKey}). */
    public static boolean isValidPublicUserKey(String key) {
        try {
            decodeUserPublicKey(key);
            return true;
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    /** Base32 text to bytes, with the trailing CRC-16 checked and removed. */
    static byte[] decode(String text) throws InvalidKeyException {
        if (text == null || text.isEmpty()) {
            throw new InvalidKeyException("empty key");
        }
        byte[] out = new byte[text.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            int v = BASE32.indexOf(text.charAt(i));
            if (v < 0) {
                throw new InvalidKeyException("invalid base32 character");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (n < 3) {
            throw new InvalidKeyException("invalid length");
        }
        int expected = (out[n - 2] & 0xff) | (out[n - 1] & 0xff) << 8;
        if (crc16(out, n - 2) != expected) {
            throw new InvalidKeyException("invalid checksum");
        }
        byte[] data = new byte[n - 2];
        System.arraycopy(out, 0, data, 0, n - 2);
        return data;
    }

    /** Bytes to the text form, with {@code prefix} first and the CRC-16 appended (for tests and tools). */
    public static String encode(int prefix, byte[] key) {
        byte[] raw = new byte[key.length + 3];
        raw[0] = (byte) prefix;
        System.arraycopy(key, 0, raw, 1, key.length);
        int crc = crc16(raw, key.length + 1);
        raw[key.length + 1] = (byte) crc;
        raw[key.length + 2] = (byte) (crc >> 8);
        StringBuilder s = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : raw) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                s.append(BASE32.charAt((buffer >> bits) & 31));
            }
        }
        if (bits > 0) {
            s.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return s.toString();
    }

    /** CRC-16/XMODEM of the first {@code length} bytes. */
    static int crc16(byte[] data, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            crc ^= (data[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
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
        try {
            byte[] raw = decodeUserPublicKey(publicKey);
            byte[] spki = new byte[ED25519_SPKI.length + 32];
            System.arraycopy(ED25519_SPKI, 0, spki, 0, ED25519_SPKI.length);
            System.arraycopy(raw, 0, spki, ED25519_SPKI.length, 32);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(nonce.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (InvalidKeyException | GeneralSecurityException e) {
            return false;
        }
    }
}
