package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.Routez;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/routez[?subs=1|detail]}: the cluster routes, as nats-server's /routez. */
@Endpoint(id = "routez")
public class RoutezEndpoint {
    private final Monitor monitor;

    public RoutezEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public Routez routez(@Nullable String subs) {
        boolean[] s = NatsEndpoints.subs(subs);
        monitor.countRequest("/routez");
        return monitor.routez(s[0], s[1]);
    }
}
