package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServer;
import io.natsboot.server.support.TrustChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** natsboot.server.operator.*: the embedded server in operator mode from properties alone. */
class NatsServerOperatorModeTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    @TempDir
    Path dir;

    @Test
    void memoryResolverWithPreloadFromProperties() throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account sys = chain.account("SYS");
        TrustChain.Account app = chain.account("APP");
        Path op = Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        Path creds = app.user("app").writeCreds(dir);
        runner.withPropertyValues("natsboot.server.operator.jwt=file:" + op,
                "natsboot.server.operator.system-account=" + sys.publicKey(),
                "natsboot.server.operator.preload." + sys.publicKey() + "=" + sys.jwt(),
                "natsboot.server.operator.preload." + app.publicKey() + "=" + app.jwt()).run(ctx -> {
                    NatsServer server = ctx.getBean(NatsServer.class);
                    assertThat(server.context().operatorMode()).isNotNull();
                    Options o = new Options.Builder().server("nats://127.0.0.1:" + server.port())
                            .authHandler(Nats.credentials(creds.toString())).maxReconnects(0).build();
                    try (Connection nc = Nats.connect(o)) {
                        assertThat(nc.RTT()).isLessThan(Duration.ofSeconds(2));
                    }
                    // without credentials: refused
                    Options none = new Options.Builder().server("nats://127.0.0.1:" + server.port())
                            .maxReconnects(0).build();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Nats.connect(none))
                            .hasMessageContaining("Authorization Violation");
                });
    }

    @Test
    void fullResolverNeedsTheSystemAccount() throws Exception {
        TrustChain chain = TrustChain.create();
        Path op = Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        runner.withPropertyValues("natsboot.server.operator.jwt=file:" + op, "natsboot.server.operator.resolver=full",
                "natsboot.server.operator.resolver-dir=" + dir.resolve("jwt"))
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining(
                        "the system account needs to be specified"));
    }
}
