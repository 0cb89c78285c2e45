package io.natsboot.spring.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JetStream meters' Prometheus names, as client.md's table lists them. */
class MicrometerJetStreamMetricsTests {

    @Test
    void prometheusNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerJetStreamMetrics metrics = new MicrometerJetStreamMetrics(registry);
        metrics.publishAcked("ORDERS", false);
        metrics.publishAcked("ORDERS", true);
        metrics.publishFailed("orders.x");
        metrics.delivered("billing", false);
        metrics.delivered("billing", true);
        metrics.acked("billing");
        metrics.nacked("billing");
        metrics.terminated("billing");
        String scrape = registry.scrape();
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^(nats_jetstream_\\w+?)(\\{| )").matcher(scrape);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).containsExactly("nats_jetstream_listener_acks_total",
                "nats_jetstream_listener_deliveries_total", "nats_jetstream_listener_naks_total",
                "nats_jetstream_listener_redeliveries_total", "nats_jetstream_listener_terms_total",
                "nats_jetstream_publish_acks_total", "nats_jetstream_publish_failures_total");
        assertThat(scrape).contains("nats_jetstream_publish_acks_total{duplicate=\"true\",stream=\"ORDERS\"} 1.0")
                .contains("nats_jetstream_listener_redeliveries_total{listener=\"billing\"} 1.0")
                .contains("nats_jetstream_listener_deliveries_total{listener=\"billing\"} 2.0");
    }
}
