package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code websocket { jwt_cookie: ... }} in operator mode, against nats-server 2.9.10 with the same files: a
 * browser that got its user JWT as a cookie connects with only the nonce signed in CONNECT (or nothing at all for
 * a bearer JWT); CONNECT's own {@code jwt} wins over the cookie; a user JWT that allows only STANDARD connections
 * is refused over WebSocket. What each client receives after INFO must be the same on both servers.
 */
@RequiresBinary("nats-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketJwtCookieTest {
    private final TrustChain chain = TrustChain.create();
    private TrustChain.User alice;
    private TrustChain.User bearer;
    private TrustChain.User tcpOnly;
    private Path dir;
    private RunningServer ours;
    private int ourWsPort;
    private Process reference;
    private int refWsPort;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("ws-jwt-cookie");
        TrustChain.Account sys = chain.account("SYS");
        TrustChain.Account a = chain.account("A");
        alice = a.user("alice");
        bearer = a.user("bearer", n -> n.put("bearer_token", true));
        tcpOnly = a.user("tcp", n -> n.put("allowed_connection_types", List.of("STANDARD")));
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        refWsPort = Ports.free();
        String conf = "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n  "
                + a.publicKey() + ": \"" + a.jwt() + "\"\n}\n"
                + "websocket { host: 127.0.0.1, port: %d, no_tls: true, jwt_cookie: \"nats_jwt\" }\n";
        Path refConf = dir.resolve("ref.conf");
        Files.writeString(refConf, String.format(conf, refWsPort));
        Path ourConf = dir.resolve("ours.conf");
        Files.writeString(ourConf, String.format(conf, -1));
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", refConf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(Ports.free())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref.log").toFile()).start();
        ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(ourConf.toString(), b).errors()).isEmpty();
                return b.port(0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ourWsPort = ours.server().context().webSocketPort();
        Ports.awaitListening(refWsPort);
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

    /**
     * One WebSocket session: upgrade with {@code cookie} (may be null), INFO, CONNECT with the nonce signed by
     * {@code signer} (none when null) and {@code connectJwt} (none when null), PING; what came after INFO.
     */
    private static String session(int port, String cookie, TrustChain.User signer, String connectJwt)
            throws Exception {
        try (WsRawClient c = new WsRawClient(port)) {
            String head = c.upgrade(WsRawClient.request(port, cookie == null ? "" : "Cookie: " + cookie + "\r\n"));
            assertThat(head).startsWith("HTTP/1.1 101");
            String info = c.readUntil("\r\n");
            String nonce = info.replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            StringBuilder connect = new StringBuilder("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1");
            if (connectJwt != null) {
                connect.append(",\"jwt\":\"").append(connectJwt).append('"');
            }
            if (signer != null) {
                byte[] sig = signer.key.sign(nonce.getBytes(StandardCharsets.US_ASCII));
                connect.append(",\"sig\":\"").append(Base64.getUrlEncoder().withoutPadding().encodeToString(sig))
                        .append('"');
            }
            c.send(connect + "}\r\nPING\r\n");
            String rest = c.readUntil("PONG\r\n");
            return rest.contains("PONG") ? rest : rest + "<closed>";
        }
    }

    private void same(String cookie, TrustChain.User signer, String connectJwt, String expected) throws Exception {
        String theirs = session(refWsPort, cookie, signer, connectJwt);
        String mine = session(ourWsPort, cookie, signer, connectJwt);
        assertThat(theirs).as("nats-server").isEqualTo(expected);
        assertThat(mine).as("NATS Boot").isEqualTo(theirs);
    }

    @Test
    void theCookieCarriesTheUserJwt() throws Exception {
        same("nats_jwt=" + alice.jwt(), alice, null, "PONG\r\n");
        same("theme=dark; nats_jwt=" + bearer.jwt(), null, null, "PONG\r\n");
    }

    @Test
    void withoutTheCookieOrWithTheWrongKeyTheLoginFails() throws Exception {
        String violation = "-ERR 'Authorization Violation'\r\n<closed>";
        same(null, alice, null, violation);
        same("other=" + alice.jwt(), alice, null, violation);
        same("nats_jwt=" + alice.jwt(), bearer, null, violation); // the nonce signed by another user's key
    }

    @Test
    void connectsOwnJwtWinsOverTheCookie() throws Exception {
        same("nats_jwt=" + alice.jwt(), bearer, bearer.jwt(), "PONG\r\n");
    }

    @Test
    void aUserForStandardConnectionsOnlyIsRefusedOverWebSocket() throws Exception {
        same("nats_jwt=" + tcpOnly.jwt(), tcpOnly, null, "-ERR 'Authorization Violation'\r\n<closed>");
    }
}
