package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafExchange.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JetStream domains over leaf connections, as nats-server 2.9.10 runs them: hub and leaf each have JetStream with
 * their own domain; a client on one side names the other's domain ({@code JetStreamOptions.domain}) and creates a
 * stream there, publishes to it and consumes from it through the leaf connection, while the plain {@code $JS.API}
 * stays on each side. Ours/ours and mixed with the real nats-server both ways.
 */
@RequiresBinary("nats-server")
class LeafJetStreamDomainTest {
    @TempDir
    Path tmp;

    private RunningServer ourHub(String domain) {
        return RunningServer.start(b -> b.serverName("HUB").jetstream(js(tmp.resolve("hub"), domain))
                .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
    }

    private RunningServer ourLeaf(String hubLeafUrl, String domain) {
        return RunningServer.start(b -> b.serverName("LEAF").jetstream(js(tmp.resolve("leaf"), domain))
                .leafnodes(LeafNodeOptions.remotes(List.of(LeafNodeOptions.Remote.of(URI.create(hubLeafUrl), null)))));
    }

    private static io.natsboot.server.config.JetStreamOptions js(Path dir, String domain) {
        return new io.natsboot.server.config.JetStreamOptions(true, dir.toString(), -1, -1, domain);
    }

    private String goJs(String name, String domain) {
        return "jetstream { store_dir: \"" + tmp.resolve(name) + "\", domain: " + domain + " }\n";
    }

    @Test
    void oursLeafUsesOurHubsDomainAndTheReverse() throws Exception {
        try (RunningServer hub = ourHub("hub");
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port(), "leaf");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            streamInOtherDomain(onLeaf, "hub", onHub);
            streamInOtherDomain(onHub, "leaf", onLeaf);
            assertTrue(hub.log().contains("Adding JetStream Domain Mapping \"$JS.hub.API.INFO\" -> $JS.API.INFO to"
                    + " account \"$G\""), String.join("\n", hub.log().lines()));
            assertTrue(hub.log().contains("JetStream Not Extended, adding deny [$JS.API.> $KV.> $OBJ.>] for account"
                    + " \"$G\""));
            assertTrue(leaf.log().contains("Adding deny \"$JS.leaf.API.>\" for outgoing messages to account \"$G\""));
        }
    }

    @Test
    void oursLeafUsesNatsServerHubsDomainAndTheReverse() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", goJs("gohub", "hub")
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ourLeaf(hub.leafUrl(), "leaf");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            streamInOtherDomain(onLeaf, "hub", onHub);
            streamInOtherDomain(onHub, "leaf", onLeaf);
        }
    }

    @Test
    void natsServerLeafUsesOurHubsDomainAndTheReverse() throws Exception {
        try (RunningServer hub = ourHub("hub");
             GoLeafNode leaf = GoLeafNode.start("LEAF", goJs("goleaf", "leaf")
                     + "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:" + hub.server().leafNodes().port()
                     + "\" } ] }");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            streamInOtherDomain(onLeaf, "hub", onHub);
            streamInOtherDomain(onHub, "leaf", onLeaf);
        }
    }

    @Test
    void natsGoUsesTheOtherDomainAndMirrorsFromIt() throws Exception {
        Path program = io.natsboot.server.support.GoPrograms.build(Path.of("src/test/go/jsdomain/main.go"),
                tmp, "jsdomain");
        try (RunningServer hub = ourHub("hub");
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port(), "leaf")) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            runGo(program, leaf.url(), "hub", "GO_ON_HUB", "gohub");
        }
        try (GoLeafNode hub = GoLeafNode.start("HUB", goJs("gohub", "hub")
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ourLeaf(hub.leafUrl(), "leaf")) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            runGo(program, leaf.url(), "hub", "GO_ON_GOHUB", "gogohub");
        }
    }

    private static void runGo(Path program, String url, String domain, String stream, String prefix)
            throws Exception {
        Process p = new ProcessBuilder(program.toString(), url, domain, stream, prefix).redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "nats.go program finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("ok", out.trim(), out);
    }

    @Test
    void keyValueInTheHubsDomainFromTheLeaf() throws Exception {
        try (RunningServer hub = ourHub("hub");
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port(), "leaf");
             Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            keyValueThroughDomain(onLeaf, "hub");
        }
        try (GoLeafNode hub = GoLeafNode.start("HUB", goJs("gohubkv", "hub")
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ourLeaf(hub.leafUrl(), "leaf"); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            keyValueThroughDomain(onLeaf, "hub");
        }
    }

    /** A bucket in {@code domain}: put, get, history, and a watcher (an ordered consumer across the leaf). */
    private static void keyValueThroughDomain(Connection client, String domain) throws Exception {
        io.nats.client.KeyValueOptions kvo = io.nats.client.KeyValueOptions.builder().jsDomain(domain).build();
        client.keyValueManagement(kvo).create(io.nats.client.api.KeyValueConfiguration.builder().name("cfg")
                .maxHistoryPerKey(5).storageType(StorageType.Memory).build());
        io.nats.client.KeyValue kv = client.keyValue("cfg", kvo);
        kv.put("color", "red");
        kv.put("color", "blue");
        assertEquals("blue", kv.get("color").getValueAsString());
        assertEquals(2, kv.history("color").size());
        java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        try (io.nats.client.impl.NatsKeyValueWatchSubscription w = kv.watch("color",
                new io.nats.client.api.KeyValueWatcher() {
                    @Override
                    public void watch(io.nats.client.api.KeyValueEntry e) {
                        seen.add(e.getValueAsString());
                    }

                    @Override
                    public void endOfData() {
                        seen.add("<end>");
                    }
                })) {
            assertEquals("blue", seen.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("<end>", seen.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            kv.put("color", "green");
            assertEquals("green", seen.poll(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(client.keyValueManagement().getBucketNames().isEmpty(), "the bucket is not on the client's side");
    }

    @Test
    void aWildcardSubscriberOnTheLeafDoesNotPullThePlainApiAcross() throws Exception {
        try (RunningServer hub = ourHub("hub");
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port(), "leaf");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            io.nats.client.Subscription all = onLeaf.subscribe(">");
            onLeaf.flush(Duration.ofSeconds(5));
            io.natsboot.server.support.Waits.upTo("the leaf's '>' known on the hub", Duration.ofSeconds(5))
                    .until(() -> !hub.server().context().trie().match("anything").isEmpty());
            long leafApiBefore = leaf.server().jetStream().stats().apiTotal();
            for (int i = 0; i < 5; i++) {
                assertEquals("hub", onHub.jetStreamManagement().getAccountStatistics().getDomain());
            }
            // a marker after the requests, on the same path: once the leaf's client has it, the requests would have
            // reached the leaf's JetStream too if they crossed
            onHub.publish("marker", new byte[0]);
            Message m;
            do {
                m = all.nextMessage(Duration.ofSeconds(5));
                assertTrue(m != null, "the marker arrives");
                assertTrue(!m.getSubject().startsWith("$JS.API."), "no plain API request on the leaf: " + m.getSubject());
            } while (!m.getSubject().equals("marker"));
            org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> leaf.server().jetStream().stats().apiTotal() == leafApiBefore);
        }
    }

    @Test
    void aDomainAlsoMapsForLocalClientsWithoutLeafs() throws Exception {
        try (RunningServer hub = ourHub("solo"); Connection nc = connect(hub.url())) {
            JetStreamManagement jsm = nc.jetStreamManagement(JetStreamOptions.builder().domain("solo").build());
            assertEquals("solo", jsm.getAccountStatistics().getDomain());
            jsm.addStream(StreamConfiguration.builder().name("LOCAL").subjects("local.>")
                    .storageType(StorageType.Memory).build());
            assertEquals(List.of("LOCAL"), nc.jetStreamManagement().getStreamNames());
        }
    }

    /**
     * From {@code client}, through domain {@code domain}: a stream made, three messages published and pulled with
     * acks; the stream lives only on the other side ({@code owner}), the client's own JetStream has none.
     */
    private static void streamInOtherDomain(Connection client, String domain, Connection owner) throws Exception {
        JetStreamOptions jso = JetStreamOptions.builder().domain(domain).build();
        JetStreamManagement jsm = client.jetStreamManagement(jso);
        assertEquals(domain, jsm.getAccountStatistics().getDomain());
        String stream = "ORDERS_" + domain.toUpperCase();
        String subject = "orders." + domain;
        jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject + ".>")
                .storageType(StorageType.File).build());
        JetStream js = client.jetStream(jso);
        for (int i = 1; i <= 3; i++) {
            PublishAck ack = js.publish(subject + "." + i, ("m" + i).getBytes(StandardCharsets.UTF_8));
            assertEquals(stream, ack.getStream());
            assertEquals(domain, ack.getDomain());
            assertEquals(i, ack.getSeqno());
        }
        JetStreamSubscription sub = js.subscribe(subject + ".>", PullSubscribeOptions.builder().durable("pull").build());
        List<Message> got = sub.fetch(3, Duration.ofSeconds(5));
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("m" + (i + 1), new String(got.get(i).getData(), StandardCharsets.UTF_8));
            got.get(i).ackSync(Duration.ofSeconds(5));
        }
        assertEquals(0, jsm.getConsumerInfo(stream, "pull").getNumAckPending());
        assertEquals(3, owner.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount());
        assertTrue(client.jetStreamManagement().getStreamNames().stream().noneMatch(stream::equals),
                "the plain API of the client's side does not reach the other side");
    }
}
