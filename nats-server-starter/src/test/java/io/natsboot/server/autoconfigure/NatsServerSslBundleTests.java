package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.TestCertificates;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code natsboot.server.ssl.*}: the embedded server's client TLS from a Spring Boot SSL bundle, as
 * {@code server.ssl.bundle} for the web server; checked with jnats over real TLS.
 */
class NatsServerSslBundleTests {
    static TestCertificates certs;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, NatsServerAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0");

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.shared();
    }

    private static String[] serverBundle() {
        return new String[] {"spring.ssl.bundle.pem.nats.keystore.certificate=file:" + certs.path("server-cert.pem"),
            "spring.ssl.bundle.pem.nats.keystore.private-key=file:" + certs.path("server-key.pem"),
            "spring.ssl.bundle.pem.nats.truststore.certificate=file:" + certs.path("ca.pem"),
            "natsboot.server.ssl.bundle=nats"};
    }

    private static Connection connect(NatsServer server, boolean withCert, boolean tlsFirst) throws Exception {
        Options.Builder o = new Options.Builder().server("tls://127.0.0.1:" + server.port())
                .sslContext(certs.clientContext(withCert)).connectionTimeout(Duration.ofSeconds(3)).noReconnect();
        if (tlsFirst) {
            o.tlsFirst();
        }
        return Nats.connect(o.build());
    }

    @Test
    void bundleServesTls() {
        runner.withPropertyValues(serverBundle()).run(ctx -> {
            ServerOptions options = ctx.getBean(ServerOptions.class);
            assertThat(options.tls()).isNotNull();
            assertThat(options.tls().verify()).isFalse();
            NatsServer server = ctx.getBean(NatsServer.class);
            server.start();
            try (Connection nc = connect(server, false, false)) {
                nc.publish("over.tls", new byte[0]);
                nc.flush(Duration.ofSeconds(2));
                assertThat(nc.getConnectedUrl()).startsWith("tls://");
            } finally {
                server.shutdown();
            }
        });
    }

    @Test
    void clientAuthNeedRequiresACertificateFromTheTrustStore() {
        runner.withPropertyValues(serverBundle()).withPropertyValues("natsboot.server.ssl.client-auth=need",
                "natsboot.server.ssl.handshake-first=true").run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            server.start();
            try {
                assertThat(ctx.getBean(ServerOptions.class).tls().handshakeFirst()).isTrue();
                try (Connection nc = connect(server, true, true)) {
                    nc.flush(Duration.ofSeconds(2));
                }
                assertThatThrownBy(() -> connect(server, false, true)).isInstanceOf(Exception.class);
            } finally {
                server.shutdown();
            }
        });
    }

    @Test
    void verifyAndMapNamesTheUserByTheCertificate() {
        runner.withPropertyValues(serverBundle()).withPropertyValues("natsboot.server.ssl.verify-and-map=true")
                .withBean(NatsServerCustomizer.class, () -> b -> b.users(java.util.List.of(
                        new io.natsboot.server.auth.User("CN=client", null, null))))
                .run(ctx -> {
                    ServerOptions options = ctx.getBean(ServerOptions.class);
                    assertThat(options.tls().map()).isTrue();
                    assertThat(options.tls().verify()).as("verify-and-map needs client certificates").isTrue();
                    NatsServer server = ctx.getBean(NatsServer.class);
                    server.start();
                    try (Connection nc = connect(server, true, false)) {
                        nc.flush(Duration.ofSeconds(2));
                        assertThat(server.context().clients()).extracting(c -> c.user()).containsExactly("CN=client");
                    } finally {
                        server.shutdown();
                    }
                });
    }

    @Test
    void unknownBundleFailsStartUp() {
        runner.withPropertyValues("natsboot.server.ssl.bundle=missing").run(ctx ->
                assertThat(ctx).getFailure().rootCause().hasMessageContaining("missing"));
    }
}
