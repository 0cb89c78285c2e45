package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.nats.client.Connection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leaf connections over TLS with nats-server 2.9.10 on the other end: the hub's INFO in plaintext, then the leaf's
 * handshake, then CONNECT, as leafnode.go does it (a TLS-first handshake would not interoperate).
 */
@RequiresBinary("nats-server")
class LeafTlsTest {

    @Test
    void oursLeafToATlsNatsServerHub() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        TlsOptions trust = new TlsOptions(null, null, certs.path("ca.pem"), false, Duration.ofSeconds(2));
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\", tls { cert_file: \""
                + certs.path("server-cert.pem") + "\", key_file: \"" + certs.path("server-key.pem") + "\" } }");
             RunningServer leaf = RunningServer.start(b -> b.serverName("LEAF").leafnodes(LeafNodeOptions.remotes(
                     List.of(new LeafNodeOptions.Remote(List.of(URI.create("tls://127.0.0.1:" + hub.leafPort)), null,
                             null, trust, false, null, null)))));
             Connection onHub = LeafExchange.connect(hub.url()); Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "tls.up");
            LeafExchange.oneWay(onHub, onLeaf, "tls.down");
        }
    }

    @Test
    void natsServerLeafToOurTlsHub() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        LeafNodeOptions l = LeafNodeOptions.listen("127.0.0.1", 0);
        LeafNodeOptions withTls = new LeafNodeOptions(l.host(), l.port(), null, false, certs.serverTls(false), null,
                null, null, List.of(), null, null, List.of());
        try (RunningServer hub = RunningServer.start(b -> b.serverName("HUB").leafnodes(withTls));
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"tls://127.0.0.1:"
                     + hub.server().leafNodes().port() + "\", tls { ca_file: \"" + certs.path("ca.pem") + "\" } } ] }");
             Connection onHub = LeafExchange.connect(hub.url()); Connection onLeaf = LeafExchange.connect(leaf.url())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(onLeaf, onHub, "tls.up");
            LeafExchange.oneWay(onHub, onLeaf, "tls.down");
            assertTrue(leaf.log().contains("Leafnode connection created"));
        }
    }
}
