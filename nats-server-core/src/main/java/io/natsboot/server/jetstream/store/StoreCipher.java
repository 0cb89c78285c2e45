package io.natsboot.server.jetstream.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption for the file store at rest (nats-server's {@code jetstream { key, cipher }}), with
 * the JDK's ChaCha20-Poly1305 or AES-256-GCM: 12-byte nonces, 16-byte tags. One instance holds one 256-bit key:
 * the server's key-encryption key (derived from the configured key) or a stream's random data key.
 */
public final class StoreCipher {
    public static final int NONCE = 12;
    public static final int TAG = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The two ciphers nats-server offers; {@code code} marks which one sealed a stream's key. */
    public enum Kind {
        CHACHA("ChaCha20-Poly1305", 'c'), AES("AES-GCM", 'a');

        public final String displayName;
        final char code;

        Kind(String displayName, char code) {
            this.displayName = displayName;
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** Decryption failed: wrong key or altered data (nats-server's "cipher: message authentication failed"). */
    public static final class AuthenticationFailed extends Exception {
        AuthenticationFailed() {
            super("cipher: message authentication failed");
        }
    }

    /** The configured cipher (a server key's: the one new streams get). */
    private final Kind kind;
    /** The cipher this key seals with: a data key's own; AES-GCM for the server's key-encryption key. */
    private final Kind algo;
    private final SecretKeySpec key;

    private StoreCipher(Kind kind, Kind algo, byte[] key) {
        this.kind = kind;
        this.algo = algo;
        this.key = new SecretKeySpec(key, algo == Kind.AES ? "AES" : "ChaCha20");
    }

    /** The key-encryption key for a configured server key: HMAC-SHA256 of a fixed label under that key. */
    public static StoreCipher forServerKey(String serverKey, Kind kind) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(serverKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            // Data keys are always wrapped with AES-GCM, so a store stays readable when the configured cipher
            // changes (as nats-server's does); the configured one seals the data of new streams.
            return new StoreCipher(kind, Kind.AES,
                    mac.doFinal("natsboot jetstream key encryption".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** A new random data key, sealed under this key: {@code code | nonce | sealed key}, and the cipher for it. */
    public Object[] newDataKey(Kind dataKind) {
        byte[] dk = new byte[32];
        RANDOM.nextBytes(dk);
        byte[] sealed = sealFile(dk);
        byte[] out = new byte[1 + sealed.length];
        out[0] = (byte) dataKind.code;
        System.arraycopy(sealed, 0, out, 1, sealed.length);
        return new Object[] {out, new StoreCipher(dataKind, dataKind, dk)};
    }

    /** Opens a data key written by {@link #newDataKey}; the data cipher is the one recorded with it. */
    public StoreCipher openDataKey(byte[] file) throws AuthenticationFailed {
        Kind k = file.length > 0 ? Kind.ofCode(file[0]) : null;
        if (k == null) {
            throw new AuthenticationFailed();
        }
        byte[] dk = openFile(Arrays.copyOfRange(file, 1, file.length));
        if (dk.length != 32) {
            throw new AuthenticationFailed();
        }
        return new StoreCipher(k, k, dk);
    }

    /** Seals a whole file's content with a random nonce: {@code nonce | ciphertext | tag}. */
    public byte[] sealFile(byte[] plain) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] ct = seal(plain, 0, plain.length, nonce, null);
        byte[] out = new byte[NONCE + ct.length];
        System.arraycopy(nonce, 0, out, 0, NONCE);
        System.arraycopy(ct, 0, out, NONCE, ct.length);
        return out;
    }

    public byte[] openFile(byte[] sealed) throws AuthenticationFailed {
        if (sealed.length < NONCE + TAG) {
            throw new AuthenticationFailed();
        }
        return open(sealed, NONCE, sealed.length - NONCE, Arrays.copyOf(sealed, NONCE), null);
    }

    /** The nonce of a message record: its sequence and the low 32 bits of its time, unique within a stream. */
    public static byte[] recordNonce(long seq, long timestamp) {
        return ByteBuffer.allocate(NONCE).putLong(seq).putInt((int) timestamp).array();
    }

    public byte[] seal(byte[] plain, int off, int len, byte[] nonce, byte[] aad) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, nonce);
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(plain, off, len);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed: " + e.getMessage(), e);
        }
    }

    public byte[] open(byte[] sealed, int off, int len, byte[] nonce, byte[] aad) throws AuthenticationFailed {
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, nonce);
            if (aad != null) {
                c.updateAAD(aad);
            }
            return c.doFinal(sealed, off, len);
        } catch (AEADBadTagException e) {
            throw new AuthenticationFailed();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed: " + e.getMessage(), e);
        }
    }

    private Cipher init(int mode, byte[] nonce) throws GeneralSecurityException {
        // One Cipher per operation: JDK ciphers are not thread-safe and ChaCha20-Poly1305 refuses a reused nonce.
        if (algo == Kind.AES) {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(TAG * 8, nonce));
            return c;
        }
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, key, new IvParameterSpec(nonce));
        return c;
    }
}
