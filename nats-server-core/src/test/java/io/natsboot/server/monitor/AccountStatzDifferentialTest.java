package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * /accstatz per account, against nats-server 2.9.10 with the same accounts and traffic: connections counted
 * in their own account, {@code received} from its clients and {@code sent} to them, and the traffic of closed
 * connections kept. Go lists the accounts in map order, so they are compared by name.
 */
@RequiresBinary("nats-server")
class AccountStatzDifferentialTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @Test
    void accountsAreCountedSeparatelyAndKeepClosedTraffic() throws Exception {
        Path conf = Files.createTempDirectory("accstatz").resolve("acc.conf");
        Files.writeString(conf, "accounts {\n  A: { users: [ {user: a, password: a} ] }\n"
                + "  B: { users: [ {user: b, password: b} ] }\n}\n");
        int refPort = Ports.free();
        int refHttp = Ports.free();
        Process ref = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-a", "127.0.0.1",
                "-p", Integer.toString(refPort), "-m", Integer.toString(refHttp))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (RunningServer ours = RunningServer.start(b -> load(conf, b).httpPort(-1))) {
            Ports.awaitListening(refHttp);
            Map<String, Object> refOpen = new TreeMap<>();
            Map<String, Object> refClosed = new TreeMap<>();
            scenario("nats://127.0.0.1:" + refPort, () -> refHttp, refOpen, refClosed);
            Map<String, Object> ourOpen = new TreeMap<>();
            Map<String, Object> ourClosed = new TreeMap<>();
            scenario(ours.url(), () -> ours.server().monitor().port(), ourOpen, ourClosed);

            assertThat(ourOpen).isEqualTo(refOpen);
            assertThat(ourClosed).isEqualTo(refClosed);
            assertThat(refOpen).containsOnlyKeys("A", "B");
            assertThat(refClosed).containsOnlyKeys("A", "B", "$G", "$SYS");
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Two clients in A exchange three messages, one in B stays idle; then A's clients leave. */
    private static void scenario(String url, IntSupplier http, Map<String, Object> open, Map<String, Object> closed)
            throws Exception {
        try (Connection b = connect(url, "b")) {
            try (Connection a1 = connect(url, "a"); Connection a2 = connect(url, "a")) {
                io.nats.client.Subscription sub = a2.subscribe("foo");
                a2.flush(Duration.ofSeconds(5));
                for (int i = 0; i < 3; i++) {
                    a1.publish("foo", "hello".getBytes(StandardCharsets.UTF_8));
                }
                a1.flush(Duration.ofSeconds(5));
                for (int i = 0; i < 3; i++) {
                    assertThat(sub.nextMessage(Duration.ofSeconds(5))).isNotNull();
                }
                open.putAll(byAccount(http.getAsInt(), "/accstatz"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !byAccount(http.getAsInt(), "/accstatz").containsKey("A"));
            closed.putAll(byAccount(http.getAsInt(), "/accstatz?unused=1"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> byAccount(int port, String q) throws Exception {
        Http.Resp r = Http.get(port, q);
        assertThat(r.status()).isEqualTo(200);
        Map<String, Object> json = r.json();
        assertThat(json.keySet()).containsExactly("server_id", "now", "account_statz");
        Map<String, Object> out = new TreeMap<>();
        for (Object o : (List<Object>) json.get("account_statz")) {
            Map<String, Object> a = (Map<String, Object>) o;
            out.put((String) a.get("acc"), a);
        }
        return out;
    }

    private static Connection connect(String url, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, user).maxReconnects(0).build());
    }

    private static ServerOptions.Builder load(Path conf, ServerOptions.Builder b) {
        try {
            assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return b.host("127.0.0.1").port(0);
    }
}
