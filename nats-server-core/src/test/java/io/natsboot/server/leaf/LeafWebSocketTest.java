package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import org.junit.jupiter.api.Test;

/**
 * Leaf connections over WebSocket ({@code ws://}) with nats-server 2.9.10 on the other end: the upgrade to
 * {@code /leafnode} on the hub's websocket listener, then the leaf protocol inside binary frames (masked from the
 * leaf), both ways.
 */
@RequiresBinary("nats-server")
class LeafWebSocketTest {

    @Test
    void oursLeafOverWebSocketToANatsServerHub() throws Exception {
        int wsPort = GoLeafNode.freePort();
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }\n"
                + "websocket { listen: \"127.0.0.1:" + wsPort + "\", no_tls: true }");
             RunningServer leaf = LeafNodeMixedTest.leafTo("ws://127.0.0.1:" + wsPort, null);
             Connection onHub = LeafExchange.connect(hub.url()); Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "ws.up");
            LeafExchange.oneWay(onHub, onLeaf, "ws.down");
            LeafExchange.requestReply(onLeaf, onHub, "ws.svc");
            assertTrue(hub.log().contains("lid_ws:"), "nats-server took it as a WebSocket leaf");
        }
    }

    @Test
    void natsServerLeafOverWebSocketToOurHub() throws Exception {
        try (RunningServer hub = RunningServer.start(b -> b.serverName("HUB")
                .websocket(io.natsboot.server.config.WebSocketOptions.plain("127.0.0.1", 0))
                .leafnodes(io.natsboot.server.config.LeafNodeOptions.listen("127.0.0.1", 0)));
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"ws://127.0.0.1:"
                     + hub.server().context().webSocketPort() + "\" } ] }");
             Connection onHub = LeafExchange.connect(hub.url()); Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "ws.up");
            LeafExchange.oneWay(onHub, onLeaf, "ws.down");
            LeafExchange.requestReply(onHub, onLeaf, "ws.svc");
            assertTrue(hub.log().contains("lid_ws:"), "taken as a WebSocket leaf");
        }
    }
}
