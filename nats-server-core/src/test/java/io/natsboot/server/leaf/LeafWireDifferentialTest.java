package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The leaf-node wire, ours against nats-server 2.9.10, with a scripted fake peer on a raw socket: as a fake hub
 * (what a spoke sends: CONNECT, its interest, LMSG) and as a fake spoke (what a hub sends: INFO, the INFO answering
 * CONNECT, its interest, LMSG with queue names). Server ids, nonces and the $LDS subject differ by nature and are
 * normalized; everything else must be the same.
 */
@RequiresBinary("nats-server")
class LeafWireDifferentialTest {

    /** Reads what arrives until the peer is quiet for {@code quietMillis}. */
    static String drain(Socket s, int quietMillis) throws IOException {
        s.setSoTimeout(quietMillis);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        while (true) {
            try {
                int n = in.read(b);
                if (n < 0) {
                    break;
                }
                out.write(b, 0, n);
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Lines of a transcript with ids normalized, PING/PONG dropped (timers), sorted where order is a map's. */
    static List<String> lines(String transcript) {
        List<String> out = new ArrayList<>();
        for (String l : transcript.split("\r\n")) {
            if (l.isEmpty() || l.equals("PING") || l.equals("PONG")) {
                continue;
            }
            out.add(l.replaceAll("\\$LDS\\.[A-Za-z0-9]+", "\\$LDS.<id>"));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String line, String op) {
        assertThat(line).startsWith(op + " ");
        return (Map<String, Object>) Json.parse(line.substring(op.length() + 1).trim());
    }

    private static final String FAKE_INFO = "INFO {\"server_id\":\"NFAKEHUB\",\"server_name\":\"fakehub\",\"version\":"
            + "\"2.9.10\",\"proto\":1,\"go\":\"go1.19.8\",\"host\":\"127.0.0.1\",\"port\":%d,\"headers\":true,"
            + "\"auth_required\":true,\"max_payload\":1048576,\"client_id\":7,\"nonce\":\"abcdefghijk\","
            + "\"info_on_connect\":true,\"leafnode_urls\":[\"127.0.0.1:%d\"]} \r\n";
    private static final String FAKE_CONNECT_INFO = "INFO {\"server_id\":\"NFAKEHUB\",\"server_name\":\"fakehub\","
            + "\"version\":\"2.9.10\",\"proto\":1,\"headers\":true,\"auth_required\":true,\"max_payload\":1048576,"
            + "\"client_id\":7,\"info_on_connect\":true,\"connect_info\":true,\"leafnode_urls\":[\"127.0.0.1:%d\"],"
            + "\"remote_account\":\"$G\"} \r\n";

    /** What a spoke sends a (fake) hub: returns [CONNECT, interest burst, traffic after a client acted]. */
    private static List<String> spokeTranscript(boolean ours) throws Exception {
        try (ServerSocket fakeHub = new ServerSocket(0)) {
            int port = fakeHub.getLocalPort();
            String url = "nats-leaf://someone:pw@127.0.0.1:" + port;
            AutoCloseable server;
            int clientPort;
            if (ours) {
                RunningServer s = RunningServer.start(b -> b.serverName("SPOKE").leafnodes(LeafNodeOptions.remotes(
                        List.of(LeafNodeOptions.Remote.of(URI.create(url), null)))));
                server = s;
                clientPort = s.port();
            } else {
                GoLeafNode g = GoLeafNode.start("SPOKE", "leafnodes { remotes: [ { url: \"" + url + "\" } ] }");
                server = g;
                clientPort = g.port;
            }
            try (server; Socket peer = fakeHub.accept()) {
                peer.getOutputStream().write(String.format(FAKE_INFO, port, port).getBytes(StandardCharsets.UTF_8));
                String connect = drain(peer, 500);
                peer.getOutputStream().write((String.format(FAKE_CONNECT_INFO, port)
                        + "LS+ foo\r\nLS+ bar q 2\r\n").getBytes(StandardCharsets.UTF_8));
                String burst = drain(peer, 500);
                try (Socket client = new Socket("127.0.0.1", clientPort)) {
                    drain(client, 200);
                    client.getOutputStream().write(("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB x 1\r\n"
                            + "PUB foo r.1 2\r\nhi\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPUB bar 1\r\nb\r\n"
                            + "UNSUB 1\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
                    drain(client, 300);
                    String traffic = drain(peer, 500);
                    peer.getOutputStream().write("LMSG x 2\r\nab\r\nPING\r\n".getBytes(StandardCharsets.UTF_8));
                    return List.of(connect, burst, traffic);
                }
            }
        }
    }

    @Test
    void aSpokeSendsWhatNatsServerSends() throws Exception {
        List<String> go = spokeTranscript(false);
        List<String> mine = spokeTranscript(true);
        Map<String, Object> goConnect = json(lines(go.get(0)).get(0), "CONNECT");
        Map<String, Object> myConnect = json(lines(mine.get(0)).get(0), "CONNECT");
        assertThat(List.copyOf(myConnect.keySet())).isEqualTo(List.copyOf(goConnect.keySet()));
        for (String k : List.of("version", "user", "pass", "tls_required", "headers")) {
            assertThat(myConnect.get(k)).as(k).isEqualTo(goConnect.get(k));
        }
        assertThat(new TreeSet<>(lines(mine.get(1)))).isEqualTo(new TreeSet<>(lines(go.get(1))));
        assertThat(lines(mine.get(2))).isEqualTo(lines(go.get(2)));
    }

    /** What a hub sends a (fake) spoke: [first INFO, answer to CONNECT with its burst, traffic]. */
    private static List<String> hubTranscript(boolean ours) throws Exception {
        AutoCloseable server;
        int leafPort;
        int clientPort;
        if (ours) {
            RunningServer s = RunningServer.start(b -> b.serverName("HUB")
                    .leafnodes(LeafNodeOptions.listen("127.0.0.1", 0)));
            server = s;
            leafPort = s.server().leafNodes().port();
            clientPort = s.port();
        } else {
            GoLeafNode g = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\" }");
            server = g;
            leafPort = g.leafPort;
            clientPort = g.port;
        }
        try (server; Socket peer = new Socket("127.0.0.1", leafPort)) {
            String info = drain(peer, 300);
            peer.getOutputStream().write(("CONNECT {\"version\":\"2.9.10\",\"server_id\":\"NFAKESPOKE\",\"name\":"
                    + "\"fakespoke\",\"headers\":true}\r\n").getBytes(StandardCharsets.UTF_8));
            String answer = drain(peer, 500);
            peer.getOutputStream().write("LS+ foo\r\nLS+ bar q 2\r\nLS+ $LDS.other\r\n".getBytes(StandardCharsets.UTF_8));
            drain(peer, 300);
            try (Socket client = new Socket("127.0.0.1", clientPort)) {
                drain(client, 200);
                client.getOutputStream().write(("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB zz 1\r\n"
                        + "SUB q.* grp 2\r\nPUB foo r.1 2\r\nhi\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                        + "PUB bar 1\r\nx\r\nPUB bar r.2 1\r\ny\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
                drain(client, 300);
                String traffic = drain(peer, 500);
                peer.getOutputStream().write(("LMSG zz 2\r\nab\r\nLMSG zz rep 2\r\nab\r\nHMSG zz 12 14\r\nNATS/1.0"
                        + "\r\n\r\nab\r\nLMSG q.1 | grp 1\r\nz\r\nLS- foo\r\nPING\r\n").getBytes(StandardCharsets.UTF_8));
                drain(peer, 300);
                String delivered = drain(client, 500);
                return List.of(info, answer, traffic, delivered);
            }
        }
    }

    @Test
    void aHubSendsWhatNatsServerSends() throws Exception {
        List<String> go = hubTranscript(false);
        List<String> mine = hubTranscript(true);
        Map<String, Object> goInfo = json(lines(go.get(0)).get(0), "INFO");
        Map<String, Object> myInfo = json(lines(mine.get(0)).get(0), "INFO");
        assertThat(List.copyOf(myInfo.keySet())).isEqualTo(List.copyOf(goInfo.keySet()));
        for (String k : List.of("version", "proto", "headers", "auth_required", "max_payload", "info_on_connect")) {
            assertThat(myInfo.get(k)).as(k).isEqualTo(goInfo.get(k));
        }
        assertThat(go.get(0)).endsWith("} \r\n");
        assertThat(mine.get(0)).endsWith("} \r\n");
        List<String> goAnswer = lines(go.get(1));
        List<String> myAnswer = lines(mine.get(1));
        assertThat(List.copyOf(json(myAnswer.get(0), "INFO").keySet()))
                .isEqualTo(List.copyOf(json(goAnswer.get(0), "INFO").keySet()));
        assertThat(json(myAnswer.get(0), "INFO").get("remote_account")).isEqualTo("$G");
        assertThat(new TreeSet<>(myAnswer.subList(1, myAnswer.size())))
                .isEqualTo(new TreeSet<>(goAnswer.subList(1, goAnswer.size())));
        assertThat(lines(mine.get(2))).isEqualTo(lines(go.get(2)));
        assertThat(lines(mine.get(3))).isEqualTo(lines(go.get(3)));
    }

    /** What a hub with a leafnodes user answers to each script (after its INFO), until it closes. */
    private static List<String> refusals(boolean ours, List<String> scripts) throws Exception {
        AutoCloseable server;
        int leafPort;
        if (ours) {
            RunningServer s = RunningServer.start(b -> b.serverName("HUB").leafnodes(
                    LeafNodeOptions.listen("127.0.0.1", 0).withUser("lu", "lp")));
            server = s;
            leafPort = s.server().leafNodes().port();
        } else {
            GoLeafNode g = GoLeafNode.start("HUB", "leafnodes { listen: \"127.0.0.1:%LEAFPORT%\","
                    + " authorization { user: lu, password: lp } }");
            server = g;
            leafPort = g.leafPort;
        }
        List<String> out = new ArrayList<>();
        try (server) {
            for (String script : scripts) {
                try (Socket peer = new Socket("127.0.0.1", leafPort)) {
                    drain(peer, 300);
                    peer.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
                    out.add(drain(peer, 500));
                }
            }
        }
        return out;
    }

    @Test
    void aHubRefusesAsNatsServerDoes() throws Exception {
        List<String> scripts = List.of(
                "CONNECT {\"lang\":\"java\",\"verbose\":false}\r\n", // a client on the leafnodes port
                "PING\r\n",                                              // nothing before CONNECT
                "LS+ foo\r\n",
                "CONNECT {\"user\":\"lu\",\"pass\":\"wrong\"}\r\n");
        assertThat(refusals(true, scripts)).isEqualTo(refusals(false, scripts));
    }
}
