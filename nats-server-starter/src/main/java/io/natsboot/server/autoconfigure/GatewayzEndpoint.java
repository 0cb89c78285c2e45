package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Monitor;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/gatewayz[?accs=1&gwName=B&accName=A]}: this server's gateway (supercluster) connections, as
 * nats-server's /gatewayz with {@code accs}, {@code gw_name} and {@code acc_name}; without a {@code gateway}
 * block nats-server's answer with empty connection maps.
 */
@Endpoint(id = "gatewayz")
public class GatewayzEndpoint {
    private final Monitor monitor;

    public GatewayzEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public JsonWriter.Writable gatewayz(@Nullable Boolean accs, @Nullable String gwName, @Nullable String accName) {
        monitor.countRequest("/gatewayz");
        return monitor.gatewayz(accs != null && accs, gwName, accName);
    }
}
