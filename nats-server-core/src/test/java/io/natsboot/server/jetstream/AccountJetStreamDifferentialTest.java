package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AccountLimits;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.support.RequiresBinary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JetStream per account, side by side with nats-server 2.9.10 started from the same configuration: an account
 * with {@code jetstream: enabled}, one without JetStream (every API request form answered, or not, as there),
 * the system account, and an account with limits (streams, consumers, memory and file bytes reserved at create
 * and update, usage checked on every publish). Every reply's JSON must be the same (times and random names
 * masked); jnats' JetStreamManagement must see the same limits and error codes.
 */
@RequiresBinary("nats-server")
class AccountJetStreamDifferentialTest {
    static final String CONF = """
            jetstream { store_dir: "{STORE}" }
            accounts {
              A: { jetstream: enabled, users: [ {user: a, password: a} ] }
              B: { users: [ {user: b, password: b} ] }
              L: { jetstream: { max_mem: 1M, max_file: 2M, max_streams: 2, max_consumers: 1 },
                   users: [ {user: l, password: l} ] }
              P: { jetstream: { max_ack_pending: 10 }, users: [ {user: p, password: p} ] }
              SYS: { users: [ {user: s, password: s} ] }
            }
            system_account: SYS
            """;
    private static final Duration ANSWER = Duration.ofSeconds(5);
    private static final Duration SILENCE = Duration.ofMillis(400);

    private final List<String> diffs = new ArrayList<>();

    private List<String> same(Connection[] both, String subject, String body, Duration wait) throws Exception {
        List<String> r = ConfPair.request(both, subject, body, wait);
        System.out.println(subject + "\n  ref:  " + r.get(0).substring(0, Math.min(300, r.get(0).length())));
        if (!r.get(0).equals(r.get(1))) {
            diffs.add(subject + " " + body.substring(0, Math.min(body.length(), 120)) + "\n  ref:  " + r.get(0)
                    + "\n  ours: " + r.get(1));
        }
        return r;
    }

    /** A request nats-server answers: the reference must have answered (so the comparison means something). */
    private void answered(Connection[] both, String subject, String body) throws Exception {
        assertThat(same(both, subject, body, ANSWER).get(0)).as(subject).isNotEqualTo("<no reply>");
    }

    @Test
    void anAccountWithoutJetStreamIsAnsweredAsNatsServerAnswersIt(@TempDir Path tmp) throws Exception {
        try (ConfPair pair = new ConfPair(tmp, CONF)) {
            Connection[] b = pair.connect("b", "b");
            answered(b, "$JS.API.INFO", "");
            answered(b, "$JS.API.INFO", "garbage");
            answered(b, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            answered(b, "$JS.API.STREAM.UPDATE.S", "{}");
            answered(b, "$JS.API.STREAM.INFO.S", "");
            answered(b, "$JS.API.STREAM.DELETE.S", "");
            answered(b, "$JS.API.STREAM.PURGE.S", "");
            answered(b, "$JS.API.STREAM.NAMES", "");
            answered(b, "$JS.API.STREAM.LIST", "");
            answered(b, "$JS.API.STREAM.MSG.GET.S", "{\"seq\":1}");
            answered(b, "$JS.API.STREAM.MSG.DELETE.S", "{\"seq\":1}");
            answered(b, "$JS.API.STREAM.SNAPSHOT.S", "");
            answered(b, "$JS.API.STREAM.RESTORE.S", "{}");
            answered(b, "$JS.API.STREAM.LEADER.STEPDOWN.S", "");
            answered(b, "$JS.API.STREAM.PEER.REMOVE.S", "");
            answered(b, "$JS.API.STREAM.TEMPLATE.NAMES", "");
            answered(b, "$JS.API.STREAM.TEMPLATE.CREATE.T", "{}");
            answered(b, "$JS.API.CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{}}");
            answered(b, "$JS.API.CONSUMER.CREATE.S.C", "{}");
            answered(b, "$JS.API.CONSUMER.CREATE.S.C.f", "{}");
            answered(b, "$JS.API.CONSUMER.DURABLE.CREATE.S.D", "{}");
            answered(b, "$JS.API.CONSUMER.INFO.S.C", "");
            answered(b, "$JS.API.CONSUMER.DELETE.S.C", "");
            answered(b, "$JS.API.CONSUMER.NAMES.S", "");
            answered(b, "$JS.API.CONSUMER.LIST.S", "");
            answered(b, "$JS.API.CONSUMER.LEADER.STEPDOWN.S.C", "");
            // no answer at all, as there
            same(b, "$JS.API.CONSUMER.MSG.NEXT.S.C", "1", SILENCE);
            same(b, "$JS.API.DIRECT.GET.S", "{\"seq\":1}", SILENCE);
            same(b, "$JS.API.NO.SUCH", "", SILENCE);
            same(b, "$JS.API.STREAM.CREATE.a.b", "{}", SILENCE);
            // the system account answers INFO only
            Connection[] s = pair.connect("s", "s");
            answered(s, "$JS.API.INFO", "");
            same(s, "$JS.API.STREAM.NAMES", "", SILENCE);
            same(s, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\"}", SILENCE);
            // an account with JetStream answers the clustered-only requests as a single nats-server does
            Connection[] a = pair.connect("a", "a");
            answered(a, "$JS.API.STREAM.LEADER.STEPDOWN.S", "");
            answered(a, "$JS.API.CONSUMER.LEADER.STEPDOWN.S.C", "");
            answered(a, "$JS.API.INFO", "");
            // jnats sees the same error
            for (Connection c : b) {
                assertThatThrownBy(() -> c.jetStreamManagement().getAccountStatistics())
                        .isInstanceOfSatisfying(JetStreamApiException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(503);
                            assertThat(e.getApiErrorCode()).isEqualTo(10039);
                        });
            }
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void accountLimitsAreReportedAndEnforcedAsNatsServerDoes(@TempDir Path tmp) throws Exception {
        try (ConfPair pair = new ConfPair(tmp, CONF)) {
            Connection[] l = pair.connect("l", "l");
            answered(l, "$JS.API.INFO", "");
            // streams: memory reservations against max_mem, the number of streams
            answered(l, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":2000000}");
            answered(l, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":1000001}");
            answered(l, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":600000}");
            answered(l, "$JS.API.STREAM.CREATE.M2",
                    "{\"name\":\"M2\",\"subjects\":[\"m2\"],\"storage\":\"memory\",\"max_bytes\":600000}");
            answered(l, "$JS.API.STREAM.CREATE.F2",
                    "{\"name\":\"F2\",\"subjects\":[\"f2\"],\"storage\":\"file\",\"max_bytes\":3000000}");
            answered(l, "$JS.API.STREAM.CREATE.F", "{\"name\":\"F\",\"subjects\":[\"f\"],\"storage\":\"file\"}");
            answered(l, "$JS.API.STREAM.CREATE.G", "{\"name\":\"G\",\"subjects\":[\"g\"],\"storage\":\"file\"}");
            answered(l, "$JS.API.STREAM.CREATE.F", "{\"name\":\"F\",\"subjects\":[\"f\"],\"storage\":\"file\"}");
            answered(l, "$JS.API.STREAM.NAMES", "");
            // consumers: max_consumers applies per stream
            answered(l, "$JS.API.CONSUMER.CREATE.F", "{\"stream_name\":\"F\",\"config\":{\"ack_policy\":\"explicit\"}}");
            answered(l, "$JS.API.CONSUMER.DURABLE.CREATE.F.c1",
                    "{\"stream_name\":\"F\",\"config\":{\"durable_name\":\"c1\",\"ack_policy\":\"explicit\"}}");
            answered(l, "$JS.API.CONSUMER.CREATE.M", "{\"stream_name\":\"M\",\"config\":{}}");
            // updates reserve only what max_bytes grows by
            answered(l, "$JS.API.STREAM.UPDATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":1000000}");
            answered(l, "$JS.API.STREAM.UPDATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":1000001}");
            answered(l, "$JS.API.STREAM.UPDATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_consumers\":5}");
            answered(l, "$JS.API.STREAM.UPDATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":-1}");
            // publishes past the account's bytes are stored, taken back and answered 10002
            String big = "x".repeat(900_000);
            for (int i = 0; i < 4; i++) {
                answered(l, "f", big);
            }
            String mid = "y".repeat(600_000);
            for (int i = 0; i < 3; i++) {
                answered(l, "m", mid);
            }
            answered(l, "$JS.API.STREAM.INFO.F", "");
            answered(l, "$JS.API.STREAM.INFO.M", "");
            answered(l, "$JS.API.INFO", "");
            // jnats' JetStreamManagement sees the same limits and errors
            List<String> seen = new ArrayList<>();
            for (Connection c : l) {
                JetStreamManagement jsm = c.jetStreamManagement();
                AccountLimits lim = jsm.getAccountStatistics().getLimits();
                seen.add(lim.getMaxMemory() + "/" + lim.getMaxStorage() + "/" + lim.getMaxStreams() + "/"
                        + lim.getMaxConsumers());
                assertThatThrownBy(() -> jsm.addStream(StreamConfiguration.builder().name("H").subjects("h")
                        .storageType(StorageType.Memory).build()))
                        .isInstanceOfSatisfying(JetStreamApiException.class,
                                e -> seen.add(e.getErrorCode() + "/" + e.getApiErrorCode() + "/" + e.getMessage()));
            }
            assertThat(seen.get(0)).isEqualTo("1000000/2000000/2/1");
            assertThat(seen.subList(0, 2)).isEqualTo(seen.subList(2, 4));
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void accountMaxAckPendingAsNatsServer(@TempDir Path tmp) throws Exception {
        try (ConfPair pair = new ConfPair(tmp, CONF)) {
            Connection[] p = pair.connect("p", "p");
            answered(p, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            for (String c : List.of("\"durable_name\":\"a\",\"ack_policy\":\"explicit\"",
                    "\"durable_name\":\"b\",\"ack_policy\":\"explicit\",\"max_ack_pending\":20",
                    "\"durable_name\":\"c\",\"ack_policy\":\"explicit\",\"max_ack_pending\":5",
                    "\"durable_name\":\"d\",\"ack_policy\":\"none\"",
                    "\"durable_name\":\"e\",\"ack_policy\":\"explicit\",\"max_ack_pending\":-1")) {
                String name = c.substring(16, 17);
                answered(p, "$JS.API.CONSUMER.DURABLE.CREATE.S." + name, "{\"stream_name\":\"S\",\"config\":{" + c + "}}");
            }
            answered(p, "$JS.API.INFO", "");
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void aReloadChangesAccountsJetStreamAsNatsServer(@TempDir Path tmp) throws Exception {
        try (ConfPair pair = new ConfPair(tmp, CONF)) {
            Connection[] l = pair.connect("l", "l");
            Connection[] b = pair.connect("b", "b");
            answered(l, "$JS.API.INFO", "");
            // L's limits change, B gets JetStream
            assertThat(pair.reload(CONF.replace("max_streams: 2", "max_streams: 5")
                    .replace("B: { users", "B: { jetstream: enabled, users"))).contains("Reloaded: accounts");
            answered(l, "$JS.API.INFO", "");
            answered(b, "$JS.API.INFO", "");
            answered(b, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            // L loses it
            pair.reload(CONF.replace("jetstream: { max_mem: 1M, max_file: 2M, max_streams: 2, max_consumers: 1 },", ""));
            answered(l, "$JS.API.INFO", "");
            answered(b, "$JS.API.INFO", "");
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void serverLimitsRefuseOncePassedAsNatsServer(@TempDir Path tmp) throws Exception {
        String conf = "jetstream { store_dir: \"{STORE}\", max_memory_store: 100000, max_file_store: 100000 }\n";
        try (ConfPair pair = new ConfPair(tmp, conf)) {
            Connection[] c = pair.connect(b -> b);
            answered(c, "$JS.API.STREAM.CREATE.M", "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\"}");
            answered(c, "$JS.API.STREAM.CREATE.M2",
                    "{\"name\":\"M2\",\"subjects\":[\"m2\"],\"storage\":\"memory\",\"max_bytes\":100001}");
            answered(c, "$JS.API.STREAM.CREATE.F", "{\"name\":\"F\",\"subjects\":[\"f\"]}");
            String body = "x".repeat(60_000);
            for (int i = 0; i < 3; i++) {
                answered(c, "m", body); // the second passes the limit and is stored; the third is refused
                answered(c, "f", body);
            }
            answered(c, "$JS.API.STREAM.INFO.M", "");
            answered(c, "$JS.API.STREAM.INFO.F", "");
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void apiAuditAdvisoriesAreThoseOfNatsServer(@TempDir Path tmp) throws Exception {
        try (ConfPair pair = new ConfPair(tmp, CONF)) {
            Connection[] a = pair.connect("a", "a");
            List<io.nats.client.Subscription> subs = new ArrayList<>();
            for (Connection c : a) {
                subs.add(c.subscribe("$JS.EVENT.ADVISORY.API"));
                c.flush(ANSWER);
            }
            answered(a, "$JS.API.INFO", "");
            answered(a, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s\"]}");
            answered(a, "$JS.API.STREAM.INFO.NOPE", "");
            answered(a, "$JS.API.STREAM.NAMES", "{\"offset\":0}");
            answered(a, "$JS.API.STREAM.LEADER.STEPDOWN.S", "");
            // an account without JetStream is audited too
            Connection[] b = pair.connect("b", "b");
            for (Connection c : b) {
                subs.add(c.subscribe("$JS.EVENT.ADVISORY.API"));
                c.flush(ANSWER);
            }
            answered(b, "$JS.API.STREAM.NAMES", "{\"offset\":0}");
            List<List<String>> seen = new ArrayList<>();
            for (int k = 0; k < subs.size(); k++) {
                io.nats.client.Subscription sub = subs.get(k);
                List<String> advisories = new ArrayList<>();
                int expected = k < 2 ? 5 : 1; // A's five requests, then B's one
                for (int i = 0; i < expected; i++) {
                    io.nats.client.Message m = sub.nextMessage(ANSWER);
                    assertThat(m).as("advisory %d", i).isNotNull();
                    advisories.add(auditCanonical(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8)));
                }
                seen.add(advisories);
            }
            assertThat(seen.get(0).get(0)).contains("api_audit").contains("$JS.API.INFO");
            assertThat(seen.get(1)).isEqualTo(seen.get(0));
            assertThat(seen.get(2).get(0)).contains("10039");
            assertThat(seen.get(3)).isEqualTo(seen.get(2));
        }
        assertThat(diffs).isEmpty();
    }

    /** An audit advisory with id, time, server names and RTT masked, and its response in canonical form. */
    @SuppressWarnings("unchecked")
    private static String auditCanonical(String json) {
        java.util.Map<String, Object> m = (java.util.Map<String, Object>) io.natsboot.server.protocol.Json.parse(json);
        List<String> keys = new ArrayList<>(m.keySet());
        m.put("id", "<id>");
        m.put("timestamp", "<ts>");
        m.put("server", "<server>");
        java.util.Map<String, Object> client = (java.util.Map<String, Object>) m.get("client");
        assertThat(client.keySet()).as("client info").containsExactly("acc", "rtt", "server");
        client.put("rtt", "<rtt>");
        client.put("server", "<server>");
        m.put("response", JetStreamPair.canonical("r", null, null, java.util.Map.of(),
                ((String) m.get("response")).getBytes(java.nio.charset.StandardCharsets.UTF_8), "-"));
        return keys + " " + m;
    }
}
