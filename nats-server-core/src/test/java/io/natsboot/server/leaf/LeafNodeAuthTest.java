package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafNodeMixedTest.awaitLeafs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leaf connections bound to accounts: a leafnodes user with an account, and operator-mode credentials ({@code .creds}:
 * user JWT and the nonce signed with the seed), ours and nats-server 2.9.10 on either end.
 */
@RequiresBinary("nats-server")
class LeafNodeAuthTest {
    private static final String ACCOUNTS = "accounts { A: { users: [ {user: ca, password: pa} ] },"
            + " B: { users: [ {user: cb, password: pb} ] } }\n";

    private static Connection user(String url, String user, String pass) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, pass)
                .connectionTimeout(Duration.ofSeconds(2)).build());
    }

    private static RunningServer ours(String conf) throws Exception {
        Path f = Files.createTempFile("leaf-auth", ".conf");
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

    /** The leaf's $G traffic lands in account A on the hub, not in B. */
    private static void boundToA(Connection leafG, Connection hubA, Connection hubB) throws Exception {
        Subscription inB = hubB.subscribe("bound.x");
        hubB.flush(Duration.ofSeconds(2));
        LeafExchange.oneWay(leafG, hubA, "bound.x");
        LeafExchange.oneWay(hubA, leafG, "bound.back");
        LeafExchange.requestReply(leafG, hubA, "bound.svc");
        assertNull(inB.nextMessage(Duration.ofMillis(300)), "account B sees nothing of the leaf");
    }

    @Test
    void oursLeafBindsToTheAccountOfItsNatsServerUser() throws Exception {
        try (GoLeafNode hub = GoLeafNode.start("HUB", ACCOUNTS + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\","
                + " authorization { users: [ {user: leafuser, password: s3cret, account: A} ] } }");
             RunningServer leaf = LeafNodeMixedTest.leafTo("nats-leaf://leafuser:s3cret@127.0.0.1:" + hub.leafPort,
                     null);
             Connection leafG = LeafExchange.connect(leaf.url()); Connection hubA = user(hub.url(), "ca", "pa");
             Connection hubB = user(hub.url(), "cb", "pb")) {
            awaitLeafs(leaf, 1);
            awaitLeafs(hub, 1);
            boundToA(leafG, hubA, hubB);
            assertTrue(hub.monitor("/leafz").contains("\"account\": \"A\""), hub.monitor("/leafz"));
        }
    }

    @Test
    void natsServerLeafBindsToTheAccountOfItsUserOnOurHub() throws Exception {
        try (RunningServer hub = ours(ACCOUNTS + "leafnodes { listen: \"127.0.0.1:-1\","
                + " authorization { users: [ {user: leafuser, password: s3cret, account: A} ] } }");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://leafuser:s3cret@"
                     + "127.0.0.1:" + hub.server().leafNodes().port() + "\" } ] }");
             Connection leafG = LeafExchange.connect(leaf.url()); Connection hubA = user(hub.url(), "ca", "pa");
             Connection hubB = user(hub.url(), "cb", "pb")) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            boundToA(leafG, hubA, hubB);
            assertEquals("A", hub.server().leafNodes().connections().get(0).accountName());
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithNatsServersError() throws Exception {
        try (RunningServer hub = ours("leafnodes { listen: \"127.0.0.1:-1\","
                + " authorization { user: leafuser, password: s3cret } }");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://leafuser:wrong@"
                     + "127.0.0.1:" + hub.server().leafNodes().port() + "\" } ] }")) {
            Waits.upTo("the refusal on both ends", Duration.ofSeconds(10)).until(() ->
                    hub.log().lines().stream().anyMatch(l -> l.startsWith("[ERR] ") && l.endsWith(" - authentication error"))
                            && hub.log().contains("Leafnode connection closed: Authentication Failure account: ")
                            && leaf.log().contains("Authorization Violation"));
            assertEquals(0, hub.server().leafNodes().connections().size());
        }
    }

    /** Operator mode on the hub: SYS and A preloaded in a MEMORY resolver, the leaf presents a user of A. */
    private static String operatorConf(TrustChain chain, TrustChain.Account sys, TrustChain.Account a, Path dir)
            throws Exception {
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        return "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey() + "\nresolver: MEMORY\n"
                + "resolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  " + a.publicKey() + ": \""
                + a.jwt() + "\"\n}\n";
    }

    @Test
    void oursLeafLogsInWithCredentialsToANatsServerHubInOperatorMode() throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account sys = chain.account("SYS");
        TrustChain.Account a = chain.account("A");
        Path dir = Files.createTempDirectory("leaf-creds");
        Path leafCreds = a.user("leaf").writeCreds(dir);
        Path clientCreds = a.user("client").writeCreds(dir);
        try (GoLeafNode hub = GoLeafNode.start("HUB", operatorConf(chain, sys, a, dir)
                + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
             RunningServer leaf = RunningServer.start(b -> b.serverName("LEAF").leafnodes(LeafNodeOptions.remotes(
                     List.of(LeafNodeOptions.Remote.of(URI.create(hub.leafUrl()), null)
                             .withCredentials(leafCreds.toString())))));
             Connection leafG = LeafExchange.connect(leaf.url());
             Connection hubA = Nats.connect(new Options.Builder().server(hub.url())
                     .authHandler(Nats.credentials(clientCreds.toString())).build())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(leafG, hubA, "creds.up");
            LeafExchange.oneWay(hubA, leafG, "creds.down");
            assertTrue(hub.monitor("/leafz").contains(a.publicKey()), hub.monitor("/leafz"));
        }
    }

    @Test
    void natsServerLeafLogsInWithCredentialsToOurHubInOperatorMode() throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account sys = chain.account("SYS");
        TrustChain.Account a = chain.account("A");
        Path dir = Files.createTempDirectory("leaf-creds");
        Path leafCreds = a.user("leaf").writeCreds(dir);
        Path clientCreds = a.user("client").writeCreds(dir);
        try (RunningServer hub = ours(operatorConf(chain, sys, a, dir) + "leafnodes { listen: \"127.0.0.1:-1\" }");
             GoLeafNode leaf = GoLeafNode.start("LEAF", "leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:"
                     + hub.server().leafNodes().port() + "\", credentials: \"" + leafCreds + "\" } ] }");
             Connection leafG = LeafExchange.connect(leaf.url());
             Connection hubA = Nats.connect(new Options.Builder().server(hub.url())
                     .authHandler(Nats.credentials(clientCreds.toString())).build())) {
            awaitLeafs(hub, 1);
            awaitLeafs(leaf, 1);
            LeafExchange.oneWay(leafG, hubA, "creds.up");
            LeafExchange.oneWay(hubA, leafG, "creds.down");
            assertEquals(a.publicKey(), hub.server().leafNodes().connections().get(0).accountName());
        }
    }
}
