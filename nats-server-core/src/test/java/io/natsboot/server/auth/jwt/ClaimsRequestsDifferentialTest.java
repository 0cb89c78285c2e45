package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The full resolver's claims requests, sent over {@code $SYS} by a system account user to nats-server 2.9.10 and to
 * ours (where the system account's internal client hands them to {@link ClaimsRequests}); the answers must be the
 * same apart from the {@code "server"} object, and an update revoking a connected user closes it on both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimsRequestsDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");
    private final TrustChain.Account b = chain.account("B");
    private Process reference;
    private int refPort;
    private Connection sysConn;
    private Connection ourSysConn;
    private RunningServer ours;
    private ClaimsRequests requests;

    @BeforeAll
    void start() throws Exception {
        String sysJwt = sys.jwt();
        String aJwt = a.jwt();
        for (boolean reference : new boolean[] {true, false}) {
            Path dir = Files.createTempDirectory("claims");
            Path op = dir.resolve("op.jwt");
            Files.writeString(op, chain.operatorJwt());
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                    + "\nresolver: {type: full, dir: \"" + dir.resolve("jwt") + "\", allow_delete: true}\nresolver_preload: {\n  "
                    + sys.publicKey() + ": \"" + sysJwt + "\"\n  " + a.publicKey() + ": \"" + aJwt + "\"\n}\n");
            if (reference) {
                refPort = Ports.free();
                this.reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1",
                        "-p", Integer.toString(refPort)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ref.log").toFile()).start();
                Ports.awaitListening(refPort);
                TrustChain.User su = sys.user("sysu");
                sysConn = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + refPort)
                        .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                        .maxReconnects(0).build());
            } else {
                ours = RunningServer.start(bld -> {
                    try {
                        assertThat(ConfigFileOptions.load(conf.toString(), bld).errors()).isEmpty();
                        return bld;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                requests = ours.server().context().operatorAccounts().claimsRequests();
                TrustChain.User su = sys.user("sysu-ours");
                ourSysConn = Nats.connect(new Options.Builder().server(ours.url())
                        .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                        .maxReconnects(0).build());
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (sysConn != null) {
            sysConn.close();
        }
        if (ourSysConn != null) {
            ourSysConn.close();
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
        if (ours != null) {
            ours.close();
        }
    }

    /** nats-server's answer with its "server" object cut off; null when it did not answer. */
    private String theirs(String subject, String payload) throws Exception {
        return request(sysConn, subject, payload);
    }

    private static String request(Connection conn, String subject, String payload) throws Exception {
        try {
            Message m = conn.request(subject, payload.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(1));
            return m == null ? null : withoutServer(new String(m.getData(), StandardCharsets.UTF_8));
        } catch (java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /** Our answer over $SYS, "server" object cut off; null when it did not answer. */
    private String mine(String subject, String payload) throws Exception {
        return request(ourSysConn, subject, payload);
    }

    private static String withoutServer(String json) {
        int at = json.indexOf(",\"server\":{");
        return at < 0 ? json : json.substring(0, at) + "}";
    }

    private void same(String subject, String payload, String expected) throws Exception {
        String t = theirs(subject, payload);
        assertThat(t).as("nats-server on %s", subject).isEqualTo(expected);
        assertThat(mine(subject, payload)).as("ours on %s", subject).isEqualTo(t);
    }

    @Test
    void lookupListAndUpdates() throws Exception {
        String bJwt = b.jwt();
        // lookups answer the stored JWT itself; an unknown account gets no answer
        assertThat(theirs("$SYS.REQ.ACCOUNT." + a.publicKey() + ".CLAIMS.LOOKUP", ""))
                .isEqualTo(mine("$SYS.REQ.ACCOUNT." + a.publicKey() + ".CLAIMS.LOOKUP", "")).startsWith("eyJ");
        same("$SYS.REQ.ACCOUNT." + b.publicKey() + ".CLAIMS.LOOKUP", "", null);
        sameList(sys.publicKey(), a.publicKey());
        same("$SYS.REQ.CLAIMS.UPDATE", "garbage", "{\"error\":{\"account\":\"n/a\",\"code\":500,"
                + "\"description\":\"jwt update resulted in error - expected 3 chunks\"}}");
        String perAccountGarbage = theirs("$SYS.REQ.ACCOUNT." + a.publicKey() + ".CLAIMS.UPDATE", "garbage");
        assertThat(perAccountGarbage).contains("jwt update resulted in error - expected 3 chunks");
        assertThat(mine("$SYS.REQ.ACCOUNT." + a.publicKey() + ".CLAIMS.UPDATE", "garbage")).isEqualTo(perAccountGarbage);
        same("$SYS.REQ.ACCOUNT." + a.publicKey() + ".CLAIMS.UPDATE", bJwt, "{\"error\":{\"account\":\""
                + a.publicKey() + "\",\"code\":500,\"description\":\"jwt update resulted in error - subject does not "
                + "match jwt content\"}}");
        same("$SYS.REQ.CLAIMS.UPDATE", bJwt, "{\"data\":{\"account\":\"" + b.publicKey()
                + "\",\"code\":200,\"message\":\"jwt updated\"}}");
        same("$SYS.REQ.ACCOUNT." + b.publicKey() + ".CLAIMS.UPDATE", bJwt, "{\"data\":{\"account\":\""
                + b.publicKey() + "\",\"code\":200,\"message\":\"jwt updated\"}}");
        sameList(sys.publicKey(), a.publicKey(), b.publicKey());
        assertThat(mine("$SYS.REQ.ACCOUNT." + b.publicKey() + ".CLAIMS.LOOKUP", "")).isEqualTo(bJwt);
        assertThat(ours.log().lines()).contains("[DBG] jwt updated - " + b.publicKey(),
                "[ERR] jwt update resulted in error - n/a - expected 3 chunks");
    }

    /** CLAIMS.LIST: the same on both servers, holding {@code keys} (other tests add accounts too). */
    private void sameList(String... keys) throws Exception {
        String t = theirs("$SYS.REQ.CLAIMS.LIST", "");
        assertThat(t).startsWith("{\"data\":[");
        for (String k : keys) {
            assertThat(t).contains("\"" + k + "\"");
        }
        assertThat(mine("$SYS.REQ.CLAIMS.LIST", "")).isEqualTo(t);
    }

    @Test
    void answersCarryTheServerObjectOfNatsServer() throws Exception {
        Message m = sysConn.request("$SYS.REQ.CLAIMS.LIST", new byte[0], Duration.ofSeconds(2));
        String theirs = new String(m.getData(), StandardCharsets.UTF_8);
        String mine = new String(requests.handle("$SYS.REQ.CLAIMS.LIST", new byte[0]), StandardCharsets.UTF_8);
        assertThat(serverKeys(mine)).isEqualTo(serverKeys(theirs))
                .containsExactly("name", "host", "id", "ver", "seq", "jetstream", "time");
        assertThat(mine).contains("\"id\":\"" + ours.server().context().serverId() + "\"", "\"ver\":\"2.9.10\"",
                "\"host\":\"127.0.0.1\"").containsPattern("\"time\":\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"");
        assertThat(ours.server().context().operatorAccounts().claimsRequests().subjects()).contains("$SYS.REQ.CLAIMS.UPDATE",
                "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP");
    }

    /**
     * One $SYS sequence per server, as nats-server's: a claims answer and the system account's own messages (a
     * STATSZ answer) count on the same {@code seq}, so it never repeats.
     */
    @Test
    void claimsAnswersAndSystemMessagesShareOneSequence() throws Exception {
        long first = seq(new String(requests.handle("$SYS.REQ.CLAIMS.LIST", new byte[0]), StandardCharsets.UTF_8));
        Message statsz = ourSysConn.request("$SYS.REQ.SERVER.PING.STATSZ", new byte[0], Duration.ofSeconds(2));
        long second = seq(new String(statsz.getData(), StandardCharsets.UTF_8));
        long third = seq(new String(requests.handle("$SYS.REQ.CLAIMS.LIST", new byte[0]), StandardCharsets.UTF_8));
        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
    }

    private static long seq(String answer) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"server\":\\{[^}]*\"seq\":(\\d+)").matcher(answer);
        assertThat(m.find()).as(answer).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static java.util.List<String> serverKeys(String answer) {
        String server = answer.substring(answer.indexOf("\"server\":{") + 10);
        java.util.List<String> keys = new java.util.ArrayList<>();
        java.util.regex.Matcher k = java.util.regex.Pattern.compile("\"(\\w+)\":").matcher(server);
        while (k.find()) {
            keys.add(k.group(1));
        }
        return keys;
    }

    @Test
    void deleteRequests() throws Exception {
        TrustChain.Account d = chain.account("D");
        String dJwt = d.jwt();
        same("$SYS.REQ.CLAIMS.UPDATE", dJwt, "{\"data\":{\"account\":\"" + d.publicKey()
                + "\",\"code\":200,\"message\":\"jwt updated\"}}");
        java.util.Map<String, Object> list = new java.util.LinkedHashMap<>();
        list.put("accounts", java.util.List.of(d.publicKey()));
        list.put("type", "generic");
        list.put("version", 2);
        String op = TrustChain.pub(chain.operator);
        String signer = TrustChain.pub(chain.operatorSigner);
        same("$SYS.REQ.CLAIMS.DELETE", "garbage", "{\"error\":{\"code\":500,\"description\":"
                + "\"delete accounts request by  failed - expected 3 chunks\"}}");
        same("$SYS.REQ.CLAIMS.DELETE", TrustChain.issue(a.signer, a.publicKey(), "x", null, 0, list),
                "{\"error\":{\"code\":500,\"description\":\"delete accounts request by " + a.publicKey()
                        + " failed - not self signed\"}}");
        same("$SYS.REQ.CLAIMS.DELETE", TrustChain.issue(a.key, a.publicKey(), "x", null, 0, list),
                "{\"error\":{\"code\":500,\"description\":\"delete accounts request by " + a.publicKey()
                        + " failed - not trusted\"}}");
        java.util.Map<String, Object> noList = new java.util.LinkedHashMap<>(list);
        noList.remove("accounts");
        same("$SYS.REQ.CLAIMS.DELETE", TrustChain.issue(chain.operator, op, "x", null, 0, noList),
                "{\"error\":{\"code\":500,\"description\":\"delete accounts request by " + op
                        + " failed - malformed request\"}}");
        same("$SYS.REQ.CLAIMS.DELETE", TrustChain.issue(chain.operatorSigner, signer, "x", null, 0, list),
                "{\"data\":{\"code\":200,\"message\":\"deleted 1 accounts\"}}");
        String t = theirs("$SYS.REQ.CLAIMS.LIST", "");
        assertThat(t).doesNotContain(d.publicKey());
        assertThat(mine("$SYS.REQ.CLAIMS.LIST", "")).isEqualTo(t);
        same("$SYS.REQ.ACCOUNT." + d.publicKey() + ".CLAIMS.LOOKUP", "", null);
        assertThat(OperatorModeDifferentialTest.session(ours.port(), d.user("gone"), "", "", true))
                .isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
        assertThat(OperatorModeDifferentialTest.session(refPort, d.user("gone"), "", "", true))
                .isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
    }

    @Test
    void anUpdateRevokingAConnectedUserClosesIt() throws Exception {
        TrustChain.Account c = chain.account("C");
        TrustChain.User victim = c.user("victim");
        victim.issuedAt = System.currentTimeMillis() / 1000 - 10;
        same("$SYS.REQ.CLAIMS.UPDATE", c.jwt(), "{\"data\":{\"account\":\"" + c.publicKey()
                + "\",\"code\":200,\"message\":\"jwt updated\"}}");
        try (RawClient onTheirs = connected(refPort, victim); RawClient onOurs = connected(ours.port(), victim)) {
            c.nats.put("revocations", Map.of(victim.publicKey(), System.currentTimeMillis() / 1000 - 5));
            String revoking = c.jwt();
            theirs("$SYS.REQ.CLAIMS.UPDATE", revoking);
            mine("$SYS.REQ.CLAIMS.UPDATE", revoking);
            String t = OperatorModeDifferentialTest.untilPongOrClose(onTheirs);
            assertThat(t).isEqualTo("-ERR 'User Authentication Revoked'\r\n<closed>");
            assertThat(OperatorModeDifferentialTest.untilPongOrClose(onOurs)).isEqualTo(t);
        }
        assertThat(OperatorModeDifferentialTest.session(ours.port(), victim, "", "", true))
                .isEqualTo("-ERR 'Authorization Violation'\r\n<closed>");
    }

    private static RawClient connected(int port, TrustChain.User u) throws Exception {
        RawClient c = new RawClient(port);
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(
                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
        assertThat(c.readLine()).isEqualTo("PONG\r\n");
        return c;
    }
}
