package io.natsboot.benchmarks;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a test pays for a NATS server started in its own JVM (nats-test's EmbeddedNatsServer, @NatsTest):
 * from constructing the server to the first INFO line read by a TCP client on its port 0 address. "first"
 * is the first server of a fresh JVM (class loading, Netty's event loops: one shot per fork); "again" is a
 * further server in a JVM that already started some (a test suite's second and later classes). The Go binary
 * spawned as a process is measured by {@code startup-time.sh --only nats-server}; see docs/testing.md.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar EmbeddedServerStart</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EmbeddedServerStartBenchmark {

    private NatsServer server;

    @Benchmark
    @Fork(10)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    public String first() throws Exception {
        return startAndReadInfo();
    }

    @Benchmark
    @Fork(1)
    @Warmup(iterations = 10)
    @Measurement(iterations = 30)
    public String again() throws Exception {
        return startAndReadInfo();
    }

    private String startAndReadInfo() throws Exception {
        server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), SilentLog.INSTANCE);
        server.start();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @TearDown(Level.Invocation)
    public void stop() {
        if (server != null) {
            server.shutdown();
            server = null;
        }
    }
}
