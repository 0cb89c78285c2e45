package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code default_js_domain} mapping an account to the empty domain (nats-server 2.9.10's backwards compatibility
 * for setups without domains): the leaf connection of that account does not deny the plain JetStream API, so a client
 * of a leaf without JetStream reaches the hub's JetStream with {@code $JS.API.>}, as through nats-server as the
 * leaf. Without the option the API stays on each side (no answer). The hub is nats-server 2.9.10 with the same
 * option for the account.
 */
@RequiresBinary("nats-server")
class LeafDefaultJsDomainTest {
    @TempDir
    Path dir;

    private GoLeafNode hub() throws Exception {
        return GoLeafNode.start("HUB", "jetstream { store_dir: \"" + dir.resolve("hub-js") + "\" }\n"
                + "accounts { A { users: [ {user: a, password: a} ], jetstream: enabled } }\n"
                + "default_js_domain: { A: \"\" }\n"
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\", authorization { users: [ {user: l, password: l,"
                + " account: A} ] } }");
    }

    private static String spokeConf(GoLeafNode hub, boolean defaultDomain) {
        return "accounts { A { users: [ {user: a, password: a} ] } }\n"
                + (defaultDomain ? "default_js_domain: { A: \"\" }\n" : "")
                + "leafnodes { remotes: [ { url: \"nats-leaf://l:l@127.0.0.1:" + hub.leafPort + "\", account: A } ] }\n";
    }

    private RunningServer ours(String conf) throws Exception {
        Path file = dir.resolve("spoke.conf");
        Files.writeString(file, "server_name: SPOKE\n" + conf);
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(file.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
    }

    private static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo("a", "a").connectionTimeout(Duration.ofSeconds(3))
                .maxReconnects(-1).build());
    }

    /** The answer to $JS.API.INFO from a client of the spoke, waited for; null when none comes. */
    private static String jetStreamInfo(Connection c, Duration within) {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            try {
                Message m = c.request("$JS.API.INFO", new byte[0], Duration.ofMillis(500));
                if (m != null && m.getData() != null && m.getData().length > 0) {
                    return new String(m.getData(), StandardCharsets.UTF_8);
                }
            } catch (Exception e) {
                // no responders yet: the hub's interest has not crossed (or never will)
            }
        }
        return null;
    }

    @Test
    void theEmptyDefaultDomainLetsTheLeafReachTheHubsJetStreamAsNatsServerDoes() throws Exception {
        try (GoLeafNode hub = hub()) {
            String theirs;
            try (GoLeafNode spoke = GoLeafNode.start("SPOKE", spokeConf(hub, true)); Connection c = connect(spoke.url())) {
                LeafNodeMixedTest.awaitLeafs(spoke, 1);
                theirs = jetStreamInfo(c, Duration.ofSeconds(5));
                assertThat(spoke.log()).contains("Skipping deny \"$JS.API.>\" for account \"A\" due to default domain");
            }
            assertThat(theirs).as("nats-server as the leaf").contains("io.nats.jetstream.api.v1.account_info_response");
            LeafNodeMixedTest.awaitLeafs(hub, 0);
            try (RunningServer spoke = ours(spokeConf(hub, true)); Connection c = connect(spoke.url())) {
                LeafNodeMixedTest.awaitLeafs(spoke, 1);
                String mine = jetStreamInfo(c, Duration.ofSeconds(5));
                assertThat(mine).as("ours as the leaf").contains("io.nats.jetstream.api.v1.account_info_response");
                Waits.upTo("our log line", Duration.ofSeconds(5)).until(() -> spoke.log().lines().stream().anyMatch(
                        l -> l.contains("Skipping deny \"$JS.API.>\" for account \"A\" due to default domain")));
                assertThat(spoke.log().lines()).noneMatch(l -> l.contains("JetStream Not Extended"));
            }
        }
    }

    @Test
    void withoutTheOptionTheApiStaysOnEachSide() throws Exception {
        try (GoLeafNode hub = hub(); RunningServer spoke = ours(spokeConf(hub, false)); Connection c = connect(spoke.url())) {
            LeafNodeMixedTest.awaitLeafs(spoke, 1);
            assertThat(jetStreamInfo(c, Duration.ofSeconds(2))).isNull();
            assertThat(spoke.log().lines()).anyMatch(l -> l.contains("JetStream Not Extended, adding deny"));
        }
    }
}
