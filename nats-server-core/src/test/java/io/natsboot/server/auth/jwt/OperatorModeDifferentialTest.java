package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Operator mode against nats-server 2.9.10: the same operator, accounts and users (issued at test time by
 * {@link TrustChain}), the same configuration file (MEMORY resolver with preloads), the same raw client sessions
 * on both servers; what each client receives after INFO must be byte for byte the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorModeDifferentialTest {
    static final String NATS_SERVER = "/usr/sbin/nats-server";

    private final TrustChain chain = TrustChain.create();
    private TrustChain.Account sys;
    private TrustChain.Account a;
    private TrustChain.Account lim;
    private TrustChain.Account noLimits;
    private TrustChain.Account unknown;
    private TrustChain.Account withDefaults;
    private NKey scoped;
    private TrustChain.User revoked;
    private Path dir;
    private RunningServer ours;
    private Process reference;
    private int refPort;

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of(NATS_SERVER)).as("the Debian package nats-server must be installed").exists();
        dir = Files.createTempDirectory("operator-mode");
        sys = chain.account("SYS");
        a = chain.account("A");
        scoped = NKey.createAccount(null);
        a.nats.put("signing_keys", List.of(TrustChain.pub(a.signer), Map.of("kind", "user_scope", "key",
                TrustChain.pub(scoped), "role", "readonly", "template", Map.of("sub", Map.of("allow", List.of("ro.>")),
                        "pub", Map.of("allow", List.of("ro.>")), "subs", -1, "data", -1, "payload", -1))));
        revoked = a.user("revoked");
        revoked.issuedAt = System.currentTimeMillis() / 1000 - 5;
        a.nats.put("revocations", Map.of(revoked.publicKey(), System.currentTimeMillis() / 1000 - 2));
        lim = chain.account("LIM");
        lim.limits().put("conn", 1);
        lim.limits().put("subs", 2);
        lim.limits().put("payload", 16);
        noLimits = chain.account("NOLIM", n -> n.remove("limits"));
        unknown = chain.account("UNKNOWN");
        withDefaults = chain.account("DEFAULTS", n -> n.put("default_permissions",
                Map.of("pub", Map.of("deny", List.of("secret.>")), "sub", Map.of("allow", List.of("public.>")))));
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        StringBuilder conf = new StringBuilder("operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n");
        for (TrustChain.Account acc : List.of(sys, a, lim, noLimits, withDefaults)) {
            conf.append("  ").append(acc.publicKey()).append(": \"").append(acc.jwt()).append("\"\n");
        }
        conf.append("}\n");
        Path file = dir.resolve("operator.conf");
        Files.writeString(file, conf);
        ours = RunningServer.fromConfigFile(file);
        refPort = Ports.free();
        reference = new ProcessBuilder(NATS_SERVER, "-c", file.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A raw session: INFO read, CONNECT with the user's JWT and the nonce signed, then {@code script}. */
    static String session(int port, TrustChain.User user, String connectExtra, String script, boolean sign)
            throws Exception {
        try (RawClient c = new RawClient(port)) {
            String info = c.readInfo();
            String nonce = info.replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            StringBuilder connect = new StringBuilder("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1");
            if (user != null) {
                connect.append(",\"jwt\":\"").append(user.jwt()).append('"');
                if (sign) {
                    byte[] sig = user.key.sign(nonce.getBytes(StandardCharsets.US_ASCII));
                    connect.append(",\"sig\":\"").append(Base64.getUrlEncoder().withoutPadding().encodeToString(sig))
                            .append('"');
                }
            }
            connect.append(connectExtra).append("}\r\n");
            c.send(connect + script + "PING\r\n");
            return untilPongOrClose(c);
        }
    }

    static String untilPongOrClose(RawClient c) throws IOException {
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = c.readLine()) != null) {
            out.append(line);
            if (line.equals("PONG\r\n")) {
                return out.toString();
            }
        }
        return out + "<closed>";
    }

    private void same(TrustChain.User user, String extra, String script, boolean sign, String expected)
            throws Exception {
        String theirs = session(refPort, user, extra, script, sign);
        String mine = session(ours.port(), user, extra, script, sign);
        assertThat(theirs).as("nats-server").isEqualTo(expected);
        assertThat(mine).as("NATS Boot").isEqualTo(theirs);
    }

    private static final String VIOLATION = "-ERR 'Authorization Violation'\r\n<closed>";

    @Test
    void userWithCredsConnects() throws Exception {
        same(a.user("u"), "", "", true, "PONG\r\n");
    }

    @Test
    void userSignedByAccountIdentityKeyConnects() throws Exception {
        TrustChain.User u = a.user("direct");
        u.signedByAccountIdentity = true;
        same(u, "", "", true, "PONG\r\n");
    }

    @Test
    void infoHasNonceAndAuthRequired() throws Exception {
        for (int port : new int[] {refPort, ours.port()}) {
            try (RawClient c = new RawClient(port)) {
                String info = c.readInfo();
                assertThat(info).contains("\"auth_required\":true").containsPattern("\"client_ip\":\"[^\"]+\",\"nonce\":\"");
            }
        }
    }

    @Test
    void permissionsFromTheJwt() throws Exception {
        TrustChain.User u = a.user("perm", n -> {
            n.put("pub", Map.of("allow", List.of("orders.>"), "deny", List.of("orders.secret")));
            n.put("sub", Map.of("allow", List.of("orders.*")));
        });
        same(u, "", "PUB foo 0\r\n\r\nPUB orders.secret 0\r\n\r\nSUB bar 1\r\nSUB orders.x 2\r\nPUB orders.x 2\r\nhi\r\n",
                true, "-ERR 'Permissions Violation for Publish to \"foo\"'\r\n"
                        + "-ERR 'Permissions Violation for Publish to \"orders.secret\"'\r\n"
                        + "-ERR 'Permissions Violation for Subscription to \"bar\"'\r\n"
                        + "MSG orders.x 2 2\r\nhi\r\nPONG\r\n");
    }

    @Test
    void accountDefaultPermissionsApplyToUsersWithoutTheirOwn() throws Exception {
        same(withDefaults.user("plain"), "", "PUB secret.x 0\r\n\r\nSUB private.x 1\r\nSUB public.x 2\r\n", true,
                "-ERR 'Permissions Violation for Publish to \"secret.x\"'\r\n"
                        + "-ERR 'Permissions Violation for Subscription to \"private.x\"'\r\nPONG\r\n");
        // a user with permissions of its own does not get the account's
        same(withDefaults.user("own", n -> n.put("sub", Map.of("allow", List.of("private.>")))), "",
                "PUB secret.x 0\r\n\r\nSUB private.x 1\r\n", true, "PONG\r\n");
    }

    @Test
    void scopedSigningKeyTemplateGivesThePermissions() throws Exception {
        TrustChain.User u = a.user("scoped", n -> {
            n.remove("subs"); // a scoped user carries no limits (-1 counts as a limit); the template has them
            n.remove("data");
            n.remove("payload");
        });
        u.signedBy = scoped;
        same(u, "", "SUB x 1\r\nSUB ro.x 2\r\n", true,
                "-ERR 'Permissions Violation for Subscription to \"x\"'\r\nPONG\r\n");
    }

    @Test
    void scopedUserWithOwnPermissionsIsRefused() throws Exception {
        TrustChain.User u = a.user("scoped2", n -> n.put("pub", Map.of("allow", List.of(">"))));
        u.signedBy = scoped;
        same(u, "", "", true, VIOLATION);
    }

    @Test
    void revokedUserIsRefused() throws Exception {
        same(revoked, "", "", true, VIOLATION);
    }

    @Test
    void userOfUnknownSignerIsRefused() throws Exception {
        TrustChain.User u = a.user("stranger");
        u.signedBy = NKey.createAccount(null);
        same(u, "", "", true, VIOLATION);
    }

    @Test
    void userOfAccountTheResolverLacksIsRefused() throws Exception {
        same(unknown.user("lost"), "", "", true, VIOLATION);
    }

    @Test
    void missingOrWrongSignatureAndMissingJwtAreRefused() throws Exception {
        same(a.user("nosig"), "", "", false, VIOLATION);
        same(a.user("badsig"), ",\"sig\":\"" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(new byte[64]) + "\"", "", false, VIOLATION);
        same(null, "", "", false, VIOLATION);
    }

    @Test
    void bearerTokenNeedsNoSignature() throws Exception {
        same(a.user("bearer", n -> n.put("bearer_token", true)), "", "", false, "PONG\r\n");
    }

    @Test
    void sourceNetworkOutsideSrcIsRefused() throws Exception {
        same(a.user("far", n -> n.put("src", List.of("10.0.0.0/8"))), "", "", true, VIOLATION);
        same(a.user("near", n -> n.put("src", List.of("10.0.0.0/8", "127.0.0.0/8"))), "", "", true, "PONG\r\n");
    }

    @Test
    void connectTimesOutsideWindowAreRefused() throws Exception {
        // a one-second window twelve hours away from now, in UTC
        java.time.LocalTime t = java.time.LocalTime.now(java.time.ZoneOffset.UTC).plusHours(12).withNano(0);
        same(a.user("night", n -> {
            n.put("times", List.of(Map.of("start", t.toString().length() == 5 ? t + ":00" : t.toString(),
                    "end", t.plusSeconds(1).toString().length() == 5 ? t.plusSeconds(1) + ":00"
                            : t.plusSeconds(1).toString())));
            n.put("times_location", "UTC");
        }), "", "", true, VIOLATION);
    }

    @Test
    void allowedConnectionTypes() throws Exception {
        same(a.user("wsonly", n -> n.put("allowed_connection_types", List.of("WEBSOCKET"))), "", "", true, VIOLATION);
        same(a.user("std", n -> n.put("allowed_connection_types", List.of("STANDARD", "MQTT"))), "", "", true,
                "PONG\r\n");
        same(a.user("unknowntype", n -> n.put("allowed_connection_types", List.of("CARRIER_PIGEON"))), "", "", true,
                VIOLATION);
    }

    @Test
    void expiredUserIsRefused() throws Exception {
        TrustChain.User u = a.user("old", n -> {
        }, Duration.ofSeconds(5));
        u.issuedAt = System.currentTimeMillis() / 1000 - 60;
        same(u, "", "", true, VIOLATION);
    }

    @Test
    void userIsDisconnectedWhenItsJwtExpires() throws Exception {
        TrustChain.User u = a.user("shortlived", n -> {
        }, Duration.ofSeconds(2));
        CompletableFuture<String> theirs = CompletableFuture.supplyAsync(() -> expirySession(refPort, u));
        String mine = expirySession(ours.port(), u);
        assertThat(theirs.get(10, TimeUnit.SECONDS)).isEqualTo("PONG\r\n-ERR 'User Authentication Expired'\r\n<closed>");
        assertThat(mine).isEqualTo(theirs.get());
    }

    private static String expirySession(int port, TrustChain.User u) {
        try (RawClient c = new RawClient(port)) {
            String info = c.readInfo();
            String nonce = info.replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            byte[] sig = u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII));
            c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(sig) + "\"}\r\nPING\r\n");
            c.setTimeout(6000);
            StringBuilder out = new StringBuilder();
            String line;
            while ((line = c.readLine()) != null) {
                if (!line.equals("PING\r\n")) {
                    out.append(line);
                } else {
                    c.send("PONG\r\n");
                }
            }
            return out + "<closed>";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void accountLimitsOnConnectionsSubscriptionsAndPayload() throws Exception {
        // one connection held open per server, then a second is refused
        List<RawClient> held = new ArrayList<>();
        try {
            for (int port : new int[] {refPort, ours.port()}) {
                RawClient c = new RawClient(port);
                held.add(c);
                TrustChain.User u = lim.user("first");
                String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
                c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                        + Base64.getUrlEncoder().withoutPadding().encodeToString(
                                u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\n"
                        + "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n");
                assertThat(untilPongOrClose(c)).as("port %d", port)
                        .isEqualTo("-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n");
            }
            same(lim.user("second"), "", "", true, "-ERR 'maximum account active connections exceeded'\r\n<closed>");
        } finally {
            for (RawClient c : held) {
                c.close();
            }
        }
        // the held connections are gone: a publisher over the account's payload limit is closed
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                same(lim.user("big"), "", "PUB x 17\r\n01234567890123456\r\n", true,
                        "-ERR 'Maximum Payload Violation'\r\n<closed>"));
    }

    @Test
    void accountWithoutLimitsAdmitsNobody() throws Exception {
        same(noLimits.user("nl"), "", "", true, "-ERR 'maximum account active connections exceeded'\r\n<closed>");
    }

    @Test
    void jnatsWithCredsFileOnBothServers() throws Exception {
        Path creds = a.user("jnats").writeCreds(dir);
        for (int port : new int[] {refPort, ours.port()}) {
            Options o = new Options.Builder().server("nats://127.0.0.1:" + port)
                    .authHandler(Nats.credentials(creds.toString())).connectionTimeout(Duration.ofSeconds(3))
                    .maxReconnects(0).build();
            try (Connection nc = Nats.connect(o)) {
                io.nats.client.Subscription sub = nc.subscribe("greet");
                nc.publish("greet", "hello".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(sub.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8))
                        .isEqualTo("hello");
            }
        }
    }

    @Test
    void accountsAreIsolated() throws Exception {
        for (int port : new int[] {refPort, ours.port()}) {
            try (Connection inA = connect(port, a.user("iso-a")); Connection inA2 = connect(port, a.user("iso-a2"));
                    Connection other = connect(port, withDefaults.user("iso-other"))) {
                io.nats.client.Subscription s = inA.subscribe("shared");
                inA.flush(Duration.ofSeconds(2));
                other.publish("shared", new byte[] {0});
                other.flush(Duration.ofSeconds(2));
                inA2.publish("shared", new byte[] {1});
                inA2.flush(Duration.ofSeconds(2));
                io.nats.client.Message m = s.nextMessage(Duration.ofSeconds(2));
                assertThat(m.getData()).as("port %d: only account A's message", port).containsExactly(1);
                assertThat(s.nextMessage(Duration.ofMillis(200))).isNull();
            }
        }
    }

    private static Connection connect(int port, TrustChain.User u) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .connectionTimeout(Duration.ofSeconds(3)).maxReconnects(0).build());
    }

    @Test
    void violationLogLinesNameTheJwtUser() throws Exception {
        TrustChain.User u = a.user("logged", n -> n.put("pub", Map.of("allow", List.of("ok.>"))));
        same(u, "", "PUB nope 0\r\n\r\n", true, "-ERR 'Permissions Violation for Publish to \"nope\"'\r\nPONG\r\n");
        String line = "Publish Violation - JWT User \"" + u.publicKey() + "\", Subject \"nope\"";
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> Files.readString(dir.resolve("ref.log")).contains(line));
        assertThat(ours.log().lines()).anyMatch(l -> l.startsWith("[ERR] ") && l.endsWith(line));
        // refusals the log explains at error level, with nats-server's words
        same(a.user("faraway", n -> n.put("src", List.of("10.9.0.0/16"))), "", "", true, VIOLATION);
        assertThat(Files.readString(dir.resolve("ref.log"))).contains(" - Bad src Ip 127.0.0.1\n");
        assertThat(ours.log().lines()).anyMatch(l -> l.startsWith("[ERR] ") && l.endsWith(" - Bad src Ip 127.0.0.1"));
    }

    @Test
    void logLinesOfRefusalsMatch() throws Exception {
        same(revoked, "", "", true, VIOLATION);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> ours.log().contains("User authentication revoked"));
        assertThat(ours.log().lines()).anyMatch(l -> l.startsWith("[ERR] 127.0.0.1:")
                && l.endsWith(" - authentication error"));
        String ref = Files.readString(dir.resolve("ref.log"));
        assertThat(ref).contains("authentication error");
    }
}
