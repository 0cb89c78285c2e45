package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafWireDifferentialTest.drain;
import static io.natsboot.server.leaf.LeafWireDifferentialTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator mode: a leaf logging in to the hub with a user JWT that carries pub/sub permissions gets them from the hub
 * as {@code import}/{@code export} in the INFO answering CONNECT, and both sides keep to them, as for config users
 * ({@link LeafPermissionsMixedTest}). The trust chain is issued at test time; ours and nats-server 2.9.10 as hub, and
 * as leaf against the other.
 */
@RequiresBinary("nats-server")
class LeafJwtPermissionsTest {
    @TempDir
    Path dir;

    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");
    /** What the leaf may send up (publish) and get down (subscribe), with deny lists on both. */
    private final TrustChain.User leafUser = a.user("leaf", n -> {
        n.put("pub", Map.of("deny", List.of("up.no.>")));
        n.put("sub", Map.of("allow", List.of("down.>", "_INBOX.>"), "deny", List.of("down.no.>")));
    });
    private final TrustChain.User client = a.user("client");

    private String operatorConf() throws Exception {
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        return "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey() + "\nresolver: MEMORY\n"
                + "resolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  " + a.publicKey() + ": \""
                + a.jwt() + "\"\n}\n";
    }

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

    private static Connection connect(String url, Path creds) throws Exception {
        Options.Builder o = new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofMillis(100)).maxReconnects(-1);
        if (creds != null) {
            o.authHandler(Nats.credentials(creds.toString()));
        }
        return Nats.connect(o.build());
    }

    /** Up: a denied publish never reaches the hub; down: the hub keeps a denied subject from the leaf. */
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

    private static List<String> ourLeafSubs(RunningServer hub) {
        return hub.server().leafNodes().connections().stream()
                .flatMap(c -> c.remoteSubscriptions().stream().map(io.natsboot.server.connection.Subscription::subject))
                .toList();
    }

    private static List<String> goLeafzSubs(GoLeafNode hub) {
        try {
            return List.of(hub.monitor("/leafz?subs=1").replaceAll("\\s", "").split("[\\[\\],\"]+"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fake spoke logging in with the user JWT: [INFO answering CONNECT, the reply to LS+s then a PING]. */
    private List<String> spokeSession(int leafPort) throws Exception {
        try (Socket spoke = new Socket("127.0.0.1", leafPort)) {
            String info = drain(spoke, 300);
            String nonce = info.replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            String sig = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(leafUser.key.sign(nonce.getBytes(StandardCharsets.US_ASCII)));
            spoke.getOutputStream().write(("CONNECT {\"jwt\":\"" + leafUser.jwt() + "\",\"sig\":\"" + sig
                    + "\",\"name\":\"SPK\",\"server_id\":\"NSPK\",\"headers\":true}\r\n").getBytes(StandardCharsets.UTF_8));
            String answer = drain(spoke, 500).split("\r\n")[0];
            spoke.getOutputStream().write("LS+ down.ok.lit\r\nLS+ down.*\r\nLS+ up.x\r\nPING\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            return List.of(answer, drain(spoke, 800));
        }
    }

    @Test
    void theHubSendsTheJwtPermissionsAndCutsOffADeniedSubscriptionAsNatsServerDoes() throws Exception {
        int goPort = GoLeafNode.freePort();
        List<String> go;
        try (GoLeafNode hub = GoLeafNode.start("HUB", operatorConf() + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }",
                goPort)) {
            go = spokeSession(goPort);
            Waits.upTo("nats-server's error line", Duration.ofSeconds(5))
                    .until(() -> hub.log().contains("Subscription Violation on \"up.x\" - Check other side"));
        }
        int myPort = GoLeafNode.freePort();
        List<String> mine;
        try (RunningServer hub = ours("HUB", operatorConf() + "leafnodes { listen: \"127.0.0.1:" + myPort + "\" }\n")) {
            mine = spokeSession(myPort);
            Waits.upTo("our error line", Duration.ofSeconds(5)).until(() -> hub.log().lines().stream().anyMatch(
                    l -> l.contains("Subscription Violation on \"up.x\" - Check other side configuration")));
        }
        Map<String, Object> goInfo = json(go.get(0), "INFO");
        Map<String, Object> myInfo = json(mine.get(0), "INFO");
        assertThat(goInfo.get("import")).as(go.get(0)).isNotNull();
        assertThat(List.copyOf(myInfo.keySet())).isEqualTo(List.copyOf(goInfo.keySet()));
        assertThat(myInfo.get("import")).isEqualTo(goInfo.get("import"));
        assertThat(myInfo.get("export")).isEqualTo(goInfo.get("export"));
        assertThat(LeafWireDifferentialTest.lines(mine.get(1))).isEqualTo(LeafWireDifferentialTest.lines(go.get(1)))
                .containsExactly("-ERR 'Permissions Violation for Subscription to \"up.x\"'");
    }

    @Test
    void aNatsServerLeafWithJwtPermissionsKeepsToThemOnOurHub() throws Exception {
        Path leafCreds = leafUser.writeCreds(dir);
        Path clientCreds = client.writeCreds(dir);
        int leafPort = GoLeafNode.freePort();
        try (RunningServer hub = ours("HUB", operatorConf() + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                     + leafPort + "\", credentials: \"" + leafCreds + "\" } ] }");
             Connection onHub = connect(hub.url(), clientCreds); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            onLeaf.subscribe("elsewhere.literal");
            onLeaf.subscribe("down.no.literal");
            upAndDown(onLeaf, onHub);
            assertThat(ourLeafSubs(hub)).doesNotContain("elsewhere.literal", "down.no.literal");
            assertThat(hub.log().lines()).noneMatch(l -> l.contains("Violation"));
            assertThat(leaf.log()).doesNotContain("Violation");
        }
    }

    @Test
    void ourLeafWithJwtPermissionsKeepsToThemOnANatsServerHub() throws Exception {
        Path leafCreds = leafUser.writeCreds(dir);
        Path clientCreds = client.writeCreds(dir);
        try (GoLeafNode hub = GoLeafNode.start("HUB", operatorConf() + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = ours("LEAF", "leafnodes { remotes: [ { url: \"" + hub.leafUrl()
                     + "\", credentials: \"" + leafCreds + "\" } ] }\n");
             Connection onHub = connect(hub.url(), clientCreds); Connection onLeaf = connect(leaf.url(), null)) {
            LeafNodeMixedTest.awaitLeafs(hub, 1);
            LeafNodeMixedTest.awaitLeafs(leaf, 1);
            long lid = leaf.server().leafNodes().connections().get(0).lid();
            onLeaf.subscribe("elsewhere.literal");
            upAndDown(onLeaf, onHub);
            assertThat(goLeafzSubs(hub)).doesNotContain("elsewhere.literal");
            assertThat(hub.log()).doesNotContain("Violation");
            assertThat(leaf.server().leafNodes().connections().get(0).lid()).isEqualTo(lid);
        }
    }
}
