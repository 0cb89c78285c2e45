package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The MSG/HMSG frame bytes, written by address (direct buffers, the server's case) and through the ByteBuf
 * API (heap buffers), must be the same and exactly what nats-server sends.
 */
class MsgFrameTest {
    /** A publisher read buffer: {@code HPUB <subject> <reply> <hdr> <total>\r\n<headers><payload>} after other bytes. */
    private static final String READ = "xxxxHPUB foo.bar _INBOX.r1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n";
    private static final int SUBJECT = READ.indexOf("foo.bar");
    private static final int REPLY = READ.indexOf("_INBOX.r1");
    private static final int PAYLOAD = READ.indexOf("NATS/1.0");

    private static String frame(IntFunction<ByteBuf> alloc, boolean withHeaders, int replyLength, int headerLength,
            int bodyStart, int bodyLength, String sid) {
        ByteBuf src = alloc.apply(READ.length());
        src.writeBytes(READ.getBytes(StandardCharsets.US_ASCII));
        ByteBuf out = alloc.apply(4);
        out.writeBytes("OLD".getBytes(StandardCharsets.US_ASCII));
        try {
            MsgFrame.write(out, withHeaders, src, SUBJECT, 7, sid.getBytes(StandardCharsets.US_ASCII), REPLY,
                    replyLength, headerLength, bodyStart, bodyLength);
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            src.release();
            out.release();
        }
    }

    private static void bothWays(String expected, boolean withHeaders, int replyLength, int headerLength,
            int bodyStart, int bodyLength, String sid) {
        IntFunction<ByteBuf> direct = PooledByteBufAllocator.DEFAULT::directBuffer;
        IntFunction<ByteBuf> heap = Unpooled::buffer;
        assertThat(direct.apply(1).hasMemoryAddress()).as("direct buffers take the address path").isTrue();
        assertThat(frame(direct, withHeaders, replyLength, headerLength, bodyStart, bodyLength, sid)).isEqualTo(expected);
        assertThat(frame(heap, withHeaders, replyLength, headerLength, bodyStart, bodyLength, sid)).isEqualTo(expected);
    }

    @Test
    void msgWithAndWithoutReply() {
        bothWays("OLDMSG foo.bar 42 14\r\nNATS/1.0\r\n\r\nhi\r\n", false, 0, 12, PAYLOAD, 14, "42");
        bothWays("OLDMSG foo.bar 7 _INBOX.r1 14\r\nNATS/1.0\r\n\r\nhi\r\n", false, 9, 12, PAYLOAD, 14, "7");
    }

    @Test
    void hmsgCarriesHeaderAndTotalSize() {
        bothWays("OLDHMSG foo.bar 1 _INBOX.r1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", true, 9, 12, PAYLOAD, 14, "1");
    }

    @Test
    void payloadOnlyForAReceiverWithoutHeaders() {
        // ClientConnection.deliver skips the header block for such a receiver.
        bothWays("OLDMSG foo.bar sid 2\r\nhi\r\n", false, 0, 12, PAYLOAD + 12, 2, "sid");
    }

    @Test
    void emptyPayloadAndLongSizes() {
        bothWays("OLDMSG foo.bar 9 0\r\n\r\n", false, 0, 0, PAYLOAD, 0, "9");
        // Sizes are written digit by digit from the end: check every digit count up to 10.
        for (int size = 1; size > 0 && size <= 1_000_000_000; size *= 10) {
            int s = size;
            ByteBuf src = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            src.writeBytes("foo.bar".getBytes(StandardCharsets.US_ASCII));
            ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            ByteBuf heapOut = Unpooled.buffer(64);
            try {
                // A zero-length body at the subject: only the size line is checked here.
                MsgFrame.write(out, true, src, 0, 7, new byte[] {'1'}, 0, 0, s, 0, 0);
                MsgFrame.write(heapOut, true, Unpooled.wrappedBuffer(src.nioBuffer(0, 7)), 0, 7, new byte[] {'1'}, 0, 0,
                        s, 0, 0);
                assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("HMSG foo.bar 1 " + s + " 0\r\n\r\n");
                assertThat(heapOut.toString(StandardCharsets.US_ASCII)).isEqualTo("HMSG foo.bar 1 " + s + " 0\r\n\r\n");
            } finally {
                src.release();
                out.release();
            }
        }
    }

    @Test
    void growsTheBatchForALargePayload() {
        byte[] payload = new byte[100_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        ByteBuf src = PooledByteBufAllocator.DEFAULT.directBuffer(payload.length + 8);
        src.writeBytes("foo.bar".getBytes(StandardCharsets.US_ASCII)).writeBytes(payload);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        try {
            MsgFrame.write(out, false, src, 0, 7, new byte[] {'5'}, 0, 0, 0, 7, payload.length);
            String head = "MSG foo.bar 5 100000\r\n";
            assertThat(out.readableBytes()).isEqualTo(head.length() + payload.length + 2);
            assertThat(out.toString(0, head.length(), StandardCharsets.US_ASCII)).isEqualTo(head);
            byte[] body = new byte[payload.length];
            out.getBytes(head.length(), body);
            assertThat(body).isEqualTo(payload);
            assertThat(out.toString(out.writerIndex() - 2, 2, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        } finally {
            src.release();
            out.release();
        }
    }
}
