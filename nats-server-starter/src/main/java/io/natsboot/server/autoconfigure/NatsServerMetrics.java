package io.natsboot.server.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.natsboot.server.NatsServer;
import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.cluster.RouteConnection;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters read from the engine's own counters (no second bookkeeping): counters only ever go
 * up and are registered as function counters, current values as gauges. Every meter has the tag
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
 * reconnect, so per-route series would only churn). They stay monotonic when a route closes: a closed
 * route's final counts are kept. Only a route that opens and closes between two reads of the meter is
 * missed.
 */
public class NatsServerMetrics implements MeterBinder {
    private final NatsServer server;
    private final Iterable<Tag> tags;
    /** Held here: Micrometer keeps function meters' objects weakly. Null when not clustered. */
    private final RouteTotals routeTotals;

    public NatsServerMetrics(NatsServer server) {
        this(server, Tags.empty());
    }

    public NatsServerMetrics(NatsServer server, Iterable<Tag> tags) {
        this.server = server;
        this.tags = Tags.concat(tags, "server_id", server.context().serverId());
        // The cluster itself exists only once the server started: its meters read it when they are read.
        this.routeTotals = server.context().options().cluster() == null ? null : new RouteTotals(server.context());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ServerContext c = server.context();
        Gauge.builder("nats.server.connections", c, ServerContext::clientCount)
                .description("Open client connections").baseUnit(BaseUnits.CONNECTIONS).tags(tags)
                .register(registry);
        FunctionCounter.builder("nats.server.connections.accepted", c, x -> x.totalConnections.get())
                .description("Client connections accepted since start").tags(tags)
                .register(registry);
        Gauge.builder("nats.server.subscriptions", c, x -> x.trie().count())
                .description("Subscriptions").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.messages", c, x -> x.inMsgs.sum())
                .description("Messages received from clients").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.messages", c, x -> x.outMsgs.sum())
                .description("Messages sent to clients").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.bytes", c, x -> x.inBytes.sum())
                .description("Payload bytes received from clients").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.bytes", c, x -> x.outBytes.sum())
                .description("Payload bytes sent to clients").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.slow.consumers", c, x -> x.slowConsumers.sum())
                .description("Clients closed as slow consumers").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.auth.failures", c, x -> x.authFailures.sum())
                .description("Clients rejected by authentication").tags(tags).register(registry);
        Gauge.builder("nats.server.pending", c, NatsServerMetrics::pendingBytes)
                .description("Bytes queued to clients, not yet written").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);
        if (routeTotals != null) {
            bindRoutes(registry, routeTotals);
        }
    }

    private void bindRoutes(MeterRegistry registry, RouteTotals totals) {
        ServerContext c = server.context();
        Gauge.builder("nats.server.routes", c, x -> registered(x).size())
                .description("Registered routes").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.routes.messages", totals, t -> t.sum(RouteTotals.IN_MSGS))
                .description("Messages received from routes").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.routes.messages", totals, t -> t.sum(RouteTotals.OUT_MSGS))
                .description("Messages sent to routes").baseUnit(BaseUnits.MESSAGES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.routes.bytes", totals, t -> t.sum(RouteTotals.IN_BYTES))
                .description("Payload bytes received from routes").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "in").register(registry);
        FunctionCounter.builder("nats.server.routes.bytes", totals, t -> t.sum(RouteTotals.OUT_BYTES))
                .description("Payload bytes sent to routes").baseUnit(BaseUnits.BYTES).tags(tags)
                .tag("direction", "out").register(registry);
        FunctionCounter.builder("nats.server.routes.slow.consumers", c, x -> {
                    Cluster cluster = x.cluster();
                    return cluster == null ? 0 : cluster.slowConsumerRoutes.sum();
                })
                .description("Routes closed as slow consumers").tags(tags).register(registry);
        FunctionCounter.builder("nats.server.routes.pauses", c, x -> {
                    Cluster cluster = x.cluster();
                    return cluster == null ? 0 : cluster.routePressurePauses.sum();
                })
                .description("Times a route paused reading for a local receiver that was behind").tags(tags)
                .register(registry);
        Gauge.builder("nats.server.routes.pending", c, NatsServerMetrics::routePendingBytes)
                .description("Bytes queued to routes, not yet written").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);
    }

    /** The registered routes; none before the server started. */
    private static List<RouteConnection> registered(ServerContext c) {
        Cluster cluster = c.cluster();
        return cluster == null ? List.of() : cluster.registered();
    }

    private static double routePendingBytes(ServerContext c) {
        long sum = 0;
        for (RouteConnection r : registered(c)) {
            sum += r.pendingBytes();
        }
        return sum;
    }

    /**
     * Route counters summed over every route since start. The engine counts per route connection and
     * forgets a route when it closes; this keeps each route seen while registered, and when it is gone adds
     * its final counts (its counters no longer move once closed) to a total of departed routes.
     */
    static final class RouteTotals {
        static final int IN_MSGS = 0;
        static final int OUT_MSGS = 1;
        static final int IN_BYTES = 2;
        static final int OUT_BYTES = 3;
        /** The route counters, by the indexes above. */
        private static final List<ToLongFunction<RouteConnection>> COUNTERS = List.of(
                RouteConnection::inMsgs, RouteConnection::outMsgs, RouteConnection::inBytes,
                RouteConnection::outBytes);

        private final ServerContext server;
        /** Routes registered at the last read (identity: a reconnect is a new connection). */
        private final Map<RouteConnection, Boolean> seen = new IdentityHashMap<>();
        /** Final counts of routes that closed, by counter index. */
        private final long[] departed = new long[COUNTERS.size()];

        RouteTotals(ServerContext server) {
            this.server = server;
        }

        synchronized double sum(int index) {
            ToLongFunction<RouteConnection> counter = COUNTERS.get(index);
            List<RouteConnection> now = registered(server);
            Map<RouteConnection, Boolean> current = new IdentityHashMap<>();
            for (RouteConnection r : now) {
                current.put(r, Boolean.TRUE);
            }
            for (RouteConnection gone : seen.keySet()) {
                if (!current.containsKey(gone)) {
                    for (int i = 0; i < departed.length; i++) {
                        departed[i] += COUNTERS.get(i).applyAsLong(gone);
                    }
                }
            }
            seen.clear();
            seen.putAll(current);
            long total = departed[index];
            for (RouteConnection r : now) {
                total += counter.applyAsLong(r);
            }
            return total;
        }
    }

    private static double pendingBytes(ServerContext c) {
        long sum = 0;
        for (ClientConnection cc : c.clients()) {
            sum += cc.pendingBytes();
        }
        return sum;
    }
}
