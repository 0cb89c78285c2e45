package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.awaitMesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lame duck in a cluster (reference §3.11): clients are sent to the other nodes, peers stop advertising us. */
class ClusterLameDuckTest {

    private static RunningServer node(String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("LDM")
                .lameDuckGracePeriod(Duration.ofSeconds(10)).lameDuckDuration(Duration.ofSeconds(20))
                .routes(List.of(routes)));
    }

    /** Reads lines until an INFO arrives; returns it. */
    private static String nextInfo(RawClient c) throws Exception {
        while (true) {
            String line = c.readLine();
            assertThat(line).as("connection closed before an INFO").isNotNull();
            if (line.startsWith("INFO ")) {
                return line;
            }
        }
    }

    @Test
    void lameDuckNodeSendsClientsToTheOthersAndPeersDropIt() throws Exception {
        try (RunningServer a = node("A"); RunningServer b = node("B", ClusterTestSupport.routeUrl(a))) {
            awaitMesh(a, b);
            ClusterTestSupport.await("B advertises A", Duration.ofSeconds(5),
                    () -> b.server().context().connectUrls().contains("127.0.0.1:" + a.port()));
            try (RawClient onA = new RawClient(a.port()); RawClient onB = new RawClient(b.port())) {
                for (RawClient c : new RawClient[] {onA, onB}) {
                    c.readInfo();
                    c.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
                    assertThat(c.readLine()).isEqualTo("PONG\r\n");
                }
                a.server().enterLameDuckMode();
                String toA = nextInfo(onA);
                assertThat(toA).contains("\"ldm\":true")
                        .contains("\"connect_urls\":[\"127.0.0.1:" + b.port() + "\"]");
                String toB = nextInfo(onB);
                assertThat(toB).doesNotContain("ldm")
                        .contains("\"connect_urls\":[\"127.0.0.1:" + b.port() + "\"]");
            }
        }
    }
}
