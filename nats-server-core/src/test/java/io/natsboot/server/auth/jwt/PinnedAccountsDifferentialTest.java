package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServerMainAccess;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.config.ConfigFileOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resolver_pinned_accounts} against nats-server 2.9.10 with the same trust chain: users of a pinned account
 * log in, users of another account are refused, and a key that is not an account key stops the start.
 */
@RequiresBinary("nats-server")
class PinnedAccountsDifferentialTest {

    @Test
    void onlyPinnedAccountsLogIn(@TempDir Path dir) throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account pinned = chain.account("P");
        TrustChain.Account other = chain.account("Q");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("pin.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_pinned_accounts: [\""
                + pinned.publicKey() + "\"]\nresolver_preload: {\n  " + pinned.publicKey() + ": \"" + pinned.jwt()
                + "\"\n  " + other.publicKey() + ": \"" + other.jwt() + "\"\n}\n");
        List<TrustChain.User> users = List.of(pinned.user("p"), other.user("q"));
        int port = Ports.free();
        Process ref = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref.log").toFile()).start();
        List<String> theirs;
        try {
            Ports.awaitListening(port);
            theirs = logins(port, users);
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            assertThat(logins(ours.port(), users)).isEqualTo(theirs);
            assertThat(ours.log().contains("Account " + other.publicKey() + " not listed as operator pinned account"))
                    .isTrue();
        }
        assertThat(theirs.get(0)).isEqualTo("connected");
        assertThat(theirs.get(1)).contains("Authorization Violation");
    }

    private static List<String> logins(int port, List<TrustChain.User> users) {
        List<String> out = new ArrayList<>();
        for (TrustChain.User u : users) {
            try (var c = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).maxReconnects(0)
                    .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray())).build())) {
                out.add("connected");
            } catch (Exception e) {
                out.add("refused: " + e.getMessage());
            }
        }
        return out;
    }

    @Test
    void aKeyThatIsNotAnAccountStopsTheStart(@TempDir Path dir) throws Exception {
        TrustChain chain = TrustChain.create();
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_pinned_accounts: \"X\"\n");
        Process ref = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(Ports.free())).redirectErrorStream(true).start();
        String theirs = new String(ref.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ref.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(theirs).contains("pinned account key \"X\" is not a valid public account nkey");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = NatsServerMainAccess.run(new String[] {"-c", conf.toString(), "-a", "127.0.0.1", "-p", "0"}, ps, ps);
        assertThat(exit).isEqualTo(ref.exitValue());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("pinned account key \"X\" is not a valid public "
                + "account nkey");
    }
}
