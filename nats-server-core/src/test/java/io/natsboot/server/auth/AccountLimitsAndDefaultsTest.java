package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An account's {@code limits {}} and {@code default_permissions} from the accounts block, the same file run by
 * ours and by nats-server 2.9.10, compared on the wire: the connection over max_conn, the subscription over
 * max_subs and the payload over max_pay get nats-server's errors; users without permissions of their own take
 * the account's defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RequiresBinary("nats-server")
class AccountLimitsAndDefaultsTest {
    static final String CONF = """
            accounts {
              A: {
                users: [ {user: a1, password: p}, {user: a2, password: p} ]
                limits: { max_conn: 1, max_subs: 2, max_pay: 10 }
              }
              D: {
                users: [ {user: d, password: p}, {user: own, password: p, permissions: {publish: "mine.>"}} ]
                default_permissions: { publish: "ok.>" }
              }
            }
            """;

    private Path dir;
    private RunningServer ours;
    private Process reference;
    private int refPort;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("acclimits");
        Path conf = dir.resolve("limits.conf");
        Files.writeString(conf, CONF);
        ours = RunningServer.start(AccountsTest.load(conf));
        refPort = Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stop() {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
        }
    }

    private RawClient login(String server, String user) throws Exception {
        RawClient c = new RawClient(server.equals("ours") ? ours.port() : refPort);
        c.setTimeout(5000);
        c.readInfo();
        c.send("CONNECT {\"verbose\":false,\"user\":\"" + user + "\",\"pass\":\"p\"}\r\nPING\r\n");
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void accountLimitsAreEnforcedAsNatsServerDoes(String server) throws Exception {
        List<String> seen = new ArrayList<>();
        try (RawClient first = login(server, "a1")) {
            seen.add(first.readLine());
            try (RawClient second = login(server, "a2")) {
                seen.add(second.readLine());
                seen.add(second.readUntilClose(5000).strip());
            }
            first.send("SUB x 1\r\nSUB y 2\r\nSUB z 3\r\nPING\r\n");
            seen.add(first.readLine());
            seen.add(first.readLine());
            first.send("PUB ok 10\r\n0123456789\r\nPING\r\n");
            seen.add(first.readLine());
            first.send("PUB ok 11\r\n0123456789A\r\n");
            seen.add(first.readLine());
        }
        // the slot is free again once the first client is gone
        try (RawClient again = login(server, "a2")) {
            seen.add(again.readLine());
        }
        seen.replaceAll(l -> l == null ? null : l.strip());
        assertThat(seen).containsExactly("PONG", "-ERR 'maximum account active connections exceeded'", "<closed>",
                "-ERR 'maximum subscriptions exceeded'", "PONG", "PONG", "-ERR 'Maximum Payload Violation'", "PONG");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void usersWithoutPermissionsTakeTheAccountsDefaults(String server) throws Exception {
        List<String> seen = new ArrayList<>();
        try (RawClient d = login(server, "d"); RawClient own = login(server, "own")) {
            seen.add(d.readLine());
            seen.add(own.readLine());
            d.send("PUB ok.x 1\r\nx\r\nPUB other 1\r\nx\r\nPING\r\n");
            seen.add(d.readLine());
            seen.add(d.readLine());
            own.send("PUB mine.x 1\r\nx\r\nPUB ok.x 1\r\nx\r\nPING\r\n");
            seen.add(own.readLine());
            seen.add(own.readLine());
        }
        seen.replaceAll(l -> l == null ? null : l.strip());
        assertThat(seen).containsExactly("PONG", "PONG", "-ERR 'Permissions Violation for Publish to \"other\"'",
                "PONG", "-ERR 'Permissions Violation for Publish to \"ok.x\"'", "PONG");
    }
}
