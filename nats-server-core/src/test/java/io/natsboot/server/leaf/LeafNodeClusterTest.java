package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A leaf attached to one node of a two-node hub cluster: the other node's subscriptions reach the leaf through the
 * route (LS+ for route interest), the leaf's reach the other node (RS+ for our spoke's interest), and messages take
 * leaf -> hub node -> route and route -> hub node -> leaf.
 */
class LeafNodeClusterTest {

    @Test
    void theHubClusterAndTheLeafSeeEachOthersInterest() throws Exception {
        try (RunningServer h1 = RunningServer.start(b -> b.serverName("H1").clusterListen("127.0.0.1:-1")
                .clusterName("HUBS").leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
             RunningServer h2 = RunningServer.start(b -> b.serverName("H2").clusterListen("127.0.0.1:-1")
                     .clusterName("HUBS").routes(List.of("nats://127.0.0.1:" + h1.server().cluster().port())));
             RunningServer leaf = LeafNodeMixedTest.leafTo("nats-leaf://127.0.0.1:"
                     + h1.server().leafNodes().port(), null);
             Connection onH1 = LeafExchange.connect(h1.url()); Connection onH2 = LeafExchange.connect(h2.url());
             Connection onLeaf = LeafExchange.connect(leaf.url())) {
            Waits.upTo("the route", Duration.ofSeconds(10)).until(() -> h1.server().cluster().registered().size() == 1
                    && h2.server().cluster().registered().size() == 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onH2, "c.to.h2");
            LeafExchange.oneWay(onH2, onLeaf, "c.to.leaf");
            LeafExchange.requestReply(onH2, onLeaf, "c.svc.on.leaf");
            LeafExchange.requestReply(onLeaf, onH2, "c.svc.on.h2");
            LeafExchange.queueGroup(onH1, onH2, onLeaf, "c.work");
        }
    }
}
