package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.RequiresBinary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /jsz with nats-server 2.9.10's options ({@code accounts}, {@code streams}, {@code consumers}, {@code config},
 * {@code acc}, {@code leader-only}, {@code offset}, {@code limit}) against the reference started from the same
 * configuration, after the same requests: the same key sets at every level, and the same values once what
 * differs between any two servers (ids, times, directories, machine-sized limits) is masked and the lists
 * nats-server keeps in map order (accounts, streams) are sorted.
 */
@RequiresBinary("nats-server")
class JszDifferentialTest {
    /** Values that differ between any two servers or runs. */
    private static final Set<String> MASKED = Set.of("server_id", "now", "created", "leader", "store_dir",
            "max_memory", "max_storage", "first_ts", "last_ts", "last_active", "total", "errors");
    private final HttpClient http = HttpClient.newHttpClient();

    private String get(int port, String query) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jsz" + query))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /** In account A on both sides: stream S with a durable consumer D and two messages. */
    private static void streamWithConsumer(ConfPair pair, Duration wait) throws Exception {
        Connection[] a = pair.connect("a", "a");
        ConfPair.request(a, "$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}", wait);
        ConfPair.request(a, "$JS.API.CONSUMER.DURABLE.CREATE.S.D",
                "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}", wait);
        ConfPair.request(a, "s.1", "hello", wait);
        ConfPair.request(a, "s.2", "world", wait);
    }

    @Test
    void jszOptionsAnswerAsNatsServer(@TempDir Path tmp) throws Exception {
        List<String> diffs = new ArrayList<>();
        try (ConfPair pair = new ConfPair(tmp, AccountJetStreamDifferentialTest.CONF, true)) {
            Duration wait = Duration.ofSeconds(5);
            streamWithConsumer(pair, wait);
            Connection[] l = pair.connect("l", "l");
            ConfPair.request(l, "$JS.API.STREAM.CREATE.M",
                    "{\"name\":\"M\",\"subjects\":[\"m\"],\"storage\":\"memory\",\"max_bytes\":600000}", wait);
            ConfPair.request(l, "$JS.API.STREAM.CREATE.F",
                    "{\"name\":\"F\",\"subjects\":[\"f\"],\"max_bytes\":1000}", wait);
            ConfPair.request(l, "m", "x".repeat(1000), wait);
            int ours = pair.ours.monitor().port();
            for (String q : List.of("", "?accounts=true", "?streams=true", "?consumers=true", "?config=true",
                    "?accounts=true&streams=true&consumers=true&config=true", "?acc=A", "?acc=L&streams=true",
                    "?acc=A&consumers=true&config=true", "?acc=NOPE&accounts=true", "?leader-only=true",
                    "?accounts=true&offset=1", "?accounts=true&offset=1&limit=1",
                    "?accounts=true&offset=5", "?accounts=1", "?accounts=yes", "?limit=abc&accounts=true")) {
                String theirs = get(pair.refHttpPort, q);
                String mine = get(ours, q);
                if (!keys(theirs).equals(keys(mine)) || !masked(theirs).equals(masked(mine))) {
                    diffs.add("/jsz" + q + "\n  ref:  " + masked(theirs) + "\n  ours: " + masked(mine));
                }
            }
            assertThat(get(pair.refHttpPort, "?acc=A&consumers=true")).contains("\"consumer_detail\"");
            // without an offset nats-server takes the first accounts of its map (any order): the same shape
            assertThat(keys(get(ours, "?accounts=true&limit=1"))).isEqualTo(keys(get(pair.refHttpPort,
                    "?accounts=true&limit=1")));
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void systemJszRequestsAnswerAsNatsServer(@TempDir Path tmp) throws Exception {
        List<String> diffs = new ArrayList<>();
        try (ConfPair pair = new ConfPair(tmp, AccountJetStreamDifferentialTest.CONF)) {
            Duration wait = Duration.ofSeconds(5);
            streamWithConsumer(pair, wait);
            Connection[] sys = pair.connect("s", "s");
            for (String[] req : List.of(new String[] {"$SYS.REQ.ACCOUNT.A.JSZ", ""},
                    new String[] {"$SYS.REQ.ACCOUNT.A.JSZ", "{\"streams\":true,\"consumer\":true,\"config\":true}"},
                    new String[] {"$SYS.REQ.ACCOUNT.B.JSZ", ""}, new String[] {"$SYS.REQ.ACCOUNT.NOPE.JSZ", ""},
                    new String[] {"$SYS.REQ.SERVER.PING.JSZ", "{\"accounts\":true,\"streams\":true}"},
                    new String[] {"$SYS.REQ.SERVER.PING.JSZ", "{\"account\":\"L\"}"})) {
                List<String> both = new ArrayList<>();
                for (Connection c : sys) {
                    io.nats.client.Message m = c.request(req[0], req[1].getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            wait);
                    assertThat(m).as(req[0]).isNotNull();
                    both.add(withoutServer(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8)));
                }
                if (!both.get(0).equals(both.get(1))) {
                    diffs.add(req[0] + " " + req[1] + "\n  ref:  " + both.get(0) + "\n  ours: " + both.get(1));
                }
            }
        }
        assertThat(diffs).isEmpty();
    }

    /** A $SYS answer without its "server" object, volatile values masked. */
    @SuppressWarnings("unchecked")
    private static String withoutServer(String json) {
        Map<String, Object> m = (Map<String, Object>) Json.parse(json.replace("18446744073709551615", "\"uint64 max\""));
        m.remove("server");
        mask(m);
        return m.toString();
    }

    /** Status and JSON with volatile values masked and streams in name order (nats-server lists them in map order). */
    private static String masked(String answer) {
        int sp = answer.indexOf(' ');
        String body = answer.substring(sp + 1);
        if (!body.startsWith("{")) {
            return answer;
        }
        Object v = Json.parse(body.replace("18446744073709551615", "\"uint64 max\""));
        mask(v);
        return answer.substring(0, sp) + " " + v;
    }

    @SuppressWarnings("unchecked")
    private static void mask(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> mm = (Map<String, Object>) m;
            for (String k : MASKED) {
                mm.computeIfPresent(k, (x, y) -> "<masked>");
            }
            for (String list : List.of("stream_detail", "account_details")) {
                if (mm.get(list) instanceof List<?> l) {
                    List<Object> sorted = new ArrayList<>(l);
                    sorted.sort(Comparator.comparing(o -> String.valueOf(((Map<?, ?>) o).get("name"))));
                    mm.put(list, sorted);
                }
            }
            TreeMap<String, Object> t = new TreeMap<>(mm);
            mm.clear();
            mm.putAll(t);
            mm.values().forEach(JszDifferentialTest::mask);
        } else if (v instanceof List<?> l) {
            l.forEach(JszDifferentialTest::mask);
        }
    }

    /** Every key path of the answer (list elements merged), in order of appearance per object. */
    private static Set<String> keys(String answer) {
        Set<String> out = new TreeSet<>();
        int sp = answer.indexOf(' ');
        String body = answer.substring(sp + 1);
        out.add("status " + answer.substring(0, sp));
        if (body.startsWith("{")) {
            collect("", Json.parse(body.replace("18446744073709551615", "0")), out);
        }
        return out;
    }

    private static void collect(String path, Object v, Set<String> out) {
        if (v instanceof Map<?, ?> m) {
            out.add(path + " " + m.keySet());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                collect(path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                collect(path + "[]", o, out);
            }
        }
    }
}
