package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Differential test of the monitoring endpoints against the real nats-server 2.9 (Debian's
 * {@code /usr/sbin/nats-server}): both servers get the same jnats clients, subscriptions,
 * messages and a closed connection; then the JSON of /varz, /connz, /routez, /subsz, /healthz and
 * the feature endpoints must have the same keys in the same order and the same JSON value types,
 * counters that must agree do agree, and bad parameters get the same status and body.
 *
 * <p>It fails (never skips) when the binary is missing: CI installs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresBinary("nats-server")
class MonitorDifferentialTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    /** Fields only we have. */
    private static final Set<String> OUR_EXTRA_VARZ = Set.of("natsboot_version");

    private Process reference;
    private File referenceLog;
    private int refClientPort;
    private int refHttpPort;
    private RunningServer ours;
    private final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    void startBothAndRunTheSameTraffic() throws Exception {
        refClientPort = freePort();
        refHttpPort = freePort();
        referenceLog = File.createTempFile("nats-server-reference", ".log");
        reference = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(refClientPort),
                "-m", Integer.toString(refHttpPort))
                .redirectErrorStream(true)
                .redirectOutput(referenceLog)
                .start();
        // Not a probe connection to the client port: nats-server would list it as closed.
        awaitReady();
        ours = RunningServer.start(b -> b.httpPort(-1));

        traffic("nats://127.0.0.1:" + refClientPort);
        traffic(ours.url());
        for (int port : new int[] {refHttpPort, ourHttp()}) {
            eventually("all messages counted on :" + port, port, "/varz",
                    v -> Long.valueOf(4).equals(v.get("in_msgs")) && Long.valueOf(10).equals(v.get("out_msgs")));
            eventually("the closed connection recorded on :" + port, port, "/connz?state=closed",
                    c -> ((List<?>) c.get("connections")).size() == 1);
        }
    }

    @AfterAll
    void stopBoth() throws Exception {
        for (Connection c : connections) {
            c.close();
        }
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
            if (!reference.waitFor(5, TimeUnit.SECONDS)) {
                reference.destroyForcibly();
            }
        }
        if (referenceLog != null) {
            Files.deleteIfExists(referenceLog.toPath());
        }
    }

    /** The same clients, subscriptions and messages on one server. */
    private void traffic(String url) throws Exception {
        Connection a = connect(url, "diff-a");
        a.subscribe("diff.foo");
        a.subscribe("diff.*", "q1");
        a.subscribe("diff.bar.>");
        Subscription limited = a.subscribe("diff.limited");
        limited.unsubscribe(10);
        Connection b = connect(url, "diff-b");
        b.subscribe("diff.foo");
        a.flush(Duration.ofSeconds(2));
        b.flush(Duration.ofSeconds(2));
        Connection c = connect(url, "diff-c");
        for (int i = 0; i < 3; i++) {
            c.publish("diff.foo", "hello".getBytes(StandardCharsets.UTF_8));
        }
        c.publish("diff.x", "hi".getBytes(StandardCharsets.UTF_8));
        c.flush(Duration.ofSeconds(2));
        Connection d = connect(url, "diff-closer");
        d.subscribe("diff.closed");
        d.flush(Duration.ofSeconds(2));
        d.close();
        connections.add(a);
        connections.add(b);
        connections.add(c);
    }

    private static Connection connect(String url, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionName(name)
                .connectionTimeout(Duration.ofSeconds(2)).noReconnect().build());
    }

    private int ourHttp() {
        return ours.server().monitor().port();
    }

    // ---- The comparisons ----------------------------------------------------------------------

    @Test
    void varz() throws Exception {
        Map<String, Object> theirs = json(refHttpPort, "/varz");
        Map<String, Object> mine = json(ourHttp(), "/varz");
        assertThat(mine).containsKeys(OUR_EXTRA_VARZ.toArray(String[]::new));
        mine.keySet().removeAll(OUR_EXTRA_VARZ);
        assertSameShape("/varz", theirs, mine);
        // "go" names the runtime: nats-server's Go toolchain, our Java runtime.
        assertThat(mine.get("go")).isEqualTo("java" + System.getProperty("java.version"));
        assertSameValues("/varz", theirs, mine, "version", "proto", "host", "max_connections", "ping_interval",
                "ping_max", "http_host", "http_base_path", "https_port", "auth_timeout", "max_control_line",
                "max_payload", "max_pending", "cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream",
                "tls_timeout", "write_deadline", "connections", "total_connections", "routes", "remotes", "leafnodes",
                "in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers", "system_account");
    }

    @Test
    void connzWithSubscriptions() throws Exception {
        for (String q : List.of("/connz?subs=1", "/connz", "/connz?sort=subs&limit=2&offset=1", "/connz?auth=1")) {
            Map<String, Object> theirs = json(refHttpPort, q);
            Map<String, Object> mine = json(ourHttp(), q);
            assertSameShape(q, theirs, mine);
            assertSameValues(q, theirs, mine, "num_connections", "total", "offset", "limit");
            List<Map<String, Object>> tc = list(theirs, "connections");
            List<Map<String, Object>> mc = list(mine, "connections");
            for (int i = 0; i < tc.size(); i++) {
                assertSameValues(q + " connection " + i, tc.get(i), mc.get(i), "kind", "type", "ip", "pending_bytes",
                        "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions", "name", "lang", "version");
                assertThat(new TreeSet<>(strings(mc.get(i), "subscriptions_list"))).as(q + " subscriptions " + i)
                        .isEqualTo(new TreeSet<>(strings(tc.get(i), "subscriptions_list")));
            }
        }
    }

    @Test
    void connzWithSubscriptionDetail() throws Exception {
        String q = "/connz?subs=detail";
        Map<String, Object> theirs = json(refHttpPort, q);
        Map<String, Object> mine = json(ourHttp(), q);
        List<Map<String, Object>> tc = list(theirs, "connections");
        List<Map<String, Object>> mc = list(mine, "connections");
        assertThat(mc).hasSameSizeAs(tc);
        for (int i = 0; i < tc.size(); i++) {
            assertThat(List.copyOf(mc.get(i).keySet())).as(q + " keys " + i).isEqualTo(List.copyOf(tc.get(i).keySet()));
            assertThat(subDetails(mc.get(i), "subscriptions_list_detail")).as(q + " details " + i)
                    .isEqualTo(subDetails(tc.get(i), "subscriptions_list_detail"));
        }
    }

    @Test
    void connzClosed() throws Exception {
        for (String q : List.of("/connz?state=closed&subs=1", "/connz?state=closed&sort=stop",
                "/connz?state=closed&sort=reason&subs=detail", "/connz?state=all&subs=1")) {
            Map<String, Object> theirs = json(refHttpPort, q);
            Map<String, Object> mine = json(ourHttp(), q);
            assertSameShape(q, theirs, mine);
            assertSameValues(q, theirs, mine, "num_connections", "total", "offset", "limit");
            List<Map<String, Object>> tc = list(theirs, "connections");
            List<Map<String, Object>> mc = list(mine, "connections");
            for (int i = 0; i < tc.size(); i++) {
                assertSameValues(q + " connection " + i, tc.get(i), mc.get(i), "reason", "name", "subscriptions",
                        "in_msgs", "out_msgs");
                assertThat(new TreeSet<>(strings(mc.get(i), "subscriptions_list"))).as(q + " subscriptions " + i)
                        .isEqualTo(new TreeSet<>(strings(tc.get(i), "subscriptions_list")));
            }
        }
        Map<String, Object> closed = list(json(ourHttp(), "/connz?state=closed"), "connections").get(0);
        assertThat(closed.get("reason")).isEqualTo("Client Closed");
    }

    @Test
    void connzQuirks() throws Exception {
        for (String q : List.of("/connz?acc=nope", "/connz?cid=99999", "/connz?limit=-5&offset=-3",
                "/connz?offset=10", "/connz?state=ALL&subs=T", "/connz?user=nobody", "/connz?acc=$G&limit=1",
                "/connz?state=closed&cid=99999")) {
            Map<String, Object> theirs = json(refHttpPort, q);
            Map<String, Object> mine = json(ourHttp(), q);
            assertSameShape(q, theirs, mine);
            assertSameValues(q, theirs, mine, "num_connections", "total", "offset", "limit");
        }
    }

    @Test
    void routez() throws Exception {
        for (String q : List.of("/routez", "/routez?subs=1", "/routez?subs=detail")) {
            Map<String, Object> theirs = json(refHttpPort, q);
            Map<String, Object> mine = json(ourHttp(), q);
            assertSameShape(q, theirs, mine);
            assertSameValues(q, theirs, mine, "num_routes", "routes");
        }
    }

    @Test
    void subsz() throws Exception {
        // Plain: the bare statistics object (values differ: nats-server counts its $SYS interest).
        assertSameShape("/subsz", json(refHttpPort, "/subsz"), json(ourHttp(), "/subsz"));
        assertSameShape("/subscriptionsz", json(refHttpPort, "/subscriptionsz"), json(ourHttp(), "/subscriptionsz"));
        assertSameShape("/subsz?subs=1&test=nothing.here", json(refHttpPort, "/subsz?subs=1&test=nothing.here"),
                json(ourHttp(), "/subsz?subs=1&test=nothing.here"));

        // With the list: same top-level keys; our entries look like theirs (theirs also lists $SYS ones).
        Map<String, Object> theirs = json(refHttpPort, "/subsz?subs=1");
        Map<String, Object> mine = json(ourHttp(), "/subsz?subs=1");
        assertThat(List.copyOf(mine.keySet())).as("/subsz?subs=1 keys").isEqualTo(List.copyOf(theirs.keySet()));
        Set<Object> theirShapes = new java.util.HashSet<>();
        for (Map<String, Object> d : list(theirs, "subscriptions_list")) {
            theirShapes.add(shapeWithOrder(d));
        }
        for (Map<String, Object> d : list(mine, "subscriptions_list")) {
            assertThat(theirShapes).as("/subsz?subs=1 entry %s", d).contains(shapeWithOrder(d));
        }

        // Filtered to a subject only the clients use: the same entries.
        for (String q : List.of("/subsz?subs=1&test=diff.foo", "/subsz?subs=1&test=diff.limited")) {
            Map<String, Object> t = json(refHttpPort, q);
            Map<String, Object> m = json(ourHttp(), q);
            assertSameShape(q, stripStats(t), stripStats(m));
            assertSameValues(q, t, m, "total", "offset", "limit");
            assertThat(subDetails(m, "subscriptions_list")).as(q).isEqualTo(subDetails(t, "subscriptions_list"));
        }
        // Paged: which entry is second depends on each server's trie order; the page itself must agree.
        String paged = "/subsz?subs=true&test=diff.foo&limit=1&offset=1";
        Map<String, Object> t = json(refHttpPort, paged);
        Map<String, Object> m = json(ourHttp(), paged);
        assertSameValues(paged, t, m, "total", "offset", "limit");
        assertThat(shapeWithOrder(list(m, "subscriptions_list").get(0)))
                .isIn(list(t, "subscriptions_list").stream().map(MonitorDifferentialTest::shapeWithOrder).toArray());
    }

    @Test
    void healthz() throws Exception {
        for (String q : List.of("/healthz", "/healthz?js-enabled-only=true", "/healthz?callback=cb")) {
            Http.Resp t = Http.get(refHttpPort, q);
            Http.Resp m = Http.get(ourHttp(), q);
            assertThat(m.status()).as(q).isEqualTo(t.status());
            assertThat(m.contentType()).as(q).isEqualTo(t.contentType());
            assertThat(m.body()).as(q).isEqualTo(t.body());
        }
    }

    @Test
    void endpointsOfAbsentFeatures() throws Exception {
        for (String q : List.of("/gatewayz", "/leafz", "/accountz", "/jsz", "/accstatz", "/accstatz?unused=1")) {
            Map<String, Object> theirs = json(refHttpPort, q);
            Map<String, Object> mine = json(ourHttp(), q);
            theirs.keySet().removeAll(Set.of("server_id", "now"));
            mine.keySet().removeAll(Set.of("server_id", "now"));
            assertThat(List.copyOf(mine.keySet())).as(q).isEqualTo(List.copyOf(theirs.keySet()));
            // nats-server lists accounts in its map's (random) order.
            assertThat(sortedLists(mine)).as(q).isEqualTo(sortedLists(theirs));
        }
        Map<String, Object> theirs = json(refHttpPort, "/accountz?acc=$G");
        Map<String, Object> mine = json(ourHttp(), "/accountz?acc=$G");
        assertThat(List.copyOf(mine.keySet())).isEqualTo(List.copyOf(theirs.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> theirDetail = (Map<String, Object>) theirs.get("account_detail");
        @SuppressWarnings("unchecked")
        Map<String, Object> myDetail = (Map<String, Object>) mine.get("account_detail");
        // both list the system imports of $G (AccountzDifferentialTest compares their content)
        assertSameShape("/accountz?acc=$G", theirDetail, myDetail);
        assertThat(Http.get(ourHttp(), "/ipqueuesz").body()).isEqualTo(Http.get(refHttpPort, "/ipqueuesz").body());
    }

    @Test
    void badParametersGetTheSameAnswer() throws Exception {
        List<String> queries = List.of(
                "/connz?sort=bogus", "/connz?sort=stop", "/connz?sort=reason", "/connz?sort=stop&state=all",
                "/connz?sort=STOP", "/connz?state=bogus", "/connz?subs=maybe", "/connz?limit=x", "/connz?offset=x",
                "/connz?cid=x", "/connz?cid=-1", "/connz?auth=x", "/connz?limit=99999999999999999999",
                "/connz?sort=bogus&limit=x", "/connz?state=bogus&sort=stop",
                "/subsz?test=foo.*", "/subsz?test=foo.%3E", "/subsz?subs=detail", "/subsz?limit=x",
                "/subsz?offset=-x", "/routez?subs=maybe", "/leafz?subs=x", "/healthz?js-enabled-only=x",
                "/healthz?js-server-only=2", "/gatewayz?accs=x", "/accountz?acc=nope", "/accstatz?unused=x",
                "/jsz?accounts=x", "/jsz?limit=y", "/jsz?leader-only=1", "/ipqueuesz?all=x",
                "/nope", "/varz/", "/connz/");
        List<String> problems = new ArrayList<>();
        for (String q : queries) {
            Http.Resp t = Http.get(refHttpPort, q);
            Http.Resp m = Http.get(ourHttp(), q);
            if (t.status() != m.status() || !t.body().equals(m.body()) || !t.contentType().equals(m.contentType())) {
                problems.add(q + ": nats-server " + t.status() + " [" + t.contentType() + "] " + t.body()
                        + " | ours " + m.status() + " [" + m.contentType() + "] " + m.body());
            }
        }
        assertThat(problems).as("answers that differ from nats-server").isEmpty();
    }

    @Test
    void everySortOptionIsAcceptedOrRejectedAlike() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String sort : List.of("cid", "start", "subs", "pending", "msgs_to", "msgs_from", "bytes_to",
                "bytes_from", "last", "idle", "uptime", "stop", "reason")) {
            for (String state : List.of("open", "closed", "all")) {
                String q = "/connz?sort=" + sort + "&state=" + state;
                Http.Resp t = Http.get(refHttpPort, q);
                Http.Resp m = Http.get(ourHttp(), q);
                if (t.status() != m.status() || (t.status() != 200 && !t.body().equals(m.body()))) {
                    problems.add(q + ": nats-server " + t.status() + " " + t.body() + " | ours " + m.status() + " "
                            + m.body());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void httpRequestStatisticsCountTheSamePaths() throws Exception {
        for (String q : List.of("/", "/connz?limit=x", "/routez?subs=x", "/subsz?limit=x", "/healthz",
                "/stacksz", "/ipqueuesz")) {
            Http.get(refHttpPort, q);
            Http.get(ourHttp(), q);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> theirs = (Map<String, Object>) json(refHttpPort, "/varz").get("http_req_stats");
        @SuppressWarnings("unchecked")
        Map<String, Object> mine = (Map<String, Object>) json(ourHttp(), "/varz").get("http_req_stats");
        assertThat(List.copyOf(mine.keySet())).isEqualTo(List.copyOf(theirs.keySet()));
    }

    // ---- JSON comparison helpers ----------------------------------------------------------------

    private Map<String, Object> json(int port, String q) throws Exception {
        Http.Resp r = Http.get(port, q);
        assertThat(r.status()).as("GET %s on :%d -> %s", q, port, r.body()).isEqualTo(200);
        assertThat(r.contentType()).as(q).isEqualTo("application/json");
        Map<String, Object> m = r.json();
        if (port == refHttpPort && q.startsWith("/connz") && !q.contains("subs=detail")) {
            dropLeakedDetail(m);
        }
        return m;
    }

    /**
     * nats-server 2.9 quirk we do not copy: a {@code /connz?subs=detail} query on closed connections
     * stores the detail list in its ring entry, so every later /connz shows it for that connection.
     */
    @SuppressWarnings("unchecked")
    private static void dropLeakedDetail(Map<String, Object> connz) {
        Object list = connz.get("connections");
        if (list instanceof List<?> l) {
            for (Object c : l) {
                Map<String, Object> conn = (Map<String, Object>) c;
                if (conn.containsKey("stop")) {
                    conn.remove("subscriptions_list_detail");
                }
            }
        }
    }

    private static void assertSameShape(String what, Object theirs, Object mine) {
        List<String> problems = new ArrayList<>();
        diff("$", theirs, mine, problems);
        assertThat(problems).as("%s differs from nats-server (keys in order, JSON types)", what).isEmpty();
    }

    /** Collects where {@code mine} differs from {@code theirs} in keys (and their order) or value types. */
    private static void diff(String path, Object theirs, Object mine, List<String> problems) {
        if (theirs instanceof Map<?, ?> t && mine instanceof Map<?, ?> m) {
            List<?> tk = List.copyOf(t.keySet());
            List<?> mk = List.copyOf(m.keySet());
            if (!tk.equals(mk)) {
                problems.add(path + ": keys nats-server=" + tk + " ours=" + mk);
            }
            for (Object k : t.keySet()) {
                if (m.containsKey(k)) {
                    diff(path + "." + k, t.get(k), m.get(k), problems);
                }
            }
        } else if (theirs instanceof List<?> t && mine instanceof List<?> m) {
            if (t.size() != m.size()) {
                problems.add(path + ": " + t.size() + " elements in nats-server, " + m.size() + " in ours");
            }
            for (int i = 0; i < Math.min(t.size(), m.size()); i++) {
                diff(path + "[" + i + "]", t.get(i), m.get(i), problems);
            }
        } else if (!type(theirs).equals(type(mine))) {
            problems.add(path + ": type nats-server=" + type(theirs) + " (" + theirs + ") ours=" + type(mine)
                    + " (" + mine + ")");
        }
    }

    private static String type(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Map) {
            return "object";
        }
        return "array";
    }

    /** Key order and value types of one object, for set comparisons. */
    private static Object shapeWithOrder(Map<String, Object> m) {
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(k + ":" + type(v)));
        return out;
    }

    private static void assertSameValues(String what, Map<String, Object> theirs, Map<String, Object> mine,
                                         String... keys) {
        for (String k : keys) {
            assertThat(mine.get(k)).as("%s: %s", what, k).isEqualTo(theirs.get(k));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<String>) v;
    }

    /** Subscription entries without the cid (cids differ between servers), sorted, keys in order. */
    private static List<String> subDetails(Map<String, Object> m, String key) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> d : list(m, key)) {
            Map<String, Object> copy = new LinkedHashMap<>(d);
            assertThat(copy).containsKey("cid");
            copy.put("cid", "<cid>");
            out.add(copy.toString());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** A copy with every array sorted by its elements' text, for order-free comparison. */
    private static Map<String, Object> sortedLists(Map<String, Object> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v instanceof List<?> l) {
                List<Object> sorted = new ArrayList<>(l);
                sorted.sort(Comparator.comparing(String::valueOf));
                copy.put(k, sorted);
            } else {
                copy.put(k, v);
            }
        });
        return copy;
    }

    private static Map<String, Object> stripStats(Map<String, Object> m) {
        Map<String, Object> copy = new LinkedHashMap<>(m);
        copy.remove("subscriptions_list");
        return copy;
    }

    private void eventually(String what, int port, String q, Predicate<Map<String, Object>> condition)
            throws Exception {
        AtomicReference<Map<String, Object>> last = new AtomicReference<>();
        try {
            Waits.upTo(what, Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                last.set(json(port, q));
                return condition.test(last.get());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + ": last " + q + " = " + last.get(), e);
        }
    }

    private static int freePort() throws Exception {
        return io.natsboot.server.support.Ports.free();
    }

    private void awaitReady() {
        Waits.forLogLine(reference, referenceLog.toPath(), "Server is ready", Duration.ofSeconds(10));
    }
}
