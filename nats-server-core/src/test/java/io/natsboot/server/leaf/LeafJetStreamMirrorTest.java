package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafExchange.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.Mirror;
import io.nats.client.api.MirrorInfo;
import io.nats.client.api.Source;
import io.nats.client.api.SourceInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors and sources of a stream in another JetStream domain, across a leaf connection (nats-server 2.9.10's
 * {@code external} mirrors: a copy consumer made through the other domain's API, flow control and heartbeats,
 * retry while the origin is missing). Ours mirroring the real nats-server and the reverse, and ours/ours.
 */
@RequiresBinary("nats-server")
class LeafJetStreamMirrorTest {
    @TempDir
    Path tmp;

    private RunningServer ourHub() {
        return RunningServer.start(b -> b.serverName("HUB").jetstream(js(tmp.resolve("hub"), "hub"))
                .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
    }

    private RunningServer ourLeaf(String hubLeafUrl) {
        return RunningServer.start(b -> b.serverName("LEAF").jetstream(js(tmp.resolve("leaf"), "leaf"))
                .leafnodes(LeafNodeOptions.remotes(List.of(LeafNodeOptions.Remote.of(URI.create(hubLeafUrl), null)))));
    }

    private static io.natsboot.server.config.JetStreamOptions js(Path dir, String domain) {
        return new io.natsboot.server.config.JetStreamOptions(true, dir.toString(), -1, -1, domain);
    }

    private String goJs(String name, String domain) {
        return "jetstream { store_dir: \"" + tmp.resolve(name) + "\", domain: " + domain + " }\n";
    }

    @Test
    void oursLeafMirrorsAStreamOfTheNatsServerHub() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", goJs("gohub", "hub")
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ourLeaf(hub.leafUrl());
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            mirrorAcrossDomains(onHub, onLeaf);
        }
    }

    @Test
    void natsServerLeafMirrorsAStreamOfOurHub() throws Exception {
        try (RunningServer hub = ourHub();
             GoLeafNode leaf = GoLeafNode.start("LEAF", goJs("goleaf", "leaf")
                     + "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:" + hub.server().leafNodes().port()
                     + "\" } ] }");
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            mirrorAcrossDomains(onHub, onLeaf);
            // nats-server's copy consumer is a direct one: not listed, not in the stream's consumer count
            JetStreamManagement hubJsm = onHub.jetStreamManagement();
            assertEquals(List.of(), hubJsm.getConsumerNames("ORIG"));
            assertEquals(0, hubJsm.getStreamInfo("ORIG").getStreamState().getConsumerCount());
        }
    }

    @Test
    void oursLeafMirrorsAndSourcesOurHub() throws Exception {
        try (RunningServer hub = ourHub();
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port());
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            mirrorAcrossDomains(onHub, onLeaf);
            JetStreamManagement leafJsm = onLeaf.jetStreamManagement();
            leafJsm.addStream(StreamConfiguration.builder().name("SRC").subjects("local.>")
                    .storageType(StorageType.File)
                    .sources(Source.builder().sourceName("ORIG").domain("hub").filterSubject("orig.2").build())
                    .build());
            Waits.upTo("the filtered source copied", Duration.ofSeconds(10))
                    .until(() -> leafJsm.getStreamInfo("SRC").getStreamState().getMsgCount() == 1);
            MessageInfo m = leafJsm.getMessage("SRC", 1);
            assertEquals("orig.2", m.getSubject());
            // nats-server's header: the origin's index name (name and a hash of the API prefix) and its sequence
            assertEquals("ORIG:bTMUkJQk 2", m.getHeaders().getFirst("Nats-Stream-Source"));
            SourceInfo si = leafJsm.getStreamInfo("SRC").getSourceInfos().get(0);
            assertEquals("ORIG", si.getName());
            assertEquals("$JS.hub.API", si.getExternal().getApi());
        }
    }

    @Test
    void aMirrorOfAMissingStreamShowsTheErrorAndCatchesUpOnceTheStreamExists() throws Exception {
        try (RunningServer hub = ourHub();
             RunningServer leaf = ourLeaf("nats-leaf://127.0.0.1:" + hub.server().leafNodes().port());
             Connection onHub = connect(hub.url()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            JetStreamManagement leafJsm = onLeaf.jetStreamManagement();
            leafJsm.addStream(StreamConfiguration.builder().name("LATE_M").storageType(StorageType.Memory)
                    .mirror(Mirror.builder().sourceName("LATE").domain("hub").build()).build());
            Waits.upTo("the origin's refusal in mirror info", Duration.ofSeconds(10)).until(() -> {
                MirrorInfo mi = leafJsm.getStreamInfo("LATE_M").getMirrorInfo();
                return mi != null && mi.getError() != null;
            });
            MirrorInfo mi = leafJsm.getStreamInfo("LATE_M").getMirrorInfo();
            assertEquals(10059, mi.getError().getApiErrorCode());
            assertEquals("stream not found", mi.getError().getDescription());
            JetStreamManagement hubJsm = onHub.jetStreamManagement();
            hubJsm.addStream(StreamConfiguration.builder().name("LATE").subjects("late.>")
                    .storageType(StorageType.Memory).build());
            onHub.jetStream().publish("late.1", "x".getBytes(StandardCharsets.UTF_8));
            Waits.upTo("the mirror retried and copied", Duration.ofSeconds(10))
                    .until(() -> leafJsm.getStreamInfo("LATE_M").getStreamState().getMsgCount() == 1);
            assertNull(leafJsm.getStreamInfo("LATE_M").getMirrorInfo().getError());
        }
    }

    @Test
    void oursLeafMirrorGoesOnAfterTheNatsServerHubRestarts() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", goJs("gohub", "hub")
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ourLeaf(hub.leafUrl()); Connection onLeaf = connect(leaf.url())) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            try (Connection onHub = connect(hub.url())) {
                mirrorAcrossDomains(onHub, onLeaf);
            }
            hub.restart();
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            try (Connection onHub = connect(hub.url())) {
                onHub.jetStream().publish("orig.6", "after restart".getBytes(StandardCharsets.UTF_8));
            }
            JetStreamManagement leafJsm = onLeaf.jetStreamManagement();
            // the old copy consumer went with the restart: the mirror notices the silence and makes a new one
            Waits.upTo("the mirror copied after the hub's restart", Duration.ofSeconds(15))
                    .until(() -> leafJsm.getStreamInfo("M").getStreamState().getLastSequence() == 6);
            assertEquals(6, leafJsm.getStreamInfo("M").getStreamState().getMsgCount());
        }
    }

    @Test
    void oursLeafMirrorResumesAfterTheLeafRestartsWithoutCopyingTwice() throws Exception {
        try (RunningServer hub = ourHub(); Connection onHub = connect(hub.url())) {
            String url = "nats-leaf://127.0.0.1:" + hub.server().leafNodes().port();
            try (RunningServer leaf = ourLeaf(url); Connection onLeaf = connect(leaf.url())) {
                LeafNodeMixedTest.awaitLeafs(leaf, 1);
                mirrorAcrossDomains(onHub, onLeaf);
            }
            onHub.jetStream().publish("orig.6", "while the leaf was down".getBytes(StandardCharsets.UTF_8));
            try (RunningServer leaf = ourLeaf(url); Connection onLeaf = connect(leaf.url())) {
                LeafNodeMixedTest.awaitLeafs(leaf, 1);
                JetStreamManagement leafJsm = onLeaf.jetStreamManagement();
                Waits.upTo("the mirror resumed", Duration.ofSeconds(10))
                        .until(() -> leafJsm.getStreamInfo("M").getStreamState().getLastSequence() == 6);
                onHub.jetStream().publish("orig.7", "x".getBytes(StandardCharsets.UTF_8));
                Waits.upTo("the mirror copied on", Duration.ofSeconds(10))
                        .until(() -> leafJsm.getStreamInfo("M").getStreamState().getLastSequence() == 7);
                assertEquals(7, leafJsm.getStreamInfo("M").getStreamState().getMsgCount());
                assertEquals("while the leaf was down",
                        new String(leafJsm.getMessage("M", 6).getData(), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * A stream ORIG in the hub's domain (made by {@code onHub}), a mirror M of it in the leaf made by
     * {@code onLeaf} with {@code domain("hub")}: messages before and after the mirror arrive with the origin's
     * sequences, subjects and data; mirror info names the external API.
     */
    private static void mirrorAcrossDomains(Connection onHub, Connection onLeaf) throws Exception {
        JetStreamManagement hubJsm = onHub.jetStreamManagement();
        hubJsm.addStream(StreamConfiguration.builder().name("ORIG").subjects("orig.>")
                .storageType(StorageType.File).build());
        for (int i = 1; i <= 3; i++) {
            onHub.jetStream().publish("orig." + i, ("before" + i).getBytes(StandardCharsets.UTF_8));
        }
        JetStreamManagement leafJsm = onLeaf.jetStreamManagement();
        leafJsm.addStream(StreamConfiguration.builder().name("M").storageType(StorageType.File)
                .mirror(Mirror.builder().sourceName("ORIG").domain("hub").build()).build());
        Waits.upTo("the mirror copied what was there", Duration.ofSeconds(10))
                .until(() -> leafJsm.getStreamInfo("M").getStreamState().getMsgCount() == 3);
        for (int i = 4; i <= 5; i++) {
            onHub.jetStream().publish("orig." + i, ("after" + i).getBytes(StandardCharsets.UTF_8));
        }
        Waits.upTo("the mirror copied the new messages", Duration.ofSeconds(10))
                .until(() -> leafJsm.getStreamInfo("M").getStreamState().getLastSequence() == 5);
        MessageInfo m2 = leafJsm.getMessage("M", 2);
        assertEquals("orig.2", m2.getSubject());
        assertEquals("before2", new String(m2.getData(), StandardCharsets.UTF_8));
        assertEquals("after5", new String(leafJsm.getMessage("M", 5).getData(), StandardCharsets.UTF_8));
        StreamInfo si = leafJsm.getStreamInfo("M");
        MirrorInfo mi = si.getMirrorInfo();
        assertNotNull(mi);
        assertEquals("ORIG", mi.getName());
        assertEquals("$JS.hub.API", mi.getExternal().getApi());
        assertEquals(0, mi.getLag());
        assertNull(mi.getError());
        assertTrue(mi.getActive().toNanos() >= 0, "active: " + mi.getActive());
    }
}
