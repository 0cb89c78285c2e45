package io.natsboot.server.system;

import static io.natsboot.server.system.SysDiff.at;
import static io.natsboot.server.system.SysDiff.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * $SYS requests against nats-server 2.9.10: the same conf file, the same connections, the same requests with the
 * same bodies; each request must get as many answers (none included), each answer the same JSON keys in the same
 * order and the same stable values (counts, options, error codes and texts).
 */
class SystemRequestsDifferentialTest {
    static final String CONF = "system_account: SYS\n"
            + "accounts {\n"
            + "  SYS { users=[{user:sys,password:sys}] }\n"
            + "  A { users=[{user:a,password:a}] }\n"
            + "  B { users=[{user:b,password:b}] }\n"
            + "}\n";

    /** Subject (with {@code <id>} for the server's id) and body of each request. */
    static final String[][] REQUESTS = {
            {"$SYS.REQ.SERVER.PING", ""},
            {"$SYS.REQ.SERVER.PING", "{bad"},
            {"$SYS.REQ.SERVER.PING", "[1]"},
            {"$SYS.REQ.SERVER.PING", "{\"server_name\":\"nope\"}"},
            {"$SYS.REQ.SERVER.PING.STATSZ", "{\"server_name\":\"srv\"}"},
            {"$SYS.REQ.SERVER.<id>.STATSZ", ""},
            {"$SYS.REQ.SERVER.PING.VARZ", ""},
            {"$SYS.REQ.SERVER.<id>.VARZ", "{\"x\":1}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"auth\":true}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"server_name\":\"rvA\",\"Auth\":true,\"acc\":\"A\"}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"subscriptions\":true,\"sort\":\"subs\"}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"state\":1}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "null"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"tags\":[\"a\"]}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"sort\":\"bogus\"}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":\"x\"}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"auth\":1}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "5"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":1.5}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"cid\":-1}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"state\":\"closed\"}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":1}x"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\" 1}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":1,}"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"limit\":1"},
            {"$SYS.REQ.SERVER.PING.SUBSZ", "{\"test\":\"foo.>\"}"},
            {"$SYS.REQ.SERVER.PING.ROUTEZ", "{\"subscriptions\":true}"},
            {"$SYS.REQ.SERVER.PING.HEALTHZ", ""},
            {"$SYS.REQ.SERVER.<id>.HEALTHZ", "{\"host\":\"127\"}"},
            {"$SYS.REQ.SERVER.PING.ACCOUNTZ", ""},
            {"$SYS.REQ.SERVER.PING.ACCOUNTZ", "{\"account\":\"NOPE\"}"},
            {"$SYS.REQ.SERVER.PING.GATEWAYZ", "{\"accounts\":true}"},
            {"$SYS.REQ.SERVER.PING.LEAFZ", ""},
            {"$SYS.REQ.SERVER.PING.JSZ", ""},
            {"$SYS.REQ.SERVER.PING.JSZ", "{\"leader_only\":true}"},
            {"$SYS.REQ.SERVER.PING.IDZ", ""},
            {"$SYS.REQ.SERVER.<id>.NOPE", ""},
            {"$SYS.REQ.ACCOUNT.A.CONNZ", ""},
            {"$SYS.REQ.ACCOUNT.A.CONNZ", "{\"acc\":\"SYS\"}"},
            {"$SYS.REQ.ACCOUNT.NOPE.CONNZ", ""},
            {"$SYS.REQ.ACCOUNT.PING.CONNZ", ""},
            {"$SYS.REQ.ACCOUNT.NOPE.SUBSZ", ""},
            {"$SYS.REQ.ACCOUNT.A.STATZ", ""},
            {"$SYS.REQ.ACCOUNT.B.STATZ", ""},
            {"$SYS.REQ.ACCOUNT.B.STATZ", "{\"include_unused\":true}"},
            {"$SYS.REQ.ACCOUNT.NOPE.STATZ", "{\"include_unused\":true}"},
            {"$SYS.REQ.ACCOUNT.PING.STATZ", "{\"accounts\":[\"A\"]}"},
            {"$SYS.REQ.ACCOUNT.PING.STATZ", "{\"accounts\":[1]}"},
            {"$SYS.REQ.ACCOUNT.A.CONNS", ""},
            {"$SYS.REQ.ACCOUNT.B.CONNS", ""},
            {"$SYS.REQ.ACCOUNT.NOPE.INFO", ""},
            {"$SYS.REQ.ACCOUNT.A.LEAFZ", ""},
            {"$SYS.REQ.ACCOUNT.A.JSZ", ""},
            {"$SYS.REQ.ACCOUNT.A.SUBSZ", ""},
            {"$SYS.REQ.ACCOUNT.A.SUBSZ", "{\"test\":\"foo\"}"},
            {"$SYS.REQ.SERVER.PING.SUBSZ", "{\"subscriptions\":true,\"account\":\"A\"}"},
            // a user of account A: the system imports answer about A only
            {"$SYS.REQ.ACCOUNT.PING.CONNZ", "", "a"},
            {"$SYS.REQ.SERVER.PING.CONNZ", "{\"auth\":true}", "a"},
            {"$SYS.REQ.ACCOUNT.PING.STATZ", "", "a"},
            {"$SYS.REQ.SERVER.PING", "", "a"},
            {"$SYS.REQ.ACCOUNT.A.CONNZ", "", "a"},
    };

    /** Values that do not depend on time, ids, ports or memory. */
    static final String[] STABLE = {"error", "statsz.connections", "statsz.total_connections",
            "statsz.slow_consumers", "statsz.active_servers", "data.num_connections", "data.total", "data.offset",
            "data.limit", "data.status", "data.error", "data.num_routes", "data.system_account", "data.leafnodes",
            "data.leafs", "data.outbound_gateways", "data.account_statz", "data.disabled", "acc", "conns",
            "total_conns", "sent", "received", "type", "data.server_name", "data.version", "data.max_payload",
            "data.connections.name", "data.connections.lang", "data.account_name", "data.client_connections"};

    @Test
    void sameAnswersAsNatsServer() throws Exception {
        Path conf = SysDiff.conf(CONF);
        List<List<Map<String, Object>>> theirs;
        try (SysDiff.Server go = SysDiff.go(conf, "srvA")) {
            theirs = scenario(go);
        }
        List<List<Map<String, Object>>> ours;
        try (SysDiff.Server j = SysDiff.ours(conf, "srvA")) {
            ours = scenario(j);
        }
        for (int i = 0; i < REQUESTS.length; i++) {
            String what = REQUESTS[i][0] + " " + REQUESTS[i][1];
            assertThat(ours.get(i)).as(what + " answers").hasSameSizeAs(theirs.get(i));
            for (int k = 0; k < theirs.get(i).size(); k++) {
                Map<String, Object> t = normalize(theirs.get(i).get(k), true);
                Map<String, Object> o = normalize(ours.get(i).get(k), false);
                assertThat(shape(o)).as(what).isEqualTo(shape(t));
                for (String p : STABLE) {
                    // A's own requests race with its next publish: its traffic counters are not comparable
                    if (REQUESTS[i].length > 2 && p.equals("data.account_statz")) {
                        continue;
                    }
                    assertThat(at(o, p)).as(what + " " + p).isEqualTo(at(t, p));
                }
            }
        }
    }

    /**
     * Known differences taken out: our /varz has natsboot_version; nats-server aggregates every account in the
     * global /subsz statistics (values only, the keys are the same); accounts and subscriptions are listed in
     * map order.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalize(Map<String, Object> json, boolean theirs) {
        Map<String, Object> copy = new LinkedHashMap<>(json);
        if (copy.get("data") instanceof Map<?, ?> d) {
            Map<String, Object> data = new LinkedHashMap<>((Map<String, Object>) d);
            data.remove("natsboot_version");
            if (data.get("subscriptions_list") instanceof List<?> subs) { // trie order is not Go's map order
                List<Map<String, Object>> sorted = new ArrayList<>((List<Map<String, Object>>) subs);
                sorted.sort(java.util.Comparator.comparing(m -> m.get("subject") + " " + m.get("qgroup")));
                data.put("subscriptions_list", sorted);
            }
            if (data.get("accounts") instanceof List<?> l) {
                data.put("accounts", new ArrayList<>(new TreeSet<>((List<String>) l)));
            }
            copy.put("data", data);
        }
        return copy;
    }

    /** A client in A with two subscriptions, then every request from the system user (or that client). */
    private static List<List<Map<String, Object>>> scenario(SysDiff.Server s) throws Exception {
        List<List<Map<String, Object>>> out = new ArrayList<>();
        try (SysDiff.Listener a = new SysDiff.Listener(s.url(), "a", "_INBOX.t.>");
             SysDiff.Listener sys = new SysDiff.Listener(s.url(), "sys", "_INBOX.t.>")) {
            a.connection().subscribe("foo");
            a.connection().subscribe("bar", "q");
            a.connection().flush(Duration.ofSeconds(5));
            for (int i = 0; i < REQUESTS.length; i++) {
                String subject = REQUESTS[i][0].replace("<id>", s.id());
                boolean asA = REQUESTS[i].length > 2;
                SysDiff.Listener who = asA ? a : sys;
                String reply = "_INBOX.t.r" + i;
                String done = "_INBOX.t.done" + i;
                who.connection().publish(subject, reply, REQUESTS[i][1].getBytes(StandardCharsets.UTF_8));
                // every server answers in order: once this one is back, the request's answers are all in
                who.connection().publish(asA ? "$SYS.REQ.ACCOUNT.PING.STATZ" : "$SYS.REQ.SERVER.PING.HEALTHZ", done,
                        new byte[0]);
                who.connection().flush(Duration.ofSeconds(5));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> who.msgs.stream().anyMatch(m -> m.subject().equals(done)));
                List<Map<String, Object>> answers = new ArrayList<>();
                for (SysDiff.Msg m : who.msgs) {
                    if (m.subject().equals(reply)) {
                        answers.add(m.json());
                    }
                }
                out.add(answers);
            }
        }
        return out;
    }
}
