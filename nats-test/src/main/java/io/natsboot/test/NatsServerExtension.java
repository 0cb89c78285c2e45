package io.natsboot.test;

import io.nats.client.Connection;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs an {@link EmbeddedNatsServer} for tests, no Spring needed.
 *
 * <pre class="code">
 * class OrdersTest {
 *     &#64;RegisterExtension
 *     static NatsServerExtension nats = new NatsServerExtension();   // one server for the class
 *
 *     &#64;Test
 *     void publishes(Connection nc) { ... }    // a connection to it, closed after the test
 * }
 * </pre>
 *
 * A {@code static} field (or {@code @ExtendWith(NatsServerExtension.class)}) starts one server before the
 * class and stops it after; an instance field starts a fresh server for every test. Test and lifecycle
 * methods may declare {@link EmbeddedNatsServer} and jnats {@link Connection} parameters.
 */
public class NatsServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NatsServerExtension.class);

    private EmbeddedNatsServer server;
    private boolean perTest;
    private boolean jetStream;

    /** An extension whose servers have JetStream, storing in a temporary directory deleted when they stop. */
    public static NatsServerExtension withJetStream() {
        NatsServerExtension e = new NatsServerExtension();
        e.jetStream = true;
        return e;
    }

    private EmbeddedNatsServer startServer() {
        return jetStream ? EmbeddedNatsServer.startWithJetStream() : EmbeddedNatsServer.start();
    }

    /** The running server (started by JUnit before the class, or before each test for an instance field). */
    public EmbeddedNatsServer server() {
        if (server == null) {
            throw new IllegalStateException("The NATS server is not running: use the extension inside a test");
        }
        return server;
    }

    public String url() {
        return server().url();
    }

    public int port() {
        return server().port();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = startServer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            perTest = true;
        }
        if (perTest) {
            server = startServer();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    private void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedNatsServer.class || type == Connection.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == EmbeddedNatsServer.class) {
            return server();
        }
        try {
            Connection nc = server().connect();
            // closed when the test (or class, for a @BeforeAll parameter) is done
            context.getStore(NAMESPACE).put(parameter.getParameter() + "@" + System.identityHashCode(nc),
                    (AutoCloseable) nc::close);
            return nc;
        } catch (Exception e) {
            throw new ParameterResolutionException("Cannot connect to " + server, e);
        }
    }
}
