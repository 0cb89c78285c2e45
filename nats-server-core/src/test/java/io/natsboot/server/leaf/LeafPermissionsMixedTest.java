package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafWireDifferentialTest.drain;
import static io.natsboot.server.leaf.LeafWireDifferentialTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaf permissions as nats-server 2.9.10 enforces them, ours and nats-server in both roles: a remote's
 * {@code deny_exports} (what the leaf sends up) and {@code deny_imports} (what it asks for, and what the hub keeps from
 * it), and the permissions of the user a leaf logs in as on the hub (sent to the leaf in the INFO answering CONNECT as
 * {@code import}/{@code export}, enforced by both sides). Checked from jnats clients at both ends and, for the hub,
 * on the wire with a fake spoke.
 */
@RequiresBinary("nats-server")
class LeafPermissionsMixedTest {
    @TempDir
    Path dir;

    private static final String DENY_REMOTE = "deny_imports: [\"down.no.>\"], deny_exports: [\"up.no.>\"]";
    private static final String USERS = "authorization { users: [ {user: leaf, password: p, permissions: {"
            + " publish: {deny: [\"up.no.>\"]}, subscribe: {allow: [\"down.>\", \"_INBOX.>\"], deny: [\"down.no.>\"]} } },"
            + " {user: c, password: c} ] }\n";

    private RunningServer ours(String name, String body) throws Exception {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, "server_name: " + name + "\n" + body);
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
    }

    private static Connection connect(String url, String user) throws Exception {
        Options.Builder o = new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofMillis(100)).maxReconnects(-1);
        if (user != null) {
            o.userInfo(user, user);
        }
        return Nats.connect(o.build());
    }

    /**
     * Up: a publish on a denied subject never reaches the hub, the one after it does. Down: the hub keeps a denied
     * subject from the leaf's wildcard subscription. Checked by order on one subscription each way.
     */
    private static void upAndDown(Connection onLeaf, Connection onHub) throws Exception {
        Subscription up = onHub.subscribe("up.>");
        onHub.flush(Duration.ofSeconds(2));
        LeafExchange.awaitFlow(onLeaf, up, "up.ok.probe");
        onLeaf.publish("up.no.1", "denied".getBytes(StandardCharsets.UTF_8));
        onLeaf.publish("up.ok.1", "allowed".getBytes(StandardCharsets.UTF_8));
        onLeaf.flush(Duration.ofSeconds(2));
        Message m = up.nextMessage(Duration.ofSeconds(2));
        assertThat(m).isNotNull();
        assertThat(m.getSubject()).isEqualTo("up.ok.1");

        Subscription down = onLeaf.subscribe("down.>");
        onLeaf.flush(Duration.ofSeconds(2));
        LeafExchange.awaitFlow(onHub, down, "down.ok.probe");
        onHub.publish("down.no.1", "denied".getBytes(StandardCharsets.UTF_8));
        onHub.publish("down.ok.1", "allowed".getBytes(StandardCharsets.UTF_8));
        onHub.flush(Duration.ofSeconds(2));
        m = down.nextMessage(Duration.ofSeconds(2));
        assertThat(m).isNotNull();
        assertThat(m.getSubject()).isEqualTo("down.ok.1");
    }

    /** A literal denied import is not asked for: the hub sees the allowed one and never the denied one. */
    private static void deniedImportIsNotAdvertised(Connection onLeaf, Supplier<List<String>> hubSubs) throws Exception {
        onLeaf.subscribe("down.no.literal");
        onLeaf.subscribe("down.yes.literal");
        onLeaf.flush(Duration.ofSeconds(2));
        Waits.upTo("the allowed import advertised", Duration.ofSeconds(10))
                .until(() -> hubSubs.get().contains("down.yes.literal"));
        assertThat(hubSubs.get()).doesNotContain("down.no.literal");
    }

    private static List<String> goLeafzSubs(GoLeafNode hub) {
        try {
            String body = hub.monitor("/leafz?subs=1");
            return List.of(body.replaceAll("\\s", "").split("[\\[\\],\"]+"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> ourLeafSubs(RunningServer hub) {
        return hub.server().leafNodes().connections().stream()
                .flatMap(c -> c.remoteSubscriptions().stream().map(io.natsboot.server.connection.Subscription::subject))
                .toList();
    }

    @Test
    void denyListsOfOurLeafAgainstANatsServerHub() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ours("LEAF", "leafnodes { remotes: [ { url: \"" + hub.leafUrl() + "\", "
                     + DENY_REMOTE + " } ] }\n");
             Connection onHub = connect(hub.url(), null); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            upAndDown(onLeaf, onHub);
            deniedImportIsNotAdvertised(onLeaf, () -> goLeafzSubs(hub));
        }
    }

    @Test
    void denyListsOfANatsServerLeafAgainstOurHub() throws Exception {
        int leafPort = GoLeafNode.freePort();
        try (RunningServer hub = ours("HUB", "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                     + leafPort + "\", " + DENY_REMOTE + " } ] }");
             Connection onHub = connect(hub.url(), null); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            upAndDown(onLeaf, onHub);
            deniedImportIsNotAdvertised(onLeaf, () -> ourLeafSubs(hub));
        }
    }

    @Test
    void ourLeafKeepsToThePermissionsANatsServerHubSendsIt() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", USERS + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ours("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://leaf:p@127.0.0.1:"
                     + hub.leafPort + "\" } ] }\n");
             Connection onHub = connect(hub.url(), "c"); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            long lid = leaf.server().leafNodes().connections().get(0).lid();
            // not in the user's subscribe allow list: a hub would cut us off for asking
            onLeaf.subscribe("elsewhere.literal");
            upAndDown(onLeaf, onHub);
            deniedImportIsNotAdvertised(onLeaf, () -> goLeafzSubs(hub));
            assertThat(goLeafzSubs(hub)).doesNotContain("elsewhere.literal");
            assertThat(hub.log()).doesNotContain("Violation");
            assertThat(leaf.server().leafNodes().connections()).hasSize(1);
            assertThat(leaf.server().leafNodes().connections().get(0).lid()).isEqualTo(lid);
        }
    }

    @Test
    void aNatsServerLeafGetsThePermissionsOfItsUserFromOurHub() throws Exception {
        int leafPort = GoLeafNode.freePort();
        try (RunningServer hub = ours("HUB", USERS + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://leaf:p@127.0.0.1:"
                     + leafPort + "\" } ] }");
             Connection onHub = connect(hub.url(), "c"); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            onLeaf.subscribe("elsewhere.literal");
            upAndDown(onLeaf, onHub);
            deniedImportIsNotAdvertised(onLeaf, () -> ourLeafSubs(hub));
            assertThat(ourLeafSubs(hub)).doesNotContain("elsewhere.literal");
            assertThat(hub.log().lines()).noneMatch(l -> l.contains("Violation"));
            assertThat(leaf.log()).doesNotContain("Violation");
        }
    }

    /** A fake spoke logging in as the user: [INFO answering CONNECT, reply to a denied LS+ then to a PING]. */
    private static List<String> hubWithUserPermissions(int leafPort) throws Exception {
        try (Socket spoke = new Socket("127.0.0.1", leafPort)) {
            drain(spoke, 300);
            spoke.getOutputStream().write(("CONNECT {\"user\":\"leaf\",\"pass\":\"p\",\"name\":\"SPK\",\"server_id\":"
                    + "\"NSPK\",\"headers\":true}\r\n").getBytes(StandardCharsets.UTF_8));
            String info = drain(spoke, 500).split("\r\n")[0];
            spoke.getOutputStream().write("LS+ down.ok.lit\r\nLS+ up.x\r\nLS+ down.*\r\nLS+ elsewhere.lit\r\nPING\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            String after = drain(spoke, 800);
            return List.of(info, after);
        }
    }

    @Test
    void theHubSendsTheUserPermissionsAndCutsOffADeniedSubscriptionAsNatsServerDoes() throws Exception {
        int goPort = GoLeafNode.freePort();
        List<String> go;
        try (GoLeafNode hub = GoLeafNode.start("HUB", USERS + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }",
                goPort)) {
            go = hubWithUserPermissions(goPort);
            Waits.upTo("nats-server's error line", Duration.ofSeconds(5))
                    .until(() -> hub.log().contains("Subscription Violation on \"up.x\" - Check other side"));
        }
        int myPort = GoLeafNode.freePort();
        List<String> mine;
        try (RunningServer hub = ours("HUB", USERS + "leafnodes { listen: \"127.0.0.1:" + myPort + "\" }\n")) {
            mine = hubWithUserPermissions(myPort);
            Waits.upTo("our error line", Duration.ofSeconds(5)).until(() -> hub.log().lines().stream().anyMatch(
                    l -> l.contains("Subscription Violation on \"up.x\" - Check other side configuration")));
        }
        Map<String, Object> goInfo = json(go.get(0), "INFO");
        Map<String, Object> myInfo = json(mine.get(0), "INFO");
        assertThat(List.copyOf(myInfo.keySet())).isEqualTo(List.copyOf(goInfo.keySet()));
        assertThat(myInfo.get("import")).isEqualTo(goInfo.get("import"));
        assertThat(myInfo.get("export")).isEqualTo(goInfo.get("export"));
        // the literal down.ok.lit and the wildcard pass; up.x is refused and the connection closed
        assertThat(LeafWireDifferentialTest.lines(mine.get(1))).isEqualTo(LeafWireDifferentialTest.lines(go.get(1)))
                .containsExactly("-ERR 'Permissions Violation for Subscription to \"up.x\"'");
    }
}
