package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.NatsServer;
import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.config.ClusterOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.Slf4jServerLog;
import io.natsboot.server.monitor.Routez;
import io.natsboot.server.monitor.Varz;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Clustering through the starter: {@code natsboot.server.cluster.*} binding and metadata, and two embedded
 * servers in two Spring contexts joined by a route, seen through routez, varz, health and the route meters.
 */
class NatsServerClusterTests {

    private static final String USER = "ruser";
    private static final String PASSWORD = "T0pS3cr3t";

    /** One embedded node: random client and route ports, route authorization as in the docs' mesh. */
    private final ApplicationContextRunner node = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerEndpointAutoConfiguration.class, NatsServerHealthContributorAutoConfiguration.class,
                    NatsServerMetricsAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                    "natsboot.server.cluster.listen=127.0.0.1:-1", "natsboot.server.cluster.name=boot",
                    "natsboot.server.cluster.authorization.user=" + USER,
                    "natsboot.server.cluster.authorization.password=" + PASSWORD,
                    "management.endpoints.web.exposure.include=varz,routez");

    @Test
    void twoEmbeddedServersFormARouteAndMessagesCrossIt() {
        node.withPropertyValues("natsboot.server.server-name=seed").run(seedCtx -> {
            NatsServer seed = seedCtx.getBean(NatsServer.class);
            int seedRoutePort = seed.cluster().port();
            assertThat(seedRoutePort).isPositive();
            assertThat(seedCtx.getEnvironment().getProperty(NatsServerLifecycle.CLUSTER_PORT_PROPERTY, Integer.class))
                    .isEqualTo(seedRoutePort);
            MeterRegistry seedMeters = meters(seedCtx);
            String routeUrl = "nats://" + USER + ":" + PASSWORD + "@127.0.0.1:" + seedRoutePort;

            node.withPropertyValues("natsboot.server.server-name=joiner", "natsboot.server.cluster.routes=" + routeUrl)
                    .run(joinerCtx -> {
                        NatsServer joiner = joinerCtx.getBean(NatsServer.class);
                        MeterRegistry joinerMeters = meters(joinerCtx);
                        await("one route on each node", () -> routes(seed) == 1 && routes(joiner) == 1);
                        crossRoute(seedCtx, seed, seedMeters, joinerCtx, joiner, joinerMeters, seedRoutePort);
                    });

            // The joiner's context closed: its server shut down and the route is gone.
            await("the route to close", () -> routes(seed) == 0);
            assertThat(seedMeters.get("nats.server.routes").gauge().value()).isZero();
            assertThat(seedCtx.getBean(RoutezEndpoint.class).routez(null).numRoutes()).isZero();
            // Counters are totals since start: a closed route's counts stay.
            assertThat(counter(seedMeters, "nats.server.routes.messages", "out")).isEqualTo(3);
            assertThat(counter(seedMeters, "nats.server.routes.bytes", "out")).isEqualTo(3 * 11);
        });
    }

    private void crossRoute(AssertableApplicationContext seedCtx, NatsServer seed, MeterRegistry seedMeters,
            AssertableApplicationContext joinerCtx, NatsServer joiner, MeterRegistry joinerMeters, int seedRoutePort)
            throws Exception {
        String seedId = seed.context().serverId();
        String joinerId = joiner.context().serverId();
        try (Connection onJoiner = connect(joiner); Connection onSeed = connect(seed)) {
            Subscription sub = onJoiner.subscribe("cross.>");
            onJoiner.flush(Duration.ofSeconds(5));
            RoutezEndpoint seedRoutez = seedCtx.getBean(RoutezEndpoint.class);
            // The joiner's interest reaches the seed as RS+, shown by routez?subs=1.
            await("interest for cross.> on the seed", () -> {
                List<Routez.RouteInfo> r = seedRoutez.routez("1").routes();
                return r.size() == 1 && r.get(0).subscriptionsList() != null
                        && r.get(0).subscriptionsList().contains("cross.>");
            });

            for (int i = 1; i <= 3; i++) {
                onSeed.publish("cross.order", payload(i));
            }
            onSeed.flush(Duration.ofSeconds(5));
            for (int i = 1; i <= 3; i++) {
                Message m = sub.nextMessage(Duration.ofSeconds(5));
                assertThat(m).as("message %d through the route", i).isNotNull();
                assertThat(m.getSubject()).isEqualTo("cross.order");
                assertThat(m.getData()).isEqualTo(payload(i));
            }
            // The joiner delivered all three; a PING/PONG on the subscriber's connection now shows a duplicate.
            Deliveries.assertNothingMore(onJoiner, sub, "no duplicate");

            // routez on both sides: one route, naming the other server, with the traffic counted.
            Routez fromSeed = seedRoutez.routez(null);
            assertThat(fromSeed.serverId()).isEqualTo(seedId);
            assertThat(fromSeed.numRoutes()).isEqualTo(1);
            Routez.RouteInfo seedSide = fromSeed.routes().get(0);
            assertThat(seedSide.remoteId()).isEqualTo(joinerId);
            assertThat(seedSide.didSolicit()).isFalse();
            assertThat(seedSide.outMsgs()).isEqualTo(3);
            assertThat(seedSide.outBytes()).isEqualTo(33);
            assertThat(seedSide.subscriptionsList()).as("no subs without subs=1").isNull();

            Routez fromJoiner = joinerCtx.getBean(RoutezEndpoint.class).routez(null);
            assertThat(fromJoiner.numRoutes()).isEqualTo(1);
            Routez.RouteInfo joinerSide = fromJoiner.routes().get(0);
            assertThat(joinerSide.remoteId()).isEqualTo(seedId);
            assertThat(joinerSide.didSolicit()).isTrue();
            assertThat(joinerSide.isConfigured()).isTrue();
            assertThat(joinerSide.port()).isEqualTo(seedRoutePort);
            assertThat(joinerSide.inMsgs()).isEqualTo(3);
            assertThat(joinerSide.inBytes()).isEqualTo(33);

            // The HTTP form is the 8222 JSON.
            DocumentContext routezJson = JsonPath.parse(joinerCtx.getBean(NatsWebEndpointExtensions.Routez.class)
                    .routez(null).getBody());
            assertThat(routezJson.read("$.server_id", String.class)).isEqualTo(joinerId);
            assertThat(routezJson.read("$.num_routes", Integer.class)).isEqualTo(1);
            assertThat(routezJson.read("$.routes[0].remote_id", String.class)).isEqualTo(seedId);
            assertThat(routezJson.read("$.routes[0].did_solicit", Boolean.class)).isTrue();
            assertThat(routezJson.read("$.routes[0].in_msgs", Integer.class)).isEqualTo(3);

            // varz: the cluster section and the route count.
            Varz seedVarz = seedCtx.getBean(VarzEndpoint.class).varz();
            assertThat(seedVarz.routes()).isEqualTo(1);
            assertThat(seedVarz.cluster().name()).isEqualTo("boot");
            assertThat(seedVarz.cluster().addr()).isEqualTo("127.0.0.1");
            assertThat(seedVarz.cluster().clusterPort()).isEqualTo(seedRoutePort);
            assertThat(seedVarz.cluster().authTimeout()).isEqualTo(2.0);
            assertThat(seedVarz.cluster().urls()).as("the seed dials nobody").isEmpty();
            DocumentContext joinerVarz = JsonPath.parse(joinerCtx.getBean(NatsWebEndpointExtensions.Varz.class)
                    .varz().getBody());
            assertThat(joinerVarz.read("$.routes", Integer.class)).isEqualTo(1);
            assertThat(joinerVarz.read("$.cluster.name", String.class)).isEqualTo("boot");
            assertThat(joinerVarz.read("$.cluster.cluster_port", Integer.class))
                    .isEqualTo(joiner.cluster().port());
            assertThat(joinerVarz.read("$.cluster.urls", List.class)).containsExactly("127.0.0.1:" + seedRoutePort);

            // The route meters, in a SimpleMeterRegistry on each side.
            assertThat(seedMeters.get("nats.server.routes").gauge().value()).isEqualTo(1);
            assertThat(joinerMeters.get("nats.server.routes").gauge().value()).isEqualTo(1);
            assertThat(counter(seedMeters, "nats.server.routes.messages", "out")).isEqualTo(3);
            assertThat(counter(seedMeters, "nats.server.routes.bytes", "out")).isEqualTo(33);
            assertThat(counter(seedMeters, "nats.server.routes.messages", "in")).isZero();
            assertThat(counter(joinerMeters, "nats.server.routes.messages", "in")).isEqualTo(3);
            assertThat(counter(joinerMeters, "nats.server.routes.bytes", "in")).isEqualTo(33);
            assertThat(counter(joinerMeters, "nats.server.routes.messages", "out")).isZero();
            assertThat(seedMeters.get("nats.server.routes.slow.consumers").functionCounter().count()).isZero();
            assertThat(joinerMeters.get("nats.server.routes.pauses").functionCounter().count())
                    .as("three small messages never back a receiver up").isZero();
            assertThat(seedMeters.get("nats.server.routes.pending").gauge().value()).isGreaterThanOrEqualTo(0);
            assertThat(seedMeters.get("nats.server.routes").gauge().getId().getTag("server_id")).isEqualTo(seedId);
            assertThat(seedMeters.get("gnatsd_varz_routes").gauge().value()).isEqualTo(1);
            assertThat(seedMeters.get("gnatsd_varz_remotes").gauge().value()).isEqualTo(1);

            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            seedCtx.getBean(NatsServerMetrics.class).bindTo(prometheus);
            String id = "server_id=\"" + seedId + "\"";
            assertThat(prometheus.scrape()).contains("# TYPE nats_server_routes gauge\n")
                    .contains("nats_server_routes{" + id + "} 1.0\n")
                    .contains("# TYPE nats_server_routes_messages_total counter\n")
                    .contains("nats_server_routes_messages_total{direction=\"out\"," + id + "} 3.0\n")
                    .contains("nats_server_routes_bytes_total{direction=\"out\"," + id + "} 33.0\n")
                    .contains("# TYPE nats_server_routes_slow_consumers_total counter\n")
                    .contains("# TYPE nats_server_routes_pauses_total counter\n")
                    .contains("# TYPE nats_server_routes_pending_bytes gauge\n");

            Health health = seedCtx.getBean(NatsServerHealthIndicator.class).health(true);
            assertThat(health.getDetails()).containsEntry("routes", 1);
        }
    }

    /** Boot binds meter binders when the registry is created, before lifecycles start the server. */
    @Test
    void routeMetersBoundBeforeStartReadTheClusterOnceStarted() {
        NatsServer server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .clusterListen("127.0.0.1:-1").build(),
                new Slf4jServerLog(org.slf4j.LoggerFactory.getLogger(NatsServerAutoConfiguration.LOGGER_NAME), false, false));
        MeterRegistry registry = new SimpleMeterRegistry();
        new NatsServerMetrics(server).bindTo(registry);
        new NatsServerExporterMetrics(server).bindTo(registry);
        assertThat(server.cluster()).as("not started").isNull();
        assertThat(registry.get("nats.server.routes").gauge().value()).isZero();
        assertThat(counter(registry, "nats.server.routes.messages", "out")).isZero();
        server.start();
        try {
            assertThat(server.cluster()).isNotNull();
            assertThat(registry.get("nats.server.routes").gauge().value()).isZero();
            assertThat(registry.get("nats.server.routes.slow.consumers").functionCounter().count()).isZero();
            assertThat(registry.get("gnatsd_varz_routes").gauge().value()).isZero();
        } finally {
            server.shutdown();
        }
    }

    @Test
    void standaloneServerHasNoRouteMetersAndNoClusterPort() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                        NatsServerMetricsAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0")
                .run(ctx -> {
                    NatsServer server = ctx.getBean(NatsServer.class);
                    assertThat(server.cluster()).isNull();
                    assertThat(ctx.getBean(ServerOptions.class).cluster()).isNull();
                    assertThat(ctx.getEnvironment().containsProperty(NatsServerLifecycle.CLUSTER_PORT_PROPERTY))
                            .isFalse();
                    MeterRegistry registry = meters(ctx);
                    assertThat(registry.find("nats.server.connections").gauge()).isNotNull();
                    assertThat(registry.find("nats.server.routes").gauge()).isNull();
                    assertThat(registry.find("nats.server.routes.messages").functionCounters()).isEmpty();
                    assertThat(registry.find("nats.server.routes.slow.consumers").functionCounter()).isNull();
                    assertThat(registry.get("gnatsd_varz_routes").gauge().value()).isZero();
                });
    }

    @Test
    void clusterPropertiesBindOntoTheClusterOptions() {
        new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class)
                .withPropertyValues("natsboot.server.cluster.listen=0.0.0.0:6222",
                        "natsboot.server.cluster.name=rides",
                        "natsboot.server.cluster.routes[0]=nats://ruser:T0pS3cr3t@nats-1:6222",
                        "natsboot.server.cluster.routes[1]= nats://ruser:T0pS3cr3t@nats-2:6222 ",
                        "natsboot.server.cluster.advertise=10.0.0.5:16222",
                        "natsboot.server.cluster.no-advertise=true",
                        "natsboot.server.cluster.connect-retries=5",
                        "natsboot.server.cluster.authorization.user=ruser",
                        "natsboot.server.cluster.authorization.password=T0pS3cr3t",
                        "natsboot.server.cluster.authorization.timeout=750ms")
                .run(ctx -> {
                    NatsServerProperties props = ctx.getBean(NatsServerProperties.class);
                    assertThat(props.getCluster().getRoutes()).hasSize(2);
                    ClusterOptions c = props.applyTo(ServerOptions.builder()).build().cluster();
                    assertThat(c).isNotNull();
                    assertThat(c.host()).isEqualTo("0.0.0.0");
                    assertThat(c.port()).isEqualTo(6222);
                    assertThat(c.name()).isEqualTo("rides");
                    assertThat(c.routes()).containsExactly(URI.create("nats://ruser:T0pS3cr3t@nats-1:6222"),
                            URI.create("nats://ruser:T0pS3cr3t@nats-2:6222"));
                    assertThat(c.advertise()).isEqualTo("10.0.0.5:16222");
                    assertThat(c.noAdvertise()).isTrue();
                    assertThat(c.connectRetries()).isEqualTo(5);
                    assertThat(c.user()).isEqualTo("ruser");
                    assertThat(c.password()).isEqualTo("T0pS3cr3t");
                    assertThat(c.authRequired()).isTrue();
                    assertThat(c.authTimeout()).isEqualTo(Duration.ofMillis(750));
                });
    }

    @Test
    void clusterDefaultsAreNatsServers() {
        new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class)
                .withPropertyValues("natsboot.server.cluster.listen=nats://127.0.0.1:6222")
                .run(ctx -> {
                    ClusterOptions c = ctx.getBean(NatsServerProperties.class).applyTo(ServerOptions.builder())
                            .build().cluster();
                    assertThat(c.port()).isEqualTo(6222);
                    assertThat(c.name()).as("generated at start").isNull();
                    assertThat(c.routes()).isEmpty();
                    assertThat(c.advertise()).isNull();
                    assertThat(c.noAdvertise()).isFalse();
                    assertThat(c.connectRetries()).isZero();
                    assertThat(c.authRequired()).isFalse();
                    assertThat(c.authTimeout()).isEqualTo(ClusterOptions.DEFAULT_AUTH_TIMEOUT);
                });
        assertThat(new NatsServerProperties().applyTo(ServerOptions.builder()).build().cluster())
                .as("no listen, no cluster").isNull();
    }

    @Test
    void userAndPasswordInTheListenUrlAreTheRouteAuthorization() {
        NatsServerProperties props = new NatsServerProperties();
        props.getCluster().setListen("nats://ruser:T0pS3cr3t@127.0.0.1:6222");
        ClusterOptions c = props.applyTo(ServerOptions.builder()).build().cluster();
        assertThat(c.user()).isEqualTo("ruser");
        assertThat(c.password()).isEqualTo("T0pS3cr3t");
    }

    @Test
    void configFileClusterBlockCombinesWithClusterProperties(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("cluster.conf");
        Files.writeString(conf, "cluster {\n  name: filed\n  listen: \"127.0.0.1:-1\"\n}\n");
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                        "natsboot.server.config-file=" + conf, "natsboot.server.cluster.name=ignored",
                        "natsboot.server.cluster.connect-retries=3")
                .run(ctx -> {
                    ClusterOptions c = ctx.getBean(ServerOptions.class).cluster();
                    assertThat(c.name()).as("the file wins").isEqualTo("filed");
                    assertThat(c.connectRetries()).as("a property the file does not set").isEqualTo(3);
                    Cluster cluster = ctx.getBean(NatsServer.class).cluster();
                    assertThat(cluster.name()).isEqualTo("filed");
                    assertThat(ctx.getEnvironment().getProperty(NatsServerLifecycle.CLUSTER_PORT_PROPERTY,
                            Integer.class)).isEqualTo(cluster.port()).isPositive();
                });
    }

    @Test
    void routesWithoutAListenerFailStartup() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
                .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                        "natsboot.server.cluster.routes=nats://127.0.0.1:6222")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessage("natsboot.server.cluster.routes require a route listener: "
                                + "set natsboot.server.cluster.listen"));
    }

    @Test
    void configurationMetadataDescribesTheClusterProperties() throws Exception {
        DocumentContext metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            metadata = JsonPath.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, String> expectedTypes = Map.of(
                "natsboot.server.cluster.listen", "java.lang.String",
                "natsboot.server.cluster.name", "java.lang.String",
                "natsboot.server.cluster.routes", "java.util.List<java.lang.String>",
                "natsboot.server.cluster.advertise", "java.lang.String",
                "natsboot.server.cluster.no-advertise", "java.lang.Boolean",
                "natsboot.server.cluster.connect-retries", "java.lang.Integer",
                "natsboot.server.cluster.authorization.user", "java.lang.String",
                "natsboot.server.cluster.authorization.password", "java.lang.String",
                "natsboot.server.cluster.authorization.timeout", "java.time.Duration");
        for (Map.Entry<String, String> e : expectedTypes.entrySet()) {
            List<Map<String, Object>> found = metadata.read("$.properties[?(@.name == '" + e.getKey() + "')]");
            assertThat(found).as(e.getKey()).hasSize(1);
            assertThat(found.get(0)).as(e.getKey()).containsEntry("type", e.getValue());
            assertThat((String) found.get(0).get("description")).as(e.getKey() + " description").isNotBlank();
        }
        List<Object> timeoutDefault = metadata.read(
                "$.properties[?(@.name == 'natsboot.server.cluster.authorization.timeout')].defaultValue");
        assertThat(timeoutDefault).containsExactly("2s");
        List<Object> groups = metadata.read("$.groups[?(@.name == 'natsboot.server.cluster.authorization')]");
        assertThat(groups).hasSize(1);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(NatsServerProperties.class)
    static class PropertiesOnly {
    }

    /** 11 bytes. */
    private static byte[] payload(int i) {
        return String.format("order %05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static MeterRegistry meters(AssertableApplicationContext ctx) {
        MeterRegistry registry = new SimpleMeterRegistry();
        ctx.getBean(NatsServerMetrics.class).bindTo(registry);
        ctx.getBean(NatsServerExporterMetrics.class).bindTo(registry);
        return registry;
    }

    private static double counter(MeterRegistry registry, String name, String direction) {
        return registry.get(name).tag("direction", direction).functionCounter().count();
    }

    private static int routes(NatsServer server) {
        Cluster c = server.cluster();
        return c == null ? -1 : c.registered().size();
    }

    private static Connection connect(NatsServer server) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port()).build());
    }

    private static void await(String what, BooleanSupplier condition) {
        Waits.upTo(what, Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }
}
