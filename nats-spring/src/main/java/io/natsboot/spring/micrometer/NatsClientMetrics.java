package io.natsboot.spring.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.nats.client.Connection;
import io.nats.client.Statistics;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters from the jnats connection's {@link Statistics} ({@code nats.client.*}), tagged with the
 * connection name, plus the messages dropped by {@link ReactiveNatsTemplate} subscriptions when there is one.
 */
public class NatsClientMetrics implements MeterBinder {

    private final Connection connection;
    private final ReactiveNatsTemplate reactive;
    private final Iterable<Tag> tags;

    public NatsClientMetrics(Connection connection, ReactiveNatsTemplate reactive) {
        this(connection, reactive, Tags.empty());
    }

    public NatsClientMetrics(Connection connection, ReactiveNatsTemplate reactive, Iterable<Tag> tags) {
        this.connection = connection;
        this.reactive = reactive;
        String name = connection.getOptions().getConnectionName();
        this.tags = Tags.concat(tags, "connection", name == null || name.isEmpty() ? "default" : name);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "nats.client.messages.in", "messages", "Messages received", Statistics::getInMsgs);
        counter(registry, "nats.client.messages.out", "messages", "Messages sent", Statistics::getOutMsgs);
        counter(registry, "nats.client.bytes.in", "bytes", "Payload bytes received", Statistics::getInBytes);
        counter(registry, "nats.client.bytes.out", "bytes", "Payload bytes sent", Statistics::getOutBytes);
        counter(registry, "nats.client.reconnects", null, "Reconnects", Statistics::getReconnects);
        counter(registry, "nats.client.messages.dropped", "messages",
                "Messages dropped by the client because a subscription's pending limit was reached",
                Statistics::getDroppedCount);
        counter(registry, "nats.client.requests", null, "Requests sent", Statistics::getRequestsSent);
        counter(registry, "nats.client.replies", null, "Replies received", Statistics::getRepliesReceived);
        counter(registry, "nats.client.pings", null, "Pings sent", Statistics::getPings);
        counter(registry, "nats.client.errors", null, "-ERR received from the server", Statistics::getErrs);
        counter(registry, "nats.client.exceptions", null, "Exceptions handled by the client",
                Statistics::getExceptions);
        Gauge.builder("nats.client.requests.outstanding", connection,
                        c -> c.getStatistics().getOutstandingRequests())
                .description("Requests waiting for a reply").tags(tags).register(registry);
        Gauge.builder("nats.client.connected", connection,
                        c -> c.getStatus() == Connection.Status.CONNECTED ? 1 : 0)
                .description("1 while the connection is connected, else 0").tags(tags).register(registry);
        if (reactive != null) {
            FunctionCounter.builder("nats.client.reactive.dropped", reactive, ReactiveNatsTemplate::getDroppedCount)
                    .baseUnit("messages").description("Messages dropped by slow Flux subscribers (DROP policy)")
                    .tags(tags).register(registry);
        }
    }

    private void counter(MeterRegistry registry, String name, String unit, String description,
            ToLongFunction<Statistics> value) {
        FunctionCounter.builder(name, connection, c -> value.applyAsLong(c.getStatistics()))
                .baseUnit(unit).description(description).tags(tags).register(registry);
    }
}
