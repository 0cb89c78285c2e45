package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.awaitMesh;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.config.JetStreamOptions;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JetStream delivery to a client on another node: it crosses the route under the inbox it is routed by, with
 * the ack reply {@code <reply>@<subject>} as nats-server 2.9.10 sends it, and the other node shows it to its client
 * with the message's own subject and the plain ack reply.
 */
class JetStreamDeliveryOverRouteTest {
    @TempDir
    Path tmp;

    @Test
    void aPullFromAnotherNodeGetsTheMessagesSubjectAndAcks() throws Exception {
        try (RunningServer a = RunningServer.start(b -> b.serverName("A").clusterListen("127.0.0.1:-1")
                .clusterName("JSR").jetstream(new JetStreamOptions(true, tmp.toString(), -1, -1, null)));
             RunningServer other = ClusterTestSupport.nodeIn("JSR", "B", ClusterTestSupport.routeUrl(a))) {
            awaitMesh(a, other);
            try (Connection onA = Nats.connect(a.url()); Connection onB = Nats.connect(other.url())) {
                onA.jetStreamManagement().addStream(StreamConfiguration.builder().name("R").subjects("r.>")
                        .storageType(StorageType.Memory).build());
                for (int i = 1; i <= 2; i++) {
                    onA.jetStream().publish("r." + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
                }
                ClusterTestSupport.awaitRouteInterest(other, "$JS.API.>", 1);
                JetStreamSubscription sub = onB.jetStream().subscribe("r.>",
                        PullSubscribeOptions.builder().durable("d").build());
                List<Message> got = sub.fetch(2, Duration.ofSeconds(5));
                assertEquals(2, got.size());
                for (int i = 0; i < 2; i++) {
                    Message m = got.get(i);
                    assertEquals("r." + (i + 1), m.getSubject());
                    assertEquals("v" + (i + 1), new String(m.getData(), StandardCharsets.UTF_8));
                    assertEquals(i + 1, m.metaData().streamSequence());
                    m.ackSync(Duration.ofSeconds(5));
                }
                assertEquals(0, onA.jetStreamManagement().getConsumerInfo("R", "d").getNumAckPending());
            }
        }
    }
}
