package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The walkthrough of docs/security.md, as written there (jnats only), run against nats-server and ours. */
class OperatorWalkthroughTest {

    @Test
    void walkthroughKeysWorkOnBothServers() throws Exception {
        // --- as in docs/security.md ---
        NKey operator = NKey.createOperator(null), opSigner = NKey.createOperator(null);
        NKey account = NKey.createAccount(null), user = NKey.createUser(null);
        String op = new String(operator.getPublicKey()), acc = new String(account.getPublicKey());
        String signer = new String(opSigner.getPublicKey());
        JsonSerializable opNats = () -> "{\"signing_keys\":[\"" + signer + "\"],\"type\":\"operator\",\"version\":2}";
        String operatorJwt = JwtUtils.issueJWT(operator, op, "my-operator", null, JwtUtils.currentTimeSeconds(), op, opNats);
        JsonSerializable accNats = () -> "{\"limits\":{\"conn\":-1,\"subs\":-1,\"payload\":-1,\"data\":-1,"
                + "\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"leaf\":-1},\"type\":\"account\",\"version\":2}";
        String accountJwt = JwtUtils.issueJWT(opSigner, acc, "app", null, JwtUtils.currentTimeSeconds(), signer,
                accNats);
        String userJwt = JwtUtils.issueUserJWT(account, acc, new String(user.getPublicKey()), "alice");
        String creds = String.format(JwtUtils.NATS_USER_JWT_FORMAT, userJwt, new String(user.getSeed()));
        // ---
        Path dir = Files.createTempDirectory("walkthrough");
        Files.writeString(dir.resolve("op.jwt"), operatorJwt);
        Path credsFile = dir.resolve("alice.creds");
        Files.writeString(credsFile, creds);
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, "operator: \"" + dir.resolve("op.jwt") + "\"\nresolver: MEMORY\nresolver_preload: {\n  "
                + acc + ": \"" + accountJwt + "\"\n}\n");
        int refPort = Ports.free();
        Process ref = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            Ports.awaitListening(refPort);
            for (int port : new int[] {refPort, ours.port()}) {
                try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                        .authHandler(Nats.credentials(credsFile.toString())).maxReconnects(0).build())) {
                    assertThat(nc.RTT()).isLessThan(Duration.ofSeconds(2));
                }
            }
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
