package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.service.Discovery;
import io.nats.service.Endpoint;
import io.nats.service.EndpointStats;
import io.nats.service.InfoResponse;
import io.nats.service.PingResponse;
import io.nats.service.Service;
import io.nats.service.ServiceEndpoint;
import io.nats.service.StatsResponse;
import io.natsboot.spring.annotation.NatsService;
import io.natsboot.spring.annotation.NatsServiceEndpoint;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.service.NatsServiceRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

class NatsServiceTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    record Order(String id, int qty) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    @NatsService(name = "pricing", version = "1.2.0", description = "Prices orders", metadata = "team=${team}",
            group = "pricing")
    static class PricingService {
        @NatsServiceEndpoint(name = "price", metadata = "unit=eur")
        Order price(Order order) {
            return new Order(order.id(), order.qty() * 2);
        }

        @NatsServiceEndpoint(subject = "later")
        CompletionStage<String> async(String text) {
            return CompletableFuture.supplyAsync(() -> text.toUpperCase());
        }

        @NatsServiceEndpoint
        String fail(String text) {
            throw new IllegalArgumentException("bad " + text);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PricingConfig {
        @Bean
        PricingService pricingService() {
            return new PricingService();
        }
    }

    /** A second connection, as another application would discover the services. */
    private static Connection client() throws Exception {
        return io.nats.client.Nats.connect(server.url());
    }

    @Test
    void annotatedServiceIsDiscoveredAndCalledAcrossTwoInstances() throws Exception {
        ApplicationContextRunner app = runner.withUserConfiguration(PricingConfig.class).withPropertyValues("team=orders");
        try (Connection client = client()) {
            app.run(first -> app.run(second -> {
                NatsTemplate template = first.getBean(NatsTemplate.class);
                // At most 2 results: returns as soon as both instances answered.
                Discovery discovery = new Discovery(client, 2000, 2);

                // Scatter-gather PING: every instance answers, each with its own id.
                List<PingResponse> pings = discovery.ping("pricing");
                assertThat(pings).hasSize(2).allSatisfy(p -> {
                    assertThat(p.getName()).isEqualTo("pricing");
                    assertThat(p.getVersion()).isEqualTo("1.2.0");
                    assertThat(p.getMetadata()).containsEntry("team", "orders");
                });
                assertThat(pings.stream().map(PingResponse::getId).distinct()).hasSize(2);
                // The same discovery with the reactive template's scatter-gather.
                List<Message> raw = first.getBean(ReactiveNatsTemplate.class)
                        .requestMany("$SRV.PING.pricing", "", Duration.ofMillis(500), 0).collectList()
                        .block(Duration.ofSeconds(5));
                assertThat(raw).hasSize(2);

                InfoResponse info = discovery.info("pricing").get(0);
                assertThat(info.getDescription()).isEqualTo("Prices orders");
                assertThat(info.getEndpoints()).extracting(Endpoint::getName, Endpoint::getSubject, Endpoint::getQueueGroup)
                        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("price", "pricing.price", "q"),
                                org.assertj.core.groups.Tuple.tuple("async", "pricing.later", "q"),
                                org.assertj.core.groups.Tuple.tuple("fail", "pricing.fail", "q"));
                assertThat(info.getEndpoints()).filteredOn(e -> e.getName().equals("price")).first()
                        .satisfies(e -> assertThat(e.getMetadata()).isEqualTo(Map.of("unit", "eur")));

                // Endpoints are in a queue group: each request goes to one instance, both instances get some.
                for (int i = 0; i < 40; i++) {
                    assertThat(template.request("pricing.price", new Order("o" + i, i), Order.class))
                            .isEqualTo(new Order("o" + i, 2 * i));
                }
                assertThat(template.request("pricing.later", "abc", String.class)).isEqualTo("ABC");
                List<StatsResponse> stats = discovery.stats("pricing");
                List<Long> perInstance = stats.stream().map(s -> requests(s, "price")).toList();
                assertThat(perInstance).hasSize(2).allSatisfy(n -> assertThat(n).isPositive());
                assertThat(perInstance.get(0) + perInstance.get(1)).isEqualTo(40);

                // A failing endpoint answers with the protocol's error headers, counted in STATS.
                assertThatThrownBy(() -> template.request("pricing.fail", "x"))
                        .isInstanceOf(NatsRemoteException.class).hasMessageContaining("500")
                        .hasMessageContaining("IllegalArgumentException: bad x");
                Message error = client.request("pricing.fail", "y".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
                assertThat(error.getHeaders().getFirst("Nats-Service-Error-Code")).isEqualTo("500");
                long errors = discovery.stats("pricing").stream().flatMap(s -> s.getEndpointStatsList().stream())
                        .filter(e -> e.getName().equals("fail")).mapToLong(EndpointStats::getNumErrors).sum();
                assertThat(errors).isEqualTo(2);

                assertThat(second.getBean(NatsServiceRegistry.class).getService("pricing")).isNotNull();
            }));
            // Both contexts closed: the services are gone.
            assertThat(pingReplies(client, "pricing")).isZero();
        }
    }

    /** PING replies in 300 ms, without jnats' Discovery (which cannot parse the 503 of no responders). */
    private static int pingReplies(Connection client, String name) throws Exception {
        String inbox = client.createInbox();
        io.nats.client.Subscription sub = client.subscribe(inbox);
        client.publish("$SRV.PING." + name, inbox, new byte[0]);
        int replies = 0;
        for (Message m = sub.nextMessage(Duration.ofMillis(300)); m != null; m = sub.nextMessage(Duration.ofMillis(300))) {
            if (!m.isStatusMessage()) {
                replies++;
            }
        }
        sub.unsubscribe();
        return replies;
    }

    private static long requests(StatsResponse stats, String endpoint) {
        return stats.getEndpointStatsList().stream().filter(e -> e.getName().equals(endpoint))
                .mapToLong(EndpointStats::getNumRequests).sum();
    }

    @Configuration(proxyBeanMethods = false)
    static class BuilderConfig {
        @Bean
        Service echoService(Connection connection) {
            return Service.builder().connection(connection).name("echo").version("0.1.0")
                    .addServiceEndpoint(ServiceEndpoint.builder().endpointName("echo").endpointSubject("svc.echo")
                            .handler(m -> m.respond(connection, m.getData())).build())
                    .build();
        }
    }

    @Test
    void serviceBeanFromTheBuilderIsStartedAndStoppedWithTheContext() throws Exception {
        try (Connection client = client()) {
            runner.withUserConfiguration(BuilderConfig.class).run(ctx -> {
                assertThat(ctx.getBean(NatsServiceRegistry.class).getServices()).extracting(Service::getName)
                        .containsExactly("echo");
                assertThat(new Discovery(client, 2000, 1).ping("echo")).hasSize(1);
                Message reply = client.request("svc.echo", "hi".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
                assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("hi");
            });
            assertThat(pingReplies(client, "echo")).isZero();
        }
    }

    @NatsService(name = "empty")
    static class NoEndpoints {
    }

    @Test
    void serviceWithoutEndpointsFailsTheStartup() {
        runner.withBean(NoEndpoints.class).run(ctx -> assertThat(ctx).hasFailed().getFailure()
                .hasMessageContaining("no @NatsServiceEndpoint methods"));
    }

    @Test
    void serviceEndpointsContinueTheCallersTrace() {
        runner.withUserConfiguration(PricingConfig.class, NatsObservabilityTests.TracingConfig.class)
                .withPropertyValues("team=t", "natsboot.client.observation-enabled=true").run(ctx -> {
            io.micrometer.tracing.test.simple.SimpleTracer tracer = ctx.getBean(io.micrometer.tracing.test.simple.SimpleTracer.class);
            assertThat(ctx.getBean(NatsTemplate.class).request("pricing.price", new Order("t", 2), Order.class))
                    .isEqualTo(new Order("t", 4));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tracer.getSpans().size() >= 2);
            var spans = List.copyOf(tracer.getSpans());
            var request = spans.stream().filter(x -> x.getName().equals("pricing.price request")).findFirst().orElseThrow();
            var process = spans.stream().filter(x -> x.getName().equals("pricing.price process")).findFirst().orElseThrow();
            assertThat(process.getTraceId()).isEqualTo(request.getTraceId());
            assertThat(process.getParentId()).isEqualTo(request.getSpanId());
            assertThat(process.getTags()).containsEntry("nats.listener.id", "pricing/price");
        });
    }

    @Test
    void jsonResponsesCarryTheContentType() throws Exception {
        runner.withUserConfiguration(PricingConfig.class).withPropertyValues("team=t").run(ctx -> {
            Message reply = ctx.getBean(NatsTemplate.class).request("pricing.price", new Order("a", 1));
            assertThat(reply.getHeaders().getFirst(NatsMessageConverter.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(JsonMapper.builder().build().readValue(reply.getData(), Order.class)).isEqualTo(new Order("a", 2));
        });
    }
}
