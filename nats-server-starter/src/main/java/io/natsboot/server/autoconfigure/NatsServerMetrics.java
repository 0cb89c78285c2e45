package io.natsboot.server.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.natsboot.server.NatsServer;
import io.natsboot.server.monitor.JetStreamView;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.ServerMetrics;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters read from the engine's own counters through its read API ({@link ServerMetrics}, which
 * /varz reads too; no second bookkeeping): counters only ever go up and are registered as function counters,
 * current values as gauges. Every meter has the tag
 * {@code server_id}.
 *
 * <table>
 * <caption>Meters (Prometheus names in brackets)</caption>
 * <tr><td>nats.server.connections</td><td>gauge: open client connections [nats_server_connections]</td></tr>
 * <tr><td>nats.server.connections.accepted</td><td>counter: client connections accepted
 *     [nats_server_connections_accepted_total]</td></tr>
 * <tr><td>nats.server.subscriptions</td><td>gauge: subscriptions [nats_server_subscriptions]</td></tr>
 * <tr><td>nats.server.messages</td><td>counter, tag direction=in|out [nats_server_messages_total]</td></tr>
 * <tr><td>nats.server.bytes</td><td>counter, tag direction=in|out [nats_server_bytes_total]</td></tr>
 * <tr><td>nats.server.slow.consumers</td><td>counter [nats_server_slow_consumers_total]</td></tr>
 * <tr><td>nats.server.auth.failures</td><td>counter: clients rejected by authentication
 *     [nats_server_auth_failures_total]</td></tr>
 * <tr><td>nats.server.pending</td><td>gauge: bytes queued to clients [nats_server_pending_bytes]</td></tr>
 * </table>
 *
 * <p>Route meters, only when the server is clustered ({@code natsboot.server.cluster.listen} set):
 * <table>
 * <caption>Route meters (Prometheus names in brackets)</caption>
 * <tr><td>nats.server.routes</td><td>gauge: registered routes, one per peer server [nats_server_routes]</td></tr>
 * <tr><td>nats.server.routes.messages</td><td>counter, tag direction=in|out: messages received from and sent
 *     to routes, summed over every route since start [nats_server_routes_messages_total]</td></tr>
 * <tr><td>nats.server.routes.bytes</td><td>counter, tag direction=in|out: payload bytes, likewise
 *     [nats_server_routes_bytes_total]</td></tr>
 * <tr><td>nats.server.routes.slow.consumers</td><td>counter: routes closed as slow consumers
 *     [nats_server_routes_slow_consumers_total]</td></tr>
 * <tr><td>nats.server.routes.pending</td><td>gauge: bytes queued to routes
 *     [nats_server_routes_pending_bytes]</td></tr>
 * <tr><td>nats.server.routes.pauses</td><td>counter: times a route stopped reading for 2 ms because a local
 *     receiver was behind (flow control, see clustering.md) [nats_server_routes_pauses_total]</td></tr>
 * </table>
 * The route message and byte counters are aggregates, not per route (route ids change with every
 * reconnect, so per-route series would only churn). They stay monotonic when a route closes: the engine
 * keeps a closed route's final counts.
 *
 * <p>With a {@code gateway} block, {@code nats.server.gateways} (gauge, tag direction=outbound|inbound: gateway
 * connections [nats_server_gateways]), and per remote gateway (tag gateway=its name; configured ones and those
 * learned by gossip) {@code nats.server.gateways.messages} and {@code nats.server.gateways.bytes} (counters, tag
 * direction=in|out: its outbound and inbound connections' figures of /gatewayz, closed connections included
 * [nats_server_gateways_messages_total, nats_server_gateways_bytes_total]); with a {@code leafnodes} block, {@code nats.server.leafnodes} (gauge: leaf
 * node connections [nats_server_leafnodes]).
 *
 * <p>JetStream meters, only when JetStream is enabled ({@code natsboot.server.jetstream.enabled}), read from the
 * same figures as /jsz (summed over the accounts with JetStream; 0 while the server is not running):
 * <table>
 * <caption>JetStream meters (Prometheus names in brackets)</caption>
 * <tr><td>nats.server.jetstream.streams</td><td>gauge: streams [nats_server_jetstream_streams]</td></tr>
 * <tr><td>nats.server.jetstream.consumers</td><td>gauge: consumers [nats_server_jetstream_consumers]</td></tr>
 * <tr><td>nats.server.jetstream.messages</td><td>gauge: messages stored in streams
 *     [nats_server_jetstream_messages]</td></tr>
 * <tr><td>nats.server.jetstream.bytes</td><td>gauge: bytes stored in streams [nats_server_jetstream_bytes]</td></tr>
 * <tr><td>nats.server.jetstream.storage.used</td><td>gauge, tag storage=memory|file: bytes used of each
 *     storage kind [nats_server_jetstream_storage_used_bytes]</td></tr>
 * <tr><td>nats.server.jetstream.api.requests</td><td>counter: $JS.API requests answered
 *     [nats_server_jetstream_api_requests_total]</td></tr>
 * <tr><td>nats.server.jetstream.api.errors</td><td>counter: of them, answered with an error
 *     [nats_server_jetstream_api_errors_total]</td></tr>
 * </table>
 */
public class NatsServerMetrics implements MeterBinder {
    private final ServerMetrics metrics;
    private final Iterable<Tag> tags;
    private final NatsServer server;

    public NatsServerMetrics(NatsServer server) {
        this(server, Tags.empty());
    }

    public NatsServerMetrics(NatsServer server, Iterable<Tag> tags) {
        this.server = server;
        this.metrics = server.metrics();
        this.tags = Tags.concat(tags, "server_id", metrics.serverId());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ServerMetrics m = metrics;
        Gauge.builder("nats.server.connections", m, ServerMetrics::connections)
                .description("Open client connections").baseUnit(BaseUnits.CONNECTIONS).tags(tags)
                .register(registry);
        FunctionCounter.builder("nats.server.connections.accepted", m, ServerMetrics::totalConnections)
                .description("Client connections accepted since start").tags(tags)
                .register(registry);
        Gauge.builder("nats.server.subscriptions", m, ServerMetrics::subscriptions)
                .description("Subscriptions").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.messages", m, ServerMetrics::inMsgs)
                .description("Messages received from clients").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.messages", m, ServerMetrics::outMsgs)
                .description("Messages sent to clients").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.bytes", m, ServerMetrics::inBytes)
                .description("Payload bytes received from clients").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.bytes", m, ServerMetrics::outBytes)
                .description("Payload bytes sent to clients").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.slow.consumers", m, ServerMetrics::slowConsumers)
                .description("Clients closed as slow consumers").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.auth.failures", m, ServerMetrics::authFailures)
                .description("Clients rejected by authentication").tags(tags).register(registry);
        Gauge.builder("nats.server.pending", m, ServerMetrics::pendingBytes)
                .description("Bytes queued to clients, not yet written").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);
        if (m.clustered()) {
            bindRoutes(registry, m);
        }
        if (server.options().jetstream() != null && server.options().jetstream().enabled()) {
            bindJetStream(registry, server.snapshots());
        }
        if (server.options().gateway() != null) {
            Gauge.builder("nats.server.gateways", server, x -> gateways(x, true))
                    .description("Gateway connections to remote clusters we dialled").baseUnit(BaseUnits.CONNECTIONS)
                    .tags(tags).tag("direction", "outbound").register(registry);
            Gauge.builder("nats.server.gateways", server, x -> gateways(x, false))
                    .description("Gateway connections remote clusters dialled").baseUnit(BaseUnits.CONNECTIONS)
                    .tags(tags).tag("direction", "inbound").register(registry);
            bindGatewayTraffic(registry);
        }
        if (server.options().leafnodes() != null) {
            Gauge.builder("nats.server.leafnodes", server, NatsServerMetrics::leafnodes)
                    .description("Leaf node connections, hub and spoke side").baseUnit(BaseUnits.CONNECTIONS)
                    .tags(tags).register(registry);
        }
    }

    /**
     * Traffic meters per remote gateway (tag {@code gateway}): those configured now, and each one learned by gossip
     * later as it is learned.
     */
    private void bindGatewayTraffic(MeterRegistry registry) {
        io.natsboot.server.gateway.Gateways g = server.gateways();
        if (g == null) {
            return;
        }
        g.onRemoteAdded(name -> bindGateway(registry, g, name));
        for (String name : g.remoteNames()) {
            bindGateway(registry, g, name);
        }
    }

    private void bindGateway(MeterRegistry registry, io.natsboot.server.gateway.Gateways g, String name) {
        FunctionCounter.builder("nats.server.gateways.messages", g, x -> x.traffic(name).inMsgs())
                .description("Messages received from a remote gateway").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("gateway", name).tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.gateways.messages", g, x -> x.traffic(name).outMsgs())
                .description("Messages sent to a remote gateway").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("gateway", name).tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.gateways.bytes", g, x -> x.traffic(name).inBytes())
                .description("Payload bytes received from a remote gateway").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("gateway", name).tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.gateways.bytes", g, x -> x.traffic(name).outBytes())
                .description("Payload bytes sent to a remote gateway").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("gateway", name).tag("direction", "out").register(registry);
    }

    /** Open gateway connections of one direction; 0 while the server is not running. */
    private static double gateways(NatsServer server, boolean outbound) {
        io.natsboot.server.gateway.Gateways g = server.gateways();
        return g == null ? 0 : g.connections(outbound);
    }

    /** Open leaf node connections; 0 while the server is not running. */
    private static double leafnodes(NatsServer server) {
        io.natsboot.server.leaf.LeafNodes l = server.leafNodes();
        return l == null ? 0 : l.connections().size(); // not leafs(): no views with subscription lists per scrape
    }

    /** A JetStream figure now; 0 while JetStream is not running. */
    private static double js(Monitor monitor, ToDoubleFunction<JetStreamView> figure) {
        JetStreamView v = monitor.jetStreamView();
        return v == null ? 0 : figure.applyAsDouble(v);
    }

    private void bindJetStream(MeterRegistry registry, Monitor monitor) {
        Gauge.builder("nats.server.jetstream.streams", monitor, x -> js(x, JetStreamView::streams))
                .description("JetStream streams").tags(tags).register(registry);
        Gauge.builder("nats.server.jetstream.consumers", monitor, x -> js(x, JetStreamView::consumers))
                .description("JetStream consumers").tags(tags).register(registry);
        Gauge.builder("nats.server.jetstream.messages", monitor, x -> js(x, JetStreamView::messages))
                .description("Messages stored in JetStream streams").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .register(registry);
        Gauge.builder("nats.server.jetstream.bytes", monitor, x -> js(x, JetStreamView::bytes))
                .description("Bytes stored in JetStream streams").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);
        Gauge.builder("nats.server.jetstream.storage.used", monitor, x -> js(x, JetStreamView::memory))
                .description("JetStream bytes used by storage kind").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("storage", "memory").register(registry);
        Gauge.builder("nats.server.jetstream.storage.used", monitor, x -> js(x, JetStreamView::storage))
                .description("JetStream bytes used by storage kind").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("storage", "file").register(registry);
        FunctionCounter.builder("nats.server.jetstream.api.requests", monitor, x -> js(x, JetStreamView::apiTotal))
                .description("JetStream API requests answered").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.jetstream.api.errors", monitor, x -> js(x, JetStreamView::apiErrors))
                .description("JetStream API requests answered with an error").tags(tags).register(registry);
    }

    private void bindRoutes(MeterRegistry registry, ServerMetrics m) {
        Gauge.builder("nats.server.routes", m, ServerMetrics::routes)
                .description("Registered routes").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.routes.messages", m, x -> x.routeTraffic().inMsgs())
                .description("Messages received from routes").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.routes.messages", m, x -> x.routeTraffic().outMsgs())
                .description("Messages sent to routes").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.routes.bytes", m, x -> x.routeTraffic().inBytes())
                .description("Payload bytes received from routes").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.routes.bytes", m, x -> x.routeTraffic().outBytes())
                .description("Payload bytes sent to routes").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.routes.slow.consumers", m, ServerMetrics::routeSlowConsumers)
                .description("Routes closed as slow consumers").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.routes.pauses", m, ServerMetrics::routePauses)
                .description("Times a route paused reading for a local receiver that was behind").tags(tags)
                .register(registry);
        Gauge.builder("nats.server.routes.pending", m, ServerMetrics::routePendingBytes)
                .description("Bytes queued to routes, not yet written").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);
    }
}
