package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaf connecting to a hub of cluster X makes X send {@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT}; cluster Y, on
 * getting it over the gateway, switches that account to interest-only on its inbound connection from X (gateway_cmd
 * 2 and 3), so X's outbound connection to Y stops sending the account's messages optimistically, as nats-server
 * 2.9.10 does. Operator mode (the account exists on Y only once looked up), trust chain issued at test time; ours and
 * nats-server on either side.
 */
@RequiresBinary("nats-server")
class LeafConnectInterestOnlyTest {
    @TempDir
    Path dir;

    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");

    private String operatorConf() throws Exception {
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        return "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey() + "\nresolver: MEMORY\n"
                + "resolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  " + a.publicKey() + ": \""
                + a.jwt() + "\"\n}\n";
    }

    /** Our node of gateway {@code name} in operator mode, dialling {@code remote} ("NAME=url") when not null. */
    private RunningServer ours(String name, int gatewayPort, String remote, int leafPort) throws Exception {
        StringBuilder c = new StringBuilder("server_name: ").append(name).append('\n').append(operatorConf());
        c.append("gateway { name: ").append(name).append(", listen: \"127.0.0.1:").append(gatewayPort).append('"');
        if (remote != null) {
            int eq = remote.indexOf('=');
            c.append(", gateways: [ {name: ").append(remote, 0, eq).append(", url: \"").append(remote.substring(eq + 1))
                    .append("\"} ]");
        }
        c.append(" }\n");
        if (leafPort != 0) {
            c.append("leafnodes { listen: \"127.0.0.1:").append(leafPort).append("\" }\n");
        }
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, c.toString());
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
    }

    private GoGatewayNode go(String name, int gatewayPort, String remote, int leafPort) throws Exception {
        String top = operatorConf() + (leafPort == 0 ? "" : "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n");
        return GoGatewayNode.start(name, name, gatewayPort, remote == null ? List.of() : List.of(remote), 0, List.of(),
                "", top);
    }

    /** Our leaf, logging in to the hub's leaf port as a user of account A. */
    private RunningServer leafOf(int hubLeafPort) {
        Path creds = a.user("leaf").writeCreds(dir);
        return RunningServer.start(b -> b.serverName("LEAF").leafnodes(LeafNodeOptions.remotes(List.of(
                LeafNodeOptions.Remote.of(URI.create("nats-leaf://127.0.0.1:" + hubLeafPort), null)
                        .withCredentials(creds.toString())))));
    }

    /** Account A's interest mode on our node's outbound connection to {@code remote}, or null when not listed. */
    private String ourOutboundMode(RunningServer s, String remote) {
        GatewayView v = GatewayTestSupport.gateways(s).outboundViews().get(remote);
        return v == null ? null : v.accounts().stream().filter(m -> m.name().equals(a.publicKey()))
                .map(GatewayView.AccountMode::mode).findFirst().orElse(null);
    }

    /** Account A's interest mode on our node's inbound connection(s) from {@code remote}, or null. */
    private String ourInboundMode(RunningServer s, String remote) {
        return GatewayTestSupport.gateways(s).inboundViews().getOrDefault(remote, List.of()).stream()
                .flatMap(v -> v.accounts().stream()).filter(m -> m.name().equals(a.publicKey()))
                .map(GatewayView.AccountMode::mode).findFirst().orElse(null);
    }

    /** Account A's interest_mode in a nats-server's /gatewayz?accs=1 {@code section} for {@code remote}, or null. */
    @SuppressWarnings("unchecked")
    private String goMode(GoGatewayNode n, String section, String remote) {
        try {
            Map<String, Object> z = Json.parseObject(n.monitor("/gatewayz?accs=1"));
            Object gws = z.get(section);
            if (!(gws instanceof Map<?, ?> m) || m.get(remote) == null) {
                return null;
            }
            Object entry = m.get(remote);
            List<Object> conns = entry instanceof List<?> l ? (List<Object>) l : List.of(entry);
            for (Object c : conns) {
                if (((Map<String, Object>) c).get("accounts") instanceof List<?> accs) {
                    for (Object acc : accs) {
                        Map<String, Object> am = (Map<String, Object>) acc;
                        if (a.publicKey().equals(am.get("name"))) {
                            return (String) am.get("interest_mode");
                        }
                    }
                }
            }
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oursSwitchesTheAccountWhenANatsServerHubAnnouncesItsLeaf() throws Exception {
        int yPort = GatewayTestSupport.port();
        int leafPort = Ports.free();
        try (RunningServer y = ours("Y", yPort, null, 0);
             GoGatewayNode x = go("X", 0, "Y=nats://127.0.0.1:" + yPort, leafPort)) {
            GatewayTestSupport.awaitConnected(x, "Y");
            GatewayTestSupport.awaitInbound(x, "Y");
            GatewayTestSupport.awaitConnected(y, "X");
            GatewayTestSupport.awaitInbound(y, "X");
            assertThat(goMode(x, "outbound_gateways", "Y")).isNull(); // optimistic: nothing known yet
            try (RunningServer leaf = leafOf(leafPort)) {
                GatewayTestSupport.await("X's outbound to Y interest-only for A",
                        () -> "Interest-Only".equals(goMode(x, "outbound_gateways", "Y")));
                assertThat(ourInboundMode(y, "X")).isEqualTo("Interest-Only");
                assertThat(leaf.server().leafNodes().connections()).hasSize(1);
            }
        }
    }

    @Test
    void oursSwitchesTheAccountWhenOurHubAnnouncesItsLeaf() throws Exception {
        int yPort = GatewayTestSupport.port();
        int leafPort = Ports.free();
        try (RunningServer y = ours("Y", yPort, null, 0);
             RunningServer x = ours("X", GatewayTestSupport.port(), "Y=nats://127.0.0.1:" + yPort, leafPort)) {
            GatewayTestSupport.awaitConnected(x, "Y");
            GatewayTestSupport.awaitInbound(x, "Y");
            GatewayTestSupport.awaitConnected(y, "X");
            GatewayTestSupport.awaitInbound(y, "X");
            assertThat(ourOutboundMode(x, "Y")).isNull();
            try (RunningServer leaf = leafOf(leafPort)) {
                GatewayTestSupport.await("X's outbound to Y interest-only for A",
                        () -> "Interest-Only".equals(ourOutboundMode(x, "Y")));
                assertThat(ourInboundMode(y, "X")).isEqualTo("Interest-Only");
            }
        }
    }

    @Test
    void aNatsServerClusterSwitchesTheAccountWhenOurHubAnnouncesItsLeaf() throws Exception {
        int yPort = GatewayTestSupport.port();
        int leafPort = Ports.free();
        try (GoGatewayNode y = go("Y", yPort, null, 0);
             RunningServer x = ours("X", GatewayTestSupport.port(), "Y=nats://127.0.0.1:" + yPort, leafPort)) {
            GatewayTestSupport.awaitConnected(x, "Y");
            GatewayTestSupport.awaitInbound(x, "Y");
            GatewayTestSupport.awaitConnected(y, "X");
            GatewayTestSupport.awaitInbound(y, "X");
            assertThat(ourOutboundMode(x, "Y")).isNull();
            try (RunningServer leaf = leafOf(leafPort)) {
                GatewayTestSupport.await("X's outbound to Y interest-only for A",
                        () -> "Interest-Only".equals(ourOutboundMode(x, "Y")));
                assertThat(goMode(y, "inbound_gateways", "X")).isEqualTo("Interest-Only");
            }
        }
    }

    /**
     * The leaf is on hub X before cluster Y exists: when Y joins, X announces its leaf accounts again (nats-server's
     * ensureGWsInterestOnlyForLeafNodes; ours once Y's system interest has arrived) and Y switches the account.
     */
    private void lateJoin(boolean oursX, boolean oursY) throws Exception {
        int yPort = GatewayTestSupport.port();
        int leafPort = Ports.free();
        String remote = "Y=nats://127.0.0.1:" + yPort;
        try (AutoCloseable x = oursX ? ours("X", GatewayTestSupport.port(), remote, leafPort) : go("X", 0, remote, leafPort);
             RunningServer leaf = leafOf(leafPort)) {
            io.natsboot.server.support.Waits.upTo("the leaf", java.time.Duration.ofSeconds(10))
                    .until(() -> leaf.server().leafNodes().connections().size() == 1);
            try (AutoCloseable y = oursY ? ours("Y", yPort, null, 0) : go("Y", yPort, null, 0)) {
                GatewayTestSupport.await("X's outbound to Y interest-only for A", () -> "Interest-Only".equals(
                        x instanceof RunningServer r ? ourOutboundMode(r, "Y")
                                : goMode((GoGatewayNode) x, "outbound_gateways", "Y")));
            }
        }
    }

    @Test
    void aClusterJoiningAfterTheLeafSwitchesTooAllOurs() throws Exception {
        lateJoin(true, true);
    }

    @Test
    void aNatsServerClusterJoiningAfterOurHubsLeafSwitchesToo() throws Exception {
        lateJoin(true, false);
    }

    @Test
    void oursJoiningAfterANatsServerHubsLeafSwitchesToo() throws Exception {
        lateJoin(false, true);
    }
}
