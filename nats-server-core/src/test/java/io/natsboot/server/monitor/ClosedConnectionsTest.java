package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClosedConnectionsTest {

    private static ClosedConnections.Entry entry(long cid) {
        Instant t = Instant.EPOCH;
        ConnInfo ci = new ConnInfo(cid, "Client", "nats", "127.0.0.1", 1, t, t, t, "Client Closed", "0s", "0s", "0s",
                0, 0, 0, 0, 0, 0, null, null, null, null, null, null, null);
        return new ClosedConnections.Entry(ci, List.of(), null, "$G");
    }

    @Test
    void keepsTheLastEntriesOldestFirst() {
        ClosedConnections ring = new ClosedConnections(3);
        assertThat(ring.snapshot()).isEmpty();
        ring.add(entry(1));
        ring.add(entry(2));
        assertThat(ring.snapshot()).extracting(e -> e.info().cid()).containsExactly(1L, 2L);
        ring.add(entry(3));
        ring.add(entry(4));
        ring.add(entry(5));
        assertThat(ring.snapshot()).extracting(e -> e.info().cid()).containsExactly(3L, 4L, 5L);
        assertThat(ring.size()).isEqualTo(3);
    }

    @Test
    void defaultCapacityIsNatsServers() {
        assertThat(new ClosedConnections().capacity()).isEqualTo(10_000);
    }
}
