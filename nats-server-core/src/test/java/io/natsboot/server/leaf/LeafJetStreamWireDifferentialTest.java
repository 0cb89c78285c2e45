package io.natsboot.server.leaf;

import static io.natsboot.server.leaf.LeafWireDifferentialTest.drain;
import static io.natsboot.server.leaf.LeafWireDifferentialTest.json;
import static io.natsboot.server.leaf.LeafWireDifferentialTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaf-node wire with JetStream domains, ours against nats-server 2.9.10 through a scripted fake peer: the hub's
 * INFO names its domain, the spoke's CONNECT its domain and {@code jetstream}, and each side advertises its domain's
 * API subjects ({@code LS+ $JS.<domain>.API...}) as interest.
 */
@RequiresBinary("nats-server")
class LeafJetStreamWireDifferentialTest {
    @TempDir
    Path tmp;

    private static final String FAKE_INFO = "INFO {\"server_id\":\"NFAKEHUB\",\"server_name\":\"fakehub\",\"version\":"
            + "\"2.9.10\",\"proto\":1,\"go\":\"go1.19.8\",\"host\":\"127.0.0.1\",\"port\":%d,\"headers\":true,"
            + "\"auth_required\":true,\"max_payload\":1048576,\"jetstream\":true,\"client_id\":7,"
            + "\"nonce\":\"abcdefghijk\",\"domain\":\"fake\",\"info_on_connect\":true,"
            + "\"leafnode_urls\":[\"127.0.0.1:%d\"]} \r\n";
    private static final String FAKE_CONNECT_INFO = "INFO {\"server_id\":\"NFAKEHUB\",\"server_name\":\"fakehub\","
            + "\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,\"auth_required\":true,\"max_payload\":1048576,"
            + "\"jetstream\":true,\"client_id\":7,\"domain\":\"fake\",\"info_on_connect\":true,\"connect_info\":true,"
            + "\"leafnode_urls\":[\"127.0.0.1:%d\"],\"remote_account\":\"$G\"} \r\n";

    private String js(String name, String domain) {
        return "jetstream { store_dir: \"" + tmp.resolve(name) + "\", domain: " + domain + " }\n";
    }

    private io.natsboot.server.config.JetStreamOptions ourJs(String name, String domain) {
        return new io.natsboot.server.config.JetStreamOptions(true, tmp.resolve(name).toString(), -1, -1, domain);
    }

    /**
     * Reads until {@code marker} has arrived (at most 10 s: the machine may be busy), then what follows within
     * 300 ms.
     */
    private static String readUntil(Socket s, String marker) throws Exception {
        StringBuilder b = new StringBuilder();
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!b.toString().contains(marker) && System.nanoTime() < end) {
            b.append(drain(s, 100));
        }
        return b.append(drain(s, 300)).toString();
    }

    /** The domain API subjects among LS+ lines. */
    private static TreeSet<String> domainInterest(String transcript) {
        TreeSet<String> out = new TreeSet<>();
        for (String l : lines(transcript)) {
            if (l.startsWith("LS+ $JS.") && !l.startsWith("LS+ $JS.API.")) {
                out.add(l);
            }
        }
        return out;
    }

    /** [CONNECT, interest burst] of a spoke with JetStream domain "edge" dialling a fake hub. */
    private List<String> spoke(boolean ours) throws Exception {
        try (ServerSocket fakeHub = new ServerSocket(0)) {
            int port = fakeHub.getLocalPort();
            String url = "nats-leaf://127.0.0.1:" + port;
            AutoCloseable server = ours
                    ? RunningServer.start(b -> b.serverName("SPOKE").jetstream(ourJs("ours-spoke", "edge"))
                            .leafnodes(LeafNodeOptions.remotes(List.of(LeafNodeOptions.Remote.of(URI.create(url), null)))))
                    : GoLeafNode.start("SPOKE", js("go-spoke", "edge") + "leafnodes { remotes: [ { url: \"" + url
                            + "\" } ] }");
            try (server; Socket peer = fakeHub.accept()) {
                peer.getOutputStream().write(String.format(FAKE_INFO, port, port).getBytes(StandardCharsets.UTF_8));
                String connect = readUntil(peer, "CONNECT ");
                peer.getOutputStream().write(String.format(FAKE_CONNECT_INFO, port).getBytes(StandardCharsets.UTF_8));
                return List.of(connect, readUntil(peer, "LS+ $LDS."));
            }
        }
    }

    @Test
    void aSpokeWithADomainSendsWhatNatsServerSends() throws Exception {
        List<String> go = spoke(false);
        List<String> mine = spoke(true);
        Map<String, Object> goConnect = json(lines(go.get(0)).get(0), "CONNECT");
        Map<String, Object> myConnect = json(lines(mine.get(0)).get(0), "CONNECT");
        assertThat(List.copyOf(myConnect.keySet())).isEqualTo(List.copyOf(goConnect.keySet()));
        assertThat(myConnect.get("domain")).isEqualTo("edge").isEqualTo(goConnect.get("domain"));
        assertThat(myConnect.get("jetstream")).isEqualTo(true).isEqualTo(goConnect.get("jetstream"));
        assertThat(domainInterest(mine.get(1))).hasSize(9).isEqualTo(domainInterest(go.get(1)));
    }

    /** [first INFO, answer to a CONNECT naming domain "fake" with the burst] of a hub with domain "core". */
    private List<String> hub(boolean ours) throws Exception {
        AutoCloseable server;
        int leafPort;
        if (ours) {
            RunningServer s = RunningServer.start(b -> b.serverName("HUB").jetstream(ourJs("ours-hub", "core"))
                    .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
            server = s;
            leafPort = s.server().leafNodes().port();
        } else {
            GoLeafNode g = GoLeafNode.start("HUB", js("go-hub", "core") + "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
            server = g;
            leafPort = g.leafPort;
        }
        try (server; Socket peer = new Socket("127.0.0.1", leafPort)) {
            String info = readUntil(peer, "INFO ");
            peer.getOutputStream().write(("CONNECT {\"version\":\"2.9.10\",\"server_id\":\"NFAKESPOKE\",\"domain\":"
                    + "\"fake\",\"name\":\"fakespoke\",\"headers\":true,\"jetstream\":true}\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            return List.of(info, readUntil(peer, "LS+ $LDS."));
        }
    }

    @Test
    void aHubWithADomainSendsWhatNatsServerSends() throws Exception {
        List<String> go = hub(false);
        List<String> mine = hub(true);
        Map<String, Object> goInfo = json(lines(go.get(0)).get(0), "INFO");
        Map<String, Object> myInfo = json(lines(mine.get(0)).get(0), "INFO");
        assertThat(List.copyOf(myInfo.keySet())).isEqualTo(List.copyOf(goInfo.keySet()));
        assertThat(myInfo.get("domain")).isEqualTo("core").isEqualTo(goInfo.get("domain"));
        assertThat(List.copyOf(json(lines(mine.get(1)).get(0), "INFO").keySet()))
                .isEqualTo(List.copyOf(json(lines(go.get(1)).get(0), "INFO").keySet()));
        assertThat(domainInterest(mine.get(1))).hasSize(9).isEqualTo(domainInterest(go.get(1)));
    }
}
