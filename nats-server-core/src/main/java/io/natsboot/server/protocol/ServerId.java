package io.natsboot.server.protocol;

import java.security.SecureRandom;

/**
 * Server identities in the nkey public-key form nats-server uses for {@code server_id}: 56 base32
 * characters starting with {@code N} (prefix byte, 32 key bytes, CRC-16/XMODEM). The key bytes are
 * random per process; nothing is signed with them yet.
 */
public final class ServerId {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int PREFIX_SERVER = 13 << 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerId() {
    }

    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    /** A NUID-style random name (22 base-62 characters), as nats-server's generated cluster names. */
    public static String nuid() {
        char[] c = new char[22];
        for (int i = 0; i < c.length; i++) {
            c[i] = BASE62[RANDOM.nextInt(BASE62.length)];
        }
        return new String(c);
    }

    public static String generate() {
        byte[] raw = new byte[35];
        raw[0] = (byte) PREFIX_SERVER;
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
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
