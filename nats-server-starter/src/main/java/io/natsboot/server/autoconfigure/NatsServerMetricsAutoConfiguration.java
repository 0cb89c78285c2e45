package io.natsboot.server.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.natsboot.server.NatsServer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of the embedded server ({@link NatsServerMetrics}) and the prometheus-nats-exporter
 * compatible {@code gnatsd_varz_*} gauges ({@link NatsServerExporterMetrics}); Boot binds them to every registry.
 */
@AutoConfiguration(after = NatsServerAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(NatsServer.class)
public final class NatsServerMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    NatsServerMetrics natsServerMetrics(NatsServer server) {
        return new NatsServerMetrics(server);
    }

    /** The {@code gnatsd_varz_*} gauges of prometheus-nats-exporter, for existing Grafana dashboards. */
    @Bean
    @ConditionalOnMissingBean
    NatsServerExporterMetrics natsServerExporterMetrics(NatsServer server) {
        return new NatsServerExporterMetrics(server);
    }
}
