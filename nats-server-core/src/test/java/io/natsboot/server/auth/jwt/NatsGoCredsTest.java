package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * nats.go (Debian's golang-github-nats-io-go-nats-dev) with .creds files against nats-server 2.9.10 and ours: a
 * valid user, a revoked one, one outside its source networks, and one whose JWT expires while connected; the
 * client prints what it saw and both servers must make it print the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsGoCredsTest {
    private static final Path GO_CLIENT = Path.of("src/test/go/credsclient/main.go");
    private final TrustChain chain = TrustChain.create();
    private TrustChain.Account a;
    private Path dir;
    private Path client;
    private Process reference;
    private int refPort;
    private RunningServer ours;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("natsgo");
        client = io.natsboot.server.support.GoPrograms.build(GO_CLIENT, dir, "credsclient");
        a = chain.account("A");
        TrustChain.User revoked = a.user("revoked");
        revoked.issuedAt = System.currentTimeMillis() / 1000 - 10;
        a.nats.put("revocations", Map.of(revoked.publicKey(), System.currentTimeMillis() / 1000 - 5));
        revoked.writeCreds(dir);
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {\n  " + a.publicKey()
                + ": \"" + a.jwt() + "\"\n}\n");
        refPort = Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String run(int port, Path creds, Duration wait) throws Exception {
        Process p = new ProcessBuilder(client.toString(), "-url", "nats://127.0.0.1:" + port, "-creds",
                creds.toString(), "-wait", wait.toMillis() + "ms").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private void same(Path creds, Duration wait, String expected) throws Exception {
        String theirs = run(refPort, creds, wait);
        assertThat(theirs).as("nats-server").isEqualTo(expected);
        assertThat(run(ours.port(), creds, wait)).as("NATS Boot").isEqualTo(theirs);
    }

    @Test
    void validUser() throws Exception {
        same(a.user("good").writeCreds(dir), Duration.ZERO, "round trip ok\n");
    }

    @Test
    void revokedUser() throws Exception {
        same(dir.resolve("revoked.creds"), Duration.ZERO, "connect error: nats: Authorization Violation\n");
    }

    @Test
    void userOutsideItsSourceNetworks() throws Exception {
        same(a.user("far", n -> n.put("src", List.of("10.1.0.0/16"))).writeCreds(dir), Duration.ZERO,
                "connect error: nats: Authorization Violation\n");
    }

    @Test
    void userWhoseJwtExpiresWhileConnected() throws Exception {
        // a fresh JWT for each server: each client gets the same three seconds
        String theirs = run(refPort, a.user("brief", n -> {
        }, Duration.ofSeconds(3)).writeCreds(dir), Duration.ofSeconds(6));
        assertThat(theirs).startsWith("round trip ok\nasync error: nats: authentication expired\nclosed: ");
        String mine = run(ours.port(), a.user("brief", n -> {
        }, Duration.ofSeconds(3)).writeCreds(dir), Duration.ofSeconds(6));
        assertThat(mine).isEqualTo(theirs);
    }
}
