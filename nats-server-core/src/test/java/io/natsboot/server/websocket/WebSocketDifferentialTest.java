package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same raw WebSocket scripts against nats-server 2.9.10's websocket listener and ours, compared as
 * transcripts: the HTTP response head (the Date header masked), every frame's first byte, length and payload,
 * and whether the server hung up. INFO values that differ legitimately (ids, names, ports) are masked.
 */
@RequiresBinary("nats-server")
class WebSocketDifferentialTest {
    private static final String PLAIN = "no_tls: true";
    private static final String COMPRESS = "no_tls: true\ncompression: true";
    private static final String ORIGINS = "no_tls: true\nsame_origin: true\n"
            + "allowed_origins: [\"http://127.0.0.1\", \"https://example.com\"]";
    private static final String AUTH = "no_tls: true\nauthorization { user: wsu, password: wsp, timeout: 2 }";

    private static ReferenceServer refPlain;
    private static ReferenceServer refCompress;
    private static ReferenceServer refOrigins;
    private static ReferenceServer refAuth;
    private static RunningServer ourPlain;
    private static RunningServer ourCompress;
    private static RunningServer ourOrigins;
    private static RunningServer ourAuth;

    @BeforeAll
    static void start() throws Exception {
        refPlain = new ReferenceServer(PLAIN, "");
        refCompress = new ReferenceServer(COMPRESS, "");
        refOrigins = new ReferenceServer(ORIGINS, "");
        refAuth = new ReferenceServer(AUTH, "");
        ourPlain = ours(w -> w);
        ourCompress = ours(w -> new WebSocketOptions(w.host(), 0, null, null, true, false, List.of(), true, null,
                null, null, null, null, null, null));
        ourOrigins = ours(w -> new WebSocketOptions(w.host(), 0, null, null, true, true,
                List.of("http://127.0.0.1", "https://example.com"), false, null, null, null, null, null, null, null));
        ourAuth = ours(w -> new WebSocketOptions(w.host(), 0, null, null, true, false, List.of(), false, "wsu", "wsp",
                null, Duration.ofSeconds(2), null, null, null));
    }

    private static RunningServer ours(UnaryOperator<WebSocketOptions> ws) {
        return RunningServer.start(b -> b.websocket(ws.apply(WebSocketOptions.plain("127.0.0.1", 0))));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {refPlain, refCompress, refOrigins, refAuth, ourPlain, ourCompress,
                ourOrigins, ourAuth}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static int ws(RunningServer s) {
        return s.server().context().webSocketPort();
    }

    interface Script {
        String run(int port) throws IOException;
    }

    /** Runs the script against both and requires the same transcript; returns it for further checks. */
    private static String same(ReferenceServer ref, RunningServer our, Script script) throws IOException {
        String theirs = normalize(script.run(ref.wsPort));
        String mine = normalize(script.run(ws(our)));
        assertThat(mine).as("ours vs nats-server 2.9.10").isEqualTo(theirs);
        return theirs;
    }

    static String normalize(String t) {
        return t.replaceAll("\"server_id\":\"[A-Z0-9]+\"", "\"server_id\":\"ID\"")
                .replaceAll("\"server_name\":\"[^\"]+\"", "\"server_name\":\"NAME\"")
                .replaceAll("\"port\":\\d+", "\"port\":0")
                .replaceAll("\"client_id\":\\d+", "\"client_id\":0")
                .replaceAll("\"go\":\"[^\"]+\"", "\"go\":\"GO\"")
                .replaceAll("\"host\":\"[^\"]+\"", "\"host\":\"H\"")
                .replaceAll("Date: [^\r]+\r\n", "Date: D\r\n")
                .replaceAll("\\[\\d+\\]'INFO", "[n]'INFO")
                // Go's and zlib's deflate output differ in size: compare what they inflate to
                .replaceAll("0xc2\\[\\d+\\]", "0xc2[c]");
    }

    /** Upgrade with {@code extra} headers, then the frames for {@code payloads}, then everything until quiet. */
    static String session(int port, String extra, String... payloads) throws IOException {
        try (WsRawClient c = new WsRawClient(port)) {
            StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(port, extra)));
            if (!t.toString().startsWith("HTTP/1.1 101")) {
                return t.toString();
            }
            t.append(c.next()).append('\n');
            for (String p : payloads) {
                c.send(p);
            }
            return t.append(frames(c)).toString();
        }
    }

    static String frames(WsRawClient c) throws IOException {
        return c.drain().stream().map(Object::toString).collect(Collectors.joining("\n")) + "\n<end>";
    }

    @Test
    void upgradeInfoAndProtocolInBinaryFrames() throws IOException {
        String t = same(refPlain, ourPlain, p -> session(p, "", "CONNECT {\"verbose\":true}\r\nPING\r\n",
                "SUB a 1\r\nPUB a 5\r\nhello\r\nPING\r\n"));
        assertThat(t).startsWith("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n0x82");
        assertThat(t).contains("'+OK\r\nPONG\r\n'").contains("MSG a 1 5\r\nhello\r\n");
    }

    @Test
    void compressionNegotiatedAndLargeOutputDeflated() throws IOException {
        String big = "PUB big 3000\r\n" + "x".repeat(3000) + "\r\n";
        String t = same(refCompress, ourCompress, p -> session(p,
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
                "CONNECT {\"verbose\":false}\r\nPING\r\n", "SUB big 1\r\n" + big + "PING\r\n"));
        assertThat(t).contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                + "client_no_context_takeover\r\n");
        assertThat(t).contains("0xc2[").contains("0x82[6]'PONG\r\n'"); // INFO compressed, small output not
        // without the offer, or with compression off, nothing is compressed
        same(refCompress, ourCompress, p -> session(p, "", "CONNECT {\"verbose\":false}\r\nPING\r\n"));
        same(refPlain, ourPlain, p -> session(p, "Sec-WebSocket-Extensions: permessage-deflate\r\n",
                "CONNECT {\"verbose\":false}\r\nPING\r\n"));
    }

    @Test
    void compressedFramesFromTheClientAreInflated() throws IOException {
        Script s = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(p,
                        "Sec-WebSocket-Extensions: permessage-deflate\r\n")));
                t.append(c.next()).append('\n');
                byte[] d = deflate("CONNECT {\"verbose\":false}\r\nSUB z 1\r\nPUB z 3\r\nabc\r\nPING\r\n");
                // one compressed message in two fragments: RSV1 on the first only
                int half = d.length / 2;
                c.frame(0x42, java.util.Arrays.copyOf(d, half), true);
                c.frame(0x80, java.util.Arrays.copyOfRange(d, half, d.length), true);
                return t.append(frames(c)).toString();
            }
        };
        assertThat(same(refCompress, ourCompress, s)).contains("MSG z 1 3\r\nabc\r\nPONG");
    }

    @Test
    void controlFramesAndClientClose() throws IOException {
        Script s = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(p, "")));
                t.append(c.next()).append('\n');
                c.frame(0x89, "hi".getBytes(StandardCharsets.UTF_8), true);
                t.append(c.next()).append('\n');
                c.frame(0x8A, new byte[0], true); // unsolicited pong: ignored
                c.send("PING\r\n");
                t.append(c.next()).append('\n');
                c.frame(0x88, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, true);
                return t.append(frames(c)).toString();
            }
        };
        String t = same(refPlain, ourPlain, s);
        assertThat(t).contains("0x8a[2]'hi'").contains("0x88[5](1000 bye)\n<end>");
        Script noStatus = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                StringBuilder t2 = new StringBuilder(c.upgrade(WsRawClient.request(p, "")));
                t2.append(c.next()).append('\n');
                c.frame(0x88, new byte[0], true);
                return t2.append(frames(c)).toString();
            }
        };
        assertThat(same(refPlain, ourPlain, noStatus)).contains("0x88[2](1005 )");
        Script fragments = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                StringBuilder t2 = new StringBuilder(c.upgrade(WsRawClient.request(p, "")));
                t2.append(c.next()).append('\n');
                c.frame(0x02, "PI".getBytes(StandardCharsets.UTF_8), true);
                c.frame(0x89, new byte[0], true); // a control frame between fragments is allowed
                c.frame(0x80, "NG\r\n".getBytes(StandardCharsets.UTF_8), true);
                c.frame(0x81, "PING\r\n".getBytes(StandardCharsets.UTF_8), true); // text frames carry data too
                t2.append(c.next()).append('\n').append(c.next()).append('\n').append(c.next()).append('\n');
                return t2.toString();
            }
        };
        same(refPlain, ourPlain, fragments);
    }

    @Test
    void badFramesAreReadErrorsWithoutACloseFrame() throws IOException {
        byte[] ping = "PING\r\n".getBytes(StandardCharsets.UTF_8);
        Object[][] cases = {
            {0x82, ping, false, "mask bit missing"},
            {0x89, new byte[126], true, "control frame length bigger than maximum allowed of 125 bytes"},
            {0x09, new byte[1], true, "control frame does not have final bit set"},
            {0x80, ping, true, "invalid continuation frame"},
            {0x83, ping, true, "unknown opcode 3"},
        };
        for (Object[] k : cases) {
            Script s = p -> {
                try (WsRawClient c = new WsRawClient(p)) {
                    StringBuilder t = new StringBuilder(c.upgrade(WsRawClient.request(p, "")));
                    t.append(c.next()).append('\n');
                    c.frame((Integer) k[0], (byte[]) k[1], (Boolean) k[2]);
                    return t.append(frames(c)).toString();
                }
            };
            // nats-server sends the 1002 close frame or not, as a race decides; ours always does
            String mine = normalize(s.run(ws(ourPlain)));
            String theirs = normalize(s.run(refPlain.wsPort));
            String close = "(1002 " + k[3] + ")\n<end>";
            assertThat(mine).endsWith(close);
            assertThat(theirs).isIn(mine, mine.substring(0, mine.lastIndexOf("0x88[")) + "\n<end>");
            eventually("our log: read error: " + k[3], () -> ourPlain.log().contains(" - wid:")
                    && ourPlain.log().contains("read error: " + k[3]));
            eventually("nats-server's log: read error: " + k[3],
                    () -> refPlain.log.toString().contains("read error: " + k[3]));
        }
    }

    @Test
    void serverClosesWithAStatusFromTheReason() throws IOException {
        String t = same(refPlain, ourPlain, p -> session(p, "", "CONNECT {\"verbose\":false}\r\nBOGUS\r\n"));
        assertThat(t).contains("-ERR 'Unknown Protocol Operation'").contains("(1002 Protocol Violation)\n<end>");
        String a = same(refAuth, ourAuth, p -> session(p, "", "CONNECT {\"verbose\":false,\"user\":\"x\"}\r\n"));
        assertThat(a).contains("\"auth_required\":true").contains("-ERR 'Authorization Violation'")
                .contains("(1008 Authentication Failure)");
        String ok = same(refAuth, ourAuth,
                p -> session(p, "", "CONNECT {\"verbose\":false,\"user\":\"wsu\",\"pass\":\"wsp\"}\r\nPING\r\n"));
        assertThat(ok).contains("'PONG\r\n'");
    }

    @Test
    void refusalsAsGoHttpErrors() throws IOException {
        Script post = p -> refusal(p, WsRawClient.request(p, "").replace("GET /", "POST /"));
        assertThat(same(refPlain, ourPlain, post)).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
        Script noKey = p -> refusal(p, WsRawClient.request(p, "").replace("Sec-WebSocket-Key: " + WsRawClient.KEY
                + "\r\n", ""));
        assertThat(same(refPlain, ourPlain, noKey)).startsWith("HTTP/1.1 400 Bad Request\r\n");
        Script version = p -> refusal(p, WsRawClient.request(p, "").replace("Version: 13", "Version: 12"));
        same(refPlain, ourPlain, version);
        Script noUpgrade = p -> refusal(p, WsRawClient.request(p, "").replace("Upgrade: websocket\r\n", ""));
        same(refPlain, ourPlain, noUpgrade);
        assertThat(ourPlain.log().contains("websocket handshake error: request method must be GET")).isTrue();
        assertThat(ourPlain.log().contains("websocket handshake error: key missing")).isTrue();
    }

    @Test
    void dataBeforeTheUpgradeCompletesIsRefused() throws IOException {
        Script early = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                c.sendRaw(WsRawClient.request(p, "") + "\u0082\u0086\u0001\u0002\u0003\u0004QKMCs\u0008");
                return "[" + c.readHead() + "] closed " + c.closedByServer();
            }
        };
        assertThat(same(refPlain, ourPlain, early)).isEqualTo("[] closed true");
        eventually("log", () -> ourPlain.log().contains(
                "websocket handshake error: client sent data before handshake is complete"));
    }

    @Test
    void unparsableRequestGetsGosBadRequest() throws IOException {
        Script garbage = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                c.sendRaw("HELLO\r\n\r\n");
                return c.readHead() + c.readBody(15) + " closed " + c.closedByServer();
            }
        };
        assertThat(same(refPlain, ourPlain, garbage)).isEqualTo("HTTP/1.1 400 Bad Request\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request closed true");
    }

    private static String refusal(int port, String request) throws IOException {
        try (WsRawClient c = new WsRawClient(port)) {
            String head = c.upgrade(request);
            int len = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            return head + c.readBody(len);
        }
    }

    @Test
    void originChecks() throws IOException {
        Script foreign = p -> refusal(p, WsRawClient.request(p, "Origin: http://evil.example\r\n"));
        assertThat(same(refOrigins, ourOrigins, foreign)).startsWith("HTTP/1.1 403 Forbidden\r\n")
                .endsWith("Forbidden\n");
        assertThat(ourOrigins.log().contains("websocket handshake error: origin not allowed: not same origin"))
                .isTrue();
        // same origin but a port not in the allowed list
        Script notListed = p -> refusal(p, WsRawClient.request(p, "Origin: http://127.0.0.1:" + p + "\r\n"));
        same(refOrigins, ourOrigins, notListed);
        assertThat(ourOrigins.log().contains("origin not allowed: not in the allowed list")).isTrue();
        // same origin (default port) and listed: accepted
        Script ok = p -> session(p, "Origin: http://127.0.0.1\r\n", "PING\r\n")
                .replace("Host: 127.0.0.1:" + p, "");
        Script okHost = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                String req = WsRawClient.request(p, "Origin: http://127.0.0.1\r\n")
                        .replace("Host: 127.0.0.1:" + p, "Host: 127.0.0.1");
                StringBuilder t = new StringBuilder(c.upgrade(req));
                t.append(c.next()).append('\n');
                c.send("PING\r\n");
                return t.append(c.next()).toString();
            }
        };
        assertThat(same(refOrigins, ourOrigins, okHost)).startsWith("HTTP/1.1 101").endsWith("'PONG\r\n'");
        // no Origin at all: accepted (not a browser)
        assertThat(same(refOrigins, ourOrigins, p -> session(p, "", "PING\r\n"))).contains("'PONG\r\n'");
    }

    @Test
    void browsersGetFramesOfAtMost4KiB() throws IOException {
        Script s = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                c.upgrade(WsRawClient.request(p, "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"));
                c.next();
                String payload = "y".repeat(20000);
                c.send("CONNECT {\"verbose\":false}\r\nSUB q 1\r\nPUB q 20000\r\n" + payload + "\r\nPING\r\n");
                StringBuilder got = new StringBuilder();
                int max = 0;
                WsRawClient.Frame f;
                while (!got.toString().endsWith("PONG\r\n") && (f = c.next()) != null) {
                    got.append(f.text());
                    max = Math.max(max, f.wireLength());
                }
                return "max frame " + max + ", " + got.length() + " bytes, " + got.toString().endsWith("PONG\r\n");
            }
        };
        assertThat(same(refPlain, ourPlain, s)).isEqualTo("max frame 4096, 20023 bytes, true");
    }

    /**
     * Other clients: nats-server sends one frame per flush, we send final binary frames of at most 8 KiB
     * (WebSocketFrames.CLIENT_FRAME); the bytes they carry are the same.
     */
    @Test
    void otherClientsGetTheSameBytesInFramesOfAtMost8KiB() throws IOException {
        String payload = "z".repeat(30000);
        String sent = "CONNECT {\"verbose\":false}\r\nSUB q 1\r\nPUB q 30000\r\n" + payload + "\r\nPUB q 5\r\nhello\r\n"
                + "PING\r\n";
        class Seen {
            final StringBuilder bytes = new StringBuilder();
            int max;
            int frames;
            boolean allFinalBinary = true;
        }
        java.util.function.IntFunction<Seen> run = p -> {
            try (WsRawClient c = new WsRawClient(p)) {
                c.upgrade(WsRawClient.request(p, ""));
                c.next(); // INFO
                c.send(sent);
                Seen s = new Seen();
                WsRawClient.Frame f;
                while (!s.bytes.toString().endsWith("PONG\r\n") && (f = c.next()) != null) {
                    s.bytes.append(f.text());
                    s.max = Math.max(s.max, f.payload().length);
                    s.frames++;
                    s.allFinalBinary &= f.b0() == 0x82;
                }
                return s;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Seen theirs = run.apply(refPlain.wsPort);
        Seen mine = run.apply(ws(ourPlain));
        assertThat(mine.bytes.toString()).isEqualTo(theirs.bytes.toString());
        assertThat(mine.bytes.toString()).startsWith("MSG q 1 30000\r\nzzz").endsWith("MSG q 1 5\r\nhello\r\nPONG\r\n");
        assertThat(mine.max).isLessThanOrEqualTo(WebSocketFrames.CLIENT_FRAME);
        assertThat(mine.frames).isGreaterThanOrEqualTo(4);
        assertThat(mine.allFinalBinary).isTrue();
    }

    /** Waits up to 5 s for a condition (log lines are written by other threads and processes). */
    static void eventually(String what, java.util.function.BooleanSupplier condition) {
        Waits.upTo(what, java.time.Duration.ofSeconds(5)).until(condition::getAsBoolean);
    }

    private static byte[] deflate(String s) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(1, true);
        d.setInput(s.getBytes(StandardCharsets.UTF_8));
        byte[] buf = new byte[4096];
        int n = d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH);
        d.end();
        return java.util.Arrays.copyOf(buf, n - 4); // without the 00 00 ff ff tail (RFC 7692)
    }
}
