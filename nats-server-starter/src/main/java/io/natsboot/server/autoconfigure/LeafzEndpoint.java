package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Monitor;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/leafz[?subs=1]}: this server's leaf node connections, as nats-server's /leafz. */
@Endpoint(id = "leafz")
public class LeafzEndpoint {
    private final Monitor monitor;

    public LeafzEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public JsonWriter.Writable leafz(@Nullable Boolean subs) {
        monitor.countRequest("/leafz");
        return monitor.leafz(subs != null && subs);
    }
}
