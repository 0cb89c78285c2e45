package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Subscription;
import io.nats.client.support.JwtUtils;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.spring.core.NatsTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** TLS through Spring Boot SSL bundles against our server with TLS; NKey users against the reference server. */
class NatsSecurityTests {

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static NatsServer tlsServer;
    static NatsServer mutualTlsServer;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, NatsClientAutoConfiguration.class))
            .withPropertyValues("natsboot.client.connection-timeout=3s", "natsboot.client.max-reconnects=0");

    @BeforeAll
    static void servers() throws Exception {
        certs = TestCertificates.shared();
        tlsServer = tlsServer(false);
        mutualTlsServer = tlsServer(true);
    }

    private static NatsServer tlsServer(boolean verify) {
        NatsServer s = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .tls(new TlsOptions(certs.path("server-cert.pem"), certs.path("server-key.pem"),
                        verify ? certs.path("ca.pem") : null, verify, Duration.ofSeconds(2)))
                .build(), TestNatsServer.QUIET);
        s.start();
        return s;
    }

    @AfterAll
    static void stop() {
        tlsServer.shutdown();
        mutualTlsServer.shutdown();
    }

    private static String trust(String bundle) {
        return "spring.ssl.bundle.pem." + bundle + ".truststore.certificate=file:" + certs.path("ca.pem");
    }

    private static String[] clientCertificate(String bundle) {
        return new String[] {"spring.ssl.bundle.pem." + bundle + ".keystore.certificate=file:" + certs.path("client-cert.pem"),
                "spring.ssl.bundle.pem." + bundle + ".keystore.private-key=file:" + certs.path("client-key.pem")};
    }

    @Test
    void tlsWithTheTrustOfAnSslBundle() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port(), trust("nats"),
                "natsboot.client.ssl.bundle=nats").run(ctx -> {
            Connection nc = ctx.getBean(Connection.class);
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(nc.getServerInfo().isTLSRequired()).isTrue();
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            nc.createDispatcher(m -> t.publish(m.getReplyTo(), "re:" + new String(m.getData(), StandardCharsets.UTF_8)))
                    .subscribe("tls.echo");
            nc.flush(Duration.ofSeconds(2));
            assertThat(t.request("tls.echo", "secret", String.class)).isEqualTo("re:secret");
        });
    }

    @Test
    void withoutTheBundleTheServersCertificateIsNotTrusted() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port())
                .run(ctx -> assertThat(ctx).hasFailed());
    }

    @Test
    void aBundleThatDoesNotExistFailsTheStartup() {
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port(),
                "natsboot.client.ssl.bundle=missing").run(ctx -> assertThat(ctx).hasFailed().getFailure()
                        .rootCause().isInstanceOf(NoSuchSslBundleException.class).hasMessageContaining("missing"));
    }

    @Test
    void mutualTlsWithTheBundlesClientCertificate() {
        String servers = "natsboot.client.servers=nats://127.0.0.1:" + mutualTlsServer.port();
        runner.withPropertyValues(servers, trust("mtls"), "natsboot.client.ssl.bundle=mtls")
                .withPropertyValues(clientCertificate("mtls")).run(ctx -> {
            Connection nc = ctx.getBean(Connection.class);
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(nc.getServerInfo().isTLSRequired()).isTrue();
        });
        runner.withPropertyValues(servers, trust("notmine"), "natsboot.client.ssl.bundle=notmine")
                .run(ctx -> assertThat(ctx).hasFailed());
    }

    // ---- NKey and credentials: our server has no NKey users yet, the reference nats-server does.

    @Test
    void nkeySeedAndSeedFileAgainstTheReferenceServer() throws Exception {
        NKey user = NKey.createUser(null);
        String seed = new String(user.getSeed());
        String conf = "authorization { users = [ { nkey: " + new String(user.getPublicKey()) + " } ] }\n";
        try (ReferenceNatsServer ref = ReferenceNatsServer.start(conf)) {
            runner.withPropertyValues(ref.serversProperty(), "natsboot.client.nkey-seed=" + seed).run(ctx -> {
                Connection nc = ctx.getBean(Connection.class);
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
                Subscription sub = nc.subscribe("nkey.test");
                ctx.getBean(NatsTemplate.class).publish("nkey.test", "hi");
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            });
            Path seedFile = Files.writeString(ref.dir().resolve("user.nk"), seed + "\n");
            runner.withPropertyValues(ref.serversProperty(), "natsboot.client.nkey-seed-file=" + seedFile)
                    .run(ctx -> assertThat(ctx.getBean(Connection.class).getStatus())
                            .isEqualTo(Connection.Status.CONNECTED));
            // Another user's seed is refused by the server; so is no seed.
            runner.withPropertyValues(ref.serversProperty(),
                    "natsboot.client.nkey-seed=" + new String(NKey.createUser(null).getSeed()))
                    .run(ctx -> assertThat(ctx).hasFailed());
            runner.withPropertyValues(ref.serversProperty()).run(ctx -> assertThat(ctx).hasFailed());
        }
    }

    @Test
    void credentialsFileAgainstTheReferenceServerInOperatorMode() throws Exception {
        NKey operator = NKey.createOperator(null);
        NKey account = NKey.createAccount(null);
        NKey user = NKey.createUser(null);
        String operatorPub = new String(operator.getPublicKey());
        String accountPub = new String(account.getPublicKey());
        long now = JwtUtils.currentTimeSeconds();
        String operatorJwt = JwtUtils.issueJWT(operator, operatorPub, "test-operator", null, now, operatorPub,
                () -> "{\"type\":\"operator\",\"version\":2}");
        String accountJwt = JwtUtils.issueJWT(operator, accountPub, "test-account", null, now, operatorPub,
                () -> "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                        + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1},\"type\":\"account\",\"version\":2}");
        String userJwt = JwtUtils.issueUserJWT(account, accountPub, new String(user.getPublicKey()), "test-user");
        Path work = Files.createTempDirectory(dir, "operator");
        Path operatorFile = Files.writeString(work.resolve("operator.jwt"), operatorJwt);
        String conf = "operator: \"" + operatorFile + "\"\nresolver: MEMORY\n"
                + "resolver_preload: { " + accountPub + ": \"" + accountJwt + "\" }\n";
        Path creds = Files.writeString(work.resolve("user.creds"),
                String.format(JwtUtils.NATS_USER_JWT_FORMAT, userJwt, new String(user.getSeed())));
        try (ReferenceNatsServer ref = ReferenceNatsServer.start(conf)) {
            runner.withPropertyValues(ref.serversProperty(), "natsboot.client.credentials-file=" + creds).run(ctx -> {
                Connection nc = ctx.getBean(Connection.class);
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
                Subscription sub = nc.subscribe("creds.test");
                ctx.getBean(NatsTemplate.class).publish("creds.test", "hi");
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            });
            // The bare NKey of the same user has no JWT: operator mode refuses it.
            runner.withPropertyValues(ref.serversProperty(), "natsboot.client.nkey-seed=" + new String(user.getSeed()))
                    .run(ctx -> assertThat(ctx).hasFailed());
        }
    }

    @Test
    void credentialsResourceAgainstNatsBootInOperatorMode() throws Exception {
        io.natsboot.server.support.TrustChain chain = io.natsboot.server.support.TrustChain.create();
        io.natsboot.server.support.TrustChain.Account account = chain.account("APP");
        Path work = Files.createTempDirectory(dir, "operator-ours");
        Path op = Files.writeString(work.resolve("op.jwt"), chain.operatorJwt());
        Path conf = Files.writeString(work.resolve("server.conf"), "operator: \"" + op + "\"\nresolver: MEMORY\n"
                + "resolver_preload: { " + account.publicKey() + ": \"" + account.jwt() + "\" }\n");
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        assertThat(io.natsboot.server.config.ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        NatsServer server = new NatsServer(b.build(), new io.natsboot.server.support.CapturingLog());
        server.start();
        try {
            Path creds = account.user("app-user").writeCreds(work);
            String servers = "natsboot.client.servers=nats://127.0.0.1:" + server.port();
            runner.withPropertyValues(servers, "natsboot.client.credentials=file:" + creds).run(ctx -> {
                Connection nc = ctx.getBean(Connection.class);
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
                Subscription sub = nc.subscribe("creds.resource");
                ctx.getBean(NatsTemplate.class).publish("creds.resource", "hi");
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            });
            // no credentials: operator mode refuses the connection; a missing resource fails clearly
            runner.withPropertyValues(servers).run(ctx -> assertThat(ctx).hasFailed());
            runner.withPropertyValues(servers, "natsboot.client.credentials=file:" + work.resolve("missing.creds"))
                    .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                            .hasMessageContaining("is not readable"));
        } finally {
            server.shutdown();
        }
    }

    @Test
    void conflictingOrMalformedCredentialsFailClearly() throws Exception {
        String seed = new String(NKey.createUser(null).getSeed());
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port(),
                "natsboot.client.nkey-seed=" + seed, "natsboot.client.credentials-file=/nonexistent.creds")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("only one of natsboot.client.credentials"));
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port(),
                "natsboot.client.nkey-seed=" + new String(NKey.createAccount(null).getSeed()))
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("user seed"));
        runner.withPropertyValues("natsboot.client.servers=nats://127.0.0.1:" + tlsServer.port(),
                "natsboot.client.credentials-file=/nonexistent.creds")
                .run(ctx -> assertThat(ctx).hasFailed().getFailure().rootCause().hasMessageContaining("not readable"));
    }
}
