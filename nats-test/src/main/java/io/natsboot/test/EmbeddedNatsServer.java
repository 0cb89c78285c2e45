package io.natsboot.test;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.Slf4jServerLog;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * NATS Boot's server, started in this JVM on a free port of 127.0.0.1: the same server as
 * {@code bin/nats-server}, without a container or the Go binary. Close it to release the port.
 */
public final class EmbeddedNatsServer implements AutoCloseable {

    /** The logger the test servers log to (nats-server's line format through SLF4J). */
    public static final String LOGGER_NAME = "io.natsboot.test.server";

    private final NatsServer server;
    private final Duration startTime;

    /** The JetStream store directory this server made for itself, deleted on close; null without JetStream. */
    private volatile java.nio.file.Path jetStreamDir;

    private EmbeddedNatsServer(NatsServer server, Duration startTime) {
        this.server = server;
        this.startTime = startTime;
    }

    /**
     * A server with JetStream on, storing in a new temporary directory that {@link #close()} deletes (file
     * streams, Key-Value and Object Store buckets work as on {@code nats-server -js}).
     */
    public static EmbeddedNatsServer startWithJetStream() {
        return startWithJetStream(options -> { });
    }

    /** {@link #startWithJetStream()} with options of your own, applied after JetStream's. */
    public static EmbeddedNatsServer startWithJetStream(Consumer<ServerOptions.Builder> options) {
        java.nio.file.Path dir;
        try {
            dir = java.nio.file.Files.createTempDirectory("natsboot-jetstream");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no temporary directory for JetStream", e);
        }
        EmbeddedNatsServer s = start(b -> {
            b.jetstream(new io.natsboot.server.config.JetStreamOptions(true, dir.toString(), -1, -1, null));
            options.accept(b);
        });
        s.jetStreamDir = dir;
        return s;
    }

    /** A server with nats-server's defaults on a free loopback port. */
    public static EmbeddedNatsServer start() {
        return start(options -> { });
    }

    /**
     * A server with options of your own ({@code options.username("u").password("p")}, limits...), applied
     * after the loopback address and port 0.
     */
    public static EmbeddedNatsServer start(Consumer<ServerOptions.Builder> options) {
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        options.accept(b);
        long t0 = System.nanoTime();
        NatsServer server = new NatsServer(b.build(), new Slf4jServerLog(LoggerFactory.getLogger(LOGGER_NAME), false, false));
        server.start();
        return new EmbeddedNatsServer(server, Duration.ofNanos(System.nanoTime() - t0));
    }

    public int port() {
        return server.port();
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    /** From construction until the server accepted connections. */
    public Duration startTime() {
        return startTime;
    }

    /** The engine, for its monitoring data ({@code server().context()}) or a restart by hand. */
    public NatsServer server() {
        return server;
    }

    /** A new jnats connection to this server; the caller closes it. */
    public Connection connect() throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().server(url()).build());
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public void close() {
        server.shutdown();
        java.nio.file.Path dir = jetStreamDir;
        if (dir != null) {
            jetStreamDir = null;
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a temporary directory left behind is not worth failing a test for
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedNatsServer[" + url() + "]";
    }
}
