package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The {@code gatewayz} and {@code leafz} Actuator endpoints: the embedded server (configured from a
 * nats-server config file) joins a second server's supercluster and takes a leaf connection from it, and the
 * endpoints show both as nats-server's /gatewayz and /leafz JSON, the meters count the connections; without
 * those blocks, nats-server's empty answers.
 */
class NatsServerGatewayLeafActuatorTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerEndpointAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                    "management.endpoints.web.exposure.include=gatewayz,leafz");

    @TempDir
    Path dir;

    @Test
    void endpointsOnlyWhenExposed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                        NatsServerEndpointAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(GatewayzEndpoint.class)
                        .doesNotHaveBean(LeafzEndpoint.class));
        runner.run(ctx -> assertThat(ctx).hasSingleBean(NatsWebEndpointExtensions.Gatewayz.class)
                .hasSingleBean(NatsWebEndpointExtensions.Leafz.class));
    }

    @Test
    void withoutGatewayOrLeafNodesTheEmptyAnswers() {
        runner.run(ctx -> {
            String gw = ctx.getBean(NatsWebEndpointExtensions.Gatewayz.class).gatewayz(null, null, null).getBody();
            assertThat(gw).contains("\"outbound_gateways\": {}").contains("\"inbound_gateways\": {}");
            String leafz = ctx.getBean(NatsWebEndpointExtensions.Leafz.class).leafz(null).getBody();
            assertThat(leafz).contains("\"leafnodes\": 0").contains("\"leafs\": null");
        });
    }

    @Test
    void showsTheSuperclusterAndTheLeafConnection() throws Exception {
        Path embeddedConf = dir.resolve("embedded.conf");
        Files.writeString(embeddedConf, """
                gateway { name: A, listen: "127.0.0.1:-1" }
                leafnodes { listen: "127.0.0.1:-1" }
                """);
        runner.withPropertyValues("natsboot.server.config-file=" + embeddedConf).run(ctx -> {
            NatsServer embedded = ctx.getBean(NatsServer.class);
            int gatewayPort = portOf(ctx.getBean(NatsWebEndpointExtensions.Gatewayz.class)
                    .gatewayz(null, null, null).getBody());
            int leafPort = portOf(ctx.getBean(io.natsboot.server.monitor.Monitor.class).varz().toJson(true),
                    "\"leaf\"");
            Path otherConf = dir.resolve("other.conf");
            Files.writeString(otherConf, "gateway { name: B, listen: \"127.0.0.1:-1\", gateways: [{name: A, url: "
                    + "\"nats://127.0.0.1:" + gatewayPort + "\"}] }\n"
                    + "leafnodes { remotes: [{url: \"nats://127.0.0.1:" + leafPort + "\"}] }\n");
            ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
            ConfigFileOptions.load(otherConf.toString(), b);
            NatsServer other = new NatsServer(b.host("127.0.0.1").port(0).build(), new io.natsboot.server.log.Slf4jServerLog(org.slf4j.LoggerFactory.getLogger("other-server"), false, false));
            other.start();
            try {
                NatsWebEndpointExtensions.Gatewayz gatewayz = ctx.getBean(NatsWebEndpointExtensions.Gatewayz.class);
                Awaitility.await("gateway B both ways").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(gatewayz.gatewayz(null, null, null).getBody())
                                .contains("\"name\": \"A\"").contains("\"outbound_gateways\": {\n    \"B\"")
                                .contains("\"inbound_gateways\": {\n    \"B\""));
                assertThat(gatewayz.gatewayz(null, "nope", null).getBody())
                        .contains("\"outbound_gateways\": {}");
                NatsWebEndpointExtensions.Leafz leafz = ctx.getBean(NatsWebEndpointExtensions.Leafz.class);
                Awaitility.await("the leaf connection").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(leafz.leafz(null).getBody()).contains("\"leafnodes\": 1"));
                assertThat(leafz.leafz(true).getBody()).contains("\"account\": \"$G\"");
                io.micrometer.core.instrument.MeterRegistry registry =
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                new NatsServerMetrics(embedded).bindTo(registry);
                assertThat(registry.get("nats.server.gateways").tag("direction", "outbound").gauge().value())
                        .isEqualTo(1.0);
                assertThat(registry.get("nats.server.gateways").tag("direction", "inbound").gauge().value())
                        .isEqualTo(1.0);
                assertThat(registry.get("nats.server.leafnodes").gauge().value()).isEqualTo(1.0);
                // per remote gateway: B was learned when it dialled in; its traffic as /gatewayz counts it
                double before = registry.get("nats.server.gateways.messages").tag("gateway", "B")
                        .tag("direction", "out").functionCounter().count();
                try (io.nats.client.Connection onB = io.nats.client.Nats.connect("nats://127.0.0.1:" + other.port());
                     io.nats.client.Connection onA = io.nats.client.Nats.connect("nats://127.0.0.1:" + embedded.port())) {
                    io.nats.client.Subscription sub = onB.subscribe("metered");
                    onB.flush(Duration.ofSeconds(2));
                    Awaitility.await("B's interest in A").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        onA.publish("metered", new byte[] {1});
                        onA.flush(Duration.ofSeconds(1));
                        assertThat(sub.nextMessage(Duration.ofMillis(100))).isNotNull();
                    });
                    double sent = registry.get("nats.server.gateways.messages").tag("gateway", "B")
                            .tag("direction", "out").functionCounter().count();
                    assertThat(sent).isGreaterThan(before);
                    assertThat(sent).isEqualTo((double) embedded.gateways().traffic("B").outMsgs());
                    assertThat(registry.get("nats.server.gateways.bytes").tag("gateway", "B").tag("direction", "out")
                            .functionCounter().count()).isGreaterThanOrEqualTo(sent);
                }
                assertThat(embedded.port()).isPositive();
            } finally {
                other.shutdown();
            }
        });
    }

    /** The {@code "port"} of the JSON object after {@code objectKey} (the first one without a key). */
    private static int portOf(String json, String... objectKey) {
        int from = objectKey.length == 0 ? 0 : json.indexOf(objectKey[0]);
        int i = json.indexOf("\"port\": ", from);
        return Integer.parseInt(json.substring(i + 8).split("[,\\s}]")[0]);
    }
}
