package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leaf nodes between two NATS Boot servers: propagation, queue groups, a hub restart, loop detection. */
class LeafNodeTest {

    private static RunningServer hub(int leafPort) {
        return RunningServer.start(b -> b.serverName("HUB").leafnodes(LeafNodeOptions.listen("127.0.0.1", leafPort)));
    }

    @Test
    void oursToOurs() throws Exception {
        try (RunningServer hub = hub(0);
             RunningServer leaf = LeafNodeMixedTest.leafTo("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port(),
                     null);
             Connection onHub = LeafExchange.connect(hub.url()); Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "to.hub");
            LeafExchange.oneWay(onHub, onLeaf, "to.leaf");
            LeafExchange.requestReply(onLeaf, onHub, "svc.on.hub");
            LeafExchange.requestReply(onHub, onLeaf, "svc.on.leaf");
            LeafExchange.queueGroup(onLeaf, onHub, onLeaf, "work.a");
            LeafExchange.queueGroup(onHub, onLeaf, onHub, "work.b");
            LeafConnection atHub = hub.server().leafNodes().connections().get(0);
            LeafConnection atLeaf = leaf.server().leafNodes().connections().get(0);
            assertFalse(atHub.isSpoke(), "the hub is the hub");
            assertTrue(atLeaf.isSpoke(), "the leaf is the spoke");
            assertEquals("LEAF", atHub.remoteName());
            assertEquals("HUB", atLeaf.remoteName());
            assertTrue(atHub.inMsgs() > 0 && atLeaf.inMsgs() > 0);
        }
    }

    @Test
    void theLeafReconnectsAfterAHubRestart() throws Exception {
        int leafPort = Ports.free();
        RunningServer hub = hub(leafPort);
        try (RunningServer leaf = LeafNodeMixedTest.leafTo("nats-leaf://127.0.0.1:" + leafPort, null);
             Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(leaf, 1);
            hub.close();
            awaitLeafs(leaf, 0);
            hub = hub(leafPort);
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            try (Connection onHub = LeafExchange.connect(hub.url())) {
                // The leaf's existing subscriptions come back with the new connection's first burst.
                LeafExchange.oneWay(onHub, onLeaf, "after.restart");
                LeafExchange.oneWay(onLeaf, onHub, "after.restart.up");
            }
            assertTrue(leaf.log().contains("Leafnode connection closed"), String.join("\n", leaf.log().lines()));
        } finally {
            hub.close();
        }
    }

    @Test
    void aLoopIsDetectedAndRefused() throws Exception {
        int portA = Ports.free();
        int portB = Ports.free();
        LeafNodeOptions a = LeafNodeOptions.listen("127.0.0.1", portA).withRemotes(List.of(
                LeafNodeOptions.Remote.of(URI.create("nats-leaf://127.0.0.1:" + portB), null)));
        LeafNodeOptions b = LeafNodeOptions.listen("127.0.0.1", portB).withRemotes(List.of(
                LeafNodeOptions.Remote.of(URI.create("nats-leaf://127.0.0.1:" + portA), null)));
        try (RunningServer sa = RunningServer.start(o -> o.serverName("A").leafnodes(a));
             RunningServer sb = RunningServer.start(o -> o.serverName("B").leafnodes(b))) {
            Waits.upTo("the loop detected", Duration.ofSeconds(10)).until(() ->
                    (String.join("\n", sa.log().lines()) + String.join("\n", sb.log().lines())).contains("Loop detected for leafnode account=\"$G\". Delaying attempt"
                            + " to reconnect for 30s"));
            String both = String.join("\n", sa.log().lines()) + "\n" + String.join("\n", sb.log().lines());
            assertTrue(both.contains("Leafnode Error 'Loop detected for leafnode account=\"$G\""), both);
        }
    }
}
