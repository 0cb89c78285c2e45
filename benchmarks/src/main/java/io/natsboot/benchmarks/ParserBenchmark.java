package io.natsboot.benchmarks;

import io.natsboot.server.protocol.ClientOps;
import io.natsboot.server.protocol.ClientProtocolParser;
import io.natsboot.server.protocol.ProtocolError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoder throughput: {@link ClientProtocolParser#parse} over one buffer holding {@value #OPS} complete
 * client ops, with callbacks that do nothing but sum what they are handed. One JMH operation is one
 * decoded client op (the score is ops/s; {@code -prof gc}'s B/op is per decoded op).
 *
 * <ul>
 *   <li>{@code pub16}: {@code PUB foo.bar 16\r\n} + 16 bytes + CRLF, repeated (34 bytes each, about
 *       64 KiB in all: one large socket read, as the server reads a busy publisher).</li>
 *   <li>{@code mixed}: a repeating stream of PUB with and without reply, HPUB, PING, PONG, SUB with a
 *       queue, UNSUB with a limit, payloads of 0 to 1024 bytes. SUB and UNSUB hand over Strings, so they
 *       allocate by design.</li>
 * </ul>
 *
 * The buffer is a pooled direct buffer, as Netty's socket reads are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ParserBenchmark {
    static final int OPS = 1920;

    private ByteBuf pub16;
    private ByteBuf mixed;
    private ClientProtocolParser parser;
    private final CountingOps ops = new CountingOps();

    @Setup(Level.Trial)
    public void setup() {
        parser = new ClientProtocolParser(4096);
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < OPS; i++) {
            p.append("PUB foo.bar 16\r\n").append("0123456789abcdef").append("\r\n");
        }
        pub16 = direct(p.toString());

        String hdr = "NATS/1.0\r\nX-Id: 7\r\n\r\n"; // 21 bytes
        String[] unit = {
            "PUB foo.bar 16\r\n0123456789abcdef\r\n",
            "PUB orders.eu.created 128\r\n" + "x".repeat(128) + "\r\n",
            "PUB a.b.c.d.e 0\r\n\r\n",
            "PUB svc.time _INBOX.Abc123Def456Ghi789.1 16\r\n0123456789abcdef\r\n",
            "HPUB foo.hdr " + hdr.length() + " " + (hdr.length() + 16) + "\r\n" + hdr + "0123456789abcdef\r\n",
            "PING\r\n",
            "PONG\r\n",
            "SUB foo.* workers 42\r\n",
            "UNSUB 42 10\r\n",
            "PUB big.payload 1024\r\n" + "y".repeat(1024) + "\r\n",
        };
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < OPS; i++) {
            m.append(unit[i % unit.length]);
        }
        mixed = direct(m.toString());

        // Sanity: every op is decoded, none fails.
        check(pub16);
        check(mixed);
    }

    private void check(ByteBuf buf) {
        ops.count = 0;
        buf.readerIndex(0);
        parser.parse(buf, ops);
        if (parser.failed() || buf.isReadable() || ops.count != OPS) {
            throw new IllegalStateException("decoded " + ops.count + " of " + OPS + " ops, failed=" + parser.failed()
                    + ", unread=" + buf.readableBytes());
        }
    }

    private static ByteBuf direct(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        b.writeBytes(bytes);
        return b;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pub16.release();
        mixed.release();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long pub16() {
        pub16.readerIndex(0);
        parser.parse(pub16, ops);
        return ops.sum;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long mixed() {
        mixed.readerIndex(0);
        parser.parse(mixed, ops);
        return ops.sum;
    }

    /** Does nothing but count and sum what it is handed, so the decoding cannot be optimised away. */
    static final class CountingOps implements ClientOps {
        long count;
        long sum;

        @Override
        public void onConnect(String json) {
            count++;
            sum += json.length();
        }

        @Override
        public void onInfo(String json) {
            count++;
            sum += json.length();
        }

        @Override
        public void onPublish(ByteBuf buf, int subjectStart, int subjectLength, int replyStart, int replyLength,
                int headerLength, int payloadStart, int totalLength) {
            count++;
            sum += subjectStart + subjectLength + replyLength + headerLength + payloadStart + totalLength;
        }

        @Override
        public void onSubscribe(String subject, String queue, String sid) {
            count++;
            sum += subject.length() + (queue == null ? 0 : queue.length()) + sid.length();
        }

        @Override
        public void onUnsubscribe(String sid, long maxMessages) {
            count++;
            sum += sid.length() + maxMessages;
        }

        @Override
        public void onPing() {
            count++;
            sum++;
        }

        @Override
        public void onPong() {
            count++;
            sum++;
        }

        @Override
        public void onProtocolError(ProtocolError error, String logDetail) {
            throw new IllegalStateException(error + ": " + logDetail);
        }

        @Override
        public boolean connectRequiredFirst() {
            return false;
        }

        @Override
        public boolean headersEnabled() {
            return true;
        }

        @Override
        public int maxPayload() {
            return 1024 * 1024;
        }
    }
}
