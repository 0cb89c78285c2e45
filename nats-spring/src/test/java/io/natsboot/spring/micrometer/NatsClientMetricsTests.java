package io.natsboot.spring.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.spring.InProcessServer;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.core.SimpleNatsMessageConverter;
import io.natsboot.spring.core.SlowConsumerPolicy;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The client meters under Micrometer's naming conventions, as Prometheus shows them. */
class NatsClientMetricsTests {

    @Test
    void prometheusNamesDoNotRepeatTheUnit() throws Exception {
        try (InProcessServer server = new InProcessServer();
                Connection nc = Nats.connect(new Options.Builder().server(server.url()).connectionName("orders").build())) {
            NatsTemplate template = new NatsTemplate(nc, new SimpleNatsMessageConverter(), Duration.ofSeconds(2));
            ReactiveNatsTemplate reactive = new ReactiveNatsTemplate(template, 16, SlowConsumerPolicy.DROP);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new NatsClientMetrics(nc, reactive).bindTo(registry);
            nc.subscribe("m.x");
            template.publish("m.x", "hello");
            template.flush(Duration.ofSeconds(2));

            String scrape = registry.scrape();
            Matcher names = Pattern.compile("(?m)^(nats_client_\\w+?)(\\{| )").matcher(scrape);
            List<String> found = names.results().map(m -> m.group(1)).distinct().sorted().toList();
            assertThat(found).containsExactlyInAnyOrder(
                    "nats_client_sent_messages_total", "nats_client_received_messages_total",
                    "nats_client_sent_bytes_total", "nats_client_received_bytes_total",
                    "nats_client_dropped_messages_total", "nats_client_reactive_dropped_messages_total",
                    "nats_client_reconnects_total", "nats_client_requests_total", "nats_client_replies_total",
                    "nats_client_pings_total", "nats_client_errors_total", "nats_client_exceptions_total",
                    "nats_client_requests_outstanding", "nats_client_connected");
            assertThat(scrape).contains("nats_client_sent_messages_total{connection=\"orders\"} ")
                    .doesNotContain("messages_messages").doesNotContain("bytes_bytes");
        }
    }
}
