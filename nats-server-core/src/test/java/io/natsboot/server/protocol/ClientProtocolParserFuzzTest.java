package io.natsboot.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes the client protocol decoder. The first input byte picks the connection's settings (headers negotiated,
 * auth required before CONNECT, a small max_control_line, a small max_payload); the rest is what the client sends.
 *
 * <p>Properties: the decoder never throws; every range it hands over lies inside the readable bytes; and the
 * decoded operations (and the error that ends them, if any) are the same whether the bytes arrive in one read, in
 * reads cut at pseudo-random places, or one byte at a time, with the unread remainder carried over between reads
 * as ClientConnection does.
 *
 * <p>Inputs: {@code src/test/resources/io/natsboot/server/protocol/ClientProtocolParserFuzzTestInputs/decode/},
 * seeded with client traffic captured from jnats 2.26.2 and the malformed cases of protocol reference §1.10.
 * Without {@code JAZZER_FUZZ} only those run; {@code benchmarks/fuzz-campaign.sh} fuzzes.
 */
class ClientProtocolParserFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int flags = input[0];
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        Settings settings = new Settings((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0 ? 32 : 4096,
                (flags & 8) != 0 ? 64 : 1024 * 1024);

        List<String> whole = decodeInChunks(wire, settings, new int[] {wire.length});
        Random random = new Random(Arrays.hashCode(input));
        List<Integer> cuts = new ArrayList<>();
        for (int left = wire.length; left > 0;) {
            int n = 1 + random.nextInt(Math.min(left, 64));
            cuts.add(n);
            left -= n;
        }
        List<String> split = decodeInChunks(wire, settings, cuts.stream().mapToInt(Integer::intValue).toArray());
        assertThat(split).as("random reads %s", cuts).isEqualTo(whole);
        if (wire.length <= 8192) {
            int[] ones = new int[wire.length];
            Arrays.fill(ones, 1);
            assertThat(decodeInChunks(wire, settings, ones)).as("one byte per read").isEqualTo(whole);
        }
    }

    record Settings(boolean headers, boolean authFirst, int maxControlLine, int maxPayload) {
    }

    /** Decodes {@code wire} delivered in reads of the given sizes; returns the operations seen. */
    static List<String> decodeInChunks(byte[] wire, Settings settings, int[] reads) {
        ClientProtocolParser parser = new ClientProtocolParser(settings.maxControlLine());
        Recorder ops = new Recorder(settings);
        ByteBuf cumulation = Unpooled.buffer(0);
        int offset = 0;
        for (int size : reads) {
            if (parser.failed()) {
                break;
            }
            ByteBuf next = Unpooled.buffer(cumulation.readableBytes() + size);
            next.writeBytes(cumulation);
            next.writeBytes(wire, offset, size);
            offset += size;
            ops.buf = next;
            int before = next.readerIndex();
            ops.parseStart = before;
            parser.parse(next, ops);
            assertThat(next.readerIndex()).as("reader index never moves back").isGreaterThanOrEqualTo(before);
            cumulation = next.discardReadBytes();
            if (!parser.failed()) {
                // What may stay unread: an unfinished line (the limit is enforced on it) or a frame waiting for
                // its payload (bounded by max_payload).
                assertThat(cumulation.readableBytes()).as("bytes held between reads")
                        .isLessThanOrEqualTo(settings.maxControlLine() + settings.maxPayload() + 64);
            }
        }
        return ops.seen;
    }

    /** Records each operation as text; checks the ranges against the buffer being decoded. */
    static final class Recorder implements ClientOps {
        final List<String> seen = new ArrayList<>();
        final Settings settings;
        ByteBuf buf;
        /** Reader index when this parse call began: ranges handed over lie in the bytes unread then. */
        int parseStart;
        boolean connected;

        Recorder(Settings settings) {
            this.settings = settings;
        }

        private String text(ByteBuf b, int start, int length) {
            assertThat(b).isSameAs(buf);
            assertThat(start).isGreaterThanOrEqualTo(parseStart);
            assertThat(length).isNotNegative();
            assertThat(start + length).isLessThanOrEqualTo(b.writerIndex());
            return b.toString(start, length, StandardCharsets.ISO_8859_1);
        }

        @Override
        public void onConnect(String json) {
            connected = true;
            seen.add("CONNECT " + json);
        }

        @Override
        public void onInfo(String json) {
            seen.add("INFO " + json);
        }

        @Override
        public void onPublishLine(ByteBuf b, int subjectStart, int subjectLength) {
            text(b, subjectStart, subjectLength);
        }

        @Override
        public void onPublish(ByteBuf b, int subjectStart, int subjectLength, int replyStart, int replyLength,
                int headerLength, int payloadStart, int totalLength) {
            assertThat(headerLength).isLessThanOrEqualTo(totalLength);
            assertThat(totalLength).isLessThanOrEqualTo(settings.maxPayload());
            seen.add((headerLength < 0 ? "PUB " : "HPUB ") + text(b, subjectStart, subjectLength) + " ["
                    + (replyLength == 0 ? "" : text(b, replyStart, replyLength)) + "] " + headerLength + " "
                    + text(b, payloadStart, totalLength));
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            seen.add("SUB " + subject + " [" + queue + "] " + sid);
        }

        @Override
        public void onUnsubscribe(String sid, long maxMessages) {
            seen.add("UNSUB " + sid + " " + maxMessages);
        }

        @Override
        public void onPing() {
            seen.add("PING");
        }

        @Override
        public void onPong() {
            seen.add("PONG");
        }

        @Override
        public void onProtocolError(ProtocolError error, String logDetail) {
            // The log detail quotes the current read buffer (as nats-server's does), so only the error compares.
            seen.add("ERROR " + error);
        }

        @Override
        public boolean connectRequiredFirst() {
            return settings.authFirst() && !connected;
        }

        @Override
        public boolean headersEnabled() {
            return settings.headers();
        }

        @Override
        public int maxPayload() {
            return settings.maxPayload();
        }
    }
}
