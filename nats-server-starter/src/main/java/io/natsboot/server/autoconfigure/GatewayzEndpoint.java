package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Monitor;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/gatewayz[?accs=true&gw_name=..&acc_name=..]}: the gateway connections (superclusters), as
 * nats-server's /gatewayz; two empty maps without a gateway block.
 */
@Endpoint(id = "gatewayz")
public class GatewayzEndpoint {
    private final Monitor monitor;

    public GatewayzEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public JsonWriter.Writable gatewayz(@Nullable Boolean accs, @Nullable String gw_name, @Nullable String acc_name) {
        monitor.countRequest("/gatewayz");
        return monitor.gatewayz(Boolean.TRUE.equals(accs), gw_name, acc_name);
    }
}
