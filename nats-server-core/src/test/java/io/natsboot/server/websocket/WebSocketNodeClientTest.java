package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.support.RunningServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The npm nats.ws client in Node 20 (with the ws package as its WebSocket) against our listener and
 * nats-server 2.9.10's, the same scenarios on both: connect, pub/sub, request/reply, 700 KiB and 70 KB
 * messages (many frames each way), 5,000 small messages, with compression on and off, and a refused origin.
 * What the client saw must be the same.
 */
class WebSocketNodeClientTest {

    private static String node(int wsPort, String... origin) throws Exception {
        Path dir = JsProject.dir();
        String[] cmd = origin.length == 0
                ? new String[] {"node", "node-client.mjs", "ws://127.0.0.1:" + wsPort}
                : new String[] {"node", "node-client.mjs", "ws://127.0.0.1:" + wsPort, origin[0]};
        JsProject.Result r = JsProject.run(dir, 60, cmd);
        assertThat(r.exit()).as(r.output()).isZero();
        String[] lines = r.output().trim().split("\n");
        return lines[lines.length - 1];
    }

    private static void sameAsNatsServer(String natsBlock, WebSocketOptions ours, String expect, String... origin)
            throws Exception {
        String theirs;
        try (ReferenceServer ref = new ReferenceServer(natsBlock, "")) {
            theirs = node(ref.wsPort, origin);
        }
        String mine;
        try (RunningServer s = RunningServer.start(b -> b.websocket(ours))) {
            mine = node(s.server().context().webSocketPort(), origin);
        }
        assertThat(mine).as("nats.ws in Node against ours vs nats-server").isEqualTo(theirs);
        assertThat(mine).contains(expect);
    }

    private static final String OK = "\"pubsub\":[\"one\",\"two\",\"three\"],\"reply\":\"echo:hi\","
            + "\"big\":[\"716800:4243294208\",\"70000:3078001416\"],\"big_sent\":[\"716800:4243294208\","
            + "\"70000:3078001416\"],\"many_bytes\":23890,\"closed\":\"ok\"";

    @Test
    void compressionOn() throws Exception {
        sameAsNatsServer("no_tls: true\ncompression: true", compression(true),
                "{\"extensions\":\"permessage-deflate\",\"server_version\":\"2.9.10\",\"max_payload\":1048576," + OK);
    }

    @Test
    void compressionOff() throws Exception {
        sameAsNatsServer("no_tls: true", compression(false),
                "{\"extensions\":\"\",\"server_version\":\"2.9.10\",\"max_payload\":1048576," + OK);
    }

    @Test
    void refusedOrigin() throws Exception {
        sameAsNatsServer("no_tls: true\nallowed_origins: [\"https://app.example\"]",
                new WebSocketOptions("127.0.0.1", 0, null, null, true, false, List.of("https://app.example"), false,
                        null, null, null, null, null, null, null),
                "{\"extensions\":\"error: Unexpected server response: 403\",\"error\":\"UNKNOWN_ERROR Unexpected server response: 403\"}",
                "http://evil.example");
    }

    private static WebSocketOptions compression(boolean on) {
        return new WebSocketOptions("127.0.0.1", 0, null, null, true, false, List.of(), on, null, null, null, null,
                null, null, null);
    }
}
