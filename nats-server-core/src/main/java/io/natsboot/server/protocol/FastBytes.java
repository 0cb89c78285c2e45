package io.natsboot.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Reads single bytes of a ByteBuf without the per-call reference-count and bounds checks of
 * {@link ByteBuf#getByte}: straight from the native address of a direct buffer, or from the
 * backing array of a heap buffer. The parser only reads indexes inside the readable range, so
 * the checks buy nothing on its hot path (they were 8% of a publish-only profile).
 */
public final class FastBytes {
    private static final boolean UNSAFE = PlatformDependent.hasUnsafe();

    private static final boolean BIG_ENDIAN = PlatformDependent.BIG_ENDIAN_NATIVE_ORDER;

    private ByteBuf buf;
    /** Bytes below this index may be read (the buffer's capacity): words may extend past the readable end. */
    private int limit;
    private long address;
    private byte[] array;
    private int arrayOffset;
    private int mode;

    /** Points this reader at {@code b}; call again whenever the buffer may have changed. */
    public void bind(ByteBuf b) {
        buf = b;
        limit = b.capacity();
        if (UNSAFE && b.hasMemoryAddress()) {
            address = b.memoryAddress();
            mode = 1;
        } else if (b.hasArray()) {
            array = b.array();
            arrayOffset = b.arrayOffset();
            mode = 2;
        } else {
            mode = 0;
        }
    }

    public byte get(int index) {
        if (mode == 1) {
            return PlatformDependent.getByte(address + index);
        }
        if (mode == 2) {
            return array[arrayOffset + index];
        }
        return buf.getByte(index);
    }

    /**
     * The {@code n} (1..8) bytes at {@code index} as a little-endian long, the bytes past {@code n} zero. One
     * 8-byte read when the buffer has 8 bytes there (compare and hash subjects a word at a time).
     */
    public long word(int index, int n) {
        long mask = n == 8 ? -1L : (1L << (n << 3)) - 1;
        if (mode == 1 && index + 8 <= limit) {
            long v = PlatformDependent.getLong(address + index);
            return (BIG_ENDIAN ? Long.reverseBytes(v) : v) & mask;
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (get(index + i) & 0xFF);
        }
        return v;
    }

    /** {@link #word} over a byte array: the same value for the same bytes. */
    public static long word(byte[] a, int index, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (a[index + i] & 0xFF);
        }
        return v;
    }
}
