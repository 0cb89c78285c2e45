package io.natsboot.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Route reads cut anywhere: a fake peer sends RMSG/HMSG/RS+/PING in small pieces, waiting for the server's read
 * after every third one, so the server sees reads ending inside lines, sizes, payloads and CRLFs; every message
 * must arrive once, whole, in order.
 */
class RouteReadSplitTest {

    @Test
    void messagesCutAtEveryKindOfBoundaryArriveWhole() throws Exception {
        try (RunningServer s = ClusterTestSupport.node("S");
             Connection sub = Nats.connect(s.url());
             RawClient peer = new RawClient(s.server().cluster().port())) {
            Subscription subscription = sub.subscribe("cut.>");
            sub.flush(Duration.ofSeconds(2));
            peer.readLine();
            peer.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
                    + "\"headers\":true,\"name\":\"NCUT\",\"cluster\":\"TEST\"}\r\nINFO {\"server_id\":\"NCUT\","
                    + "\"server_name\":\"cut\",\"proto\":2,\"host\":\"127.0.0.1\",\"port\":1,\"headers\":true,"
                    + "\"cluster\":\"TEST\"}\r\n");
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            Random random = new Random(42);
            int count = 300;
            for (int i = 0; i < count; i++) {
                String payload = "m" + i + ":" + "x".repeat(random.nextInt(3000));
                String frame = i % 7 == 3
                        ? "HMSG $G cut." + i + " 18 " + (18 + payload.length()) + "\r\nNATS/1.0\r\nX: y\r\n\r\n" + payload
                                + "\r\n"
                        : "RMSG $G cut." + i + (i % 5 == 0 ? " reply." + i : "") + " " + payload.length() + "\r\n"
                                + payload + "\r\n";
                stream.write(frame.getBytes(StandardCharsets.UTF_8));
                if (i % 50 == 0) {
                    stream.write("PING\r\nRS+ $G other.subject\r\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            stream.write("RMSG $G cut.end 3\r\nend\r\n".getBytes(StandardCharsets.UTF_8)); // a marker after them
            byte[] all = stream.toByteArray();
            ClusterTestSupport.await("the peer's route", Duration.ofSeconds(10),
                    () -> s.server().cluster().openRoutes().size() == 1);
            RouteConnection route = s.server().cluster().openRoutes().iterator().next();
            int at = 0;
            int pieces = 0;
            while (at < all.length) {
                int n = Math.min(all.length - at, random.nextInt(4) == 0 ? 1 + random.nextInt(7) : 1 + random.nextInt(9000));
                byte[] piece = new byte[n];
                System.arraycopy(all, at, piece, 0, n);
                boolean third = ++pieces % 3 == 0;
                java.time.Instant before = route.lastActivity();
                peer.sendBytes(piece);
                at += n;
                if (third) {
                    // the server has read since this piece went out, so a read ends where the piece ends: inside a
                    // line, a size, a payload or a CRLF
                    ClusterTestSupport.await("a read after piece " + pieces, Duration.ofSeconds(10),
                            () -> route.lastActivity().isAfter(before));
                }
            }
            for (int i = 0; i < count; i++) {
                Message m = subscription.nextMessage(Duration.ofSeconds(5));
                assertThat(m).as("message %d", i).isNotNull();
                assertThat(m.getSubject()).isEqualTo("cut." + i);
                String data = new String(m.getData(), StandardCharsets.UTF_8);
                assertThat(data).startsWith("m" + i + ":");
                if (i % 5 == 0 && i % 7 != 3) {
                    assertThat(m.getReplyTo()).isEqualTo("reply." + i);
                }
                if (i % 7 == 3) {
                    assertThat(m.getHeaders().getFirst("X")).isEqualTo("y");
                }
            }
            Message end = subscription.nextMessage(Duration.ofSeconds(5));
            assertThat(end).as("the marker sent after them").isNotNull();
            assertThat(end.getSubject()).as("nothing more before the marker").isEqualTo("cut.end");
            assertThat(ClusterTestSupport.routes(s)).isEqualTo(1);
            assertThat(ClusterTestSupport.routeInterest(s, "other.subject")).isEqualTo(1);
        }
    }
}
