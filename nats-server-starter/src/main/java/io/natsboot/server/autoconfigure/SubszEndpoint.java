package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.Subsz;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/subsz[?subs=1&offset=&limit=&acc=&test=subject]}: as nats-server's /subsz. */
@Endpoint(id = "subsz")
public class SubszEndpoint {
    private final Monitor monitor;

    public SubszEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public Subsz subsz(@Nullable Boolean subs, @Nullable Long offset, @Nullable Long limit, @Nullable String acc,
            @Nullable String test) {
        monitor.countRequest("/subsz");
        return NatsEndpoints.snapshot(() -> monitor.subsz(NatsEndpoints.subszOptions(subs, offset, limit, acc, test)));
    }
}
