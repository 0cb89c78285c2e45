package io.natsboot.test.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.test.EmbeddedNatsServer;
import io.natsboot.test.NatsMessages;
import io.natsboot.test.autoconfigure.AutoConfigureEmbeddedNats;
import io.natsboot.test.autoconfigure.NatsTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** The slice: the NATS client, the listener component, the embedded test server; nothing else. */
@NatsTest(properties = "spring.application.name=slice", scope = AutoConfigureEmbeddedNats.Scope.CLASS)
class NatsTestSliceTests {

    @Autowired
    ApplicationContext context;

    @Autowired
    NatsTemplate nats;

    @Autowired
    EmbeddedNatsServer server;

    @Autowired
    Connection connection;

    @Test
    void onlyTheNatsPartsAreLoaded() {
        assertThat(context.getBeanNamesForType(Greeter.class)).hasSize(1);
        assertThat(context.getBeanNamesForType(Unrelated.class)).isEmpty();
        assertThat(connection.getOptions().getConnectionName()).isEqualTo("slice");
        assertThat(connection.getConnectedUrl()).isEqualTo(server.url());
        assertThat(nats.request("greet", new TestApp.Greeting("bob"), String.class)).isEqualTo("hello bob");
    }

    @Test
    void awaitHelperOnTheApplicationsConnection() {
        try (NatsMessages replies = NatsMessages.record(connection, "audit")) {
            nats.publish("audit", "checked");
            assertThat(replies.awaitPayloads(1, Duration.ofSeconds(5))).containsExactly("checked");
        }
    }
}
