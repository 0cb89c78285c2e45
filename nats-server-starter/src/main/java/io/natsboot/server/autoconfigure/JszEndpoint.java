package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.JetStreamView;
import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Monitor;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/jsz}: JetStream's configuration and usage, as nats-server's /jsz, with its query parameters
 * ({@code accounts, streams, consumers, config, acc, offset, limit}, and {@code leaderOnly} for /jsz's
 * {@code leader-only}); with JetStream off nats-server's {@code "disabled": true} answer.
 */
@Endpoint(id = "jsz")
public class JszEndpoint {
    private final Monitor monitor;

    public JszEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public JsonWriter.Writable jsz(@Nullable Boolean accounts, @Nullable Boolean streams, @Nullable Boolean consumers,
            @Nullable Boolean config, @Nullable String acc, @Nullable Integer offset, @Nullable Integer limit,
            @Nullable Boolean leaderOnly) {
        JetStreamView.JszOptions o = new JetStreamView.JszOptions(acc, on(accounts), on(streams), on(consumers),
                on(config), on(leaderOnly), offset == null ? 0 : offset, limit == null ? 0 : limit);
        monitor.countRequest("/jsz");
        return NatsEndpoints.snapshot(() -> monitor.jsz(o));
    }

    private static boolean on(@Nullable Boolean b) {
        return b != null && b;
    }
}
