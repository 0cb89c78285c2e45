package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitInbound;
import static io.natsboot.server.gateway.GatewayTestSupport.gateways;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gateway authorization and reject_unknown_cluster with nats-server 2.9.10 nodes dialling ours. */
@RequiresBinary("nats-server")
class GatewayAuthTest {

    @Test
    void credentialsInTheUrlAreCheckedAndUnknownClustersRejected() throws Exception {
        int ourGw = GatewayTestSupport.port();
        GatewayOptions g = new GatewayOptions("A", "127.0.0.1", ourGw, null, List.of(), "gw", "s3cret", null, null, 0,
                false);
        try (RunningServer a = RunningServer.start(b -> b.serverName("A1").gateway(g, ourGw));
             GoGatewayNode good = GoGatewayNode.start("B1", "B", 0,
                     List.of("A=nats://gw:s3cret@127.0.0.1:" + ourGw), 0, List.of());
             GoGatewayNode bad = GoGatewayNode.start("C1", "C", 0,
                     List.of("A=nats://gw:wrong@127.0.0.1:" + ourGw), 0, List.of())) {
            awaitConnected(good, "A");
            awaitInbound(a, "B");
            await("the wrong password refused", () -> a.log().contains("[ERR] ")
                    && a.log().lines().stream().anyMatch(l -> l.contains("authentication error - User \"gw\"")));
            assertThat(gateways(a).inboundViews()).doesNotContainKey("C");
            await("nats-server told why", () -> {
                try {
                    return bad.log().contains("Authorization Violation");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void rejectUnknownClusterRefusesGatewaysNotConfigured() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        GatewayOptions g = new GatewayOptions("A", "127.0.0.1", ourGw, null, List.of(new GatewayOptions.Remote("B",
                List.of(java.net.URI.create("nats://127.0.0.1:" + goGw)), null)), null, null, null, null, 0, true);
        try (RunningServer a = RunningServer.start(b -> b.serverName("A1").gateway(g, ourGw));
             GoGatewayNode known = GoGatewayNode.start("B1", "B", goGw, List.of("A=nats://127.0.0.1:" + ourGw), 0,
                     List.of());
             GoGatewayNode unknown = GoGatewayNode.start("C1", "C", 0, List.of("A=nats://127.0.0.1:" + ourGw), 0,
                     List.of())) {
            awaitConnected(a, "B");
            awaitInbound(a, "B");
            await("C rejected", () -> a.log().contains("Rejecting connection from gateway \"C\""));
            await("nats-server C told", () -> {
                try {
                    return unknown.log().contains("Connection to gateway \\\"A\\\" rejected")
                            || unknown.log().contains("Connection to gateway \"A\" rejected");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(gateways(a).inboundViews()).doesNotContainKey("C");
        }
    }
}
