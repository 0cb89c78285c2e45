package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system account's view of a leaf on its hub, ours against nats-server 2.9.10 with the same configuration
 * (system account, gateway, leafnodes users bound to an account) and the same nats-server leaf: the account
 * connection counts with {@code leafnodes}, {@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT} (sent only with gateways),
 * no CONNECT event, the DISCONNECT event of kind Leafnode, and {@code $SYS.REQ.SERVER.PING.LEAFZ} /
 * {@code $SYS.REQ.ACCOUNT.<acc>.LEAFZ}.
 */
@RequiresBinary("nats-server")
class LeafSystemEventsTest {
    @TempDir
    Path dir;

    private static String hubBody(int gatewayPort, int leafPort) {
        return "accounts { SYS { users: [ {user: sys, password: sys} ] }, APP { users: [ {user: app, password: app} ] } }\n"
                + "system_account: SYS\n"
                + "gateway { name: GW1, listen: \"127.0.0.1:" + gatewayPort + "\" }\n"
                + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\", authorization { users: [ {user: lf, password: lf,"
                + " account: APP} ] } }\n";
    }

    private RunningServer ours(String body) throws Exception {
        Path conf = dir.resolve("hub.conf");
        Files.writeString(conf, "server_name: HUB\n" + body);
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
    }

    /** What the system account saw: [subject, JSON] of each event, in order, and the LEAFZ answers. */
    private record Seen(List<String[]> connected, List<String[]> closed, Map<String, Object> serverLeafz,
                        Map<String, Object> appLeafz, Map<String, Object> sysLeafz) {
    }

    private static List<String[]> collect(Subscription sub, int n, String why) {
        List<String[]> out = new ArrayList<>();
        Waits.upTo(why, Duration.ofSeconds(10)).until(() -> {
            Message m = sub.nextMessage(Duration.ofMillis(200));
            if (m != null) {
                out.add(new String[] {m.getSubject(), new String(m.getData(), StandardCharsets.UTF_8)});
            }
            return out.size() >= n;
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> request(Connection sys, String subject) throws Exception {
        Message m = sys.request(subject, new byte[0], Duration.ofSeconds(3));
        return (Map<String, Object>) Json.parseObject(new String(m.getData(), StandardCharsets.UTF_8)).get("data");
    }

    private static Seen run(String hubUrl, int leafPort) throws Exception {
        try (Connection sys = Nats.connect(new Options.Builder().server(hubUrl).userInfo("sys", "sys").build())) {
            Subscription events = sys.subscribe("$SYS.ACCOUNT.>");
            Subscription old = sys.subscribe("$SYS.SERVER.ACCOUNT.>");
            sys.flush(Duration.ofSeconds(2));
            List<String[]> connected;
            List<String[]> closed;
            Map<String, Object> serverLeafz;
            Map<String, Object> appLeafz;
            Map<String, Object> sysLeafz;
            try (GoLeafNode leaf = GoLeafNode.start("EDGE", "leafnodes { remotes: [ { url: \"nats-leaf://lf:lf@127.0.0.1:"
                    + leafPort + "\" } ] }")) {
                LeafNodeMixedTest.awaitLeafs(leaf, 1);
                connected = collect(events, 2, "the leaf's connect events");
                connected.addAll(0, collect(old, 1, "the old-style account count"));
                serverLeafz = request(sys, "$SYS.REQ.SERVER.PING.LEAFZ");
                appLeafz = request(sys, "$SYS.REQ.ACCOUNT.APP.LEAFZ");
                sysLeafz = request(sys, "$SYS.REQ.ACCOUNT.SYS.LEAFZ");
            }
            closed = collect(events, 2, "the leaf's disconnect events");
            closed.addAll(0, collect(old, 1, "the old-style account count"));
            // nothing else: no CONNECT event for a leaf
            assertThat(events.nextMessage(Duration.ofMillis(300))).isNull();
            return new Seen(connected, closed, serverLeafz, appLeafz, sysLeafz);
        }
    }

    private static String[] bySubject(List<String[]> events, String subject) {
        return events.stream().filter(e -> e[0].equals(subject)).findFirst().orElseThrow();
    }

    private static List<String> subjects(List<String[]> events) {
        return events.stream().map(e -> e[0]).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String[] event) {
        return (Map<String, Object>) Json.parse(event[1]);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstLeaf(Map<String, Object> leafz) {
        return ((List<Map<String, Object>>) leafz.get("leafs")).get(0);
    }

    @Test
    void theHubReportsALeafAsNatsServerDoes() throws Exception {
        Seen go;
        int goLeafPort = GoLeafNode.freePort();
        try (GoLeafNode hub = GoLeafNode.start("HUB", hubBody(GoLeafNode.freePort(), goLeafPort), goLeafPort)) {
            go = run(hub.url(), goLeafPort);
        }
        Seen mine;
        int myLeafPort = GoLeafNode.freePort();
        try (RunningServer hub = ours(hubBody(GoLeafNode.freePort(), myLeafPort))) {
            mine = run(hub.url(), myLeafPort);
        }
        assertThat(subjects(go.connected())).containsExactly("$SYS.SERVER.ACCOUNT.APP.CONNS",
                "$SYS.ACCOUNT.APP.SERVER.CONNS", "$SYS.ACCOUNT.APP.LEAFNODE.CONNECT");
        assertThat(subjects(mine.connected())).isEqualTo(subjects(go.connected()));
        // nats-server sends the count and the DISCONNECT from different places: either may come first
        assertThat(subjects(go.closed())).containsExactlyInAnyOrder("$SYS.SERVER.ACCOUNT.APP.CONNS",
                "$SYS.ACCOUNT.APP.SERVER.CONNS", "$SYS.ACCOUNT.APP.DISCONNECT");
        assertThat(subjects(mine.closed())).containsExactlyInAnyOrderElementsOf(subjects(go.closed()));

        for (int i = 0; i < 3; i++) {
            Map<String, Object> g = json(go.connected().get(i));
            Map<String, Object> m = json(mine.connected().get(i));
            assertThat(List.copyOf(m.keySet())).as(go.connected().get(i)[0]).isEqualTo(List.copyOf(g.keySet()));
            for (String k : List.of("acc", "conns", "leafnodes", "total_conns", "type")) {
                assertThat(m.get(k)).as(k).isEqualTo(g.get(k));
            }
        }
        assertThat(json(go.connected().get(0))).containsEntry("leafnodes", 1L);
        Map<String, Object> gCount = json(bySubject(go.closed(), "$SYS.ACCOUNT.APP.SERVER.CONNS"));
        Map<String, Object> mCount = json(bySubject(mine.closed(), "$SYS.ACCOUNT.APP.SERVER.CONNS"));
        assertThat(mCount.get("leafnodes")).isEqualTo(gCount.get("leafnodes")).isEqualTo(0L);

        @SuppressWarnings("unchecked")
        Map<String, Object> gClient = (Map<String, Object>) json(bySubject(go.closed(), "$SYS.ACCOUNT.APP.DISCONNECT")).get("client");
        @SuppressWarnings("unchecked")
        Map<String, Object> mClient = (Map<String, Object>) json(bySubject(mine.closed(), "$SYS.ACCOUNT.APP.DISCONNECT")).get("client");
        // rtt is there once the first PING round (about 1 s after connect) measured it, on both servers
        java.util.Set<String> gKeys = new java.util.HashSet<>(gClient.keySet());
        java.util.Set<String> mKeys = new java.util.HashSet<>(mClient.keySet());
        gKeys.remove("rtt");
        mKeys.remove("rtt");
        assertThat(mKeys).isEqualTo(gKeys);
        for (String k : List.of("acc", "user", "name", "ver", "kind", "host")) {
            assertThat(mClient.get(k)).as(k).isEqualTo(gClient.get(k));
        }
        assertThat(gClient).containsEntry("kind", "Leafnode");
        assertThat(json(bySubject(mine.closed(), "$SYS.ACCOUNT.APP.DISCONNECT")).get("reason")).isEqualTo(json(bySubject(go.closed(), "$SYS.ACCOUNT.APP.DISCONNECT")).get("reason"));

        assertThat(mine.serverLeafz().get("leafnodes")).isEqualTo(go.serverLeafz().get("leafnodes")).isEqualTo(1L);
        assertThat(firstLeaf(mine.serverLeafz()).get("account")).isEqualTo(firstLeaf(go.serverLeafz()).get("account"));
        assertThat(firstLeaf(mine.serverLeafz()).keySet()).isEqualTo(firstLeaf(go.serverLeafz()).keySet());
        assertThat(mine.appLeafz().get("leafnodes")).isEqualTo(go.appLeafz().get("leafnodes")).isEqualTo(1L);
        assertThat(mine.sysLeafz().get("leafnodes")).isEqualTo(go.sysLeafz().get("leafnodes")).isEqualTo(0L);
    }
}
