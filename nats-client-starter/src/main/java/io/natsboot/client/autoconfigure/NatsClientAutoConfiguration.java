package io.natsboot.client.autoconfigure;

import io.nats.client.AuthHandler;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.spring.annotation.EnableNats;
import io.natsboot.spring.annotation.NatsBootstrapConfiguration;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.annotation.NatsService;
import io.natsboot.spring.core.JacksonNatsMessageConverter;
import io.natsboot.spring.core.NatsConnectionEvent;
import io.natsboot.spring.core.NatsConnectionEventPublisher;
import io.natsboot.spring.core.NatsConnectionLifecycle;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.core.SimpleNatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerErrorHandler;
import io.natsboot.spring.micrometer.MicrometerNatsInstrumentation;
import io.natsboot.spring.micrometer.NatsClientMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * A jnats {@link Connection} from {@link NatsConnectionDetails} (a bean contributed by whoever knows where the
 * server is, such as nats-server-starter for its embedded server, else {@code natsboot.client.*}),
 * {@link NatsConnectionCustomizer}s, connection events as {@link NatsConnectionEvent}s, a drain on
 * shutdown, and nats-spring's programming model: the templates and {@link EnableNats} ({@link NatsListener},
 * {@link NatsService}) with a container factory from the properties. Every bean backs off when the
 * application defines its own.
 */
@AutoConfiguration(after = SslAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(Connection.class)
@EnableConfigurationProperties(NatsClientProperties.class)
@Import({NatsClientAutoConfiguration.JacksonConverterConfiguration.class,
        NatsClientAutoConfiguration.SimpleConverterConfiguration.class,
        NatsClientAutoConfiguration.ObservationConfiguration.class,
        NatsClientAutoConfiguration.MetricsConfiguration.class})
public final class NatsClientAutoConfiguration {

    /**
     * {@code natsboot.client.*}, unless something else says where to connect: nats-server-starter's embedded
     * server, a test's embedded server, or the application's own {@link NatsConnectionDetails}.
     */
    @Bean
    @ConditionalOnMissingBean(NatsConnectionDetails.class)
    PropertiesNatsConnectionDetails natsConnectionDetails(NatsClientProperties properties,
            ObjectProvider<SslBundles> sslBundles) {
        return new PropertiesNatsConnectionDetails(properties, sslBundles.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    NatsConnectionEventPublisher natsConnectionEventPublisher(ApplicationEventPublisher publisher) {
        return new NatsConnectionEventPublisher(publisher);
    }

    @Bean
    @ConditionalOnMissingBean
    Options natsOptions(NatsClientProperties properties, NatsConnectionDetails details,
            NatsConnectionEventPublisher events, ObjectProvider<NatsConnectionCustomizer> customizers,
            Environment environment) throws IOException {
        Options.Builder b = optionsBuilder(properties, details, environment);
        b.connectionListener(events).errorListener(events);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    static Options.Builder optionsBuilder(NatsClientProperties p, NatsConnectionDetails details, Environment env)
            throws IOException {
        Options.Builder b = new Options.Builder();
        List<String> servers = details.getServers();
        b.servers(servers.toArray(String[]::new));
        String name = p.getConnectionName() != null ? p.getConnectionName() : env.getProperty("spring.application.name");
        if (name != null && !name.isBlank()) {
            b.connectionName(name);
        }
        if (details.getUsername() != null) {
            b.userInfo(details.getUsername(), details.getPassword() == null ? "" : details.getPassword());
        }
        if (details.getToken() != null) {
            b.token(details.getToken().toCharArray());
        }
        b.authHandler(authHandler(p));
        SslBundle ssl = details.getSslBundle();
        if (ssl != null) {
            // jnats then requires TLS: it upgrades nats:// URLs and refuses servers that do not offer TLS.
            b.sslContext(ssl.createSslContext());
        }
        b.connectionTimeout(p.getConnectionTimeout())
                .pingInterval(p.getPingInterval())
                .maxReconnects(p.getMaxReconnects())
                .reconnectWait(p.getReconnectWait())
                .reconnectJitter(p.getReconnectJitter())
                .reconnectBufferSize(p.getReconnectBufferSize())
                .inboxPrefix(p.getInboxPrefix())
                // No responders surface as a 503 status rather than a bare cancellation.
                .reportNoResponders();
        if (p.isNoEcho()) {
            b.noEcho();
        }
        return b;
    }

    /** The credentials file or the NKey seed, at most one of them; null when neither is set. */
    static AuthHandler authHandler(NatsClientProperties p) throws IOException {
        String creds = blankToNull(p.getCredentialsFile());
        String seed = blankToNull(p.getNkeySeed());
        String seedFile = blankToNull(p.getNkeySeedFile());
        org.springframework.core.io.Resource resource = p.getCredentials();
        long set = java.util.stream.Stream.of(creds, seed, seedFile, resource).filter(java.util.Objects::nonNull)
                .count();
        if (set > 1) {
            throw new IllegalStateException("Set only one of natsboot.client.credentials, "
                    + "natsboot.client.credentials-file, natsboot.client.nkey-seed and natsboot.client.nkey-seed-file");
        }
        if (resource != null) {
            if (!resource.isReadable()) {
                throw new IllegalStateException("natsboot.client.credentials " + resource.getDescription()
                        + " is not readable");
            }
            try (java.io.InputStream in = resource.getInputStream()) {
                return Nats.staticCredentials(in.readAllBytes());
            }
        }
        if (creds != null) {
            if (!Files.isReadable(Path.of(creds))) {
                throw new IllegalStateException("natsboot.client.credentials-file " + creds + " is not readable");
            }
            return Nats.credentials(creds);
        }
        if (seedFile != null) {
            seed = Files.readString(Path.of(seedFile)).trim();
        }
        if (seed != null) {
            if (!seed.startsWith("SU")) {
                throw new IllegalStateException("The NKey seed must be a user seed (starting with SU)");
            }
            return Nats.staticCredentials(null, seed.toCharArray());
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Bean
    @ConditionalOnMissingBean
    Connection natsConnection(Options options) throws IOException, InterruptedException {
        return Nats.connect(options);
    }

    @Bean
    @ConditionalOnMissingBean
    NatsConnectionLifecycle natsConnectionLifecycle(Connection connection, NatsClientProperties properties) {
        Duration drain = properties.getDrainTimeout();
        return new NatsConnectionLifecycle(connection, drain);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    static class JacksonConverterConfiguration {

        @Bean
        @ConditionalOnMissingBean(NatsMessageConverter.class)
        NatsMessageConverter natsMessageConverter(ObjectProvider<tools.jackson.databind.json.JsonMapper> mapper) {
            tools.jackson.databind.json.JsonMapper m = mapper.getIfUnique();
            return m != null ? new JacksonNatsMessageConverter(m) : new JacksonNatsMessageConverter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("tools.jackson.databind.json.JsonMapper")
    static class SimpleConverterConfiguration {

        @Bean
        @ConditionalOnMissingBean(NatsMessageConverter.class)
        NatsMessageConverter simpleNatsMessageConverter() {
            return new SimpleNatsMessageConverter();
        }
    }

    @Bean
    @ConditionalOnMissingBean
    NatsTemplate natsTemplate(Connection connection, NatsMessageConverter converter, NatsClientProperties properties,
            ObjectProvider<NatsInstrumentation> instrumentation) {
        return new NatsTemplate(connection, converter, properties.getRequestTimeout(),
                instrumentation.getIfUnique(() -> NatsInstrumentation.NONE));
    }

    /** Observations with {@code natsboot.client.observation-enabled=true} and micrometer-observation present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    @ConditionalOnBooleanProperty("natsboot.client.observation-enabled")
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnMissingBean
        NatsInstrumentation natsInstrumentation(
                ObjectProvider<io.micrometer.observation.ObservationRegistry> registry) {
            return new MicrometerNatsInstrumentation(
                    registry.getIfUnique(() -> io.micrometer.observation.ObservationRegistry.NOOP));
        }
    }

    /** Meters from the connection's statistics; Spring Boot binds every MeterBinder bean to its registries. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        NatsClientMetrics natsClientMetrics(Connection connection, ObjectProvider<ReactiveNatsTemplate> reactive) {
            return new NatsClientMetrics(connection, reactive.getIfUnique());
        }
    }

    /**
     * The default container factory of {@link NatsListener} and {@link NatsService} endpoints, from the
     * properties, and the default error handler.
     */
    @Configuration(proxyBeanMethods = false)
    static class ListenerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        NatsListenerErrorHandler natsListenerErrorHandler() {
            return NatsListenerErrorHandler.logAndReply();
        }

        @Bean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME)
        @ConditionalOnMissingBean(name = NatsListenerContainerFactory.DEFAULT_BEAN_NAME)
        NatsListenerContainerFactory natsListenerContainerFactory(Connection connection, NatsMessageConverter converter,
                ObjectProvider<NatsListenerErrorHandler> errorHandler, NatsClientProperties properties,
                ObjectProvider<NatsInstrumentation> instrumentation) {
            NatsListenerContainerFactory factory = new NatsListenerContainerFactory(connection, converter);
            factory.setErrorHandler(errorHandler.getIfUnique(NatsListenerErrorHandler::logAndReply));
            factory.setDrainTimeout(properties.getDrainTimeout());
            factory.setInstrumentation(instrumentation.getIfUnique(() -> NatsInstrumentation.NONE));
            factory.setPendingLimits(properties.getPendingMessagesLimit(), properties.getPendingBytesLimit());
            return factory;
        }
    }

    /** {@link EnableNats} unless the application has already enabled it. */
    @Configuration(proxyBeanMethods = false)
    @EnableNats
    @ConditionalOnMissingBean(name = NatsBootstrapConfiguration.LISTENER_PROCESSOR_BEAN_NAME)
    static class EnableNatsConfiguration {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.core.publisher.Flux")
    static class ReactiveConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactiveNatsTemplate reactiveNatsTemplate(NatsTemplate template, NatsClientProperties properties) {
            ReactiveNatsTemplate reactive = new ReactiveNatsTemplate(template, properties.getReactive().getBufferSize(),
                    properties.getReactive().getSlowConsumerPolicy());
            reactive.setPendingLimits(properties.getPendingMessagesLimit(), properties.getPendingBytesLimit());
            return reactive;
        }
    }
}
