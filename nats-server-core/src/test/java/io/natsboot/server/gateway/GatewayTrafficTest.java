package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitInbound;
import static io.natsboot.server.gateway.GatewayTestSupport.gateways;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-remote-gateway traffic: the messages and bytes exchanged with each remote cluster, summed over its outbound
 * and inbound connections as /gatewayz shows them, and kept when a connection closes.
 */
class GatewayTrafficTest {

    private static long outMsgs(RunningServer s, String remote) {
        long n = 0;
        GatewayView out = gateways(s).outboundViews().get(remote);
        if (out != null) {
            n += out.outMsgs();
        }
        for (GatewayView in : gateways(s).inboundViews().getOrDefault(remote, List.of())) {
            n += in.outMsgs();
        }
        return n;
    }

    @Test
    void countsPerRemoteGatewayAsGatewayzAndKeepsThemOverReconnects() throws Exception {
        int gwA = GatewayTestSupport.port();
        int gwB = GatewayTestSupport.port();
        RunningServer b = GatewayTestSupport.node("B1", "B", gwB, "A=nats://127.0.0.1:" + gwA);
        try (RunningServer a = GatewayTestSupport.node("A1", "A", gwA, "B=nats://127.0.0.1:" + gwB)) {
            awaitConnected(a, "B");
            awaitInbound(a, "B");
            awaitConnected(b, "A");
            try (Connection onA = GatewayTestSupport.connect(a.url()); Connection onB = GatewayTestSupport.connect(b.url())) {
                Subscription sub = onB.subscribe("metered.x");
                onB.flush(Duration.ofSeconds(2));
                io.natsboot.server.support.Waits.upTo("B's interest reached A", Duration.ofSeconds(10)).until(() -> {
                    onA.publish("metered.x", new byte[10]);
                    onA.flush(Duration.ofSeconds(1));
                    return sub.nextMessage(Duration.ofMillis(100)) != null;
                });
                while (sub.nextMessage(Duration.ofMillis(200)) != null) {
                    // late probes
                }
                GatewayTraffic before = gateways(a).traffic("B");
                GatewayTraffic beforeB = gateways(b).traffic("A");
                for (int i = 0; i < 100; i++) {
                    onA.publish("metered.x", new byte[10]);
                }
                onA.flush(Duration.ofSeconds(2));
                for (int i = 0; i < 100; i++) {
                    Message m = sub.nextMessage(Duration.ofSeconds(2));
                    assertThat(m).isNotNull();
                }
                GatewayTraffic after = gateways(a).traffic("B");
                assertThat(after.outMsgs() - before.outMsgs()).isEqualTo(100);
                assertThat(after.outBytes() - before.outBytes()).isEqualTo(1000);
                assertThat(after.outMsgs()).isEqualTo(outMsgs(a, "B"));
                GatewayTraffic afterB = gateways(b).traffic("A");
                assertThat(afterB.inMsgs() - beforeB.inMsgs()).isEqualTo(100);
                assertThat(afterB.inBytes() - beforeB.inBytes()).isEqualTo(1000);
                assertThat(gateways(a).traffic("nope")).isEqualTo(new GatewayTraffic(0, 0, 0, 0));
            }
            // B goes away: A's figures for B stay (counters never go down)
            GatewayTraffic last = gateways(a).traffic("B");
            b.close();
            GatewayTestSupport.await("A lost B", () -> gateways(a).connections(true) == 0
                    && gateways(a).connections(false) == 0);
            GatewayTraffic kept = gateways(a).traffic("B");
            assertThat(kept.outMsgs()).isGreaterThanOrEqualTo(last.outMsgs());
            assertThat(kept.outBytes()).isGreaterThanOrEqualTo(last.outBytes());
            assertThat(kept.inMsgs()).isGreaterThanOrEqualTo(last.inMsgs());
            assertThat(gateways(a).remoteNames()).contains("B");
        } finally {
            b.close();
        }
    }
}
