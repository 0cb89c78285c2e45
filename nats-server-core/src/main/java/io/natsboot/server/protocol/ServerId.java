package io.natsboot.server.protocol;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/**
 * Server identities in the nkey public-key form nats-server uses for {@code server_id}: 56 base32
 * characters starting with {@code N} (prefix byte, 32 key bytes, CRC-16/XMODEM). The key bytes are
 * random per process; nothing is signed with them yet.
 */
public final class ServerId {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int PREFIX_SERVER = 13 << 3;

    /**
     * {@link SecureRandom} only where the kernel's source cannot be read: the first SecureRandom of a process
     * sets up the JCA provider framework (about 20 ms of a start that tools time), to read the same
     * /dev/urandom in the end.
     */
    private static final class Fallback {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /** {@code n} bytes from the kernel's random source (as Go's crypto/rand), else from SecureRandom. */
    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            int off = 0;
            while (off < n) {
                int r = in.read(b, off, n - off);
                if (r < 0) {
                    throw new IOException("end of /dev/urandom");
                }
                off += r;
            }
            return b;
        } catch (IOException | SecurityException e) {
            Fallback.RANDOM.nextBytes(b);
            return b;
        }
    }

    private ServerId() {
    }

    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    /** A NUID-style random name (22 base-62 characters), as nats-server's generated cluster names. */
    public static String nuid() {
        char[] c = new char[22];
        int n = 0;
        while (n < c.length) {
            for (byte b : randomBytes(32)) {
                int v = b & 0xff;
                if (v < 248 && n < c.length) { // 248 = 4 * 62: no bias towards the first characters
                    c[n++] = BASE62[v % 62];
                }
            }
        }
        return new String(c);
    }

    public static String generate() {
        byte[] raw = new byte[35];
        raw[0] = (byte) PREFIX_SERVER;
        byte[] key = randomBytes(32);
        System.arraycopy(key, 0, raw, 1, 32);
        int crc = crc16(raw, 33);
        raw[33] = (byte) crc;
        raw[34] = (byte) (crc >>> 8);
        return base32(raw);
    }

    static int crc16(byte[] data, int len) {
        int crc = 0;
        for (int i = 0; i < len; i++) {
            crc ^= (data[i] & 0xff) << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }

    static String base32(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }
}
