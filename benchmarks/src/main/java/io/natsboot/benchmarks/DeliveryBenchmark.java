package io.natsboot.benchmarks;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.ServerId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The publish-to-deliver path of the engine, without sockets: one publisher {@link ClientConnection} and
 * {@code subs} subscriber connections (all on {@code foo.bar}), each in its own {@link EmbeddedChannel}, on
 * one {@link ServerContext}. One invocation publishes {@value #MSGS} {@code PUB foo.bar <payload>} frames
 * the way the event loop sees a busy publisher: as socket reads of at most {@value #READ} bytes (the
 * server's largest receive buffer), each copied into a fresh pooled direct buffer and handed to the
 * publisher ({@code channelRead} + {@code channelReadComplete}; frames cut at a read boundary go through the
 * connection's cumulation buffer), after each read every subscriber's outbound buffers (one batch per read)
 * are taken and released, as the socket write would. With 16-byte payloads the {@value #MSGS} frames fit
 * in one read; with 1 KiB payloads they take 16.
 *
 * <p>One JMH operation is one published message: the score is published msgs/s, and {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} is heap bytes per published message; divide by {@code subs} for bytes per
 * delivered message. Message bytes live in direct buffers from the channels' allocator, so they do not show
 * up as heap allocation; the copy into the read buffer stands in for the socket read.
 *
 * <p>{@code allocator}: {@code default} is {@link ByteBufAllocator#DEFAULT}, which is what the server's
 * channels get (NatsServer sets no allocator; in Netty 4.2 that is the {@code AdaptiveByteBufAllocator}
 * unless {@code -Dio.netty.allocator.type} says otherwise); {@code pooled} is
 * {@link PooledByteBufAllocator#DEFAULT}, Netty 4.1's default. The benchmark thread is a Netty
 * {@code FastThreadLocalThread} (see {@link EventLoopThreadExecutor}), so the allocator's thread cache and
 * Netty's object recycling work as on the server's event loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
        // Benchmark threads as Netty FastThreadLocalThreads, like event loops: see EventLoopThreadExecutor.
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.natsboot.benchmarks.EventLoopThreadExecutor"})
public class DeliveryBenchmark {
    static final int MSGS = 1000;
    /** Largest socket read: the server's AdaptiveRecvByteBufAllocator maximum. */
    static final int READ = 65536;

    @Param({"1", "4"})
    public int subs;

    @Param({"16", "1024"})
    public int payload;

    @Param({"default", "pooled"})
    public String allocator;

    private ByteBufAllocator alloc;
    private ServerContext server;
    private EmbeddedChannel publisher;
    private EmbeddedChannel[] subscribers;
    private ByteBuf read;
    private long expectedBytesPerSubscriber;
    private long[] received;

    @Setup(Level.Trial)
    public void setup() {
        alloc = switch (allocator) {
            case "default" -> ByteBufAllocator.DEFAULT;
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            default -> throw new IllegalArgumentException("allocator: default or pooled, not " + allocator);
        };
        ServerOptions options = ServerOptions.builder().host("127.0.0.1").port(0).build();
        server = new ServerContext(options, SilentLog.INSTANCE, ServerId.generate());
        subscribers = new EmbeddedChannel[subs];
        for (int i = 0; i < subs; i++) {
            subscribers[i] = connect("{\"verbose\":false,\"pedantic\":false,\"name\":\"sub" + i + "\"}\r\n"
                    + "SUB foo.bar " + (i + 1) + "\r\nPING\r\n", "PONG\r\n");
        }
        publisher = connect("{\"verbose\":false,\"pedantic\":false,\"name\":\"pub\"}\r\nPING\r\n", "PONG\r\n");

        byte[] body = new byte[payload];
        for (int i = 0; i < payload; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        byte[] line = ("PUB foo.bar " + payload + "\r\n").getBytes(StandardCharsets.US_ASCII);
        read = alloc.directBuffer(MSGS * (line.length + payload + 2));
        for (int i = 0; i < MSGS; i++) {
            read.writeBytes(line).writeBytes(body).writeByte('\r').writeByte('\n');
        }
        // "MSG foo.bar <sid> <size>\r\n" + payload + CRLF; sids are 1..subs (one digit here).
        expectedBytesPerSubscriber = (long) MSGS * (("MSG foo.bar 1 " + payload + "\r\n").length() + payload + 2);

        // Sanity: one invocation delivers every message to every subscriber, nothing else is written.
        long[] got = new long[subs];
        publishOnce(got);
        received = new long[subs];
        for (int i = 0; i < subs; i++) {
            if (got[i] != expectedBytesPerSubscriber) {
                throw new IllegalStateException("subscriber " + i + " got " + got[i] + " bytes, expected "
                        + expectedBytesPerSubscriber);
            }
        }
        if (publisher.outboundMessages().size() != 0) {
            throw new IllegalStateException("publisher got output: " + drain(publisher));
        }
    }

    private EmbeddedChannel connect(String connectTail, String expectEnd) {
        EmbeddedChannel ch = new EmbeddedChannel();
        // Read buffers, cumulation and outbound batches all come from this allocator, as on the server.
        ch.config().setAllocator(alloc);
        // The server's water marks (NatsServer): a 64 KiB batch must not flip writability, as it does not there.
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
        ch.pipeline().addLast(new ClientConnection(server));
        String info = drain(ch);
        if (!info.startsWith("INFO ")) {
            throw new IllegalStateException("expected INFO, got " + info);
        }
        ByteBuf in = alloc.directBuffer();
        in.writeCharSequence("CONNECT " + connectTail, StandardCharsets.US_ASCII);
        ch.writeInbound(in);
        String reply = drain(ch);
        if (!reply.endsWith(expectEnd) || reply.contains("-ERR")) {
            throw new IllegalStateException("unexpected reply " + reply);
        }
        return ch;
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder s = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            s.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return s.toString();
    }

    /** Feeds the publisher MSGS frames as reads of at most READ bytes; counts what each subscriber gets. */
    private void publishOnce(long[] counts) {
        EmbeddedChannel[] ss = subscribers;
        int total = read.readableBytes();
        for (int at = 0; at < total; at += READ) {
            int len = Math.min(READ, total - at);
            ByteBuf in = alloc.directBuffer(len);
            in.writeBytes(read, at, len);
            publisher.pipeline().fireChannelRead(in);
            publisher.pipeline().fireChannelReadComplete();
            for (int i = 0; i < ss.length; i++) {
                EmbeddedChannel s = ss[i];
                for (ByteBuf b; (b = s.readOutbound()) != null; ) {
                    counts[i] += b.readableBytes();
                    b.release();
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        read.release();
        publisher.finishAndReleaseAll();
        for (EmbeddedChannel s : subscribers) {
            s.finishAndReleaseAll();
        }
    }

    @Benchmark
    @OperationsPerInvocation(MSGS)
    public long publish() {
        publishOnce(received);
        return received[0];
    }
}
