package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The account resolvers, each against nats-server 2.9.10 with the same kind of configuration: {@code URL(...)}
 * served by a small HTTP account server in the test, and the {@code full}/{@code cache} directory stores.
 */
class ResolverDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");
    private final TrustChain.Account missing = chain.account("MISSING");
    // issued once: every call of jwt() signs anew with the current time
    private final String sysJwt = sys.jwt();
    private final String aJwt = a.jwt();

    /** Runs {@code check} against nats-server and ours started with the config {@code confFor(dir)}. */
    private void bothWith(Function<Path, String> confFor, ThrowingCheck check) throws Exception {
        for (boolean reference : new boolean[] {true, false}) {
            Path dir = Files.createTempDirectory("resolver");
            Path op = dir.resolve("op.jwt");
            Files.writeString(op, chain.operatorJwt());
            Path conf = dir.resolve("server.conf");
            Files.writeString(conf, "operator: \"" + op + "\"\n" + confFor.apply(dir));
            if (reference) {
                int port = Ports.free();
                Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                        Integer.toString(port)).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ref.log").toFile()).start();
                try {
                    Ports.awaitListening(port);
                    check.run(port, dir, "nats-server");
                } finally {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } else {
                try (RunningServer s = RunningServer.start(b -> {
                    try {
                        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                        return b;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })) {
                    check.run(s.port(), dir, "NATS Boot");
                    if (confFor.apply(dir).contains("dir:")) {
                        assertThat(s.log().lines()).anyMatch(l -> l.startsWith("[INF] Managing "));
                    }
                }
            }
        }
    }

    interface ThrowingCheck {
        void run(int port, Path dir, String who) throws Exception;
    }

    private static final String VIOLATION = "-ERR 'Authorization Violation'\r\n<closed>";

    @Test
    void urlResolverFetchesFromTheAccountServer() throws Exception {
        Map<String, String> served = new ConcurrentHashMap<>(Map.of(a.publicKey(), aJwt));
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/jwt/v1/accounts/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            String key = path.substring("/jwt/v1/accounts/".length());
            String body = key.isEmpty() ? "" : served.get(key);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        http.start();
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/jwt/v1/accounts/";
            bothWith(dir -> "resolver: URL(" + url + ")\n", (port, dir, who) -> {
                requests.clear();
                assertThat(OperatorModeDifferentialTest.session(port, a.user("u"), "", "", true)).as(who)
                        .isEqualTo("PONG\r\n");
                assertThat(OperatorModeDifferentialTest.session(port, missing.user("m"), "", "", true)).as(who)
                        .isEqualTo(VIOLATION);
                assertThat(requests).as(who).contains("/jwt/v1/accounts/" + a.publicKey(),
                        "/jwt/v1/accounts/" + missing.publicKey());
            });
        } finally {
            http.stop(0);
        }
    }

    @Test
    void fullResolverReadsAndStoresJwtFiles() throws Exception {
        bothWith(dir -> {
            try {
                Files.createDirectories(dir.resolve("jwt"));
                Files.writeString(dir.resolve("jwt").resolve(a.publicKey() + ".jwt"), aJwt);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "system_account: " + sys.publicKey() + "\nresolver: {type: full, dir: \"" + dir.resolve("jwt")
                    + "\"}\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sysJwt + "\"\n}\n";
        }, (port, dir, who) -> {
            assertThat(OperatorModeDifferentialTest.session(port, a.user("u"), "", "", true)).as(who)
                    .isEqualTo("PONG\r\n");
            assertThat(OperatorModeDifferentialTest.session(port, missing.user("m"), "", "", true)).as(who)
                    .isEqualTo(VIOLATION);
            assertThat(dir.resolve("jwt").resolve(sys.publicKey() + ".jwt")).as(who + ": preload stored").exists();
            assertThat(Files.readString(dir.resolve("jwt").resolve(sys.publicKey() + ".jwt")).strip())
                    .isEqualTo(sysJwt);
        });
    }

    @Test
    void cacheResolverReadsJwtFiles() throws Exception {
        bothWith(dir -> {
            try {
                Files.createDirectories(dir.resolve("cache"));
                Files.writeString(dir.resolve("cache").resolve(a.publicKey() + ".jwt"), aJwt);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "system_account: " + sys.publicKey() + "\nresolver: {type: cache, dir: \"" + dir.resolve("cache")
                    + "\", limit: 10, ttl: \"1h\"}\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sysJwt
                    + "\"\n}\n";
        }, (port, dir, who) -> {
            assertThat(OperatorModeDifferentialTest.session(port, a.user("u"), "", "", true)).as(who)
                    .isEqualTo("PONG\r\n");
            assertThat(OperatorModeDifferentialTest.session(port, missing.user("m"), "", "", true)).as(who)
                    .isEqualTo(VIOLATION);
        });
    }
}
