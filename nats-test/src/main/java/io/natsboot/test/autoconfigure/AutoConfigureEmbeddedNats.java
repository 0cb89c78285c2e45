package io.natsboot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts an {@link io.natsboot.test.EmbeddedNatsServer} on a free port of 127.0.0.1 for a Spring test's
 * application context and points the auto-configured NATS client at it through a
 * {@code NatsConnectionDetails} bean (as {@code @AutoConfigureTestDatabase} replaces a DataSource).
 *
 * <p>The server is a bean ({@code EmbeddedNatsServer}), its URL is the property {@value #URL_PROPERTY}, and it
 * stops when the context closes. With {@link Scope#CONTEXT} (the default) it lives as long as the context,
 * which Spring's test context cache shares between test classes of the same configuration; with
 * {@link Scope#CLASS} every test class gets a fresh context and server, closed after the class.
 * Works with {@code @SpringBootTest} and with the {@link NatsTest} slice.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureEmbeddedNats {

    /** Property holding the test server's URL, e.g. for {@code @Value("${natsboot.test.nats.url}")}. */
    String URL_PROPERTY = "natsboot.test.nats.url";

    /** How long a server lives. */
    Scope scope() default Scope.CONTEXT;

    /**
     * Also switch off nats-server-starter's own embedded server ({@code natsboot.server.enabled=false}) when
     * the application has one, so only the test's server runs.
     */
    boolean replaceEmbeddedServer() default true;

    /** Start the server with JetStream, storing in a temporary directory deleted when the server stops. */
    boolean jetStream() default false;

    enum Scope {
        /** One server per application context, shared by the test classes that share the context. */
        CONTEXT,
        /** A fresh context and server for every test class, closed after it. */
        CLASS
    }
}
