package io.natsboot.spring;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;

/** NATS Boot's server on a random loopback port, quiet, for the library's tests. */
public final class InProcessServer implements AutoCloseable {

    private static final ServerLog QUIET = new ServerLog() {
        public void info(String msg) { }
        public void warn(String msg) { }
        public void error(String msg) { }
        public void fatal(String msg) { }
        public void debug(String msg) { }
        public void trace(String msg) { }
        public boolean isDebug() { return false; }
        public boolean isTrace() { return false; }
    };

    private final NatsServer server;

    public InProcessServer() {
        server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), QUIET);
        server.start();
    }

    public String url() {
        return "nats://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
