package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.TrustChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JetStream for JWT accounts in operator mode, side by side with nats-server 2.9.10: a trust chain made at test
 * time, a full resolver preloaded with the accounts, and the same requests to both servers. An account JWT whose
 * {@code limits} give memory or disk storage (not 0) has JetStream with those limits (reported by INFO, enforced as
 * in {@link AccountJetStreamDifferentialTest}); one without has none (10039); a claims update turns it on and off.
 */
@RequiresBinary("nats-server")
class JwtAccountJetStreamDifferentialTest {
    private static final Duration ANSWER = Duration.ofSeconds(5);
    private final List<String> diffs = new ArrayList<>();

    private List<String> same(Connection[] both, String subject, String body) throws Exception {
        List<String> r = ConfPair.request(both, subject, body, ANSWER);
        assertThat(r.get(0)).as(subject).isNotEqualTo("<no reply>");
        if (!r.get(0).equals(r.get(1))) {
            diffs.add(subject + " " + body.substring(0, Math.min(body.length(), 120)) + "\n  ref:  " + r.get(0)
                    + "\n  ours: " + r.get(1));
        }
        return r;
    }

    /** A claims update on both sides: the same answer but for the "server" object (ids, times, sequences). */
    private static void update(Connection[] sys, String jwt) throws Exception {
        List<String> r = ConfPair.request(sys, "$SYS.REQ.CLAIMS.UPDATE", jwt, ANSWER);
        assertThat(r.get(1).replaceAll(",\"server\":.*", "")).isEqualTo(r.get(0).replaceAll(",\"server\":.*", ""))
                .contains("jwt updated");
    }

    private static void jsLimits(TrustChain.Account a, long mem, long disk, long streams, long consumers) {
        Map<String, Object> l = a.limits();
        l.put("mem_storage", mem);
        l.put("disk_storage", disk);
        l.put("streams", streams);
        l.put("consumer", consumers);
    }

    @Test
    void accountJwtLimitsEnableJetStreamAsNatsServerDoes(@TempDir Path tmp) throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account sys = chain.account("SYS");
        TrustChain.Account limited = chain.account("J", a -> { });
        jsLimits(limited, 1_000_000, 2_000_000, 2, 1);
        TrustChain.Account none = chain.account("N");
        TrustChain.Account unlimited = chain.account("U");
        jsLimits(unlimited, -1, -1, -1, -1);
        TrustChain.Account tiered = chain.account("T");
        // nsc edit account --js-tier 1 ...: limits per replica count
        tiered.limits().put("tiered_limits", Map.of("R1", Map.of("mem_storage", 1_000_000L,
                "disk_storage", 2_000_000L, "streams", 1L, "consumer", 1L)));
        Path op = tmp.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        StringBuilder conf = new StringBuilder("operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\njetstream { store_dir: \"{STORE}\" }\nresolver: { type: full, dir: \"{STORE}-jwt\" }\n"
                + "resolver_preload: {\n");
        for (TrustChain.Account a : List.of(sys, limited, none, unlimited, tiered)) {
            conf.append("  ").append(a.publicKey()).append(": \"").append(a.jwt()).append("\"\n");
        }
        conf.append("}\n");
        try (ConfPair pair = new ConfPair(tmp, conf.toString())) {
            Connection[] j = pair.connect(b -> b.authHandler(creds(limited.user("j"))));
            same(j, "$JS.API.INFO", "");
            same(j, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":2000000}");
            same(j, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":600000}");
            same(j, "$JS.API.STREAM.CREATE.F", "{\"name\":\"F\",\"subjects\":[\"f\"]}");
            same(j, "$JS.API.STREAM.CREATE.G", "{\"name\":\"G\",\"subjects\":[\"g\"]}");
            same(j, "$JS.API.CONSUMER.CREATE.F", "{\"stream_name\":\"F\",\"config\":{\"ack_policy\":\"explicit\"}}");
            same(j, "$JS.API.CONSUMER.DURABLE.CREATE.F.d",
                    "{\"stream_name\":\"F\",\"config\":{\"durable_name\":\"d\",\"ack_policy\":\"explicit\"}}");
            String big = "x".repeat(900_000);
            for (int i = 0; i < 3; i++) {
                same(j, "f", big);
            }
            same(j, "$JS.API.INFO", "");

            Connection[] u = pair.connect(b -> b.authHandler(creds(unlimited.user("u"))));
            same(u, "$JS.API.INFO", "");
            same(u, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");

            Connection[] t = pair.connect(b -> b.authHandler(creds(tiered.user("t"))));
            same(t, "$JS.API.INFO", "");
            same(t, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            same(t, "$JS.API.STREAM.CREATE.S2", "{\"name\":\"S2\",\"subjects\":[\"s2\"]}");
            same(t, "$JS.API.STREAM.CREATE.S3", "{\"name\":\"S3\",\"subjects\":[\"s3\"],\"num_replicas\":3}");
            // tiered limits select by the replica count as sent: without num_replicas there is no tier (10120)
            same(t, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"],\"num_replicas\":1}");
            same(t, "$JS.API.STREAM.CREATE.S2", "{\"name\":\"S2\",\"subjects\":[\"s2\"],\"num_replicas\":1}");
            same(t, "s", "x".repeat(1000));
            same(t, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{}}");
            same(t, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{}}");
            same(t, "$JS.API.INFO", "");

            Connection[] n = pair.connect(b -> b.authHandler(creds(none.user("n"))));
            same(n, "$JS.API.INFO", "");
            same(n, "$JS.API.STREAM.NAMES", "");

            // a claims update gives N JetStream, another takes it away again
            Connection[] s = pair.connect(b -> b.authHandler(creds(sys.user("s"))));
            jsLimits(none, -1, 5_000_000, 3, -1);
            update(s, none.jwt());
            same(n, "$JS.API.INFO", "");
            same(n, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"],\"max_bytes\":6000000}");
            same(n, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            same(n, "$JS.API.INFO", "");
            jsLimits(none, 0, 0, 0, 0);
            update(s, none.jwt());
            same(n, "$JS.API.INFO", "");
        }
        assertThat(diffs).isEmpty();
    }

    private static io.nats.client.AuthHandler creds(TrustChain.User user) {
        return Nats.staticCredentials(user.jwt().toCharArray(), user.seed().toCharArray());
    }
}
