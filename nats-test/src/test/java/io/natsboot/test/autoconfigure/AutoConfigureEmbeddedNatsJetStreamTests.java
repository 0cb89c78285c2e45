package io.natsboot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.natsboot.test.EmbeddedNatsServer;
import io.natsboot.test.autoconfigure.app.TestApp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** {@code jetStream = true}: the application's connection reaches a test server with JetStream. */
@SpringBootTest(classes = TestApp.class)
@AutoConfigureEmbeddedNats(jetStream = true)
class AutoConfigureEmbeddedNatsJetStreamTests {

    @Autowired
    EmbeddedNatsServer server;

    @Autowired
    Connection connection;

    @Test
    void theTestServerHasJetStream() throws Exception {
        assertThat(connection.getServerInfo().isJetStreamAvailable()).isTrue();
        connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("EVENTS")
                .subjects("events.>").build());
        connection.jetStream().publish("events.one", "1".getBytes(StandardCharsets.UTF_8));
        StreamInfo info = connection.jetStreamManagement().getStreamInfo("EVENTS");
        assertThat(info.getStreamState().getMsgCount()).isEqualTo(1);
        assertThat(server.server().options().jetstream().enabled()).isTrue();
    }
}
