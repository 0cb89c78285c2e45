package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.config.ServerOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reload that changes the gateway block is refused, as nats-server 2.9.10 refuses it (text probed with SIGHUP). */
class GatewayReloadTest {

    private static ServerOptions with(int connectRetries) {
        GatewayOptions g = new GatewayOptions("A", "127.0.0.1", 17922, null, List.of(), null, null, null, null,
                connectRetries, false);
        return ServerOptions.builder().gateway(g, 17922).build();
    }

    @Test
    void changedGatewayBlockIsRefusedWithNatsServersText() {
        assertThatThrownBy(() -> ConfigReload.diff(with(0), with(3), 4222))
                .hasMessage("config reload not supported for Gateway: old={A 127.0.0.1 17922   2 <nil> 2 false false "
                        + "map[]  0 [] false <nil> 0 <nil>}, new={A 127.0.0.1 17922   2 <nil> 2 false false map[]  3 [] "
                        + "false <nil> 0 <nil>}");
        assertThatNoException().isThrownBy(() -> ConfigReload.diff(with(0), with(0), 4222));
    }
}
