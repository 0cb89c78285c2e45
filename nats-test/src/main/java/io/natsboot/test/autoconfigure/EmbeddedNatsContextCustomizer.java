package io.natsboot.test.autoconfigure;

import io.natsboot.test.EmbeddedNatsServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.ClassUtils;

/**
 * Starts the server before the context refreshes (so its URL is a property like any other), registers it as a
 * bean that is closed with the context, and, with nats-client-starter present, a {@code NatsConnectionDetails}
 * bean that the client's auto-configuration then uses instead of its properties. Part of the context cache
 * key: equal for every class in {@code CONTEXT} scope, one per test class in {@code CLASS} scope.
 */
class EmbeddedNatsContextCustomizer implements ContextCustomizer {

    static final String SERVER_BEAN_NAME = "embeddedNatsServer";
    static final String DETAILS_BEAN_NAME = "embeddedNatsTestConnectionDetails";
    private static final String CONNECTION_DETAILS = "io.natsboot.client.autoconfigure.NatsConnectionDetails";

    private final Class<?> testClass;
    private final boolean replaceEmbeddedServer;
    private final boolean jetStream;

    EmbeddedNatsContextCustomizer(Class<?> testClass, boolean replaceEmbeddedServer, boolean jetStream) {
        this.testClass = testClass;
        this.replaceEmbeddedServer = replaceEmbeddedServer;
        this.jetStream = jetStream;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        EmbeddedNatsServer server = jetStream ? EmbeddedNatsServer.startWithJetStream() : EmbeddedNatsServer.start();
        ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
        beanFactory.registerSingleton(SERVER_BEAN_NAME, server);
        if (beanFactory instanceof DefaultListableBeanFactory registry) {
            registry.registerDisposableBean(SERVER_BEAN_NAME, server::close);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(AutoConfigureEmbeddedNats.URL_PROPERTY, server.url());
        if (replaceEmbeddedServer) {
            properties.put("natsboot.server.enabled", "false");
        }
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("natsboot.test", properties));
        if (ClassUtils.isPresent(CONNECTION_DETAILS, context.getClassLoader())) {
            beanFactory.registerSingleton(DETAILS_BEAN_NAME, new TestNatsConnectionDetails(server.url()));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbeddedNatsContextCustomizer other && Objects.equals(testClass, other.testClass)
                && replaceEmbeddedServer == other.replaceEmbeddedServer && jetStream == other.jetStream;
    }

    @Override
    public int hashCode() {
        return Objects.hash(testClass, replaceEmbeddedServer, jetStream);
    }
}
