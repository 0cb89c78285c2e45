package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.Monitor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter's JetStream views: the {@code jsz} Actuator endpoint (nats-server's /jsz JSON over HTTP, with its
 * options) and the {@code nats.server.jetstream.*} meters, read from the same figures as /jsz; neither the
 * meters nor JetStream content without JetStream.
 */
class NatsServerJetStreamActuatorTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerEndpointAutoConfiguration.class, NatsServerMetricsAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                    "management.endpoints.web.exposure.include=jsz");

    @TempDir
    Path dir;

    private ApplicationContextRunner withJetStream() {
        return runner.withPropertyValues("natsboot.server.jetstream.enabled=true",
                "natsboot.server.jetstream.store-dir=" + dir);
    }

    private static Connection connect(NatsServer server) throws Exception {
        return Nats.connect("nats://127.0.0.1:" + server.port());
    }

    @Test
    void jszEndpointOnlyWhenExposed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                        NatsServerEndpointAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(JszEndpoint.class));
        runner.run(ctx -> assertThat(ctx).hasSingleBean(JszEndpoint.class)
                .hasSingleBean(NatsWebEndpointExtensions.Jsz.class));
    }

    @Test
    void jszEndpointShowsStreamsAndConsumersAsTheMonitoringPort() {
        withJetStream().run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            try (Connection nc = connect(server)) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                        .storageType(StorageType.File).build());
                jsm.createConsumer("ORDERS", ConsumerConfiguration.builder().durable("ship").build());
                nc.jetStream().publish("orders.1", "x".getBytes(StandardCharsets.UTF_8));
            }
            NatsWebEndpointExtensions.Jsz web = ctx.getBean(NatsWebEndpointExtensions.Jsz.class);
            WebEndpointResponse<String> plain = web.jsz(null, null, null, null, null, null, null, null);
            assertThat(plain.getStatus()).isEqualTo(200);
            assertThat(plain.getContentType().toString()).isEqualTo("application/json");
            assertThat(plain.getBody()).contains("\"streams\": 1").contains("\"consumers\": 1")
                    .contains("\"messages\": 1").doesNotContain("account_details");
            String detail = web.jsz(true, true, true, true, null, null, null, null).getBody();
            assertThat(detail).contains("\"account_details\"").contains("\"name\": \"$G\"")
                    .contains("\"stream_detail\"").contains("\"name\": \"ORDERS\"")
                    .contains("\"consumer_detail\"").contains("\"durable_name\": \"ship\"");
            // the monitoring port's JSON, from the same snapshot code
            Monitor monitor = ctx.getBean(Monitor.class);
            assertThat(detail.replaceAll("\"now\": \"[^\"]+\"", ""))
                    .isEqualTo(monitor.jsz(new io.natsboot.server.monitor.JetStreamView.JszOptions("", true, true,
                            true, true, false, 0, 0)).toJson(true).replaceAll("\"now\": \"[^\"]+\"", ""));
            assertThat(web.jsz(null, null, null, null, "NOPE", null, null, null).getBody())
                    .doesNotContain("account_details");
            // JMX and other technologies get the snapshot itself
            assertThat(ctx.getBean(JszEndpoint.class).jsz(true, null, null, null, null, null, null, null).toJson(false))
                    .contains("\"account_details\":[{\"name\":\"$G\"");
        });
    }

    @Test
    void jszWithoutJetStreamIsDisabledAndLeaderOnlyIsRefused() {
        runner.run(ctx -> {
            NatsWebEndpointExtensions.Jsz web = ctx.getBean(NatsWebEndpointExtensions.Jsz.class);
            assertThat(web.jsz(null, null, null, null, null, null, null, null).getBody())
                    .contains("\"disabled\": true");
            assertThatThrownBy(() -> web.jsz(null, null, null, null, null, null, null, true))
                    .hasMessageContaining("filtered response: not leader");
        });
    }

    @Test
    void jetStreamMetersReadTheSameFiguresAsJsz() {
        withJetStream().run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            MeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(NatsServerMetrics.class).bindTo(registry);
            assertThat(registry.get("nats.server.jetstream.streams").gauge().value()).isZero();
            try (Connection nc = connect(server)) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("F").subjects("f").storageType(StorageType.File)
                        .build());
                jsm.addStream(StreamConfiguration.builder().name("M").subjects("m").storageType(StorageType.Memory)
                        .build());
                jsm.createConsumer("F", ConsumerConfiguration.builder().durable("d").build());
                for (int i = 0; i < 3; i++) {
                    nc.jetStream().publish("f", new byte[10]);
                }
                nc.jetStream().publish("m", new byte[10]);
                assertThatThrownBy(() -> jsm.getStreamInfo("NOPE")).isInstanceOf(JetStreamApiException.class);
            }
            var view = server.snapshots().jetStreamView();
            assertThat(registry.get("nats.server.jetstream.streams").gauge().value()).isEqualTo(2);
            assertThat(registry.get("nats.server.jetstream.consumers").gauge().value()).isEqualTo(1);
            assertThat(registry.get("nats.server.jetstream.messages").gauge().value()).isEqualTo(4);
            assertThat(registry.get("nats.server.jetstream.bytes").gauge().value()).isEqualTo(view.bytes())
                    .isGreaterThan(40);
            assertThat(registry.get("nats.server.jetstream.storage.used").tag("storage", "memory").gauge().value())
                    .isEqualTo(view.memory()).isPositive();
            assertThat(registry.get("nats.server.jetstream.storage.used").tag("storage", "file").gauge().value())
                    .isEqualTo(view.storage()).isPositive();
            assertThat(registry.get("nats.server.jetstream.api.requests").functionCounter().count())
                    .isEqualTo(view.apiTotal()).isGreaterThanOrEqualTo(4);
            assertThat(registry.get("nats.server.jetstream.api.errors").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("nats.server.jetstream.streams").gauge().getId().getTag("server_id"))
                    .isEqualTo(server.context().serverId());
        });
    }

    @Test
    void noJetStreamMetersWithoutJetStream() {
        runner.run(ctx -> {
            MeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(NatsServerMetrics.class).bindTo(registry);
            assertThat(registry.find("nats.server.jetstream.streams").meters()).isEmpty();
            assertThat(registry.find("nats.server.connections").meters()).hasSize(1);
        });
    }
}
