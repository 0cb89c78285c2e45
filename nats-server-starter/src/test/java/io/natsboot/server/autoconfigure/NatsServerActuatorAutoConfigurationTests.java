package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.Connz;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.Subsz;
import io.natsboot.server.monitor.Varz;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class NatsServerActuatorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerEndpointAutoConfiguration.class, NatsServerHealthContributorAutoConfiguration.class,
                    NatsServerMetricsAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    private static final String EXPOSE_ALL = "management.endpoints.web.exposure.include=varz,connz,routez,subsz";

    @Test
    void endpointsAbsentUnlessExposed() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(NatsServer.class).doesNotHaveBean(VarzEndpoint.class)
                .doesNotHaveBean(ConnzEndpoint.class).doesNotHaveBean(RoutezEndpoint.class)
                .doesNotHaveBean(SubszEndpoint.class).doesNotHaveBean(NatsWebEndpointExtensions.Varz.class));
    }

    @Test
    void endpointsPresentWhenExposedOverWeb() {
        runner.withPropertyValues(EXPOSE_ALL).run(ctx -> assertThat(ctx).hasSingleBean(VarzEndpoint.class)
                .hasSingleBean(ConnzEndpoint.class).hasSingleBean(RoutezEndpoint.class)
                .hasSingleBean(SubszEndpoint.class).hasSingleBean(NatsWebEndpointExtensions.Varz.class)
                .hasSingleBean(NatsWebEndpointExtensions.Connz.class)
                .hasSingleBean(NatsWebEndpointExtensions.Routez.class)
                .hasSingleBean(NatsWebEndpointExtensions.Subsz.class));
    }

    @Test
    void endpointExposedOnlyOverJmxHasNoWebExtension() {
        runner.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=varz")
                .run(ctx -> assertThat(ctx).hasSingleBean(VarzEndpoint.class)
                        .doesNotHaveBean(NatsWebEndpointExtensions.Varz.class));
    }

    @Test
    void endpointCanBeDisabled() {
        runner.withPropertyValues(EXPOSE_ALL, "management.endpoint.connz.access=NONE").run(ctx -> assertThat(ctx)
                .hasSingleBean(VarzEndpoint.class).doesNotHaveBean(ConnzEndpoint.class)
                .doesNotHaveBean(NatsWebEndpointExtensions.Connz.class));
    }

    @Test
    void nothingWithoutTheServer() {
        runner.withPropertyValues(EXPOSE_ALL, "natsboot.server.enabled=false").run(ctx -> assertThat(ctx)
                .doesNotHaveBean(VarzEndpoint.class).doesNotHaveBean(NatsServerHealthIndicator.class)
                .doesNotHaveBean(NatsServerMetrics.class).doesNotHaveBean(NatsServerExporterMetrics.class));
    }

    @Test
    void userEndpointWins() {
        runner.withPropertyValues(EXPOSE_ALL).withUserConfiguration(UserVarz.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(VarzEndpoint.class);
            assertThat(ctx.getBean(VarzEndpoint.class)).isSameAs(ctx.getBean("myVarz"));
        });
    }

    @Test
    void endpointsServeTheMonitorSnapshots() {
        runner.withPropertyValues(EXPOSE_ALL, "natsboot.server.server-name=actuated").run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            try (Connection nc = connect(server)) {
                Subscription sub = nc.subscribe("orders.>");
                nc.publish("orders.new", "x".repeat(10).getBytes(StandardCharsets.UTF_8));
                assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
                nc.flush(Duration.ofSeconds(5));

                Varz varz = ctx.getBean(VarzEndpoint.class).varz();
                assertThat(varz.serverName()).isEqualTo("actuated");
                assertThat(varz.connections()).isEqualTo(1);
                assertThat(varz.inMsgs()).isEqualTo(1);
                assertThat(varz.outMsgs()).isEqualTo(1);
                // every account's, as nats-server: the client's one, the system account's own and its 3 imports in $G
                assertThat(varz.subscriptions())
                        .isEqualTo(1 + 3 + server.context().systemAccount().trie().count());

                ConnzEndpoint connzEndpoint = ctx.getBean(ConnzEndpoint.class);
                Connz connz = connzEndpoint.connz(null, null, "1", null, null, null, null, null, null);
                assertThat(connz.numConnections()).isEqualTo(1);
                long cid = connz.connections().get(0).cid();
                assertThat(connz.connections().get(0).subscriptionsList()).containsExactly("orders.>");
                assertThat(connzEndpoint.connection(cid).connections()).hasSize(1);
                assertThat(connzEndpoint.connz("bytes_to", true, null, 0L, 10L, null, "all", null, null)
                        .connections()).hasSize(1);

                Subsz subsz = ctx.getBean(SubszEndpoint.class).subsz(true, null, null, null, "orders.new");
                assertThat(subsz.total()).isEqualTo(1);
                assertThat(ctx.getBean(RoutezEndpoint.class).routez(null).numRoutes()).isZero();
            }
        });
    }

    @Test
    void badQueriesAreRejectedWithNatsServerMessages() {
        runner.withPropertyValues(EXPOSE_ALL).run(ctx -> {
            ConnzEndpoint connz = ctx.getBean(ConnzEndpoint.class);
            assertThatThrownBy(() -> connz.connz("bogus", null, null, null, null, null, null, null, null))
                    .isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessage("invalid sorting option: bogus");
            assertThatThrownBy(() -> connz.connz(null, null, null, null, null, null, "sleepy", null, null))
                    .isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessage("Error decoding state for sleepy");
            assertThatThrownBy(() -> connz.connz(null, null, "maybe", null, null, null, null, null, null))
                    .isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessageStartingWith("Error decoding boolean for 'subs'");
        });
    }

    @Test
    void webExtensionsAnswerWithTheMonitoringPortJson() {
        runner.withPropertyValues(EXPOSE_ALL, "natsboot.server.server-name=web").run(ctx -> {
            WebEndpointResponse<String> varz = ctx.getBean(NatsWebEndpointExtensions.Varz.class).varz();
            assertThat(varz.getStatus()).isEqualTo(200);
            assertThat(varz.getContentType().toString()).isEqualTo("application/json");
            assertThat(varz.getBody()).contains("\"server_id\": \"" + ctx.getBean(NatsServer.class).context().serverId())
                    .contains("\"server_name\": \"web\"").contains("\"max_payload\": 1048576")
                    .contains("\"uptime\": ");
            assertThat(keys(varz.getBody())).isEqualTo(keys(ctx.getBean(Monitor.class).varz().toJson(true)));
            assertThat(ctx.getBean(NatsWebEndpointExtensions.Connz.class)
                    .connz(null, null, null, null, null, null, null, null, null).getBody())
                    .contains("\"num_connections\": 0");
            assertThat(ctx.getBean(NatsWebEndpointExtensions.Subsz.class).subsz(null, null, null, null, null)
                    .getBody()).contains("\"num_subscriptions\": 3"); // the system account's imports in $G
            assertThat(ctx.getBean(NatsWebEndpointExtensions.Routez.class).routez(null).getBody())
                    .contains("\"num_routes\": 0");
        });
    }

    @Test
    void healthUpWhileAcceptingAndDownAfterShutdown() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServerHealthIndicator.class).hasBean("natsHealthIndicator");
            NatsServerHealthIndicator indicator = ctx.getBean(NatsServerHealthIndicator.class);
            Health health = indicator.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("port", ctx.getBean(NatsServer.class).port())
                    .containsEntry("connections", 0);
            ctx.getBean(NatsServerLifecycle.class).stop();
            assertThat(indicator.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthIndicatorCanBeDisabled() {
        runner.withPropertyValues("management.health.nats.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(NatsServerHealthIndicator.class));
    }

    @Test
    void metricsReadTheEngineCounters() {
        runner.run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            MeterRegistry registry = new SimpleMeterRegistry();
            ctx.getBean(NatsServerMetrics.class).bindTo(registry);
            try (Connection nc = connect(server)) {
                Subscription sub = nc.subscribe("a");
                for (int i = 0; i < 3; i++) {
                    nc.publish("a", new byte[5]);
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
                }
                nc.flush(Duration.ofSeconds(5));
                assertThat(registry.get("nats.server.connections").gauge().value()).isEqualTo(1);
                assertThat(registry.get("nats.server.connections.accepted").functionCounter().count()).isEqualTo(1);
                // as /varz counts them (one source): every account's, the system account's handlers and imports too
                assertThat(registry.get("nats.server.subscriptions").gauge().value())
                        .isEqualTo(1 + 3 + server.context().systemAccount().trie().count());
                assertThat(registry.get("nats.server.messages").tag("direction", "in").functionCounter().count())
                        .isEqualTo(3);
                assertThat(registry.get("nats.server.messages").tag("direction", "out").functionCounter().count())
                        .isEqualTo(3);
                assertThat(registry.get("nats.server.bytes").tag("direction", "in").functionCounter().count())
                        .isEqualTo(15);
                assertThat(registry.get("nats.server.bytes").tag("direction", "out").functionCounter().count())
                        .isEqualTo(15);
                assertThat(registry.get("nats.server.slow.consumers").functionCounter().count()).isZero();
                assertThat(registry.get("nats.server.pending").gauge().value()).isGreaterThanOrEqualTo(0);
                assertThat(registry.get("nats.server.connections").gauge().getId().getTag("server_id"))
                        .isEqualTo(server.context().serverId());
            }
        });
    }

    @Test
    void authFailuresAreCounted() {
        runner.withPropertyValues("natsboot.server.auth.user=alice", "natsboot.server.auth.password=s3cret")
                .run(ctx -> {
                    NatsServer server = ctx.getBean(NatsServer.class);
                    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                    ctx.getBean(NatsServerMetrics.class).bindTo(registry);
                    assertThat(registry.get("nats.server.auth.failures").functionCounter().count()).isZero();
                    for (int i = 0; i < 2; i++) {
                        assertThat(rawConnect(server, "{\"verbose\":false,\"user\":\"alice\",\"pass\":\"wrong\"}"))
                                .contains("-ERR 'Authorization Violation'");
                    }
                    assertThat(rawConnect(server, "{\"verbose\":false,\"user\":\"alice\",\"pass\":\"s3cret\"}"))
                            .contains("PONG").doesNotContain("-ERR");
                    assertThat(registry.get("nats.server.auth.failures").functionCounter().count()).isEqualTo(2);
                    assertThat(server.context().authFailures.sum()).isEqualTo(2);
                    assertThat(registry.scrape()).contains("# TYPE nats_server_auth_failures_total counter")
                            .containsPattern("nats_server_auth_failures_total\\{server_id=\"\\w+\"} 2\\.0");
                });
    }

    /** CONNECT + PING on a raw socket; what the server answered until it closed or went quiet. */
    private static String rawConnect(NatsServer server, String connectJson) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(2000);
            s.getOutputStream().write(("CONNECT " + connectJson + "\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) >= 0) {
                    got.write(buf, 0, n);
                    if (got.toString(StandardCharsets.UTF_8).contains("PONG")) {
                        break;
                    }
                }
            } catch (java.io.IOException e) {
                // reset or timeout: keep what arrived
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void prometheusScrapeHasTheNatsFamilies() {
        runner.run(ctx -> {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ctx.getBean(NatsServerMetrics.class).bindTo(registry);
            try (Connection nc = connect(ctx.getBean(NatsServer.class))) {
                nc.publish("nobody", new byte[7]);
                nc.flush(Duration.ofSeconds(5));
                String scrape = registry.scrape();
                assertThat(scrape).contains("# TYPE nats_server_messages_total counter")
                        .contains("# TYPE nats_server_bytes_total counter")
                        .contains("# TYPE nats_server_connections gauge")
                        .contains("# TYPE nats_server_connections_accepted_total counter")
                        .contains("# TYPE nats_server_slow_consumers_total counter")
                        .contains("# TYPE nats_server_pending_bytes gauge")
                        .containsPattern("nats_server_messages_total\\{direction=\"in\",server_id=\"\\w+\"} 1\\.0")
                        .containsPattern("nats_server_bytes_total\\{direction=\"in\",server_id=\"\\w+\"} 7\\.0");
            }
        });
    }

    @Test
    void prometheusScrapeHasTheExporterGnatsdVarzGauges() {
        runner.withPropertyValues("natsboot.server.max-payload=64KB").run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServerExporterMetrics.class);
            NatsServer server = ctx.getBean(NatsServer.class);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ctx.getBean(NatsServerExporterMetrics.class).bindTo(registry);
            try (Connection nc = connect(server)) {
                Subscription sub = nc.subscribe("g.>");
                for (int i = 0; i < 4; i++) {
                    nc.publish("g.x", new byte[10]);
                }
                for (int i = 0; i < 4; i++) {
                    assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
                }
                nc.flush(Duration.ofSeconds(5));
                String scrape = registry.scrape();
                String id = "\\{server_id=\"" + server.context().serverId() + "\"} ";
                for (String name : List.of("connections", "total_connections", "subscriptions", "in_msgs", "out_msgs",
                        "in_bytes", "out_bytes", "slow_consumers", "routes", "remotes", "mem", "cpu", "cores",
                        "max_connections", "max_payload", "max_pending", "max_control_line", "ping_interval", "ping_max",
                        "write_deadline", "auth_timeout", "port")) {
                    assertThat(scrape).contains("# TYPE gnatsd_varz_" + name + " gauge\n");
                }
                assertThat(scrape).containsPattern("gnatsd_varz_connections" + id + "1\\.0\n")
                        .containsPattern("gnatsd_varz_total_connections" + id + "1\\.0\n")
                        // the exporter reads /varz's count: every account's, as nats-server's varz
                        .containsPattern("gnatsd_varz_subscriptions" + id
                                + (1 + 3 + server.context().systemAccount().trie().count()) + "\\.0\n")
                        .containsPattern("gnatsd_varz_in_msgs" + id + "4\\.0\n")
                        .containsPattern("gnatsd_varz_out_msgs" + id + "4\\.0\n")
                        .containsPattern("gnatsd_varz_in_bytes" + id + "40\\.0\n")
                        .containsPattern("gnatsd_varz_out_bytes" + id + "40\\.0\n")
                        .containsPattern("gnatsd_varz_slow_consumers" + id + "0\\.0\n")
                        .containsPattern("gnatsd_varz_routes" + id + "0\\.0\n")
                        .containsPattern("gnatsd_varz_max_payload" + id + "65536\\.0\n")
                        .containsPattern("gnatsd_varz_port" + id + server.port() + "\\.0\n")
                        .containsPattern("gnatsd_varz_ping_interval" + id + "1\\.2E11\n")
                        .containsPattern("gnatsd_varz_auth_timeout" + id + "2\\.0\n")
                        .containsPattern("gnatsd_varz_mem" + id + "[1-9][0-9.E]+\n")
                        .containsPattern("gnatsd_varz_cpu" + id + "[0-9.E]+\n");
                // The exporter's gauges follow /varz.
                assertThat(registry.get("gnatsd_varz_in_msgs").gauge().value())
                        .isEqualTo((double) server.context().inMsgs.sum());
            }
        });
    }

    @Test
    void exporterMetricsCanBeReplaced() {
        runner.withUserConfiguration(UserExporterMetrics.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServerExporterMetrics.class);
            assertThat(ctx.getBean(NatsServerExporterMetrics.class)).isSameAs(ctx.getBean("myExporterMetrics"));
        });
    }

    @Test
    void metricsBinderCanBeReplaced() {
        runner.withUserConfiguration(UserMetrics.class).run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsServerMetrics.class);
            assertThat(ctx.getBean(NatsServerMetrics.class)).isSameAs(ctx.getBean("myMetrics"));
        });
    }

    private static java.util.Set<String> keys(String json) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z_/]+)\": ").matcher(json);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static Connection connect(NatsServer server) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port()).build());
    }

    @Configuration(proxyBeanMethods = false)
    static class UserVarz {
        @Bean
        VarzEndpoint myVarz(Monitor monitor) {
            return new VarzEndpoint(monitor);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserMetrics {
        @Bean
        NatsServerMetrics myMetrics(NatsServer server) {
            return new NatsServerMetrics(server, io.micrometer.core.instrument.Tags.of("app", "x"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserExporterMetrics {
        @Bean
        NatsServerExporterMetrics myExporterMetrics(NatsServer server) {
            return new NatsServerExporterMetrics(server);
        }
    }
}
