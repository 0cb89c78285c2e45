package io.natsboot.client.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The in-process server on a random port, for a test class ({@code @RegisterExtension static}). */
public class TestNatsServer implements BeforeAllCallback, AfterAllCallback {

    static final ServerLog QUIET = new ServerLog() {
        public void info(String msg) { }
        public void warn(String msg) { }
        public void error(String msg) { }
        public void fatal(String msg) { }
        public void debug(String msg) { }
        public void trace(String msg) { }
        public boolean isDebug() { return false; }
        public boolean isTrace() { return false; }
    };

    private NatsServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).build(), QUIET);
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.shutdown();
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "nats://127.0.0.1:" + port();
    }

    public String serversProperty() {
        return "natsboot.client.servers=" + url();
    }
}
