package io.natsboot.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension with JetStream: file streams and Key-Value on a server storing in a temporary directory. */
class JetStreamExtensionTests {

    @RegisterExtension
    static final NatsServerExtension nats = NatsServerExtension.withJetStream();

    @Test
    void streamsAndKeyValueWorkOnTheTestServer(Connection nc) throws Exception {
        nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                .storageType(StorageType.File).build());
        JetStream js = nc.jetStream();
        PublishAck ack = js.publish("orders.placed", "o-1".getBytes(StandardCharsets.UTF_8));
        assertThat(ack.getStream()).isEqualTo("ORDERS");
        assertThat(ack.getSeqno()).isEqualTo(1);

        nc.keyValueManagement().create(KeyValueConfiguration.builder().name("prefs").build());
        KeyValue kv = nc.keyValue("prefs");
        kv.put("theme", "dark");
        assertThat(kv.get("theme").getValueAsString()).isEqualTo("dark");
    }

    @Test
    void theStoreDirectoryIsGoneWhenTheServerStops() throws Exception {
        EmbeddedNatsServer own = EmbeddedNatsServer.startWithJetStream();
        Path dir;
        try (Connection nc = own.connect()) {
            nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("T").subjects("t").build());
            nc.jetStream().publish("t", new byte[] {1});
            dir = Path.of(own.server().options().jetstream().storeDir());
            assertThat(dir).isDirectory();
        } finally {
            own.close();
        }
        assertThat(Files.exists(dir)).isFalse();
    }
}
