package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Writes one {@code MSG}/{@code HMSG} frame into a receiver's outbound batch.
 *
 * <p>The frame is a dozen small pieces (op, subject, SID, reply, sizes, CRLFs, payload). Written through
 * {@code ByteBuf.writeBytes}/{@code writeByte} each piece pays its own capacity, bounds and
 * reference-count checks, which were a fifth of the server's CPU in a pub/sub profile. Here the batch
 * grows once for the whole frame, and when both the publisher's read buffer and the batch are direct
 * buffers with a memory address (what the server's pooled allocator gives), the pieces are copied by
 * address and the writer index moves once at the end.
 */
final class MsgFrame {
    private static final boolean UNSAFE = PlatformDependent.hasUnsafe();
    /** "HMSG " + 4 separators + 2 sizes of at most 10 digits + 2 CRLFs, rounded up. */
    static final int OVERHEAD = 48;

    private MsgFrame() {
    }

    /** The most bytes {@link #write} appends for these lengths. */
    static int maxLength(int subjectLength, int sidLength, int replyLength, int bodyLength) {
        return subjectLength + sidLength + replyLength + bodyLength + OVERHEAD;
    }

    /**
     * Appends {@code MSG <subject> <sid> [reply] <size>\r\n<body>\r\n} (with headers: {@code HMSG ...
     * <header size> <total size>}) to {@code out}, taking subject, reply and body from {@code src}.
     */
    static void write(ByteBuf out, boolean withHeaders, ByteBuf src, int subjectStart, int subjectLength,
            byte[] sid, int replyStart, int replyLength, int headerLength, int bodyStart, int bodyLength) {
        out.ensureWritable(maxLength(subjectLength, sid.length, replyLength, bodyLength));
        if (UNSAFE && out.hasMemoryAddress() && src.hasMemoryAddress()) {
            long s = src.memoryAddress();
            long start = out.memoryAddress() + out.writerIndex();
            long d = start;
            if (withHeaders) {
                PlatformDependent.putByte(d++, (byte) 'H');
            }
            PlatformDependent.putByte(d, (byte) 'M');
            PlatformDependent.putByte(d + 1, (byte) 'S');
            PlatformDependent.putByte(d + 2, (byte) 'G');
            PlatformDependent.putByte(d + 3, (byte) ' ');
            d += 4;
            PlatformDependent.copyMemory(s + subjectStart, d, subjectLength);
            d += subjectLength;
            PlatformDependent.putByte(d++, (byte) ' ');
            for (byte b : sid) {
                PlatformDependent.putByte(d++, b);
            }
            PlatformDependent.putByte(d++, (byte) ' ');
            if (replyLength > 0) {
                PlatformDependent.copyMemory(s + replyStart, d, replyLength);
                d += replyLength;
                PlatformDependent.putByte(d++, (byte) ' ');
            }
            if (withHeaders) {
                d = putDecimal(d, headerLength);
                PlatformDependent.putByte(d++, (byte) ' ');
            }
            d = putDecimal(d, bodyLength);
            PlatformDependent.putByte(d, (byte) '\r');
            PlatformDependent.putByte(d + 1, (byte) '\n');
            d += 2;
            PlatformDependent.copyMemory(s + bodyStart, d, bodyLength);
            d += bodyLength;
            PlatformDependent.putByte(d, (byte) '\r');
            PlatformDependent.putByte(d + 1, (byte) '\n');
            d += 2;
            out.writerIndex(out.writerIndex() + (int) (d - start));
            return;
        }
        writeByBufferCalls(out, withHeaders, src, subjectStart, subjectLength, sid, replyStart, replyLength, null,
                headerLength, null, bodyStart, bodyLength);
    }

    /**
     * As {@link #write}, with the size fields as the publisher wrote them ({@code PUB foo 02} gives
     * {@code MSG foo 1 02}, as nats-server copies them): {@code headerSize} (with headers) and {@code totalSize}
     * are the publisher's bytes. Rare (leading zeros), so written the plain way.
     */
    static void writeWithSizesAsWritten(ByteBuf out, boolean withHeaders, ByteBuf src, int subjectStart,
            int subjectLength, byte[] sid, int replyStart, int replyLength, byte[] headerSize, byte[] totalSize,
            int bodyStart, int bodyLength) {
        out.ensureWritable(subjectLength + sid.length + replyLength + bodyLength + headerSize.length
                + totalSize.length + OVERHEAD);
        writeByBufferCalls(out, withHeaders, src, subjectStart, subjectLength, sid, replyStart, replyLength,
                headerSize, 0, totalSize, bodyStart, bodyLength);
    }

    /** The frame in ByteBuf calls; a size field from its bytes when given, else in decimal. */
    private static void writeByBufferCalls(ByteBuf out, boolean withHeaders, ByteBuf src, int subjectStart,
            int subjectLength, byte[] sid, int replyStart, int replyLength, byte[] headerSize, int headerLength,
            byte[] totalSize, int bodyStart, int bodyLength) {
        if (withHeaders) {
            out.writeByte('H');
        }
        out.writeByte('M').writeByte('S').writeByte('G').writeByte(' ');
        out.writeBytes(src, subjectStart, subjectLength);
        out.writeByte(' ');
        out.writeBytes(sid);
        out.writeByte(' ');
        if (replyLength > 0) {
            out.writeBytes(src, replyStart, replyLength);
            out.writeByte(' ');
        }
        if (withHeaders) {
            if (headerSize != null) {
                out.writeBytes(headerSize);
            } else {
                writeDecimal(out, headerLength);
            }
            out.writeByte(' ');
        }
        if (totalSize != null) {
            out.writeBytes(totalSize);
        } else {
            writeDecimal(out, bodyLength);
        }
        out.writeByte('\r').writeByte('\n');
        out.writeBytes(src, bodyStart, bodyLength);
        out.writeByte('\r').writeByte('\n');
    }

    private static int digits(int v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes {@code v} (>= 0) in decimal at {@code address}; returns the address after the last digit. */
    private static long putDecimal(long address, int v) {
        int n = digits(v);
        long end = address + n;
        long at = end;
        do {
            PlatformDependent.putByte(--at, (byte) ('0' + v % 10));
            v /= 10;
        } while (v != 0);
        return end;
    }

    private static void writeDecimal(ByteBuf out, int v) {
        int n = digits(v);
        int end = out.writerIndex() + n;
        int at = end;
        do {
            out.setByte(--at, '0' + v % 10);
            v /= 10;
        } while (v != 0);
        out.writerIndex(end);
    }
}
