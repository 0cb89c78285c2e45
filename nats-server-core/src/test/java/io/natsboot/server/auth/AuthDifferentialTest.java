package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Authorization (users, bcrypt, no_auth_user, default_permissions, publish/subscribe allow and deny, queue
 * permissions, allow_responses) against the real nats-server 2.9.10 at {@code /usr/sbin/nats-server}: the same
 * configuration file, the same raw protocol sessions, the same answers. Fails (never skips) without the binary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@RequiresBinary("nats-server")
class AuthDifferentialTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    /** alice's password is "s3cret" (bcrypt hash made by Python's bcrypt). */
    static final String CONF = """
            authorization {
              default_permissions = { publish = "def.>", subscribe = "def.>" }
              users = [
                {user: alice, password: "$2b$05$oNWty85WKF9gTkzOJXRN2epcFrnq0Q8vAJ03oSbsEJeXg03SIhZa.",
                 permissions: { publish: { allow: ["foo.*", "req.>"], deny: ["foo.bar"] },
                                subscribe: { allow: ["foo.>", "q.* grp", "w.>", "_INBOX.>"], deny: ["foo.secret", "w.* bad"] } } }
                {user: bob, password: plain}
                {user: svc, password: s, permissions: { subscribe: "req.>", allow_responses: true } }
                {user: svc2, password: s, permissions: { publish: "pub.>", subscribe: "req.>",
                                                        allow_responses: { max: 2, expires: "1m" } } }
                {user: free, password: f}
              ]
            }
            no_auth_user: bob
            """;

    private Path dir;
    private Process reference;
    private int refPort;
    private RunningServer ours;

    @BeforeAll
    void startBoth() throws Exception {
        dir = Files.createTempDirectory("auth-diff");
        Path conf = dir.resolve("auth.conf");
        Files.writeString(conf, CONF);
        refPort = Ports.free();
        reference = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        ours = RunningServer.start(b -> {
            try {
                ConfigFileOptions.Outcome o = ConfigFileOptions.load(conf.toString(), b);
                assertThat(o.errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stopBoth() {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
        }
    }

    /** Runs the protocol text, then a PING, and returns what came back up to the PONG (or the close). */
    static String session(int port, String... lines) {
        try (RawClient c = new RawClient(port)) {
            c.readInfo();
            StringBuilder out = new StringBuilder();
            exchange(c, out, lines);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void exchange(RawClient c, StringBuilder out, String... lines) throws IOException {
        StringBuilder in = new StringBuilder();
        for (String l : lines) {
            in.append(l).append("\r\n");
        }
        c.send(in.append("PING\r\n").toString());
        String line;
        while ((line = c.readLine()) != null) {
            out.append(line);
            if (line.equals("PONG\r\n")) {
                return;
            }
        }
        out.append("<closed>");
    }

    private void same(String... lines) {
        String ref = session(refPort, lines);
        String got = session(ours.port(), lines);
        assertThat(got).as("ours vs nats-server for %s", String.join(" | ", lines)).isEqualTo(ref);
    }

    private String refLog() throws IOException {
        return Files.readString(dir.resolve("ref.log"));
    }

    @Test
    void bcryptUserWithPermissions() throws Exception {
        same("CONNECT {\"user\":\"alice\",\"pass\":\"s3cret\",\"verbose\":false}",
                "SUB foo.secret 1", "SUB foo.* 2", "SUB q.x 3", "SUB q.x grp 4", "SUB q.x other 5",
                "PUB foo.bar 1", "x", "PUB foo.baz 1", "x", "PUB foo.secret 1", "x", "PUB bar 1", "x");
        assertThat(refLog()).contains("Subscription Violation - User \"alice\", Subject \"foo.secret\", SID 1",
                "Subscription Violation - User \"alice\", Subject \"q.x\", Queue: \"other\", SID 5",
                "Publish Violation - User \"alice\", Subject \"foo.bar\"");
        assertThat(ours.log().lines()).anyMatch(l -> l.endsWith(
                "Subscription Violation - User \"alice\", Subject \"foo.secret\", SID 1"));
        assertThat(ours.log().lines()).anyMatch(l -> l.endsWith(
                "Subscription Violation - User \"alice\", Subject \"q.x\", Queue: \"other\", SID 5"));
        assertThat(ours.log().lines()).anyMatch(l -> l.endsWith(
                "Publish Violation - User \"alice\", Subject \"foo.bar\""));
    }

    @Test
    void queueEntriesAndWildcardSubscriptions() {
        same("CONNECT {\"user\":\"alice\",\"pass\":\"s3cret\",\"verbose\":true}",
                "SUB w.a bad 1", "SUB w.a good 2", "SUB w.a 3", "SUB foo.> 4", "SUB foo.>.x 5", "SUB > 6",
                "SUB q.* grp 7", "SUB q.> grp 8", "PUB foo.secret 1", "y", "PUB foo.a.b 1", "z");
    }

    @Test
    void wrongPasswordsAndUnknownUsers() {
        same("CONNECT {\"user\":\"alice\",\"pass\":\"bad\"}");
        same("CONNECT {\"user\":\"nobody\",\"pass\":\"plain\"}");
        same("CONNECT {\"user\":\"bob\",\"pass\":\"\"}");
        same("CONNECT {\"user\":\"free\",\"pass\":\"f\",\"verbose\":true}", "SUB > 1", "PUB any 1", "a");
    }

    @Test
    void noAuthUserGetsDefaultPermissions() {
        same("CONNECT {\"verbose\":false}", "SUB x 1", "SUB def.a 2", "PUB x 0", "", "PUB def.a 1", "d");
        same("CONNECT {\"user\":\"bob\",\"pass\":\"plain\",\"verbose\":true}", "SUB x 1", "PUB def.b 0", "");
    }

    @Test
    void allowResponsesOnce() throws Exception {
        assertThat(responses(ours.port())).isEqualTo(responses(refPort));
    }

    @Test
    void allowResponsesWithMax() throws Exception {
        assertThat(responses2(ours.port())).isEqualTo(responses2(refPort));
    }

    /** svc may answer a request once on its reply subject, and publish nothing else. */
    private static String responses(int port) throws Exception {
        StringBuilder out = new StringBuilder();
        try (RawClient svc = new RawClient(port); RawClient req = new RawClient(port)) {
            svc.readInfo();
            req.readInfo();
            exchange(svc, out, "CONNECT {\"user\":\"svc\",\"pass\":\"s\",\"verbose\":false}", "SUB req.> 1",
                    "PUB other 1", "o", "PUB _INBOX.r1 1", "e");
            exchange(req, out, "CONNECT {\"user\":\"free\",\"pass\":\"f\",\"verbose\":false}", "SUB _INBOX.> 9",
                    "PUB req.a _INBOX.r1 1", "q");
            exchange(svc, out);
            exchange(svc, out, "PUB _INBOX.r1 1", "a", "PUB _INBOX.r1 1", "b");
            exchange(req, out);
        }
        return out.toString();
    }

    private static String responses2(int port) throws Exception {
        StringBuilder out = new StringBuilder();
        try (RawClient svc = new RawClient(port); RawClient req = new RawClient(port)) {
            svc.readInfo();
            req.readInfo();
            exchange(svc, out, "CONNECT {\"user\":\"svc2\",\"pass\":\"s\",\"verbose\":false}", "SUB req.> 1",
                    "PUB pub.x 1", "o", "PUB other 1", "o");
            exchange(req, out, "CONNECT {\"user\":\"free\",\"pass\":\"f\",\"verbose\":false}", "SUB _INBOX.> 9",
                    "PUB req.a _INBOX.r2 1", "q");
            exchange(svc, out);
            exchange(svc, out, "PUB _INBOX.r2 1", "a", "PUB _INBOX.r2 1", "b", "PUB _INBOX.r2 1", "c");
            exchange(req, out);
        }
        return out.toString();
    }

}
