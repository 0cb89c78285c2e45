package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.natsboot.server.NatsServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** natsboot.server.jetstream.*: an embedded JetStream server from properties alone, and off by default. */
class NatsServerJetStreamTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    @TempDir
    Path dir;

    @Test
    void onePropertyTurnsJetStreamOn() {
        runner.withPropertyValues("natsboot.server.jetstream.enabled=true",
                "natsboot.server.jetstream.store-dir=" + dir, "natsboot.server.jetstream.max-file-store=64MB")
                .run(ctx -> {
                    NatsServer server = ctx.getBean(NatsServer.class);
                    assertThat(server.options().jetstream().maxStore()).isEqualTo(64L * 1024 * 1024);
                    try (Connection nc = Nats.connect("nats://127.0.0.1:" + server.port())) {
                        assertThat(nc.getServerInfo().isJetStreamAvailable()).isTrue();
                        nc.keyValueManagement().create(KeyValueConfiguration.builder().name("cfg").build());
                        KeyValue kv = nc.keyValue("cfg");
                        kv.put("a", "1");
                        assertThat(kv.get("a").getValueAsString()).isEqualTo("1");
                    }
                    assertThat(dir).isNotEmptyDirectory();
                });
    }

    @Test
    void encryptionAtRestFromProperties() {
        runner.withPropertyValues("natsboot.server.jetstream.enabled=true", "natsboot.server.jetstream.store-dir=" + dir,
                "natsboot.server.jetstream.encryption-key=s3cr3t", "natsboot.server.jetstream.cipher=aes")
                .run(ctx -> {
                    NatsServer server = ctx.getBean(NatsServer.class);
                    assertThat(server.options().jetstream().key()).isEqualTo("s3cr3t");
                    assertThat(server.options().jetstream().cipher()).isEqualTo("aes");
                    try (Connection nc = Nats.connect("nats://127.0.0.1:" + server.port())) {
                        nc.keyValueManagement().create(KeyValueConfiguration.builder().name("secret").build());
                        nc.keyValue("secret").put("a", "top-secret-value");
                        assertThat(nc.keyValue("secret").get("a").getValueAsString()).isEqualTo("top-secret-value");
                    }
                    assertThat(java.nio.file.Files.exists(dir.resolve("jetstream").resolve("$G").resolve("streams")
                            .resolve("KV_secret").resolve("key.enc"))).isTrue();
                });
        runner.withPropertyValues("natsboot.server.jetstream.enabled=true", "natsboot.server.jetstream.cipher=rot13")
                .run(ctx -> assertThat(ctx).hasFailed());
    }

    @Test
    void offByDefault() {
        runner.run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            assertThat(server.options().jetstream().enabled()).isFalse();
            try (Connection nc = Nats.connect("nats://127.0.0.1:" + server.port())) {
                assertThat(nc.getServerInfo().isJetStreamAvailable()).isFalse();
            }
        });
    }
}
