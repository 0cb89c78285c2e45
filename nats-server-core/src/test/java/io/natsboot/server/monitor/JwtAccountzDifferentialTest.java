package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /accountz?acc=<key>} for accounts from JWTs (operator mode) against nats-server 2.9.10 with the same
 * trust chain: the JWT fields ({@code jwt}, {@code issuer_key}, {@code name_tag}, {@code tags},
 * {@code decoded_jwt}, {@code revoked_user}...) besides the ones every account has.
 */
@RequiresBinary("nats-server")
class JwtAccountzDifferentialTest {
    private final TrustChain chain = TrustChain.create();

    @Test
    void jwtAccountDetailsAsNatsServer(@TempDir Path dir) throws Exception {
        TrustChain.Account sys = chain.account("SYS");
        String revokedUser = chain.account("R").user("revoked").publicKey();
        TrustChain.Account a = chain.account("A", n -> {
            n.put("exports", List.of(Map.of("name", "ev", "subject", "ev.>", "type", "stream"),
                    Map.of("name", "help", "subject", "help.>", "type", "service", "token_req", true)));
            n.put("mappings", Map.of("in.*", List.of(Map.of("subject", "out.$1", "weight", 100))));
            n.put("revocations", Map.of(revokedUser, 1700000000L));
            n.put("tags", List.of("blue", "green"));
            n.put("description", "account a");
        });
        TrustChain.Account b = chain.account("B", n -> n.put("imports", List.of(
                Map.of("name", "ev", "subject", "ev.>", "account", a.publicKey(), "type", "stream", "to", "from_a"))));
        TrustChain.Account unused = chain.account("UNUSED");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        StringBuilder conf = new StringBuilder("operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n");
        for (TrustChain.Account x : List.of(sys, a, b, unused)) {
            conf.append("  ").append(x.publicKey()).append(": \"").append(x.jwt()).append("\"\n");
        }
        Path file = dir.resolve("server.conf");
        Files.writeString(file, conf.append("}\n"));
        int port = Ports.free();
        int http = Ports.free();
        Process ref = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", file.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(port), "-m", Integer.toString(http)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref.log").toFile()).start();
        int ourHttp = Ports.free();
        List<String> problems = new ArrayList<>();
        try (RunningServer ours = RunningServer.start(bld -> {
            try {
                assertThat(ConfigFileOptions.load(file.toString(), bld).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return bld.httpHost("127.0.0.1").httpPort(ourHttp);
        })) {
            Ports.awaitListening(port);
            try (Connection ra = connect(port, a.user("ua")); Connection rb = connect(port, b.user("ub"));
                    Connection oa = connect(ours.port(), a.user("ua")); Connection ob = connect(ours.port(), b.user("ub"))) {
                // an account in the resolver but not in use: not looked up, "does not exist" on both
                String notInUse = "Account " + unused.publicKey() + " does not exist";
                assertThat(body(http, unused.publicKey())).isEqualTo(notInUse);
                assertThat(body(ourHttp, unused.publicKey())).isEqualTo(notInUse);
                for (TrustChain.Account x : List.of(a, b, sys)) {
                    Map<String, Object> theirs = detail(http, x.publicKey());
                    Map<String, Object> mine = detail(ourHttp, x.publicKey());
                    // the same fields in the same order, the claims too (Go's struct order)
                    assertThat(mine.keySet()).as(x.name).containsExactlyElementsOf(theirs.keySet());
                    assertThat(theirs).as(x.name).containsKeys("jwt", "issuer_key", "name_tag", "decoded_jwt");
                    assertThat(keys(mine.get("decoded_jwt"))).as(x.name).isEqualTo(keys(theirs.get("decoded_jwt")));
                    for (String volatileKey : List.of("update_time", "sublist_stats", "subscriptions")) {
                        theirs.remove(volatileKey);
                        mine.remove(volatileKey);
                    }
                    normalize(theirs);
                    normalize(mine);
                    if (!theirs.equals(mine)) {
                        problems.add(x.name + "\n  nats-server: " + theirs + "\n  ours:        " + mine);
                    }
                }
            }
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(problems).isEmpty();
    }

    private static Connection connect(int port, TrustChain.User u) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .maxReconnects(0).build());
    }

    private static String body(int httpPort, String acc) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/accountz?acc=" + acc)).build(), HttpResponse.BodyHandlers.ofString()).body().strip();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(int httpPort, String acc) throws Exception {
        String body = body(httpPort, acc);
        Map<String, Object> detail;
        try {
            detail = (Map<String, Object>) Json.parseObject(body).get("account_detail");
        } catch (RuntimeException e) {
            throw new AssertionError("not JSON from port " + httpPort + ": " + body, e);
        }
        assertThat(detail).as(body).isNotNull();
        return detail;
    }

    /** The keys of a claims object and of its {@code nats} object, in order. */
    @SuppressWarnings("unchecked")
    private static List<String> keys(Object claims) {
        Map<String, Object> c = (Map<String, Object>) claims;
        List<String> out = new ArrayList<>(c.keySet());
        out.addAll(((Map<String, Object>) c.get("nats")).keySet());
        return out;
    }

    /** Exports and imports as sorted lists of their text (nats-server's order is Go's map order). */
    private static void normalize(Map<String, Object> detail) {
        for (String k : List.of("exports", "imports")) {
            Object v = detail.get(k);
            if (v instanceof List<?> list) {
                detail.put(k, list.stream().map(String::valueOf).sorted().toList());
            }
        }
    }
}
