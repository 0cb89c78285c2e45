package io.natsboot.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.connection.InboundFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The route parser driven as a route connection drives it (through the shared {@link InboundFramer}): every input
 * decoded whole, split in two at every byte boundary, and one byte at a time, must give the same ops.
 */
class RouteProtocolParserTest {
    /** Records every callback as one readable string; an error as "ERROR <errText>". */
    static final class Recorder implements RouteOps {
        final List<String> ops = new ArrayList<>();
        RouteProtocolParser parser;

        @Override
        public void onInfo(String json) {
            ops.add("INFO " + json);
        }

        @Override
        public void onConnect(String json) {
            ops.add("CONNECT " + json);
        }

        @Override
        public void onPing() {
            ops.add("PING");
        }

        @Override
        public void onPong() {
            ops.add("PONG");
        }

        @Override
        public void onErr(String text) {
            ops.add("ERR " + text);
        }

        @Override
        public void onRemoteSub(String account, String subject, String queue, int weight) {
            ops.add("RS+ " + account + " " + subject + " " + queue + " " + weight);
        }

        @Override
        public void onRemoteUnsub(String account, String subject, String queue) {
            ops.add("RS- " + account + " " + subject + " " + queue);
        }

        @Override
        public void onMessage(ByteBuf buf, int accountStart, int accountLength, int subjectStart, int subjectLength,
                int replyStart, int replyLength, int headerLength, int payloadStart, int totalLength) {
            StringBuilder b = new StringBuilder("MSG ");
            b.append(buf.toString(accountStart, accountLength, StandardCharsets.UTF_8)).append(' ');
            b.append(buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8));
            b.append(" reply=").append(replyLength > 0 ? buf.toString(replyStart, replyLength, StandardCharsets.UTF_8)
                    : "-");
            b.append(" hdr=").append(headerLength);
            b.append(" data=").append(buf.toString(payloadStart, totalLength, StandardCharsets.UTF_8));
            b.append(" q=[");
            for (int i = 0; i < parser.queueCount(); i++) {
                b.append(i > 0 ? "," : "").append(parser.queue(i));
                assertThat(parser.queueEquals(i, parser.queue(i))).isTrue();
            }
            ops.add(b.append(']').toString());
        }

        @Override
        public void onProtocolError(String errText, String logDetail) {
            ops.add("ERROR " + errText);
        }
    }

    /** Feeds {@code chunks} as consecutive reads through a framer, as RouteConnection does. */
    private static List<String> decode(List<byte[]> chunks) {
        RouteProtocolParser parser = new RouteProtocolParser();
        Recorder r = new Recorder();
        r.parser = parser;
        InboundFramer framer = new InboundFramer(UnpooledByteBufAllocator.DEFAULT, buf -> parser.parse(buf, r),
                parser::bytesNeeded, parser::failed);
        for (byte[] c : chunks) {
            if (parser.failed()) {
                break;
            }
            ByteBuf in = UnpooledByteBufAllocator.DEFAULT.directBuffer(c.length);
            in.writeBytes(c);
            framer.read(in);
        }
        framer.release();
        return r.ops;
    }

    /** Decodes whole, split in two at every boundary, and one byte at a time; every way gives {@code expected}. */
    private static void assertEverySplit(String input, List<String> expected) {
        byte[] all = input.getBytes(StandardCharsets.UTF_8);
        assertThat(decode(List.of(all))).as("whole").isEqualTo(expected);
        for (int cut = 1; cut < all.length; cut++) {
            byte[] a = java.util.Arrays.copyOfRange(all, 0, cut);
            byte[] b = java.util.Arrays.copyOfRange(all, cut, all.length);
            assertThat(decode(List.of(a, b))).as("split at %d of %s", cut, input).isEqualTo(expected);
        }
        List<byte[]> bytes = new ArrayList<>();
        for (byte x : all) {
            bytes.add(new byte[] {x});
        }
        assertThat(decode(bytes)).as("byte by byte").isEqualTo(expected);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                Arguments.of("PING\r\n", List.of("PING")),
                Arguments.of("pong\r\n", List.of("PONG")),
                Arguments.of("+OK\r\nPING\n", List.of("PING")),
                Arguments.of("INFO {\"server_id\":\"X\",\"port\":1}\r\n", List.of("INFO {\"server_id\":\"X\",\"port\":1}")),
                Arguments.of("CONNECT {\"verbose\":false}\r\n", List.of("CONNECT {\"verbose\":false}")),
                Arguments.of("-ERR 'bad thing'\r\n", List.of("ERR bad thing")),
                Arguments.of("RS+ $G foo.bar\r\n", List.of("RS+ $G foo.bar null 1")),
                Arguments.of("rs+ $G foo q 3\r\n", List.of("RS+ $G foo q 3")),
                Arguments.of("LS+ origin $G foo\r\n", List.of("RS+ $G foo null 1")),
                Arguments.of("RS- $G foo\r\nRS- $G foo q\r\n", List.of("RS- $G foo null", "RS- $G foo q")),
                Arguments.of("RMSG $G foo 5\r\nhello\r\n", List.of("MSG $G foo reply=- hdr=-1 data=hello q=[]")),
                Arguments.of("RMSG $G foo bar 0\r\n\r\n", List.of("MSG $G foo reply=bar hdr=-1 data= q=[]")),
                Arguments.of("RMSG $G foo + bar q1 q2 2\r\nhi\r\n",
                        List.of("MSG $G foo reply=bar hdr=-1 data=hi q=[q1,q2]")),
                Arguments.of("RMSG ACC foo | q1 2\r\nhi\r\n", List.of("MSG ACC foo reply=- hdr=-1 data=hi q=[q1]")),
                Arguments.of("RMSG\t$G\tfoo\t2\r\nhi\r\n", List.of("MSG $G foo reply=- hdr=-1 data=hi q=[]")),
                Arguments.of("HMSG $G foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\n",
                        List.of("MSG $G foo reply=- hdr=12 data=NATS/1.0\r\n\r\nhello q=[]")),
                Arguments.of("LMSG origin $G foo 0 5\r\nhello\r\n", List.of("MSG $G foo reply=- hdr=-1 data=hello q=[]")),
                Arguments.of("RMSG $G a 1\r\nx\r\nPING\r\nRS+ $G b\r\nHMSG $G c r 12 13\r\nNATS/1.0\r\n\r\ny\r\nPONG\r\n",
                        List.of("MSG $G a reply=- hdr=-1 data=x q=[]", "PING", "RS+ $G b null 1",
                                "MSG $G c reply=r hdr=12 data=NATS/1.0\r\n\r\ny q=[]", "PONG")),
                // an empty line is skipped
                Arguments.of("\r\nPING\r\n", List.of("PING")),
                // errors: the ops before them are delivered, nothing after
                Arguments.of("PING\r\nXYZ\r\nPING\r\n", List.of("PING", "ERROR Unknown Protocol Operation")),
                Arguments.of("PINGX\r\n", List.of("ERROR Unknown Protocol Operation")),
                Arguments.of("RMSG $G foo 5\r\nhelloXX", List.of("ERROR null")),
                Arguments.of("RMSG $G foo\r\n", List.of("ERROR null")),
                Arguments.of("RMSG $G foo x 5 q 2\r\nhi\r\n", List.of("ERROR null")),
                Arguments.of("RS+ $G\r\n", List.of("ERROR null")));
    }

    @ParameterizedTest
    @MethodSource("ops")
    void everyOpDecodesTheSameAtEveryBoundary(String input, List<String> expected) {
        assertEverySplit(input, expected);
    }

    @Test
    void aWrongOpByteIsRefusedBeforeTheLineEnds() {
        assertThat(decode(List.of("RX".getBytes(StandardCharsets.US_ASCII))))
                .containsExactly("ERROR Unknown Protocol Operation");
        assertThat(decode(List.of("PI".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        assertThat(decode(List.of("RMSG $G foo 1000".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
    }

    @Test
    void aLongMessageCutInManyReadsArrivesOnce() {
        String payload = "p".repeat(200_000);
        String input = "RMSG $G big " + payload.length() + "\r\n" + payload + "\r\nPING\r\n";
        byte[] all = input.getBytes(StandardCharsets.US_ASCII);
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < all.length; at += 997) {
            chunks.add(java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + 997)));
        }
        assertThat(decode(chunks)).containsExactly("MSG $G big reply=- hdr=-1 data=" + payload + " q=[]", "PING");
    }
}
