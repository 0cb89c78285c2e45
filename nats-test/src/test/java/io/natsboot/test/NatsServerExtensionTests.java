package io.natsboot.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension and the message helper, as a plain Java user (no Spring) uses them. */
class NatsServerExtensionTests {

    @RegisterExtension
    static final NatsServerExtension nats = new NatsServerExtension();

    @Test
    void oneServerForTheClassWithConnectionParameters(EmbeddedNatsServer server, Connection nc) throws Exception {
        assertThat(server).isSameAs(nats.server());
        assertThat(server.isRunning()).isTrue();
        assertThat(nats.url()).isEqualTo("nats://127.0.0.1:" + nats.port());
        assertThat(nc.getConnectedUrl()).isEqualTo(nats.url());

        try (NatsMessages received = NatsMessages.record(nc, "orders.>")) {
            nc.publish("orders.placed", "o-1".getBytes(StandardCharsets.UTF_8));
            nc.publish("orders.paid", "o-1".getBytes(StandardCharsets.UTF_8));
            assertThat(received.awaitPayloads(2, Duration.ofSeconds(5))).containsExactly("o-1", "o-1");
            assertThat(received.awaitFirst(m -> m.getSubject().equals("orders.paid"), Duration.ofSeconds(5))
                    .getSubject()).isEqualTo("orders.paid");
        }
    }

    @Test
    void awaitingFailsWithWhatDidArrive(Connection nc) {
        try (NatsMessages received = NatsMessages.record(nc, "quiet")) {
            nc.publish("quiet", "only one".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> received.await(2, Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("at least 2 message(s) on 'quiet'").hasMessageContaining("only one");
        }
    }

    @Nested
    class PerTest {
        @RegisterExtension
        final NatsServerExtension own = new NatsServerExtension();

        @Test
        void anInstanceFieldGivesEveryTestItsOwnServer() throws Exception {
            assertThat(own.server()).isNotSameAs(nats.server());
            assertThat(own.port()).isNotEqualTo(nats.port());
            try (Connection nc = own.server().connect()) {
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
        }
    }

    @Test
    void startTimeIsRecordedAndCloseReleasesThePort() {
        EmbeddedNatsServer server = EmbeddedNatsServer.start(o -> o.serverName("custom"));
        assertThat(server.startTime()).isPositive();
        assertThat(server.server().options().serverName()).isEqualTo("custom");
        server.close();
        assertThat(server.isRunning()).isFalse();
    }
}
