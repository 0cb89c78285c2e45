package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafExchange.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leaf nodes between NATS Boot and the real nats-server 2.9.10, both ways: subscriptions propagate, messages,
 * request/reply and queue groups cross the link.
 */
@RequiresBinary("nats-server")
class LeafNodeMixedTest {

    static RunningServer leafTo(String url, String account) {
        return RunningServer.start(b -> b.serverName("LEAF").leafnodes(
                LeafNodeOptions.remotes(List.of(LeafNodeOptions.Remote.of(URI.create(url), account)))));
    }

    static void awaitLeafs(RunningServer s, int n) {
        Waits.upTo(n + " leaf connection(s) on ours", Duration.ofSeconds(10))
                .until(() -> s.server().leafNodes().connections().size() == n);
    }

    static void awaitLeafs(GoLeafNode g, int n) {
        Waits.upTo(n + " leaf connection(s) on nats-server", Duration.ofSeconds(10)).until(() -> g.leafs() == n);
    }

    @Test
    void oursAsLeafOfNatsServerHub() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = leafTo(hub.leafUrl(), null);
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "to.hub");
            LeafExchange.oneWay(onHub, onLeaf, "to.leaf");
            LeafExchange.requestReply(onLeaf, onHub, "svc.on.hub");
            LeafExchange.requestReply(onHub, onLeaf, "svc.on.leaf");
            LeafExchange.queueGroup(onLeaf, onHub, onLeaf, "work.a");
            LeafExchange.queueGroup(onHub, onLeaf, onHub, "work.b");
            assertTrue(leaf.log().contains("Leafnode connection created for account: $G"), String.join("\n", leaf.log().lines()));
        }
    }

    @Test
    void natsServerAsLeafOfOurHub() throws Exception {
        try (RunningServer hub = RunningServer.start(b -> b.serverName("HUB")
                .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                     + hub.server().leafNodes().port() + "\" } ] }");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "to.hub");
            LeafExchange.oneWay(onHub, onLeaf, "to.leaf");
            LeafExchange.requestReply(onLeaf, onHub, "svc.on.hub");
            LeafExchange.requestReply(onHub, onLeaf, "svc.on.leaf");
            LeafExchange.queueGroup(onLeaf, onHub, onLeaf, "work.a");
            assertEquals(1, hub.server().leafNodes().connections().size());
        }
    }

    @Test
    void oursLeafReconnectsAfterTheNatsServerHubRestarts() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = leafTo(hub.leafUrl(), null);
             Connection onLeaf = connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            hub.stop();
            awaitLeafs(leaf, 0);
            hub.restart();
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            try (Connection onHub = connect(hub.url())) {
                LeafExchange.oneWay(onHub, onLeaf, "after.restart.down");
                LeafExchange.oneWay(onLeaf, onHub, "after.restart.up");
            }
        }
    }

    @Test
    void natsServerLeafReconnectsAfterOurHubRestarts() throws Exception {
        int leafPort = GoLeafNode.freePort();
        RunningServer hub = RunningServer.start(b -> b.serverName("HUB")
                .leafnodes(LeafNodeOptions.listen("127.0.0.1", leafPort)));
        try (GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                + leafPort + "\" } ] }"); Connection onLeaf = connect(leaf.url())) {
            awaitLeafs(leaf, 1);
            hub.close();
            awaitLeafs(leaf, 0);
            hub = RunningServer.start(b -> b.serverName("HUB").leafnodes(LeafNodeOptions.listen("127.0.0.1", leafPort)));
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            try (Connection onHub = connect(hub.url())) {
                LeafExchange.oneWay(onHub, onLeaf, "after.restart.down");
                LeafExchange.oneWay(onLeaf, onHub, "after.restart.up");
            }
        } finally {
            hub.close();
        }
    }

    @Test
    void aRemoteThatIsDownIsReportedAsNatsServerReportsIt() throws Exception {
        int closed = GoLeafNode.freePort();
        String line = "Error trying to connect as leafnode to remote server \"127.0.0.1:" + closed
                + "\" (attempt 1): dial tcp 127.0.0.1:" + closed + ": connect: connection refused";
        try (GoLeafNode go = GoLeafNode.start("GOLEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                + closed + "\" } ] }");
             RunningServer ours = leafTo("nats-leaf://127.0.0.1:" + closed, null)) {
            Waits.upTo("the dial error", Duration.ofSeconds(5)).until(() -> go.log().contains(line)
                    && ours.log().contains(line));
        }
    }
}
