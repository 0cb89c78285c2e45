package io.natsboot.server.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A connection's inbound side, the same for every kind: reads are parsed in place by the kind's parser, an op cut
 * at the end of a read is kept and completed from the next read. When the parser knows how many bytes the cut op
 * still lacks (its payload was cut), or the cut is in a control line (then up to the next LF), only those bytes are
 * copied from the next read and that op is parsed alone; the rest of the read is then parsed where it is, not
 * copied. (With 1 KiB messages nearly every 64 KiB read ends inside a frame, and copying each whole read into a
 * cumulation buffer cost a copy of every byte received.) Otherwise the two are merged. Event-loop confined.
 */
public final class InboundFramer {
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> parse;
    private final IntSupplier bytesNeeded;
    private final BooleanSupplier stopped;
    private ByteBuf cumulation;

    /**
     * The kind's parser as the framer drives it: {@code parse} parses every complete op of a buffer in place (an
     * incomplete one stays unread); {@code bytesNeeded} is how many bytes from the reader index the op cut at the
     * end needs in all (0 when unknown: a cut line); {@code stopped} says the connection is closing (an error, a
     * close by an op), so nothing more is parsed.
     */
    public InboundFramer(ByteBufAllocator alloc, Consumer<ByteBuf> parse, IntSupplier bytesNeeded,
            BooleanSupplier stopped) {
        this.alloc = alloc;
        this.parse = parse;
        this.bytesNeeded = bytesNeeded;
        this.stopped = stopped;
    }

    /**
     * Parses one read ({@code in}, released here); returns the buffer it left unread bytes in (kept as the
     * cumulation for the next read), or null.
     */
    public ByteBuf read(ByteBuf in) {
        ByteBuf buf = in;
        if (cumulation != null) {
            ByteBuf cum = cumulation;
            cumulation = null;
            buf = completeCutOp(cum, in);
            if (buf == null) {
                return null;
            }
        }
        parse.accept(buf);
        if (stopped.getAsBoolean() || !buf.isReadable()) {
            buf.release();
            return null;
        }
        if (buf.readerIndex() > 0 && buf.readableBytes() < MIN_KEPT) {
            buf.discardReadBytes(); // a short tail to the front: the next read's bytes fit behind it
        }
        cumulation = buf;
        return buf;
    }

    private static final int MIN_KEPT = 4096;

    /**
     * Parses what an earlier read left unread because parsing was paused (see ClientOps.parsingPaused); returns
     * the buffer still kept, or null. Only a cut op is left behind afterwards, as after any read.
     */
    public ByteBuf resume() {
        if (cumulation == null) {
            return null;
        }
        ByteBuf buf = cumulation;
        cumulation = null;
        parse.accept(buf);
        if (stopped.getAsBoolean() || !buf.isReadable()) {
            buf.release();
            return null;
        }
        cumulation = buf;
        return buf;
    }

    /**
     * Joins the op cut at the previous read's end ({@code cum}) with just the bytes it lacks from {@code in} (the
     * rest of its line, then the rest of its payload), parses it alone, and returns {@code in} to be parsed where it
     * is. Falls back to one merged buffer when {@code in} does not finish the op. Returns null when nothing is left
     * to parse.
     */
    private ByteBuf completeCutOp(ByteBuf cum, ByteBuf in) {
        while (true) {
            int need = bytesNeeded.getAsInt();
            int take;
            if (need > 0) {
                take = need - cum.readableBytes();
            } else {
                int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                take = lf < 0 ? Integer.MAX_VALUE : lf - in.readerIndex() + 1;
            }
            if (take <= 0 || take > in.readableBytes()) {
                return merge(cum, in);
            }
            if (cum.writableBytes() < take || cum.refCnt() != 1) {
                ByteBuf bigger = alloc.directBuffer(cum.readableBytes() + take + (need > 0 ? 0 : 1024));
                bigger.writeBytes(cum);
                cum.release();
                cum = bigger;
            }
            cum.writeBytes(in, take);
            parse.accept(cum);
            if (stopped.getAsBoolean()) {
                cum.release();
                in.release();
                return null;
            }
            if (!cum.isReadable()) {
                cum.release();
                if (in.isReadable()) {
                    return in;
                }
                in.release();
                return null;
            }
            // The line is complete now and the op waits for its payload: go round once more.
        }
    }

    private ByteBuf merge(ByteBuf cum, ByteBuf in) {
        int needed = cum.readableBytes() + in.readableBytes();
        if (cum.writableBytes() >= in.readableBytes() && cum.refCnt() == 1) {
            cum.writeBytes(in);
            in.release();
            return cum;
        }
        ByteBuf merged = alloc.directBuffer(Math.max(needed + 1024, bytesNeeded.getAsInt()));
        merged.writeBytes(cum);
        merged.writeBytes(in);
        cum.release();
        in.release();
        return merged;
    }

    /** Bytes kept from the last read (an op cut at its end). */
    public int kept() {
        return cumulation == null ? 0 : cumulation.readableBytes();
    }

    /** The connection closed: the kept bytes go. */
    public void release() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }
}
