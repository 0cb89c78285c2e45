package io.natsboot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith}: one server for the class, reached through parameters, also in {@code @BeforeAll}. */
@ExtendWith(NatsServerExtension.class)
class ExtendWithNatsServerTests {

    static String urlBeforeAll;
    static final java.util.List<Connection> used = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void server(EmbeddedNatsServer server) {
        urlBeforeAll = server.url();
    }

    @AfterAll
    static void parameterConnectionsAreClosedAfterTheirTest() {
        assertThat(used).hasSize(2).allSatisfy(nc -> assertThat(nc.getStatus()).isEqualTo(Connection.Status.CLOSED));
    }

    @Test
    void theSameServerInEveryMethod(EmbeddedNatsServer server, Connection nc) throws Exception {
        assertThat(server.url()).isEqualTo(urlBeforeAll);
        nc.createDispatcher(m -> nc.publish(m.getReplyTo(), ("echo " + new String(m.getData(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8))).subscribe("echo");
        nc.flush(Duration.ofSeconds(2));
        Message reply = nc.request("echo", "hi".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
        assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("echo hi");
    }

    @Test
    void connectionParametersAreSeparate(Connection first, Connection second) {
        used.add(first);
        used.add(second);
        assertThat(first).isNotSameAs(second);
        assertThat(first.getConnectedUrl()).isEqualTo(urlBeforeAll).isEqualTo(second.getConnectedUrl());
    }
}
