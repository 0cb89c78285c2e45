package io.natsboot.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drives {@link ClientProtocolParser} directly with a recording {@link ClientOps}. Every valid input is also fed
 * split at every byte boundary (two chunks) and one byte at a time, the way {@code ClientConnection} feeds it
 * (unread bytes kept, next read appended), and must decode to exactly the same ops. Expected results follow the
 * protocol reference §1.2, §1.9, §1.10 and §2, checked against nats-server 2.9.10 (see DifferentialTest).
 */
class ClientProtocolParserTest {
    private static final int MAX_CONTROL_LINE = 4096;
    private static final int MAX_PAYLOAD = 1024 * 1024;

    // ---- Recording ops ---------------------------------------------------------------------

    /** Records every callback as one readable string; errors as "ERROR <enum>". */
    static final class Recorder implements ClientOps {
        final List<String> ops = new ArrayList<>();
        final List<String> publishLines = new ArrayList<>();
        String errorLog;
        boolean authRequired;
        boolean headers = true;
        int maxPayload = MAX_PAYLOAD;

        Recorder authRequired(boolean v) {
            authRequired = v;
            return this;
        }

        Recorder headers(boolean v) {
            headers = v;
            return this;
        }

        Recorder maxPayload(int v) {
            maxPayload = v;
            return this;
        }

        @Override
        public void onConnect(String json) {
            ops.add("CONNECT " + json);
            authRequired = false;
        }

        @Override
        public void onInfo(String json) {
            ops.add("INFO " + json);
        }

        @Override
        public void onPublishLine(ByteBuf buf, int subjectStart, int subjectLength) {
            publishLines.add(buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8));
        }

        @Override
        public void onPublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
                int headerLength, int payloadStart, int totalLength) {
            StringBuilder b = new StringBuilder(headerLength >= 0 ? "HPUB " : "PUB ");
            b.append(buf.toString(subjectStart, subjectLength, StandardCharsets.UTF_8));
            if (replyLength > 0) {
                b.append(' ').append(buf.toString(replyStart, replyLength, StandardCharsets.UTF_8));
            }
            if (headerLength >= 0) {
                b.append(' ').append(headerLength);
            }
            b.append(' ').append(totalLength).append(" [")
                    .append(buf.toString(payloadStart, totalLength, StandardCharsets.UTF_8)).append(']');
            ops.add(b.toString());
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            ops.add("SUB " + subject + (queue == null ? "" : " " + queue) + " " + sid);
        }

        @Override
        public void onUnsubscribe(String sid, long maxMessages) {
            ops.add("UNSUB " + sid + " " + maxMessages);
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
        public void onProtocolError(ProtocolError error, String logDetail) {
            ops.add("ERROR " + error);
            errorLog = logDetail;
        }

        @Override
        public boolean connectRequiredFirst() {
            return authRequired;
        }

        @Override
        public boolean headersEnabled() {
            return headers;
        }

        @Override
        public int maxPayload() {
            return maxPayload;
        }
    }

    /** One decoding session, feeding chunks like ClientConnection's cumulation. */
    static final class Session {
        final ClientProtocolParser parser;
        final Recorder ops;
        private final boolean moveBetweenReads;
        private ByteBuf cumulation;
        private int reads;

        Session(Recorder ops, int maxControlLine, boolean moveBetweenReads) {
            this.ops = ops;
            this.parser = new ClientProtocolParser(maxControlLine);
            this.moveBetweenReads = moveBetweenReads;
        }

        Session feed(byte[] chunk) {
            if (parser.failed()) {
                return this; // the connection is closed: nothing more is read
            }
            reads++;
            ByteBuf buf;
            if (cumulation == null) {
                buf = alloc(chunk.length);
            } else if (moveBetweenReads) {
                // The caller may move the unread bytes into a new buffer between calls.
                buf = alloc(cumulation.readableBytes() + chunk.length);
                buf.writeBytes(cumulation);
                cumulation.release();
            } else {
                buf = cumulation;
            }
            buf.writeBytes(chunk);
            parser.parse(buf, ops);
            if (buf.isReadable() && !parser.failed()) {
                cumulation = buf;
            } else {
                buf.release();
                cumulation = null;
            }
            return this;
        }

        /** Alternates direct and heap buffers, the two paths of the parser's byte reader. */
        private ByteBuf alloc(int size) {
            return reads % 2 == 0 ? Unpooled.directBuffer(Math.max(size, 16))
                    : Unpooled.buffer(Math.max(size, 16));
        }

        int unread() {
            return cumulation == null ? 0 : cumulation.readableBytes();
        }

        void release() {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Recorder decode(Recorder ops, int maxControlLine, boolean move, byte[]... chunks) {
        Session s = new Session(ops, maxControlLine, move);
        for (byte[] c : chunks) {
            s.feed(c);
        }
        s.release();
        return ops;
    }

    private static List<String> decode(String input) {
        return decode(new Recorder(), MAX_CONTROL_LINE, false, bytes(input)).ops;
    }

    /**
     * Decodes {@code input} whole, split in two at every boundary (both cumulation styles), and one byte at a
     * time; every way must give {@code expected}. Returns the number of decodings checked.
     */
    private static int assertEverySplit(String input, List<String> expected) {
        return assertEverySplit(input, expected, Recorder::new, MAX_CONTROL_LINE);
    }

    private static int assertEverySplit(String input, List<String> expected,
            java.util.function.Supplier<Recorder> recorder, int maxControlLine) {
        byte[] all = bytes(input);
        int checked = 0;
        assertThat(decode(recorder.get(), maxControlLine, false, all).ops).as("whole %s", show(input))
                .containsExactlyElementsOf(expected);
        checked++;
        for (int cut = 1; cut < all.length; cut++) {
            byte[] a = Arrays.copyOfRange(all, 0, cut);
            byte[] b = Arrays.copyOfRange(all, cut, all.length);
            for (boolean move : new boolean[] {false, true}) {
                assertThat(decode(recorder.get(), maxControlLine, move, a, b).ops)
                        .as("split at %d (move=%s) of %s", cut, move, show(input))
                        .containsExactlyElementsOf(expected);
                checked++;
            }
        }
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            single[i] = new byte[] {all[i]};
        }
        for (boolean move : new boolean[] {false, true}) {
            assertThat(decode(recorder.get(), maxControlLine, move, single).ops)
                    .as("byte by byte (move=%s) of %s", move, show(input))
                    .containsExactlyElementsOf(expected);
            checked++;
        }
        return checked;
    }

    private static String show(String s) {
        String t = s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return t.length() > 120 ? t.substring(0, 100) + "..." + t.substring(t.length() - 15) : t;
    }

    // ---- Every op, split at every boundary -------------------------------------------------

    static Stream<Arguments> validOps() {
        return Stream.of(
                Arguments.of("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n",
                        List.of("CONNECT {\"verbose\":false,\"pedantic\":false}")),
                Arguments.of("INFO {\"server_id\":\"x\"}\r\n", List.of("INFO {\"server_id\":\"x\"}")),
                Arguments.of("PUB foo 5\r\nhello\r\n", List.of("PUB foo 5 [hello]")),
                Arguments.of("PUB foo.bar _INBOX.r1 2\r\nhi\r\n", List.of("PUB foo.bar _INBOX.r1 2 [hi]")),
                Arguments.of("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", List.of("HPUB foo 12 14 [NATS/1.0\r\n\r\nhi]")),
                Arguments.of("HPUB foo rep 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nok\r\n",
                        List.of("HPUB foo rep 18 20 [NATS/1.0\r\nA: B\r\n\r\nok]")),
                Arguments.of("SUB foo.* 1\r\n", List.of("SUB foo.* 1")),
                Arguments.of("SUB foo.> workers abc-XYZ.1\r\n", List.of("SUB foo.> workers abc-XYZ.1")),
                Arguments.of("UNSUB 1\r\n", List.of("UNSUB 1 -1")),
                Arguments.of("UNSUB 1 10\r\n", List.of("UNSUB 1 10")),
                Arguments.of("PING\r\n", List.of("PING")),
                Arguments.of("PONG\r\n", List.of("PONG")),
                Arguments.of("+OK\r\nPING\r\n", List.of("PING")),
                Arguments.of("-ERR 'Unknown Protocol Operation'\r\n", List.of("ERROR CLIENT_ERROR")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("validOps")
    void everyOpDecodesTheSameAtEveryBoundary(String input, List<String> expected) {
        assertEverySplit(input, expected);
    }

    @Test
    void clientErrorIsLoggedWithoutQuotes() {
        Recorder r = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes("-ERR 'Stale Connection'\r\n"));
        assertThat(r.ops).containsExactly("ERROR CLIENT_ERROR");
        assertThat(r.errorLog).isEqualTo("Client Error 'Stale Connection'");
        assertThat(ProtocolError.CLIENT_ERROR.errText()).isNull();
    }

    /** All ops in one stream, with the whitespace, case and line-end variants nats-server accepts. */
    private static final String STREAM = ""
            + "CONNECT {\"verbose\":true,\"headers\":true,\"name\":\"x y\"}\r\n"
            + "INFO {}\r\n"
            + "SUB foo 1\r\n"
            + "sub\tbar.*  q1 \t2\r\n"
            + "SUB baz 3\n"
            + "PUB foo 5\r\nhello\r\n"
            + "pub foo reply.1 0\r\n\r\n"
            + "Pub\tfoo   4 \r\na\r\nb\r\n"
            + "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
            + "hpub foo r 0 3\r\nabc\r\n"
            + "HPUB foo 3 5\r\nabcok\r\n"
            + "PING\r\n"
            + "ping\n"
            + "PING foo\r\n"
            + "PINGX\r\n"
            + "PONG\r\n"
            + "pong whatever\r\n"
            + "+OK\r\n"
            + "+ok\n"
            + "UNSUB 1\r\n"
            + "unsub 2 5\r\n"
            + "UNSUB\t3\t0\r\n"
            + "CONNECT{\"verbose\":false}\r\n"
            + "cOnNeCt  \t{}\r\n"
            + "PUB ü.subject 2\r\n\u00e9\r\n"
            + "-ERR 'bye'\r\n";

    private static final List<String> STREAM_OPS = List.of(
            "CONNECT {\"verbose\":true,\"headers\":true,\"name\":\"x y\"}",
            "INFO {}",
            "SUB foo 1",
            "SUB bar.* q1 2",
            "SUB baz 3",
            "PUB foo 5 [hello]",
            "PUB foo reply.1 0 []",
            "PUB foo 4 [a\r\nb]",
            "HPUB foo 12 14 [NATS/1.0\r\n\r\nhi]",
            // HPUB with a zero-length header block is a plain message.
            "PUB foo r 3 [abc]",
            "HPUB foo 3 5 [abcok]",
            "PING", "PING", "PING", "PING", "PONG", "PONG",
            "UNSUB 1 -1",
            "UNSUB 2 5",
            "UNSUB 3 0",
            "CONNECT {\"verbose\":false}",
            "CONNECT {}",
            "PUB ü.subject 2 [\u00e9]",
            "ERROR CLIENT_ERROR");

    @Test
    void longMixedStreamDecodesTheSameAtEveryBoundary() {
        int checked = assertEverySplit(STREAM, STREAM_OPS);
        assertThat(checked).isEqualTo(1 + 2 * (bytes(STREAM).length - 1) + 2);
    }

    @Test
    void longMixedStreamDecodesTheSameInRandomChunks() {
        byte[] all = bytes(STREAM);
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 300; round++) {
            List<byte[]> chunks = new ArrayList<>();
            int at = 0;
            while (at < all.length) {
                int n = Math.min(all.length - at, 1 + random.nextInt(40));
                chunks.add(Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            assertThat(decode(new Recorder(), MAX_CONTROL_LINE, round % 2 == 0, chunks.toArray(byte[][]::new)).ops)
                    .as("round %d", round).containsExactlyElementsOf(STREAM_OPS);
        }
    }

    @Test
    void payloadLargerThanAnyReadIsDecodedOnce() {
        String body = "x".repeat(100_000);
        assertEverySplitCoarse("PUB big 100000\r\n" + body + "\r\nPING\r\n",
                List.of("PUB big 100000 [" + body + "]", "PING"));
    }

    /** Like assertEverySplit but for long inputs: cut every 997 bytes and around the frame edges. */
    private static void assertEverySplitCoarse(String input, List<String> expected) {
        byte[] all = bytes(input);
        for (int cut = 1; cut < all.length; cut += (cut < 40 || cut > all.length - 40) ? 1 : 997) {
            assertThat(decode(new Recorder(), MAX_CONTROL_LINE, cut % 2 == 0, Arrays.copyOfRange(all, 0, cut),
                    Arrays.copyOfRange(all, cut, all.length)).ops).as("cut %d", cut)
                    .containsExactlyElementsOf(expected);
        }
    }

    // ---- Accepted variants (reference §1.2) ------------------------------------------------

    static Stream<Arguments> acceptedVariants() {
        return Stream.of(
                Arguments.of("pub foo 1\r\na\r\n", List.of("PUB foo 1 [a]")),
                Arguments.of("PuB foo 1\r\na\r\n", List.of("PUB foo 1 [a]")),
                Arguments.of("cOnNeCt {}\r\n", List.of("CONNECT {}")),
                Arguments.of("CONNECT{\"verbose\":false}\r\n", List.of("CONNECT {\"verbose\":false}")),
                Arguments.of("INFO{}\r\n", List.of("INFO {}")),
                Arguments.of("PUB\tfoo   2 \r\nhi\r\n", List.of("PUB foo 2 [hi]")),
                Arguments.of("PUB foo\t\t2\t\r\nhi\r\n", List.of("PUB foo 2 [hi]")),
                Arguments.of("SUB foo\t q\t1\r\n", List.of("SUB foo q 1")),
                Arguments.of("SUB foo 1\n", List.of("SUB foo 1")),
                Arguments.of("PING\n", List.of("PING")),
                Arguments.of("PING foo\r\n", List.of("PING")),
                Arguments.of("PINGX\r\n", List.of("PING")),
                Arguments.of("pInG\r\n", List.of("PING")),
                Arguments.of("PING\r\r\n", List.of("PING")),
                Arguments.of("PONGPONG\r\n", List.of("PONG")),
                Arguments.of("+OKAY\r\nPING\r\n", List.of("PING")),
                Arguments.of("PUB foo 4\r\na\r\nb\r\n", List.of("PUB foo 4 [a\r\nb]")),
                Arguments.of("PUB foo 0\r\n\r\n", List.of("PUB foo 0 []")),
                Arguments.of("PUB foo 000000002\r\nhi\r\n", List.of("PUB foo 2 [hi]")),
                Arguments.of("PUB foo\r\n 2\r\n", List.of("ERROR BAD_ARGUMENTS")),
                // UNSUB max: absent -1; zero, negative or unparsable 0 (removed at once).
                Arguments.of("UNSUB 1 abc\r\n", List.of("UNSUB 1 0")),
                Arguments.of("UNSUB 1 -1\r\n", List.of("UNSUB 1 0")),
                Arguments.of("UNSUB 1 1234567890\r\n", List.of("UNSUB 1 0")),
                Arguments.of("UNSUB 1 007\r\n", List.of("UNSUB 1 7")),
                // nats-server splits SUB/UNSUB arguments on CR too, and once it has seen a CR in the
                // arguments it drops the last byte before LF.
                Arguments.of("SUB foo\r 1\r\n", List.of("SUB foo 1")),
                Arguments.of("SUB foo 1\r\r\n", List.of("SUB foo 1")),
                Arguments.of("UNSUB 1\r\r\n", List.of("UNSUB 1 -1")),
                Arguments.of("UNSUB 1\rx\n", List.of("UNSUB 1 -1")),
                Arguments.of("SUB foo\r 1\n", List.of("ERROR BAD_ARGUMENTS")),
                Arguments.of("CONNECT {}\rx\n", List.of("CONNECT {}\r")),
                // PUB/HPUB split on spaces and tabs only: a CR stays in the token.
                Arguments.of("PUB foo\r 1\r\na\r\n", List.of("PUB foo\r 1 [a]")),
                Arguments.of("PUB foo\r 2\n", List.of("ERROR BAD_ARGUMENTS")),
                Arguments.of("PUB foo 1\rx\n", List.of("ERROR BAD_ARGUMENTS")),
                Arguments.of("PUB foo 1\r\r\na\r\n", List.of("ERROR BAD_ARGUMENTS")),
                // Non-ASCII subjects are passed through as UTF-8.
                Arguments.of("SUB ü.* 1\r\n", List.of("SUB ü.* 1")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("acceptedVariants")
    void acceptedVariantsDecodeAtEveryBoundary(String input, List<String> expected) {
        assertEverySplit(input, expected);
    }

    @Test
    void opsAfterHeadersArePlainWhenHeaderLengthIsZero() {
        assertThat(decode("HPUB foo 0 2\r\nhi\r\n")).containsExactly("PUB foo 2 [hi]");
    }

    @Test
    void incompleteInputWaitsWithoutDecoding() {
        for (String partial : List.of("P", "PIN", "PING", "PING\r", "PUB foo 2\r\nhi", "PUB foo 2\r\nhi\r",
                "SUB foo 1", "SUB foo 1\r", "CONNECT {", "+OK", "-ERR 'x'", "HPUB foo 3 5\r\nabc",
                "PUB foo 2\r\n")) {
            Session s = new Session(new Recorder(), MAX_CONTROL_LINE, false);
            s.feed(bytes(partial));
            assertThat(s.ops.ops).as(show(partial)).isEmpty();
            assertThat(s.parser.failed()).as(show(partial)).isFalse();
            s.release();
        }
    }

    // ---- The pedantic hook (nats-server's processPub) --------------------------------------

    @Test
    void publishLineIsReportedOnceWhenTheFrameIsComplete() {
        Recorder r = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes("PUB foo.* 1\r\na\r\nPUB bar 0\r\n\r\n"));
        assertThat(r.publishLines).containsExactly("foo.*", "bar");
        assertThat(r.ops).containsExactly("PUB foo.* 1 [a]", "PUB bar 0 []");
    }

    @Test
    void publishLineIsReportedTwiceWhenThePayloadComesInALaterRead() {
        // nats-server runs processPub again to keep the arguments of a split frame: its pedantic
        // -ERR 'Invalid Publish Subject' then comes twice.
        for (String tail : List.of("", "a", "a\r")) {
            Recorder r = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes("PUB foo.* 1\r\n" + tail),
                    bytes("a\r\n".substring(tail.length())));
            assertThat(r.publishLines).as(tail).containsExactly("foo.*", "foo.*");
            assertThat(r.ops).as(tail).containsExactly("PUB foo.* 1 [a]");
        }
        // A control line split across reads is reported once if the frame completes in the same read.
        Recorder r = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes("PUB fo"), bytes("o 1\r\na\r\n"));
        assertThat(r.publishLines).containsExactly("foo");
    }

    @Test
    void publishLineIsReportedBeforeABadPayloadTerminator() {
        Recorder r = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes("PUB foo.* 2\r\nhiX\r\n"));
        assertThat(r.publishLines).containsExactly("foo.*");
        assertThat(r.ops).containsExactly("ERROR UNKNOWN_OPERATION");
    }

    @Test
    void publishLineIsNotReportedWhenTheLineIsRejected() {
        Recorder r = decode(new Recorder().maxPayload(10), MAX_CONTROL_LINE, false, bytes("PUB foo.* 11\r\n"));
        assertThat(r.publishLines).isEmpty();
        assertThat(r.ops).containsExactly("ERROR MAX_PAYLOAD");
    }

    // ---- Malformed input (reference §1.10, §2) ---------------------------------------------

    /**
     * One malformed input: the ops decoded before the error, the error, and the -ERR text nats-server sends
     * for it (null: closed without -ERR), and how the log line starts. Every split must give the same result.
     */
    record Bad(String input, List<String> before, ProtocolError error, String errText, String logPrefix) {
        @Override
        public String toString() {
            return show(input);
        }
    }

    private static Bad bad(String input, ProtocolError error, String errText, String logPrefix) {
        return new Bad(input, List.of(), error, errText, logPrefix);
    }

    private static Bad bad(String input, List<String> before, ProtocolError error, String errText) {
        return new Bad(input, before, error, errText, null);
    }

    private static final String UNKNOWN = "Unknown Protocol Operation";

    static Stream<Bad> malformed() {
        ProtocolError unknown = ProtocolError.UNKNOWN_OPERATION;
        ProtocolError badArgs = ProtocolError.BAD_ARGUMENTS;
        return Stream.of(
                // Unknown or bad op letters.
                bad("FOO\r\n", unknown, UNKNOWN, "Client parser ERROR, state=0, i=0: proto='\"FOO\\r"),
                bad("PUBS foo 1\r\n", unknown, UNKNOWN, "Client parser ERROR"),
                bad("SUBZZZ\r\n", unknown, UNKNOWN, null),
                bad("PIN\r\n", unknown, UNKNOWN, null),
                bad("+O\r\n", unknown, UNKNOWN, null),
                bad("-ERRX\r\n", unknown, UNKNOWN, null),
                // The ops that take arguments need a separator.
                bad("PUB\r\n", unknown, UNKNOWN, null),
                bad("UNSUB\r\n", unknown, UNKNOWN, null),
                bad("-ERR\r\n", unknown, UNKNOWN, null),
                // The op must be the first byte of the line.
                bad(" PING\r\n", unknown, UNKNOWN, null),
                bad("\r\n", unknown, UNKNOWN, null),
                bad("\n", unknown, UNKNOWN, null),
                // Ops a client may not send.
                bad("MSG foo 1 2\r\n", unknown, UNKNOWN, null),
                bad("HMSG foo 1 2 2\r\n", unknown, UNKNOWN, null),
                bad("RS+ $G foo\r\n", unknown, UNKNOWN, null),
                bad("RMSG $G foo 1\r\n", unknown, UNKNOWN, null),
                bad("LS+ foo\r\n", unknown, UNKNOWN, null),
                bad("A+ foo\r\n", unknown, UNKNOWN, null),
                // Payload longer than declared, or not followed by exactly CRLF; detected as soon as the
                // wrong byte arrives.
                bad("PUB foo 2\r\nhello\r\n", unknown, UNKNOWN, "Client parser ERROR, state=41"),
                bad("PUB foo 2\r\nhi\n", unknown, UNKNOWN, "Client parser ERROR, state=41"),
                bad("PUB foo 2\r\nhiX", unknown, UNKNOWN, null),
                bad("PUB foo 2\r\nhi\rX", unknown, UNKNOWN, "Client parser ERROR, state=42"),
                bad("PUB foo 2\r\nhi\r\r\n", unknown, UNKNOWN, null),
                bad("PUB foo 2\r\nhi\r\n\r\n", List.of("PUB foo 2 [hi]"), unknown, UNKNOWN),
                bad("PUB foo 2\r\nhi\r\n\n", List.of("PUB foo 2 [hi]"), unknown, UNKNOWN),
                // Wrong argument counts: closed without -ERR.
                bad("PUB foo\r\n", badArgs, null, "processPub Parse Error: \"foo\""),
                bad("PUB a b c 1\r\n", badArgs, null, "processPub Parse Error"),
                bad("PUB \r\n", badArgs, null, "processPub Parse Error"),
                bad("HPUB foo 1\r\n", badArgs, null, "processHeaderPub Parse Error"),
                bad("HPUB a b c d 1\r\n", badArgs, null, "processHeaderPub Parse Error"),
                bad("SUB foo\r\n", badArgs, null, "processSub Parse Error"),
                bad("SUB a b c d\r\n", badArgs, null, "processSub Parse Error"),
                bad("UNSUB \r\n", badArgs, null, "processUnsub Parse Error"),
                bad("UNSUB 1 2 3\r\n", badArgs, null, "processUnsub Parse Error"),
                // Bad sizes: closed without -ERR.
                bad("PUB foo abc\r\n", badArgs, null, "processPub Bad or Missing Size: \"foo abc\""),
                bad("PUB foo -1\r\n", badArgs, null, "processPub Bad or Missing Size"),
                bad("PUB foo 1234567890\r\n", badArgs, null, "processPub Bad or Missing Size"),
                bad("PUB foo 0000000001\r\n", badArgs, null, "processPub Bad or Missing Size"),
                bad("PUB foo 1x\r\n", badArgs, null, "processPub Bad or Missing Size"),
                bad("HPUB foo x 2\r\n", badArgs, null, "processHeaderPub Bad or Missing Header Size"),
                bad("HPUB foo 1 x\r\n", badArgs, null, "processHeaderPub Bad or Missing Total Size"),
                bad("HPUB foo 5 2\r\n", badArgs, null, "processHeaderPub Header Size larger then TotalSize"),
                // Header size is checked against the total before the total against max_payload.
                bad("HPUB foo 2000000 1\r\n", badArgs, null, "processHeaderPub Header Size larger then TotalSize"),
                // Size above max_payload (9 digits or fewer).
                bad("PUB foo 1048577\r\n", ProtocolError.MAX_PAYLOAD, "Maximum Payload Violation",
                        "maximum payload exceeded: 1048577 vs 1048576"),
                bad("PUB foo reply 999999999\r\n", ProtocolError.MAX_PAYLOAD, "Maximum Payload Violation", null),
                bad("HPUB foo 1 2000000\r\n", ProtocolError.MAX_PAYLOAD, "Maximum Payload Violation",
                        "maximum payload exceeded: 2000000 vs 1048576"),
                // Ops before the error are decoded.
                bad("SUB foo 1\r\nPING\r\nFOO\r\n", List.of("SUB foo 1", "PING"), unknown, UNKNOWN),
                bad("PUB foo 1\r\na\r\nPUB foo\r\n", List.of("PUB foo 1 [a]"), badArgs, null),
                // A -ERR from the client closes without reply.
                bad("-ERR 'foo'\r\n", ProtocolError.CLIENT_ERROR, null, "Client Error 'foo'"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformed")
    void malformedInputGivesTheExactError(Bad c) {
        List<String> expected = new ArrayList<>(c.before());
        expected.add("ERROR " + c.error());
        Recorder whole = decode(new Recorder(), MAX_CONTROL_LINE, false, bytes(c.input()));
        assertThat(whole.ops).containsExactlyElementsOf(expected);
        assertThat(c.error().errText()).as("-ERR text").isEqualTo(c.errText());
        if (c.logPrefix() != null) {
            assertThat(whole.errorLog).startsWith(c.logPrefix());
        }
        assertEverySplit(c.input(), expected);
    }

    @Test
    void errorTextsAndCloseReasonsAreNatsServers() {
        assertThat(ProtocolError.UNKNOWN_OPERATION.errText()).isEqualTo("Unknown Protocol Operation");
        assertThat(ProtocolError.MAX_CONTROL_LINE.errText()).isEqualTo("maximum control line exceeded");
        assertThat(ProtocolError.MAX_PAYLOAD.errText()).isEqualTo("Maximum Payload Violation");
        assertThat(ProtocolError.AUTHORIZATION_VIOLATION.errText()).isEqualTo("Authorization Violation");
        assertThat(ProtocolError.BAD_ARGUMENTS.errText()).isNull();
        assertThat(ProtocolError.HEADERS_NOT_SUPPORTED.errText()).isNull();
        assertThat(ProtocolError.CLIENT_ERROR.errText()).isNull();
        assertThat(ProtocolError.MAX_CONTROL_LINE.closeReason()).isEqualTo("Maximum Control Line Exceeded");
        assertThat(ProtocolError.MAX_PAYLOAD.closeReason()).isEqualTo("Maximum Message Payload Exceeded");
        assertThat(ProtocolError.BAD_ARGUMENTS.closeReason()).isEqualTo("Protocol Violation");
    }

    @Test
    void headersNotNegotiatedClosesSilently() {
        java.util.function.Supplier<Recorder> noHeaders = () -> new Recorder().headers(false);
        assertEverySplit("PING\r\nHPUB foo 0 2\r\nhi\r\n", List.of("PING", "ERROR HEADERS_NOT_SUPPORTED"),
                noHeaders, MAX_CONTROL_LINE);
        Recorder r = decode(noHeaders.get(), MAX_CONTROL_LINE, false, bytes("HPUB foo 12 14\r\n"));
        assertThat(r.errorLog).isEqualTo("message headers not supported");
        assertThat(ProtocolError.HEADERS_NOT_SUPPORTED.errText()).isNull();
        // PUB is fine without headers.
        assertThat(decode(noHeaders.get(), MAX_CONTROL_LINE, false, bytes("PUB foo 0\r\n\r\n")).ops)
                .containsExactly("PUB foo 0 []");
    }

    @Test
    void maxPayloadIsThePerConnectionValue() {
        java.util.function.Supplier<Recorder> small = () -> new Recorder().maxPayload(100);
        assertEverySplit("PUB foo 100\r\n" + "x".repeat(100) + "\r\n", List.of("PUB foo 100 [" + "x".repeat(100) + "]"),
                small, MAX_CONTROL_LINE);
        assertEverySplit("PUB foo 101\r\n", List.of("ERROR MAX_PAYLOAD"), small, MAX_CONTROL_LINE);
        assertEverySplit("HPUB foo 50 101\r\n", List.of("ERROR MAX_PAYLOAD"), small, MAX_CONTROL_LINE);
    }

    // ---- Authorization: the first op must be CONNECT ---------------------------------------

    @Test
    void withAuthTheFirstOpMustStartWithC() {
        java.util.function.Supplier<Recorder> auth = () -> new Recorder().authRequired(true);
        for (String input : List.of("PING\r\n", "SUB foo 1\r\n", "PUB foo 0\r\n\r\n", "\r\n", " CONNECT {}\r\n",
                "+OK\r\n", "-ERR 'x'\r\n", "INFO {}\r\n")) {
            assertEverySplit(input, List.of("ERROR AUTHORIZATION_VIOLATION"), auth, MAX_CONTROL_LINE);
        }
        assertThat(ProtocolError.AUTHORIZATION_VIOLATION.errText()).isEqualTo("Authorization Violation");
        // Lower-case c is fine; after CONNECT anything goes (the recorder clears the flag on CONNECT).
        assertEverySplit("cONNECT {}\r\nPING\r\n", List.of("CONNECT {}", "PING"), auth, MAX_CONTROL_LINE);
        // Starting with C but not CONNECT is a plain parse error.
        assertEverySplit("COnX\r\n", List.of("ERROR UNKNOWN_OPERATION"), auth, MAX_CONTROL_LINE);
    }

    // ---- max_control_line (reference §1.9) -------------------------------------------------

    @Test
    void controlLineLimitAppliesToTheArgumentsOnly() {
        String args4096 = "x".repeat(4094) + " 1";
        assertThat(decode("SUB " + args4096 + "\r\n")).containsExactly("SUB " + args4096);
        // The op and the whitespace after it do not count, nor does the CRLF.
        assertThat(decode("SUB \t   " + args4096 + "\r\n")).containsExactly("SUB " + args4096);
        assertThat(decode("SUB " + args4096 + "\n")).containsExactly("SUB " + args4096);
        assertThat(decode("SUB " + "x".repeat(4095) + " 1\r\n")).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(decode("PUB " + "x".repeat(4095) + " 0\r\n\r\n")).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(decode("PUB " + "x".repeat(4093) + " 0\r\n\r\n")).containsExactly("PUB " + "x".repeat(4093) + " 0 []");
        // CONNECT, INFO and -ERR are control lines too.
        String name = "n".repeat(5000);
        assertThat(decode("CONNECT {\"name\":\"" + name + "\"}\r\n")).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(decode("INFO " + name + "\r\n")).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(decode("-ERR " + name + "\r\n")).containsExactly("ERROR MAX_CONTROL_LINE");
        // PING/PONG/+OK ignore everything up to LF, however long.
        assertThat(decode("PING" + name + "\r\n")).containsExactly("PING");
        assertThat(decode("+OK" + name + "\r\nPONG" + name + "\r\n")).containsExactly("PONG");
        assertThat(ProtocolError.MAX_CONTROL_LINE.errText()).isEqualTo("maximum control line exceeded");
    }

    @Test
    void controlLineLimitAtEveryBoundary() {
        String args4096 = "x".repeat(4094) + " 1";
        String ok = "SUB " + args4096 + "\r\nPING\r\n";
        String tooLong = "SUB " + "x".repeat(4095) + " 1\r\nPING\r\n";
        byte[] okBytes = bytes(ok);
        byte[] tooLongBytes = bytes(tooLong);
        for (int cut = 1; cut < okBytes.length; cut++) {
            assertThat(decode(new Recorder(), MAX_CONTROL_LINE, false, Arrays.copyOfRange(okBytes, 0, cut),
                    Arrays.copyOfRange(okBytes, cut, okBytes.length)).ops).as("cut %d", cut)
                    .containsExactly("SUB " + args4096, "PING");
        }
        for (int cut = 1; cut < tooLongBytes.length; cut++) {
            assertThat(decode(new Recorder(), MAX_CONTROL_LINE, true, Arrays.copyOfRange(tooLongBytes, 0, cut),
                    Arrays.copyOfRange(tooLongBytes, cut, tooLongBytes.length)).ops).as("cut %d", cut)
                    .containsExactly("ERROR MAX_CONTROL_LINE");
        }
    }

    @Test
    void partialLineLongerThanTheLimitFailsBeforeItsNewline() {
        // 4096 buffered argument bytes: still waiting.
        Session s = new Session(new Recorder(), MAX_CONTROL_LINE, false);
        s.feed(bytes("SUB " + "x".repeat(4094) + " 1"));
        assertThat(s.ops.ops).isEmpty();
        // A trailing CR is not counted (nats-server drops it): still waiting.
        s.feed(bytes("\r"));
        assertThat(s.ops.ops).isEmpty();
        assertThat(s.parser.failed()).isFalse();
        s.feed(bytes("\n"));
        assertThat(s.ops.ops).containsExactly("SUB " + "x".repeat(4094) + " 1");
        s.release();

        // 4097 buffered argument bytes without a newline: rejected at once.
        Session t = new Session(new Recorder(), MAX_CONTROL_LINE, false);
        t.feed(bytes("SUB " + "x".repeat(4094) + " 1 "));
        assertThat(t.ops.ops).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(t.parser.failed()).isTrue();
        t.release();

        // A line that grows in many small reads fails as soon as it passes the limit.
        Session u = new Session(new Recorder(), MAX_CONTROL_LINE, true);
        u.feed(bytes("SUB "));
        int fed = 0;
        while (!u.parser.failed()) {
            u.feed(bytes("y".repeat(100)));
            fed += 100;
        }
        assertThat(fed).isEqualTo(4100);
        assertThat(u.ops.ops).containsExactly("ERROR MAX_CONTROL_LINE");
        assertThat(u.ops.errorLog).startsWith("maximum control line exceeded: ");
        u.release();
    }

    @Test
    void configuredControlLineLimit() {
        java.util.function.Supplier<Recorder> r = Recorder::new;
        assertEverySplit("SUB " + "x".repeat(30) + " 1\r\n", List.of("SUB " + "x".repeat(30) + " 1"), r, 32);
        assertEverySplit("SUB " + "x".repeat(31) + " 1\r\n", List.of("ERROR MAX_CONTROL_LINE"), r, 32);
    }

    // ---- After an error the parser stops ---------------------------------------------------

    @Test
    void nothingIsDecodedAfterAnError() {
        Session s = new Session(new Recorder(), MAX_CONTROL_LINE, false);
        s.feed(bytes("FOO\r\nPING\r\n"));
        assertThat(s.parser.failed()).isTrue();
        ByteBuf more = Unpooled.copiedBuffer(bytes("PING\r\n"));
        s.parser.parse(more, s.ops);
        more.release();
        assertThat(s.ops.ops).containsExactly("ERROR UNKNOWN_OPERATION");
        s.release();
    }

    @Test
    void waitingForAPayloadReportsTheBytesNeeded() {
        Session s = new Session(new Recorder(), MAX_CONTROL_LINE, false);
        s.feed(bytes("PUB foo 10\r\nabc"));
        // The whole frame from the start of its control line: 12 + 10 + 2.
        assertThat(s.parser.bytesNeeded()).isEqualTo(24);
        assertThat(s.unread()).isEqualTo(15);
        s.feed(bytes("defghij\r\n"));
        assertThat(s.ops.ops).containsExactly("PUB foo 10 [abcdefghij]");
        assertThat(s.unread()).isZero();
        s.release();
    }
}
