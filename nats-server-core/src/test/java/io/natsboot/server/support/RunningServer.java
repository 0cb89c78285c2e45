package io.natsboot.server.support;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** An in-process server on a free port on 127.0.0.1, for tests; close() shuts it down. */
public final class RunningServer implements AutoCloseable {
    private final NatsServer server;
    private final CapturingLog log;

    private RunningServer(NatsServer server, CapturingLog log) {
        this.server = server;
        this.log = log;
    }

    public static RunningServer start() {
        return start(b -> b);
    }

    public static RunningServer start(UnaryOperator<ServerOptions.Builder> config) {
        CapturingLog log = new CapturingLog();
        ServerOptions options = config.apply(ServerOptions.builder().host("127.0.0.1").port(0)).build();
        NatsServer server = new NatsServer(options, log);
        server.start();
        return new RunningServer(server, log);
    }

    /**
     * A server configured from a NATS conf file, as {@code nats-server -c file} would be (host and port still
     * 127.0.0.1 and free unless the file sets them); fails if the file has errors.
     */
    public static RunningServer fromConfigFile(Path file) {
        return start(b -> {
            ConfigFileOptions.Outcome o;
            try {
                o = ConfigFileOptions.load(file.toString(), b);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (!o.errors().isEmpty()) {
                throw new IllegalStateException("configuration errors in " + file + ": " + o.errors());
            }
            return b;
        });
    }

    public NatsServer server() {
        return server;
    }

    public CapturingLog log() {
        return log;
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
