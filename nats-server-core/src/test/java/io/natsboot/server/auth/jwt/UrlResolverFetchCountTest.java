package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A URL account resolver with JetStream on: the first login to an account whose JWT enables JetStream fetches the
 * account JWT from the account server once (the JetStream first-login work and the login share the lookup), as
 * nats-server 2.9.10 does; a second login fetches nothing. Requests are counted at a tiny local HTTP resolver.
 */
@RequiresBinary("nats-server")
class UrlResolverFetchCountTest {
    @TempDir
    Path dir;

    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account js = chain.account("J");
    /** An account without JetStream: its first login sets up the not-enabled answers, with the same one lookup. */
    private final TrustChain.Account plain = chain.account("P");

    /** An account server answering every account JWT of the chain and counting the GETs per account. */
    private static final class AccountServer implements AutoCloseable {
        final HttpServer http;
        final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();

        AccountServer(Map<String, String> jwts) throws Exception {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/jwt/v1/accounts/", ex -> {
                String key = ex.getRequestURI().getPath().substring("/jwt/v1/accounts/".length());
                gets.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                String jwt = key.isEmpty() ? "" : jwts.get(key);
                byte[] body = jwt == null ? new byte[0] : jwt.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(jwt == null ? 404 : 200, body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/jwt/v1/accounts/";
        }

        int gets(String key) {
            AtomicInteger n = gets.get(key);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private Path conf(String name, AccountServer accounts) throws Exception {
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: URL(\"" + accounts.url() + "\")\njetstream { store_dir: \""
                + dir.resolve(name + "-store") + "\" }\n");
        return conf;
    }

    private static void login(int port, TrustChain.User u) throws Exception {
        try (Connection c = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .connectionTimeout(Duration.ofSeconds(5)).maxReconnects(0).build())) {
            c.flush(Duration.ofSeconds(5));
        }
    }

    /** [GETs of J after the first login, after a second login, the same for P]. */
    private int[] counts(AccountServer accounts, int port) throws Exception {
        login(port, js.user("first"));
        int first = accounts.gets(js.publicKey());
        login(port, js.user("second"));
        int second = accounts.gets(js.publicKey());
        login(port, plain.user("first"));
        int plainFirst = accounts.gets(plain.publicKey());
        login(port, plain.user("second"));
        int plainSecond = accounts.gets(plain.publicKey());
        return new int[] {first, second, plainFirst, plainSecond};
    }

    @Test
    void aJetStreamAccountIsFetchedOnceAtItsFirstLogin() throws Exception {
        js.limits().put("mem_storage", 1_000_000L);
        js.limits().put("disk_storage", 1_000_000L);
        js.limits().put("streams", 2L);
        js.limits().put("consumer", 2L);
        Map<String, String> jwts = Map.of(sys.publicKey(), sys.jwt(), js.publicKey(), js.jwt(),
                plain.publicKey(), plain.jwt());
        int[] theirs;
        try (AccountServer accounts = new AccountServer(jwts)) {
            int port = Ports.free();
            Process ref = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf("ref", accounts).toString(), "-a",
                    "127.0.0.1", "-p", Integer.toString(port)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("ref.log").toFile()).start();
            try {
                Ports.awaitListening(port);
                theirs = counts(accounts, port);
            } finally {
                ref.destroy();
                ref.waitFor(10, TimeUnit.SECONDS);
            }
        }
        int[] mine;
        try (AccountServer accounts = new AccountServer(jwts)) {
            Path conf = conf("ours", accounts);
            try (RunningServer ours = RunningServer.start(b -> {
                try {
                    assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                    return b.host("127.0.0.1").port(0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })) {
                mine = counts(accounts, ours.port());
            }
        }
        assertThat(theirs).as("nats-server's GETs of the account").containsExactly(1, 1, 1, 1);
        assertThat(mine).as("ours").containsExactly(theirs);
    }
}
