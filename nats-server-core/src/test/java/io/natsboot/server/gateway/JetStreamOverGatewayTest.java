package io.natsboot.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.config.JetStreamOptions;
import io.natsboot.server.support.RunningServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client in another cluster pulls from a stream through the gateway: the deliveries cross it under the request's
 * inbox with the ack reply {@code <reply>@<subject>} (nats-server's form) and the receiving cluster shows the
 * message's own subject; the acks find their way back.
 */
class JetStreamOverGatewayTest {
    @TempDir
    Path tmp;

    private static RunningServer node(String name, int port, int remotePort, String remote, JetStreamOptions js) {
        GatewayOptions g = new GatewayOptions(name, "127.0.0.1", port, null, List.of(new GatewayOptions.Remote(remote,
                List.of(URI.create("nats://127.0.0.1:" + remotePort)), null)), null, null, null, null, 0, false);
        return RunningServer.start(b -> b.serverName(name + "1").gateway(g, port).jetstream(js));
    }

    @Test
    void aPullFromTheOtherClusterGetsTheMessagesSubjectAndAcks() throws Exception {
        int ga = GatewayTestSupport.port();
        int gb = GatewayTestSupport.port();
        try (RunningServer a = node("A", ga, gb, "B", new JetStreamOptions(true, tmp.toString(), -1, -1, null));
             RunningServer b = node("B", gb, ga, "A", JetStreamOptions.OFF)) {
            GatewayTestSupport.awaitConnected(a, "B");
            GatewayTestSupport.awaitConnected(b, "A");
            GatewayTestSupport.awaitInbound(a, "B");
            GatewayTestSupport.awaitInbound(b, "A");
            try (Connection onA = Nats.connect(a.url()); Connection onB = Nats.connect(b.url())) {
                onA.jetStreamManagement().addStream(StreamConfiguration.builder().name("G").subjects("g.>")
                        .storageType(StorageType.Memory).build());
                for (int i = 1; i <= 2; i++) {
                    onA.jetStream().publish("g." + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
                }
                JetStreamSubscription sub = onB.jetStream().subscribe("g.>",
                        PullSubscribeOptions.builder().durable("d").build());
                List<Message> got = sub.fetch(2, Duration.ofSeconds(5));
                assertEquals(2, got.size());
                for (int i = 0; i < 2; i++) {
                    Message m = got.get(i);
                    assertEquals("g." + (i + 1), m.getSubject());
                    assertEquals(i + 1, m.metaData().streamSequence());
                    m.ackSync(Duration.ofSeconds(5));
                }
                assertEquals(0, onA.jetStreamManagement().getConsumerInfo("G", "d").getNumAckPending());
            }
        }
    }
}
