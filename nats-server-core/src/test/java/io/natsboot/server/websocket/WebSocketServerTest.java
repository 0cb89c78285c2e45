package io.natsboot.server.websocket;

import static io.natsboot.server.websocket.WebSocketDifferentialTest.eventually;
import static io.natsboot.server.websocket.WebSocketDifferentialTest.frames;
import static io.natsboot.server.websocket.WebSocketDifferentialTest.normalize;
import static io.natsboot.server.websocket.WebSocketDifferentialTest.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.monitor.ConnInfo;
import io.natsboot.server.monitor.ConnState;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The WebSocket listener with TLS, limits, monitoring, shutdown and the no-masking request. */
class WebSocketServerTest {

    private static WebSocketOptions plain() {
        return WebSocketOptions.plain("127.0.0.1", 0);
    }

    private static int ws(RunningServer s) {
        return s.server().context().webSocketPort();
    }

    @Test
    void wssAsNatsServer() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        String block = "tls { cert_file: \"" + certs.path("server-cert.pem") + "\", key_file: \""
                + certs.path("server-key.pem") + "\" }";
        WebSocketDifferentialTest.Script script = p -> {
            try {
                SSLSocket s = (SSLSocket) certs.clientContext(false).getSocketFactory().createSocket("127.0.0.1", p);
                s.startHandshake();
                try (WsRawClient c = new WsRawClient(s)) {
                    StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(p, "")));
                    t.append(c.next()).append('\n');
                    c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
                    return t.append(c.next()).toString();
                }
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        };
        WebSocketDifferentialTest.Script plainHttp = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                c.sendRaw(WsRawClient.request(p, ""));
                return c.readHead() + c.readBody(48) + " closed " + c.closedByServer();
            }
        };
        String theirs;
        String theirsPlain;
        try (ReferenceServer ref = new ReferenceServer(block, "")) {
            theirsPlain = plainHttp.run(ref.wsPort);
            theirs = normalize(script.run(ref.wsPort));
            assertThat(ref.log.toString()).contains("Listening for websocket clients on wss://127.0.0.1:" + ref.wsPort);
        }
        try (RunningServer ours = RunningServer.start(b -> b.websocket(new WebSocketOptions("127.0.0.1", 0, null,
                certs.serverTls(false), false, false, List.of(), false, null, null, null, null, null, null, null)))) {
            assertThat(normalize(script.run(ws(ours)))).isEqualTo(theirs);
            assertThat(plainHttp.run(ws(ours))).isEqualTo(theirsPlain)
                    .isEqualTo("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                            + " closed true");
            assertThat(ours.log().contains("[INF] Listening for websocket clients on wss://127.0.0.1:" + ws(ours)))
                    .isTrue();
            assertThat(ours.log().contains("DO NOT USE IN PRODUCTION")).isFalse();
        }
        assertThat(theirs).startsWith("HTTP/1.1 101").endsWith("'PONG\r\n'");
    }

    @Test
    void maxConnectionsAndNoMaskingAsNatsServer() throws Exception {
        WebSocketDifferentialTest.Script second = p -> {
            try (WsRawClient first = new WsRawClient(p)) {
                first.upgrade(WsRawClient.request(p, ""));
                first.next();
                // nats-server registers a client only after its INFO went out: a PING round trip makes sure the
                // first one counts before the second connects
                first.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
                first.readUntil("PONG\r\n");
                return session(p, "");
            }
        };
        WebSocketDifferentialTest.Script noMask = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(p, "Nats-No-Masking: true\r\n")));
                t.append(c.next()).append('\n');
                c.frame(0x82, "PING\r\n".getBytes(StandardCharsets.UTF_8), false);
                return t.append(c.next()).toString();
            }
        };
        String theirs;
        String theirsNoMask;
        try (ReferenceServer ref = new ReferenceServer("no_tls: true", "max_connections: 1")) {
            theirs = dataJoined(normalize(second.run(ref.wsPort)));
        }
        try (ReferenceServer ref = new ReferenceServer("no_tls: true", "")) {
            theirsNoMask = normalize(noMask.run(ref.wsPort));
        }
        try (RunningServer ours = RunningServer.start(b -> b.maxConnections(1).websocket(plain()))) {
            assertThat(dataJoined(normalize(second.run(ws(ours))))).isEqualTo(theirs);
        }
        try (RunningServer ours = RunningServer.start(b -> b.websocket(plain()))) {
            assertThat(normalize(noMask.run(ws(ours)))).isEqualTo(theirsNoMask);
        }
        assertThat(theirs).contains("-ERR 'maximum connections exceeded'")
                .contains("(1008 Maximum Connections Exceeded)");
        assertThat(theirsNoMask).contains("Nats-No-Masking: true\r\n").endsWith("'PONG\r\n'");
    }

    /**
     * Consecutive binary frames as one: nats-server sends INFO and the -ERR of a refused client in two frames, we
     * in one (the NATS stream is the same; clients do not see frame boundaries).
     */
    private static String dataJoined(String transcript) {
        return transcript.replaceAll("'\n0x82\\[\\d+\\]'", "");
    }

    @Test
    void connzTypeLogIdAndShutdownClose() throws Exception {
        RunningServer s = RunningServer.start(b -> b.websocket(plain()));
        try (WsRawClient c = new WsRawClient(ws(s))) {
            c.upgrade(WsRawClient.request(ws(s), ""));
            c.next();
            c.send("CONNECT {\"verbose\":false,\"name\":\"w\"}\r\nSUB a 1\r\nPING\r\n");
            assertThat(c.next().text()).isEqualTo("PONG\r\n");
            Monitor m = s.server().snapshots();
            List<ConnInfo> open = m.connz(new ConnzOptions("", false, false, false, 0, 0, 0, ConnState.OPEN, "", "",
                    "", "")).connections();
            assertThat(open).extracting(ConnInfo::type).containsExactly("websocket");
            assertThat(open.get(0).name()).isEqualTo("w");
            assertThat(s.log().lines()).anyMatch(l -> l.contains(" - wid:") && l.contains("Client connection created"));
            s.close();
            List<WsRawClient.Frame> last = c.drain();
            assertThat(last).extracting(Object::toString).containsExactly("0x88[17](1001 Server Shutdown)");
        }
    }

    @Test
    void handshakeTimeoutClosesASilentConnection() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.websocket(new WebSocketOptions("127.0.0.1", 0, null, null,
                true, false, List.of(), false, null, null, null, null, null, null, Duration.ofMillis(300))));
             WsRawClient c = new WsRawClient(ws(s))) {
            long start = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            // a client that completes the upgrade in time is not affected afterwards
            try (WsRawClient ok = new WsRawClient(ws(s))) {
                ok.upgrade(WsRawClient.request(ws(s), ""));
                ok.next();
                eventually("past the timeout", () -> System.nanoTime() - start > 600_000_000L);
                ok.send("PING\r\n");
                assertThat(ok.next().text()).isEqualTo("PONG\r\n");
            }
        }
    }

    @Test
    void authOverrideWithNoAuthUserAndToken() throws Exception {
        // the server's users stay; the websocket block's no_auth_user picks one for clients without credentials
        io.natsboot.server.auth.User u = new io.natsboot.server.auth.User("wsuser", "pw", null);
        try (RunningServer s = RunningServer.start(b -> b.users(List.of(u)).websocket(new WebSocketOptions(
                "127.0.0.1", 0, null, null, true, false, List.of(), false, null, null, null, null, "wsuser", null,
                null)))) {
            String t = session(ws(s), "", "CONNECT {\"verbose\":false}\r\nPING\r\n");
            assertThat(t).contains("\"auth_required\":true").contains("'PONG\r\n'");
        }
        try (RunningServer s = RunningServer.start(b -> b.websocket(new WebSocketOptions("127.0.0.1", 0, null, null,
                true, false, List.of(), false, null, null, "s3cr3t", null, null, null, null)))) {
            assertThat(session(ws(s), "", "CONNECT {\"verbose\":false,\"auth_token\":\"s3cr3t\"}\r\nPING\r\n"))
                    .contains("'PONG\r\n'").doesNotContain("-ERR");
            assertThat(session(ws(s), "", "CONNECT {\"verbose\":false}\r\nPING\r\n"))
                    .contains("-ERR 'Authorization Violation'").contains("(1008 Authentication Failure)");
            // plain clients are not asked for the websocket token
            try (io.natsboot.server.support.RawClient raw = new io.natsboot.server.support.RawClient(s.port())) {
                assertThat(raw.readInfo()).doesNotContain("auth_required");
            }
        }
    }

    @Test
    void reloadRefusesAChangedBlockAsNatsServer() {
        assertThat(io.natsboot.server.config.ConfigReload.goText(new WebSocketOptions("0.0.0.0", 18290,
                null, null, true, false, List.of(), false, null, null, null, null, null, null, null)))
                .isEqualTo("{0.0.0.0 18290       0 true <nil> false map[] false [] false 0s}");
        assertThat(io.natsboot.server.config.ConfigReload.goText(new WebSocketOptions("0.0.0.0", 18290,
                null, null, true, true, List.of(), false, "a", "b", null, null, null, null, null)))
                .isEqualTo("{0.0.0.0 18290    a b  0 true <nil> false map[] true [] false 0s}");
    }
}
