package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.monitor.Varz;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/varz}: the server's general information and counters, as nats-server's /varz. */
@Endpoint(id = "varz")
public class VarzEndpoint {
    private final Monitor monitor;

    public VarzEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public Varz varz() {
        monitor.countRequest("/varz");
        return monitor.varz();
    }
}
