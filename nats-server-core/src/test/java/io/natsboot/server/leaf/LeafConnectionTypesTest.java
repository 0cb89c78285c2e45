package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A leaf node logging in with one of the hub's own users is held to that user's {@code allowed_connection_types}
 * (LEAFNODE), on our hub as on a nats-server 2.9.10 hub: refused with the log line naming the user.
 */
@RequiresBinary("nats-server")
class LeafConnectionTypesTest {
    private static final String USERS = "authorization { users: [ {user: std, password: p, allowed_connection_types:"
            + " STANDARD}, {user: lf, password: p, allowed_connection_types: [\"LEAFNODE\"]} ] }\n";

    private static RunningServer ours(String conf) throws Exception {
        Path f = Files.createTempFile("leaf-types", ".conf");
        Files.writeString(f, conf);
        return RunningServer.start(b -> {
            try {
                ConfigFileOptions.Outcome o = ConfigFileOptions.load(f.toString(), b);
                if (!o.ok()) {
                    throw new IllegalStateException(o.message());
                }
                return b.host("127.0.0.1").port(0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String remote(String user, int port) {
        return "leafnodes { remotes: [ { url: \"nats-leaf://" + user + ":p@127.0.0.1:" + port + "\" } ] }";
    }

    @Test
    void ourHubTakesOnlyLeafUsersAllowedToConnectAsLeafs() throws Exception {
        try (RunningServer hub = ours(USERS + "leafnodes { listen: \"127.0.0.1:-1\" }")) {
            int port = hub.server().leafNodes().port();
            try (GoLeafNode refused = GoLeafNode.start("STD", remote("std", port))) {
                Waits.upTo("the refusal on both ends", Duration.ofSeconds(10)).until(() ->
                        hub.log().lines().stream().anyMatch(l -> l.startsWith("[ERR] ")
                                && l.endsWith(" - authentication error - User \"std\""))
                                && refused.log().contains("Authorization Violation"));
                assertEquals(0, hub.server().leafNodes().connections().size());
            }
            try (GoLeafNode accepted = GoLeafNode.start("LF", remote("lf", port))) {
                awaitLeafs(hub, 1);
                awaitLeafs(accepted, 1);
            }
        }
    }

    @Test
    void natsServerHubDoesTheSame() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", USERS + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }")) {
            try (GoLeafNode refused = GoLeafNode.start("STD", remote("std", hub.leafPort))) {
                Waits.upTo("the refusal on both ends", Duration.ofSeconds(10)).until(() ->
                        hub.log().contains(" - authentication error - User \"std\"")
                                && refused.log().contains("Authorization Violation"));
                assertEquals(0, hub.leafs());
            }
            try (GoLeafNode accepted = GoLeafNode.start("LF", remote("lf", hub.leafPort))) {
                awaitLeafs(hub, 1);
                awaitLeafs(accepted, 1);
            }
        }
    }

    private static final String LIMITED = "accounts { A: { users: [{user: a, password: p}], limits: {max_leafs: 1} } }\n";

    @Test
    void accountMaxLeafnodesRefusesTheNextLeafOnOurHub() throws Exception {
        try (RunningServer hub = ours(LIMITED + "leafnodes { listen: \"127.0.0.1:-1\" }")) {
            int port = hub.server().leafNodes().port();
            try (GoLeafNode first = GoLeafNode.start("L1", remote("a", port))) {
                awaitLeafs(hub, 1);
                try (GoLeafNode second = GoLeafNode.start("L2", remote("a", port))) {
                    Waits.upTo("the refusal on both ends", Duration.ofSeconds(10)).until(() ->
                            hub.log().contains("Leafnode connection closed: Maximum Account Connections Exceeded")
                                    && hub.log().lines().stream().anyMatch(l -> l.startsWith("[ERR] ")
                                            && l.endsWith(" - maximum account active connections exceeded"))
                                    && second.log().contains("Leafnode Error 'maximum account active connections exceeded'"));
                    assertEquals(1, hub.server().leafNodes().connections().size());
                }
            }
            try (GoLeafNode again = GoLeafNode.start("L3", remote("a", port))) { // the slot is free again
                awaitLeafs(hub, 1);
                awaitLeafs(again, 1);
            }
        }
    }

    @Test
    void accountMaxLeafnodesRefusesTheNextLeafOnANatsServerHub() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", LIMITED + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }")) {
            try (GoLeafNode first = GoLeafNode.start("L1", remote("a", hub.leafPort))) {
                awaitLeafs(hub, 1);
                try (GoLeafNode second = GoLeafNode.start("L2", remote("a", hub.leafPort))) {
                    Waits.upTo("the refusal on both ends", Duration.ofSeconds(10)).until(() ->
                            hub.log().contains("Leafnode connection closed: Maximum Account Connections Exceeded")
                                    && hub.log().contains(" - maximum account active connections exceeded")
                                    && second.log().contains("Leafnode Error 'maximum account active connections exceeded'"));
                }
            }
        }
    }
}
