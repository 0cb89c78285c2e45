package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client protocol on the wire, over raw sockets against an in-process server: exact bytes for every reply
 * the protocol reference (§1, §2, §3) documents for nats-server 2.9.10. DifferentialTest runs many of the same
 * scripts against the real binary.
 */
class WireProtocolTest {
    /** INFO's "go" names the runtime: nats-server's Go toolchain, our Java runtime (quoted for a pattern). */
    private static final String JAVA_RUNTIME = Pattern.quote("java" + System.getProperty("java.version"));

    private static final String STALE = "-ERR 'Stale Connection'\r\n";
    private static RunningServer server;

    @BeforeAll
    static void startServer() {
        server = RunningServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A raw client that has read its INFO line. */
    private static RawClient connect(RunningServer s) throws IOException {
        RawClient c = new RawClient(s.port());
        assertThat(c.readInfo()).startsWith("INFO {");
        return c;
    }

    private static RawClient connect() throws IOException {
        return connect(server);
    }

    /** Reads exactly the expected bytes (blocking up to the client's read timeout). */
    private static void expect(RawClient c, String expected) throws IOException {
        assertThat(show(c.readBytes(expected.length()))).isEqualTo(show(expected));
    }

    /** Sends PING and expects the given bytes and then PONG: proves nothing else was sent in between. */
    private static void expectThenPong(RawClient c, String expected) throws IOException {
        c.send("PING\r\n");
        expect(c, expected + "PONG\r\n");
    }

    /** Everything until the server closes: must be exactly {@code expected}, then a close. */
    private static void expectClose(RawClient c, String expected) throws IOException {
        assertThat(show(c.readUntilClose(2000))).isEqualTo(show(expected + "<closed>"));
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static RunningServer start(UnaryOperator<ServerOptions.Builder> config) {
        return RunningServer.start(config);
    }

    // ---- INFO ------------------------------------------------------------------------------

    @Test
    void infoHasNatsServersExactShape() throws IOException {
        try (RawClient c = new RawClient(server.port())) {
            String info = c.readInfo();
            Pattern p = Pattern.compile("INFO \\{\"server_id\":\"(N[A-Z2-7]{55})\",\"server_name\":\"\\1\","
                    + "\"version\":\"2\\.9\\.10\",\"proto\":1,\"go\":\"" + JAVA_RUNTIME + "\",\"host\":\"127\\.0\\.0\\.1\","
                    + "\"port\":" + server.port() + ",\"headers\":true,\"max_payload\":1048576,"
                    + "\"client_id\":[1-9][0-9]*,\"client_ip\":\"127\\.0\\.0\\.1\"\\} \r\n");
            assertThat(info).matches(p);
        }
    }

    @Test
    void infoAdvertisesAuthAndTheConfiguredMaxPayload() throws IOException {
        try (RunningServer s = start(b -> b.username("alice").password("secret").maxPayload(2048).serverName("srv-a"));
             RawClient c = new RawClient(s.port())) {
            String info = c.readInfo();
            assertThat(info).matches("INFO \\{\"server_id\":\"N[A-Z2-7]{55}\",\"server_name\":\"srv-a\","
                    + "\"version\":\"2\\.9\\.10\",\"proto\":1,\"go\":\"" + JAVA_RUNTIME + "\",\"host\":\"127\\.0\\.0\\.1\","
                    + "\"port\":" + s.port() + ",\"headers\":true,\"auth_required\":true,\"max_payload\":2048,"
                    + "\"client_id\":[0-9]+,\"client_ip\":\"127\\.0\\.0\\.1\"\\} \r\n");
        }
    }

    @Test
    void clientIdsIncrease() throws IOException {
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port())) {
            long ia = clientId(a.readInfo());
            long ib = clientId(b.readInfo());
            assertThat(ib).isNotEqualTo(ia);
        }
    }

    private static long clientId(String info) {
        var m = Pattern.compile("\"client_id\":(\\d+)").matcher(info);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    // ---- Verbose, PING/PONG, MSG framing ---------------------------------------------------

    @Test
    void verboseOkForConnectSubUnsubAndPubBeforeTheEchoedMsg() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":true}\r\nSUB v.foo 1\r\nPUB v.foo 2\r\nhi\r\nUNSUB 1\r\nPUB v.foo 0\r\n\r\n");
            expectThenPong(c, "+OK\r\n+OK\r\n+OK\r\nMSG v.foo 1 2\r\nhi\r\n+OK\r\n+OK\r\n");
        }
    }

    @Test
    void withoutConnectTheDefaultsAreVerbose() throws IOException {
        try (RawClient c = connect()) {
            c.send("PUB d.foo 2\r\nok\r\n");
            expectThenPong(c, "+OK\r\n");
            // CONNECT {} keeps verbose on: absent fields keep their values.
            c.send("CONNECT {}\r\n");
            expectThenPong(c, "+OK\r\n");
            c.send("CONNECT {\"verbose\":false}\r\nSUB d.foo 1\r\n");
            expectThenPong(c, "");
        }
    }

    @Test
    void pingGetsPongAndUnsolicitedPongIsIgnored() throws IOException {
        try (RawClient c = connect()) {
            c.send("PING\r\n");
            expect(c, "PONG\r\n");
            c.send("PONG\r\nping\nPING foo\r\n");
            expect(c, "PONG\r\nPONG\r\n");
        }
    }

    @Test
    void msgFramingWithAndWithoutReply() throws IOException {
        try (RawClient sub = connect(); RawClient pub = connect()) {
            sub.send("CONNECT {\"verbose\":false}\r\nSUB m.> 5\r\n");
            expectThenPong(sub, "");
            pub.send("CONNECT {\"verbose\":false}\r\nPUB m.a 3\r\nabc\r\nPUB m.b _INBOX.1 0\r\n\r\n"
                    + "PUB m.c r 4\r\na\r\nb\r\n");
            expectThenPong(pub, "");
            expectThenPong(sub, "MSG m.a 5 3\r\nabc\r\nMSG m.b 5 _INBOX.1 0\r\n\r\nMSG m.c 5 r 4\r\na\r\nb\r\n");
        }
    }

    @Test
    void hmsgFramingAndHeadersStrippedForAPlainSubscriber() throws IOException {
        try (RawClient withHeaders = connect(); RawClient plain = connect(); RawClient pub = connect()) {
            withHeaders.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB h.foo 1\r\n");
            expectThenPong(withHeaders, "");
            plain.send("CONNECT {\"verbose\":false}\r\nSUB h.foo 2\r\n");
            expectThenPong(plain, "");
            pub.send("CONNECT {\"verbose\":false,\"headers\":true}\r\n"
                    + "HPUB h.foo 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nok\r\n"
                    + "HPUB h.foo reply.1 12 12\r\nNATS/1.0\r\n\r\n\r\n"
                    + "HPUB h.foo 0 2\r\nhi\r\n"
                    // The header block is not validated.
                    + "HPUB h.foo 3 5\r\nabcok\r\n");
            expectThenPong(pub, "");
            expectThenPong(withHeaders, "HMSG h.foo 1 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nok\r\n"
                    + "HMSG h.foo 1 reply.1 12 12\r\nNATS/1.0\r\n\r\n\r\n"
                    + "MSG h.foo 1 2\r\nhi\r\n"
                    + "HMSG h.foo 1 3 5\r\nabcok\r\n");
            expectThenPong(plain, "MSG h.foo 2 2\r\nok\r\n"
                    + "MSG h.foo 2 reply.1 0\r\n\r\n"
                    + "MSG h.foo 2 2\r\nhi\r\n"
                    + "MSG h.foo 2 2\r\nok\r\n");
        }
    }

    @Test
    void hpubWithoutNegotiatedHeadersClosesSilently() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false}\r\nHPUB foo 0 2\r\nhi\r\n");
            expectClose(c, "");
        }
    }

    @Test
    void duplicateSidIsIgnored() throws IOException {
        // Reference Appendix A.
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":true}\r\nSUB dup.foo 1\r\nSUB dup.bar 1\r\nPUB dup.foo 1\r\na\r\n"
                    + "PUB dup.bar 1\r\nb\r\nPING\r\n");
            expect(c, "+OK\r\n+OK\r\n+OK\r\n+OK\r\nMSG dup.foo 1 1\r\na\r\n+OK\r\nPONG\r\n");
        }
    }

    @Test
    void autoUnsubscribeAfterMax() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false}\r\nSUB au.foo 1\r\nUNSUB 1 2\r\n"
                    + "PUB au.foo 1\r\na\r\nPUB au.foo 1\r\nb\r\nPUB au.foo 1\r\nc\r\n");
            expectThenPong(c, "MSG au.foo 1 1\r\na\r\nMSG au.foo 1 1\r\nb\r\n");
            // A max not above what was delivered removes at once; an unknown SID is fine.
            c.send("SUB au.bar 2\r\nPUB au.bar 0\r\n\r\nUNSUB 2 1\r\nPUB au.bar 0\r\n\r\nUNSUB 99\r\n");
            expectThenPong(c, "MSG au.bar 2 0\r\n\r\n");
        }
    }

    @Test
    void echoFalseSuppressesOwnMessagesOnly() throws IOException {
        try (RawClient self = connect(); RawClient other = connect()) {
            other.send("CONNECT {\"verbose\":false}\r\nSUB e.foo 9\r\n");
            expectThenPong(other, "");
            self.send("CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB e.foo 1\r\nPUB e.foo 1\r\nx\r\n");
            expectThenPong(self, "");
            expectThenPong(other, "MSG e.foo 9 1\r\nx\r\n");
        }
    }

    @Test
    void fanOutToEveryMatchingSubscription() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false}\r\nSUB fo.x 1\r\nSUB fo.* 2\r\nSUB fo.> 3\r\nPUB fo.x 1\r\na\r\n");
            c.send("PING\r\n");
            String out = c.readBytes(3 * "MSG fo.x 1 1\r\na\r\n".length() + 6);
            assertThat(out).contains("MSG fo.x 1 1\r\na\r\n", "MSG fo.x 2 1\r\na\r\n", "MSG fo.x 3 1\r\na\r\n")
                    .endsWith("PONG\r\n");
        }
    }

    // ---- No responders ---------------------------------------------------------------------

    @Test
    void noRespondersStatusExactBytes() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                    + "SUB _INBOX.nr.* 9\r\nPUB nr.service _INBOX.nr.x 2\r\nhi\r\n");
            expectThenPong(c, "HMSG _INBOX.nr.x 9 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
            // No status without a subscription on the reply subject, or without a reply.
            c.send("PUB nr.service _INBOX.other 2\r\nhi\r\nPUB nr.service 2\r\nhi\r\n");
            expectThenPong(c, "");
        }
    }

    @Test
    void noStatusWhenSomebodyGotTheRequest() throws IOException {
        try (RawClient c = connect(); RawClient responder = connect()) {
            responder.send("CONNECT {\"verbose\":false}\r\nSUB nr2.service 1\r\n");
            expectThenPong(responder, "");
            c.send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                    + "SUB _INBOX.nr2 9\r\nPUB nr2.service _INBOX.nr2 2\r\nhi\r\n");
            expectThenPong(c, "");
            expectThenPong(responder, "MSG nr2.service 1 _INBOX.nr2 2\r\nhi\r\n");
        }
    }

    @Test
    void noRespondersPicksTheLiteralSubscriptionLikeNatsServer() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                    + "SUB nr3.r.* 9\r\nSUB nr3.r.x 8\r\nPUB nr3.service nr3.r.x 0\r\n\r\n");
            expectThenPong(c, "HMSG nr3.r.x 8 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
            // '>' on an earlier level comes first. (A reply subject not matched before: nats-server
            // appends a new subscription to a cached match result, so order depends on its cache.)
            c.send("SUB nr4.r.x 6\r\nSUB nr4.> 7\r\nPUB nr3.service nr4.r.x 0\r\n\r\n");
            expectThenPong(c, "HMSG nr4.r.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
        }
    }

    @Test
    void noRespondersRequiresHeaders() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"no_responders\":true}\r\nPING\r\n");
            expectClose(c, "-ERR 'no responders requires headers support'\r\n");
        }
    }

    // ---- Errors that keep the connection ---------------------------------------------------

    @Test
    void pedanticInvalidPublishSubjectIsStillDelivered() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":true,\"pedantic\":true}\r\nSUB pd.* 1\r\nPUB pd.* 1\r\na\r\n");
            expectThenPong(c, "+OK\r\n+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\nMSG pd.* 1 1\r\na\r\n");
            c.send("PUB pd..x 0\r\n\r\nPUB > 0\r\n\r\n");
            expectThenPong(c, "-ERR 'Invalid Publish Subject'\r\n+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\n");
        }
    }

    @Test
    void pedanticSubjectIsCheckedBeforeThePayloadArrives() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false}\r\nPUB pd2.* 2\r\nhiX\r\n");
            expectClose(c, "-ERR 'Invalid Publish Subject'\r\n-ERR 'Unknown Protocol Operation'\r\n");
        }
    }

    @Test
    void nonPedanticWildcardPublishMatchesLiterally() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB np.bar 1\r\nSUB np.* 2\r\n"
                    + "PUB np.* 1\r\na\r\nPUB np..x 1\r\nb\r\n");
            expectThenPong(c, "MSG np.* 2 1\r\na\r\n");
        }
    }

    @Test
    void invalidSubjectKeepsTheConnectionOpen() throws IOException {
        try (RawClient c = connect()) {
            c.send("SUB foo. 1\r\nSUB .foo 2\r\nSUB foo..bar 3\r\nSUB foo.>.bar 4\r\nSUB is.ok 5\r\n");
            expectThenPong(c, "-ERR 'Invalid Subject'\r\n".repeat(4) + "+OK\r\n");
            c.send("PUB is.ok 0\r\n\r\n");
            expectThenPong(c, "+OK\r\nMSG is.ok 5 0\r\n\r\n");
        }
    }

    @Test
    void sysQueueIsReserved() throws IOException {
        try (RawClient c = connect()) {
            c.send("SUB foo _sys_ 1\r\nSUB foo _SYS_ 2\r\nSUB foo q _sys_\r\n");
            expectThenPong(c, "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"_sys_\"'\r\n"
                    + "+OK\r\n+OK\r\n");
        }
    }

    @Test
    void reservedReplyPrefixesAreRejected() throws IOException {
        try (RawClient c = connect()) {
            c.send("SUB rr.foo 1\r\nPUB rr.foo _R_.abc 1\r\na\r\nPUB rr.foo $JS.ACK.x 1\r\nb\r\n"
                    + "PUB rr.foo _R_ 1\r\nc\r\n");
            expectThenPong(c, "+OK\r\n"
                    + "-ERR 'Permissions Violation for Publish with Reply of \"_R_.abc\"'\r\n"
                    + "-ERR 'Permissions Violation for Publish with Reply of \"$JS.ACK.x\"'\r\n"
                    + "+OK\r\nMSG rr.foo 1 _R_ 1\r\nc\r\n");
        }
    }

    // ---- Limits ----------------------------------------------------------------------------

    @Test
    void maxSubscriptions() throws IOException {
        try (RunningServer s = start(b -> b.maxSubscriptions(2)); RawClient c = connect(s)) {
            c.send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n");
            expectThenPong(c, "+OK\r\n+OK\r\n-ERR 'maximum subscriptions exceeded'\r\n");
            // At the limit even a duplicate SID or an invalid subject gets the limit error.
            c.send("SUB b 2\r\nSUB foo.. 4\r\n");
            expectThenPong(c, "-ERR 'maximum subscriptions exceeded'\r\n".repeat(2));
            c.send("UNSUB 1\r\nSUB c 3\r\n");
            expectThenPong(c, "+OK\r\n+OK\r\n");
        }
    }

    @Test
    void maxConnectionsSendsInfoThenErrorThenCloses() throws IOException {
        try (RunningServer s = start(b -> b.maxConnections(1)); RawClient first = connect(s)) {
            expectThenPong(first, "");
            try (RawClient second = new RawClient(s.port())) {
                assertThat(second.readInfo()).startsWith("INFO {\"server_id\":\"N").endsWith("} \r\n");
                expectClose(second, "-ERR 'maximum connections exceeded'\r\n");
            }
            expectThenPong(first, "");
        }
    }

    @Test
    void maxPayload() throws IOException {
        try (RunningServer s = start(b -> b.maxPayload(100)); RawClient c = connect(s)) {
            c.send("PUB foo 100\r\n" + "x".repeat(100) + "\r\n");
            expectThenPong(c, "+OK\r\n");
            c.send("PUB foo 101\r\n");
            expectClose(c, "-ERR 'Maximum Payload Violation'\r\n");
        }
    }

    @Test
    void maxControlLine() throws IOException {
        try (RawClient c = connect()) {
            c.send("SUB " + "x".repeat(4094) + " 1\r\n");
            expectThenPong(c, "+OK\r\n");
            c.send("SUB " + "x".repeat(4095) + " 2\r\n");
            expectClose(c, "-ERR 'maximum control line exceeded'\r\n");
        }
    }

    // ---- Malformed input closes ------------------------------------------------------------

    @Test
    void unknownOperationClosesWithError() throws IOException {
        for (String bad : new String[] {"FOO\r\n", "PUBS foo 1\r\n", "PUB\r\n", " PING\r\n", "\r\n",
                "MSG foo 1 2\r\n", "PUB foo 2\r\nhello\r\n", "PUB foo 2\r\nhi\n"}) {
            try (RawClient c = connect()) {
                c.send(bad);
                expectClose(c, "-ERR 'Unknown Protocol Operation'\r\n");
            }
        }
    }

    @Test
    void badArgumentsCloseSilently() throws IOException {
        for (String bad : new String[] {"PUB foo\r\n", "PUB a b c 1\r\n", "SUB foo\r\n", "UNSUB 1 2 3\r\n",
                "PUB foo abc\r\n", "PUB foo -1\r\n", "PUB foo 1234567890\r\n", "-ERR 'x'\r\n",
                "CONNECT {\"verbose\":\"yes\"}\r\n", "CONNECT {bad\r\n", "CONNECT {} x\r\n", "INFO {bad\r\n"}) {
            try (RawClient c = connect()) {
                c.send(bad);
                expectClose(c, "");
            }
        }
    }

    @Test
    void invalidClientProtocol() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"protocol\":2}\r\n");
            expectClose(c, "-ERR 'invalid client protocol'\r\n");
        }
    }

    @Test
    void legacyAccountFieldsAreAnAuthorizationViolation() throws IOException {
        try (RawClient c = connect()) {
            c.send("CONNECT {\"account\":\"x\"}\r\n");
            expectClose(c, "-ERR 'Authorization Violation'\r\n");
        }
    }

    // ---- Authentication --------------------------------------------------------------------

    @Test
    void userPasswordAuth() throws IOException {
        try (RunningServer s = start(b -> b.username("alice").password("secret"))) {
            try (RawClient c = connect(s)) {
                c.send("CONNECT {\"verbose\":true,\"user\":\"alice\",\"pass\":\"secret\"}\r\n");
                expectThenPong(c, "+OK\r\n");
            }
            try (RawClient c = connect(s)) {
                c.send("CONNECT {\"verbose\":true,\"user\":\"alice\",\"pass\":\"wrong\"}\r\nPING\r\n");
                expectClose(c, "-ERR 'Authorization Violation'\r\n");
            }
            try (RawClient c = connect(s)) {
                c.send("CONNECT {\"verbose\":true}\r\n");
                expectClose(c, "-ERR 'Authorization Violation'\r\n");
            }
            assertThat(s.log().contains("authentication error - User \"alice\"")).isTrue();
        }
    }

    @Test
    void tokenAuth() throws IOException {
        try (RunningServer s = start(b -> b.authToken("s3cr3t"))) {
            try (RawClient c = connect(s)) {
                c.send("CONNECT {\"verbose\":false,\"auth_token\":\"s3cr3t\"}\r\n");
                expectThenPong(c, "");
            }
            try (RawClient c = connect(s)) {
                c.send("CONNECT {\"auth_token\":\"nope\"}\r\n");
                expectClose(c, "-ERR 'Authorization Violation'\r\n");
            }
        }
    }

    @Test
    void firstOpMustBeConnectWhenAuthIsRequired() throws IOException {
        try (RunningServer s = start(b -> b.username("alice").password("secret"))) {
            for (String first : new String[] {"PING\r\n", "SUB foo 1\r\n", "\r\n", " CONNECT {}\r\n"}) {
                try (RawClient c = connect(s)) {
                    c.send(first);
                    expectClose(c, "-ERR 'Authorization Violation'\r\n");
                }
            }
        }
    }

    @Test
    void authenticationTimeout() throws IOException {
        try (RunningServer s = start(b -> b.username("alice").password("secret")
                .authTimeout(Duration.ofMillis(300)));
             RawClient c = connect(s)) {
            long t0 = System.nanoTime();
            expectClose(c, "-ERR 'Authentication Timeout'\r\n");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(200));
        }
    }

    // ---- Keepalive -------------------------------------------------------------------------

    @Test
    void silentClientGetsTwoPingsThenStaleConnection() throws IOException {
        try (RunningServer s = start(b -> b.pingInterval(Duration.ofMillis(200)).pingMax(2));
             RawClient c = connect(s)) {
            long t0 = System.nanoTime();
            expectClose(c, "PING\r\nPING\r\n" + STALE);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(450));
        }
    }

    @Test
    void answeringPingsKeepsTheConnection() throws IOException {
        try (RunningServer s = start(b -> b.pingInterval(Duration.ofMillis(200)).pingMax(2));
             RawClient c = connect(s)) {
            for (int i = 0; i < 4; i++) {
                expect(c, "PING\r\n");
                c.send("PONG\r\n");
            }
        }
    }
}
