package io.natsboot.server.autoconfigure;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.natsboot.server.NatsServer;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;

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
 */
public class NatsServerMetrics implements MeterBinder {
    private final NatsServer server;
    private final Iterable<Tag> tags;

    public NatsServerMetrics(NatsServer server) {
        this(server, Tags.empty());
    }

    public NatsServerMetrics(NatsServer server, Iterable<Tag> tags) {
        this.server = server;
        this.tags = Tags.concat(tags, "server_id", server.context().serverId());
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
    }

    private static double pendingBytes(ServerContext c) {
        long sum = 0;
        for (ClientConnection cc : c.clients()) {
            sum += cc.pendingBytes();
        }
        return sum;
    }
}
