package io.natsboot.client.autoconfigure;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.jetstream.JetStreamAdmin;
import io.natsboot.spring.jetstream.JetStreamListenerContainerFactory;
import io.natsboot.spring.jetstream.JetStreamMetrics;
import io.natsboot.spring.jetstream.JetStreamTemplate;
import io.natsboot.spring.jetstream.ReactiveJetStreamTemplate;
import io.natsboot.spring.kv.KeyValueTemplate;
import io.natsboot.spring.kv.NatsKeyValueCacheManager;
import io.natsboot.spring.kv.ReactiveKeyValueTemplate;
import io.natsboot.spring.micrometer.MicrometerJetStreamMetrics;
import io.natsboot.spring.objectstore.ObjectStoreTemplate;
import io.natsboot.spring.objectstore.ReactiveObjectStoreTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * JetStream, Key-Value and Object Store on the client's {@link Connection}: the {@link JetStreamAdmin} that
 * declares stream, consumer, bucket and store beans at start-up, {@link JetStreamTemplate},
 * {@link KeyValueTemplate}, {@link ObjectStoreTemplate} (and their reactive forms with reactor-core), the
 * container factory of {@code @JetStreamListener}s, JetStream meters with Micrometer, and with
 * {@code natsboot.client.jetstream.cache.enabled=true} a {@link NatsKeyValueCacheManager}.
 * {@code natsboot.client.jetstream.enabled=false} turns it all off. Nothing here talks to the server until
 * used, so an application that declares nothing runs against a server without JetStream.
 */
@AutoConfiguration(after = NatsClientAutoConfiguration.class,
        beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass(Connection.class)
@ConditionalOnBean(Connection.class)
@ConditionalOnBooleanProperty(name = "natsboot.client.jetstream.enabled", matchIfMissing = true)
@EnableConfigurationProperties(NatsJetStreamProperties.class)
public final class NatsJetStreamAutoConfiguration {

    @Bean(JetStreamAdmin.BEAN_NAME)
    @ConditionalOnMissingBean
    JetStreamAdmin natsJetStreamAdmin(Connection connection) {
        return new JetStreamAdmin(connection);
    }

    @Bean
    @ConditionalOnMissingBean
    JetStreamTemplate jetStreamTemplate(Connection connection, NatsMessageConverter converter,
            ObjectProvider<NatsInstrumentation> instrumentation, ObjectProvider<JetStreamMetrics> metrics) {
        return new JetStreamTemplate(connection, converter, instrumentation.getIfUnique(() -> NatsInstrumentation.NONE),
                metrics.getIfUnique(() -> JetStreamMetrics.NONE));
    }

    @Bean(JetStreamListenerContainerFactory.DEFAULT_BEAN_NAME)
    @ConditionalOnMissingBean(JetStreamListenerContainerFactory.class)
    JetStreamListenerContainerFactory natsJetStreamListenerContainerFactory(Connection connection,
            NatsMessageConverter converter, NatsClientProperties properties,
            ObjectProvider<NatsInstrumentation> instrumentation, ObjectProvider<JetStreamMetrics> metrics) {
        JetStreamListenerContainerFactory factory = new JetStreamListenerContainerFactory(connection, converter);
        factory.setDrainTimeout(properties.getDrainTimeout());
        factory.setInstrumentation(instrumentation.getIfUnique(() -> NatsInstrumentation.NONE));
        factory.setMetrics(metrics.getIfUnique(() -> JetStreamMetrics.NONE));
        return factory;
    }

    @Bean
    @ConditionalOnMissingBean
    KeyValueTemplate keyValueTemplate(Connection connection, NatsMessageConverter converter) {
        return new KeyValueTemplate(connection, converter);
    }

    @Bean
    @ConditionalOnMissingBean
    ObjectStoreTemplate objectStoreTemplate(Connection connection) {
        return new ObjectStoreTemplate(connection);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.core.publisher.Flux")
    static class ReactiveConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactiveJetStreamTemplate reactiveJetStreamTemplate(JetStreamTemplate template) {
            return new ReactiveJetStreamTemplate(template);
        }

        @Bean
        @ConditionalOnMissingBean
        ReactiveKeyValueTemplate reactiveKeyValueTemplate(KeyValueTemplate template) {
            return new ReactiveKeyValueTemplate(template);
        }

        @Bean
        @ConditionalOnMissingBean
        ReactiveObjectStoreTemplate reactiveObjectStoreTemplate(ObjectStoreTemplate template) {
            return new ReactiveObjectStoreTemplate(template);
        }
    }

    /** Counters of publish acks, deliveries, redeliveries, acks, naks and terms, in the application's registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(JetStreamMetrics.class)
        @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
        JetStreamMetrics natsJetStreamMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return new MicrometerJetStreamMetrics(registry.getObject());
        }
    }

    /** {@code natsboot.client.jetstream.cache.enabled=true}: Key-Value buckets behind {@code @Cacheable}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(CacheManager.class)
    @ConditionalOnBooleanProperty("natsboot.client.jetstream.cache.enabled")
    static class CacheConfiguration {

        @Bean
        @ConditionalOnMissingBean(CacheManager.class)
        NatsKeyValueCacheManager cacheManager(Connection connection, NatsJetStreamProperties properties) {
            NatsJetStreamProperties.Cache p = properties.getCache();
            NatsKeyValueCacheManager manager = new NatsKeyValueCacheManager(connection);
            manager.setBucketPrefix(p.getBucketPrefix());
            manager.setDefaultTimeToLive(p.getTimeToLive());
            manager.setStorageType(p.getStorage());
            manager.setAllowNullValues(p.isAllowNullValues());
            manager.setCacheNames(p.getCacheNames());
            return manager;
        }
    }
}
