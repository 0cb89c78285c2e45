package io.natsboot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.client.autoconfigure.NatsConnectionDetails;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.test.EmbeddedNatsServer;
import io.natsboot.test.autoconfigure.app.TestApp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/** A full application test: the client goes to the test's server, whatever the properties say. */
@SpringBootTest(classes = TestApp.class, properties = "natsboot.client.servers=nats://127.0.0.1:1")
@AutoConfigureEmbeddedNats
class AutoConfigureEmbeddedNatsTests {

    @Autowired
    EmbeddedNatsServer server;

    @Autowired
    Connection connection;

    @Autowired
    NatsConnectionDetails details;

    @Autowired
    NatsTemplate nats;

    @Value("${" + AutoConfigureEmbeddedNats.URL_PROPERTY + "}")
    String url;

    @Test
    void theClientIsConnectedToTheTestServer() {
        assertThat(server.isRunning()).isTrue();
        assertThat(url).isEqualTo(server.url());
        assertThat(details.getServers()).containsExactly(server.url());
        assertThat(connection.getConnectedUrl()).isEqualTo(server.url());
        assertThat(nats.request("greet", new TestApp.Greeting("ada"), String.class)).isEqualTo("hello ada");
    }
}
