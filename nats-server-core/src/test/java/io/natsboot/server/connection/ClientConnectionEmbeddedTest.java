package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.protocol.ServerId;
import io.natsboot.server.support.CapturingLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A real {@link ClientConnection} inside Netty's {@link EmbeddedChannel}: the same input split at every byte
 * boundary (and one byte at a time) must always produce exactly the same output bytes after the INFO, whatever
 * way the reads cut the protocol.
 *
 * <p>EmbeddedChannel runs everything on the calling thread: {@code writeInbound} fires channelRead and
 * channelReadComplete (where ClientConnection flushes what the read produced) and then runs pending tasks;
 * {@code readOutbound} returns what was written and flushed. Timers are not involved here (ping interval
 * is 2 minutes and the embedded clock does not advance on its own).
 */
class ClientConnectionEmbeddedTest {
    private static final String SERVER_ID = ServerId.generate();

    /** A server context and its connections, all on embedded channels. */
    private static final class Embedded implements AutoCloseable {
        final ServerContext context;
        final CapturingLog log = new CapturingLog();
        final List<EmbeddedChannel> channels = new ArrayList<>();

        Embedded(UnaryOperator<ServerOptions.Builder> config) {
            ServerOptions options = config.apply(ServerOptions.builder().host("127.0.0.1").port(4222)).build();
            context = new ServerContext(options, log, SERVER_ID);
        }

        Embedded() {
            this(b -> b);
        }

        EmbeddedChannel connect() {
            EmbeddedChannel ch = new EmbeddedChannel(new ClientConnection(context));
            channels.add(ch);
            return ch;
        }

        @Override
        public void close() {
            for (EmbeddedChannel ch : channels) {
                ch.finishAndReleaseAll();
            }
        }
    }

    private static void send(EmbeddedChannel ch, byte[] chunk) {
        if (ch.isOpen()) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        ch.runPendingTasks();
    }

    /** Everything written to the channel so far, as text. */
    private static String output(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return b.toString();
    }

    /** The output after the INFO line, which must come first. */
    private static String afterInfo(String out) {
        assertThat(out).startsWith("INFO {\"server_id\":\"" + SERVER_ID + "\"");
        int end = out.indexOf("} \r\n");
        assertThat(end).as("INFO line end in %s", out).isPositive();
        return out.substring(end + 4);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Runs {@code input} on a fresh connection, fed as {@code chunks}; returns the output after INFO. */
    private static Result run(UnaryOperator<ServerOptions.Builder> config, List<byte[]> chunks) {
        try (Embedded e = new Embedded(config)) {
            EmbeddedChannel ch = e.connect();
            for (byte[] c : chunks) {
                send(ch, c);
            }
            return new Result(afterInfo(output(ch)), !ch.isOpen());
        }
    }

    private record Result(String output, boolean closed) {
    }

    /**
     * Feeds {@code input} whole, split in two at every boundary, and one byte at a time; each must give exactly
     * {@code expected} after the INFO and leave the connection open or closed as {@code closed} says.
     */
    private static int assertEverySplit(UnaryOperator<ServerOptions.Builder> config, String input, String expected,
            boolean closed) {
        byte[] all = bytes(input);
        List<List<byte[]>> ways = new ArrayList<>();
        ways.add(List.of(all));
        for (int cut = 1; cut < all.length; cut++) {
            ways.add(List.of(Arrays.copyOfRange(all, 0, cut), Arrays.copyOfRange(all, cut, all.length)));
        }
        List<byte[]> single = new ArrayList<>();
        for (byte b : all) {
            single.add(new byte[] {b});
        }
        ways.add(single);
        for (int i = 0; i < ways.size(); i++) {
            Result r = run(config, ways.get(i));
            String how = i == 0 ? "whole" : i == ways.size() - 1 ? "byte by byte" : "split at " + i;
            assertThat(show(r.output())).as("%s of %s", how, show(input)).isEqualTo(show(expected));
            assertThat(r.closed()).as("closed after %s of %s", how, show(input)).isEqualTo(closed);
        }
        return ways.size();
    }

    @Test
    void verbosePubSubIsTheSameAtEveryBoundary() {
        String input = "CONNECT {\"verbose\":true}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n";
        int runs = assertEverySplit(b -> b, input, "+OK\r\n+OK\r\n+OK\r\nMSG foo 1 2\r\nhi\r\nPONG\r\n", false);
        // Whole, every two-chunk split, and byte by byte.
        assertThat(runs).isEqualTo(1 + (input.length() - 1) + 1);
    }

    @Test
    void mixedSessionIsTheSameAtEveryBoundary() {
        String input = ""
                + "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n"
                + "sub foo.* 1\r\n"
                + "SUB\tfoo.bar  q 2\n"
                + "PUB foo.bar reply.x 4\r\na\r\nb\r\n"
                + "HPUB foo.baz 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                + "HPUB foo.baz 0 2\r\nok\r\n"
                + "UNSUB 1 4\r\n"
                + "PUB foo.x 1\r\n1\r\n"
                + "PUB foo.x 1\r\n2\r\n"
                + "PING foo\r\n"
                + "+OK\r\n"
                + "PONG\r\n"
                + "ping\n";
        String expected = ""
                + "MSG foo.bar 1 reply.x 4\r\na\r\nb\r\n"
                + "MSG foo.bar 2 reply.x 4\r\na\r\nb\r\n"
                + "HMSG foo.baz 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                + "MSG foo.baz 1 2\r\nok\r\n"
                + "MSG foo.x 1 1\r\n1\r\n"
                + "PONG\r\n"
                + "PONG\r\n";
        assertEverySplit(b -> b, input, expected, false);
    }

    @Test
    void noConnectMeansVerboseAndPedantic() {
        assertEverySplit(b -> b, "SUB foo 1\r\nPUB foo 0\r\n\r\nUNSUB 1\r\nPING\r\n",
                "+OK\r\n+OK\r\nMSG foo 1 0\r\n\r\n+OK\r\nPONG\r\n", false);
    }

    @Test
    void malformedPayloadClosesWithTheSameBytesAtEveryBoundary() {
        assertEverySplit(b -> b, "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 2\r\nhiX\r\nPING\r\n",
                "-ERR 'Unknown Protocol Operation'\r\n", true);
        assertEverySplit(b -> b, "CONNECT {\"verbose\":false}\r\nPING\r\nPUB foo 2\r\nhi\n",
                "PONG\r\n-ERR 'Unknown Protocol Operation'\r\n", true);
    }

    @Test
    void silentClosesAtEveryBoundary() {
        assertEverySplit(b -> b, "CONNECT {\"verbose\":false}\r\nPING\r\nPUB foo\r\nPING\r\n", "PONG\r\n", true);
        assertEverySplit(b -> b, "CONNECT {\"verbose\":false}\r\nHPUB foo 0 2\r\nhi\r\nPING\r\n", "", true);
        assertEverySplit(b -> b, "CONNECT {\"verbose\":false}\r\nPING\r\nCONNECT {bad}\r\nPING\r\n", "PONG\r\n",
                true);
        assertEverySplit(b -> b, "PING\r\n-ERR 'oops'\r\nPING\r\n", "PONG\r\n", true);
    }

    @Test
    void errorsThatKeepTheConnectionOpenAtEveryBoundary() {
        assertEverySplit(b -> b, "SUB foo. 1\r\nSUB foo _sys_ 2\r\nPUB foo _R_.x 1\r\na\r\nPING\r\n",
                "-ERR 'Invalid Subject'\r\n"
                        + "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"_sys_\"'\r\n"
                        + "-ERR 'Permissions Violation for Publish with Reply of \"_R_.x\"'\r\n"
                        + "PONG\r\n", false);
    }

    @Test
    void limitsAtEveryBoundary() {
        assertEverySplit(b -> b.maxPayload(4), "CONNECT {\"verbose\":false}\r\nPUB foo 4\r\nabcd\r\nPUB foo 5\r\n",
                "-ERR 'Maximum Payload Violation'\r\n", true);
        assertEverySplit(b -> b.maxControlLine(16), "CONNECT{}\r\nSUB 0123456789abcd 1\r\nSUB 0123456789abcde 2\r\n",
                "+OK\r\n+OK\r\n-ERR 'maximum control line exceeded'\r\n", true);
        assertEverySplit(b -> b.maxSubscriptions(1), "SUB a 1\r\nSUB b 2\r\nPING\r\n",
                "+OK\r\n-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n", false);
    }

    @Test
    void authAtEveryBoundary() {
        UnaryOperator<ServerOptions.Builder> auth = b -> b.username("alice").password("secret");
        assertEverySplit(auth, "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n", "+OK\r\nPONG\r\n", false);
        assertEverySplit(auth, "CONNECT {\"user\":\"alice\",\"pass\":\"nope\"}\r\nPING\r\n",
                "-ERR 'Authorization Violation'\r\n", true);
        assertEverySplit(auth, "PING\r\n", "-ERR 'Authorization Violation'\r\n", true);
    }

    @Test
    void largePayloadInRandomReads() {
        StringBuilder payload = new StringBuilder();
        Random random = new Random(7);
        while (payload.length() < 200_000) {
            payload.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(100) == 0) {
                payload.append("\r\n");
            }
        }
        String body = payload.toString();
        String input = "CONNECT {\"verbose\":false}\r\nSUB big 1\r\nPUB big " + body.length() + "\r\n" + body
                + "\r\nPUB big 1\r\nz\r\nPING\r\n";
        String expected = "MSG big 1 " + body.length() + "\r\n" + body + "\r\nMSG big 1 1\r\nz\r\nPONG\r\n";
        byte[] all = bytes(input);
        for (int round = 0; round < 20; round++) {
            List<byte[]> chunks = new ArrayList<>();
            int at = 0;
            while (at < all.length) {
                int n = Math.min(all.length - at, 1 + random.nextInt(round % 2 == 0 ? 70_000 : 3_000));
                chunks.add(Arrays.copyOfRange(all, at, at + n));
                at += n;
            }
            Result r = run(b -> b, chunks);
            assertThat(r.closed()).isFalse();
            assertThat(r.output().length()).as("round %d", round).isEqualTo(expected.length());
            assertThat(r.output()).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void deliveryToAnotherConnectionAtEveryBoundary() {
        String pub = "CONNECT {\"verbose\":false,\"headers\":true}\r\nPUB foo r 2\r\nhi\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                + "PUB foo 0\r\n\r\n";
        byte[] all = bytes(pub);
        for (int cut = 1; cut < all.length; cut++) {
            try (Embedded e = new Embedded()) {
                EmbeddedChannel subH = e.connect();
                EmbeddedChannel subPlain = e.connect();
                EmbeddedChannel publisher = e.connect();
                send(subH, bytes("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 7\r\n"));
                send(subPlain, bytes("CONNECT {\"verbose\":false}\r\nSUB foo 8\r\n"));
                send(publisher, Arrays.copyOfRange(all, 0, cut));
                send(publisher, Arrays.copyOfRange(all, cut, all.length));
                assertThat(show(afterInfo(output(subH)))).as("cut %d", cut).isEqualTo(show(
                        "MSG foo 7 r 2\r\nhi\r\nHMSG foo 7 12 14\r\nNATS/1.0\r\n\r\nhi\r\nMSG foo 7 0\r\n\r\n"));
                // Headers are stripped for a subscriber that did not negotiate them.
                assertThat(show(afterInfo(output(subPlain)))).as("cut %d", cut).isEqualTo(show(
                        "MSG foo 8 r 2\r\nhi\r\nMSG foo 8 2\r\nhi\r\nMSG foo 8 0\r\n\r\n"));
                assertThat(afterInfo(output(publisher))).isEmpty();
            }
        }
    }

    @Test
    void infoIsTheFirstThingWritten() {
        try (Embedded e = new Embedded()) {
            EmbeddedChannel ch = e.connect();
            String out = output(ch);
            assertThat(out).startsWith("INFO {\"server_id\":\"" + SERVER_ID + "\",\"server_name\":\"" + SERVER_ID
                    + "\",\"version\":\"2.9.10\",\"proto\":1,\"go\":\"" + io.natsboot.server.config.Versions.runtimeVersion() + "\",\"host\":\"127.0.0.1\",\"port\":4222,"
                    + "\"headers\":true,\"max_payload\":1048576,\"client_id\":1");
            assertThat(out).endsWith("} \r\n");
            assertThat(afterInfo(out)).isEmpty();
        }
    }
}
