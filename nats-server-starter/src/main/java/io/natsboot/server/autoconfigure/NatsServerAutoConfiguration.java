package io.natsboot.server.autoconfigure;

import io.natsboot.client.autoconfigure.NatsClientProperties;
import io.natsboot.client.autoconfigure.NatsConnectionDetails;
import io.natsboot.client.autoconfigure.PropertiesNatsConnectionDetails;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfParser;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.log.Slf4jServerLog;
import io.natsboot.server.monitor.Monitor;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Embeds a NATS server: {@link ServerOptions} from {@code natsboot.server.*} (then the optional config
 * file, then {@link NatsServerCustomizer}s), the {@link NatsServer}, the {@link NatsServerLifecycle} that
 * starts and stops it, and the {@link Monitor} that Actuator endpoints, health and metrics read.
 * With nats-client-starter present it also contributes {@link EmbeddedNatsConnectionDetails}, so the
 * auto-configured client connects to this server (the client starter knows nothing of this one). Every bean
 * backs off when the application defines its own; {@code natsboot.server.enabled=false} switches it all off.
 */
@AutoConfiguration(beforeName = "io.natsboot.client.autoconfigure.NatsClientAutoConfiguration")
@ConditionalOnClass(NatsServer.class)
@ConditionalOnProperty(prefix = "natsboot.server", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(NatsServerProperties.class)
public final class NatsServerAutoConfiguration {

    /** The logger the embedded server logs to (see {@link Slf4jServerLog}). */
    public static final String LOGGER_NAME = Slf4jServerLog.DEFAULT_LOGGER_NAME;

    @Bean
    @ConditionalOnMissingBean
    ServerOptions natsServerOptions(NatsServerProperties properties,
            ObjectProvider<NatsServerCustomizer> customizers, ObjectProvider<SslBundles> sslBundles) {
        ServerOptions.Builder b = properties.applyTo(ServerOptions.builder());
        String file = properties.getConfigFile();
        if (file != null && !file.isBlank()) {
            loadConfigFile(file, b);
        }
        NatsServerProperties.Ssl ssl = properties.getSsl();
        if (ssl.getBundle() != null && !ssl.getBundle().isBlank()) {
            b.tls(tlsFromBundle(ssl, sslBundles.getIfAvailable()));
        }
        customizers.orderedStream().forEach(c -> c.customize(b));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            if (!properties.getCluster().getRoutes().isEmpty()
                    && e.getMessage() != null && e.getMessage().startsWith("solicited routes require")) {
                // nats-server refuses --routes without --cluster rather than silently running alone; say it
                // in property names.
                throw new IllegalStateException("natsboot.server.cluster.routes require a route listener: set "
                        + "natsboot.server.cluster.listen");
            }
            throw e;
        }
    }

    /** natsboot.server.ssl.*: the bundle's key and trust managers as the client port's TLS. */
    static TlsOptions tlsFromBundle(NatsServerProperties.Ssl ssl, SslBundles bundles) {
        if (bundles == null) {
            throw new IllegalStateException("natsboot.server.ssl.bundle is set but there are no SSL bundles "
                    + "(spring.ssl.bundle.*)");
        }
        SslBundle bundle = bundles.getBundle(ssl.getBundle().strip()); // names the missing bundle if unknown
        SslManagerBundle managers = bundle.getManagers();
        boolean verify = ssl.getClientAuth() == NatsServerProperties.Ssl.ClientAuth.NEED || ssl.isVerifyAndMap();
        TlsOptions tls = TlsOptions.of(new TlsOptions.Managers(managers.getKeyManagerFactory(),
                verify ? managers.getTrustManagerFactory() : null), verify, ssl.getTimeout()).withMap(ssl.isVerifyAndMap());
        return ssl.isHandshakeFirst() ? tls.withHandshakeFirst(null) : tls;
    }

    /** Reads a NATS conf file into {@code b} as nats-server's -c does; a bad file fails start-up. */
    static void loadConfigFile(String file, ServerOptions.Builder b) {
        ConfigFileOptions.Outcome outcome;
        try {
            outcome = ConfigFileOptions.load(file, b);
        } catch (ConfParser.ConfException e) {
            throw new IllegalStateException("natsboot.server.config-file: " + e.getMessage(), e);
        }
        if (!outcome.ok()) {
            throw new IllegalStateException("natsboot.server.config-file: " + outcome.message());
        }
        for (String w : outcome.warnings()) {
            LoggerFactory.getLogger(LOGGER_NAME).warn(w);
        }
        b.configFile(file);
    }

    @Bean
    @ConditionalOnMissingBean
    NatsServer natsServer(ServerOptions options, ObjectProvider<ServerLog> log) {
        ServerLog serverLog = log.getIfAvailable(() ->
                new Slf4jServerLog(LoggerFactory.getLogger(LOGGER_NAME), options.debug(), options.trace()));
        return new NatsServer(options, serverLog);
    }

    @Bean
    @ConditionalOnMissingBean
    NatsServerLifecycle natsServerLifecycle(NatsServer server, Environment environment) {
        return new NatsServerLifecycle(server, environment);
    }

    /**
     * Snapshots of the server for Actuator endpoints, health and metrics; the same model (and the same
     * engine counters) that the 8222 endpoint serves.
     */
    @Bean
    @ConditionalOnMissingBean
    Monitor natsServerMonitor(NatsServer server) {
        return new Monitor(server.context(), server::isRunning);
    }

    /**
     * Tells nats-client-starter where the embedded server listens. The client connects while singletons are
     * created, before lifecycles start, so the server is started when this bean is created (as Boot's
     * Testcontainers support starts a container when its bean is initialised); its lifecycle's own start is
     * then a no-op, and its stop still comes after the client's drain.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.natsboot.client.autoconfigure.NatsConnectionDetails")
    static class ClientConnectionDetailsConfiguration {

        @Bean
        @ConditionalOnMissingBean(NatsConnectionDetails.class)
        EmbeddedNatsConnectionDetails embeddedNatsConnectionDetails(NatsServerLifecycle lifecycle,
                Environment environment, ObjectProvider<SslBundles> sslBundles) {
            lifecycle.start();
            NatsClientProperties client = Binder.get(environment).bindOrCreate("natsboot.client",
                    NatsClientProperties.class);
            return new EmbeddedNatsConnectionDetails(lifecycle.getServer(),
                    new PropertiesNatsConnectionDetails(client, sslBundles.getIfAvailable()));
        }
    }
}
