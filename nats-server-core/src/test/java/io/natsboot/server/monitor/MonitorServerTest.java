package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.config.Versions;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The monitoring endpoint of the in-process server: content, query semantics, errors, lifecycle. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitorServerTest {
    private static final String RFC3339_NANO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-]\\d\\d:\\d\\d)";

    private static RunningServer start() {
        return start(b -> b);
    }

    private static RunningServer start(UnaryOperator<io.natsboot.server.config.ServerOptions.Builder> config) {
        return RunningServer.start(b -> config.apply(b.httpPort(-1)));
    }

    private static int http(RunningServer s) {
        return s.server().monitor().port();
    }

    private static Connection connect(RunningServer s, String name) throws Exception {
        return connect(s, name, b -> b);
    }

    private static Connection connect(RunningServer s, String name, UnaryOperator<Options.Builder> config)
            throws Exception {
        return Nats.connect(config.apply(new Options.Builder().server(s.url()).connectionName(name)
                .connectionTimeout(Duration.ofSeconds(2)).noReconnect()).build());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conns(Map<String, Object> connz) {
        return (List<Map<String, Object>>) connz.get("connections");
    }

    private static void eventually(String what, BooleanSupplier condition) {
        Waits.upTo(what, Duration.ofSeconds(5)).until(condition::getAsBoolean);
    }

    private static Map<String, Object> json(RunningServer s, String path) {
        try {
            Http.Resp r = Http.get(http(s), path);
            assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(200);
            return r.json();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void startsAfterTheClientListenerAndLogsLikeNatsServer() {
        try (RunningServer s = start()) {
            List<String> lines = s.log().lines();
            int monitorLine = -1;
            int listenLine = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).equals("[INF] Starting http monitor on 127.0.0.1:" + http(s))) {
                    monitorLine = i;
                }
                if (lines.get(i).startsWith("[INF] Listening for client connections on ")) {
                    listenLine = i;
                }
            }
            assertThat(monitorLine).as("monitor line in %s", lines).isNotNegative();
            assertThat(monitorLine).isLessThan(listenLine);
            assertThat(http(s)).isPositive();
        }
    }

    @Test
    void offUnlessHttpPortIsSet() {
        try (RunningServer s = RunningServer.start()) {
            assertThat(s.server().monitor()).isNull();
            assertThat(s.log().contains("Starting http monitor")).isFalse();
        }
    }

    @Test
    void varzShowsOptionsVersionsAndTraffic() throws Exception {
        try (RunningServer s = start(); Connection nc = connect(s, "v")) {
            Subscription sub = nc.subscribe("v.foo");
            for (int i = 0; i < 5; i++) {
                nc.publish("v.foo", "hello".getBytes(StandardCharsets.UTF_8));
            }
            nc.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 5; i++) {
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            }
            Map<String, Object> v = json(s, "/varz");
            assertThat(v.get("version")).isEqualTo(s.server().options().compatVersion());
            assertThat(v.get("natsboot_version")).isEqualTo(Versions.productVersion());
            assertThat(v.get("server_id")).isEqualTo(s.server().context().serverId());
            assertThat(v.get("port")).isEqualTo((long) s.port());
            assertThat(v.get("http_host")).isEqualTo("127.0.0.1");
            assertThat(v.get("http_port")).isEqualTo((long) http(s));
            assertThat(v.get("ping_interval")).isEqualTo(120_000_000_000L);
            assertThat(v.get("write_deadline")).isEqualTo(10_000_000_000L);
            assertThat(v.get("auth_timeout")).isEqualTo(2L);
            assertThat(v.get("max_pending")).isEqualTo(64L * 1024 * 1024);
            assertThat(v).doesNotContainKeys("max_subscriptions", "auth_required", "connect_urls", "git_commit");
            assertThat(v.get("cluster")).isEqualTo(Map.of());
            assertThat(v.get("connections")).isEqualTo(1L);
            assertThat(v.get("total_connections")).isEqualTo(1L);
            assertThat(v.get("in_msgs")).isEqualTo(5L);
            assertThat(v.get("out_msgs")).isEqualTo(5L);
            assertThat(v.get("in_bytes")).isEqualTo(25L);
            assertThat(v.get("out_bytes")).isEqualTo(25L);
            // every account's subscriptions, as nats-server: the system account's request handlers too
            assertThat(v.get("subscriptions")).isEqualTo(s.server().snapshots().subscriptionCount());
            assertThat(v.get("subscriptions")).isEqualTo(1L + 3 // $G: the client's, the system imports
                    + s.server().context().systemAccount().trie().count());
            assertThat((String) v.get("start")).matches(RFC3339_NANO);
            assertThat((String) v.get("now")).matches(RFC3339_NANO);
            assertThat((String) v.get("uptime")).matches("\\d+s");
            assertThat((Long) v.get("mem")).isPositive();
            assertThat(v.get("http_req_stats")).isEqualTo(Map.of("/varz", 1L));
            assertThat(json(s, "/varz").get("http_req_stats")).isEqualTo(Map.of("/varz", 2L));
        }
    }

    @Test
    void varzShowsAuthAndLimitsWhenSet() {
        try (RunningServer s = start(b -> b.username("u").password("p").maxSubscriptions(7))) {
            Map<String, Object> v = json(s, "/varz");
            assertThat(v.get("auth_required")).isEqualTo(true);
            assertThat(v.get("max_subscriptions")).isEqualTo(7L);
        }
    }

    @Test
    void connzSortsPagesAndFilters() throws Exception {
        try (RunningServer s = start();
             Connection one = connect(s, "one");
             Connection two = connect(s, "two");
             Connection three = connect(s, "three")) {
            one.subscribe("c.a");
            two.subscribe("c.a");
            two.subscribe("c.b", "q");
            three.subscribe("c.a");
            three.subscribe("c.b");
            Subscription limited = three.subscribe("c.c");
            limited.unsubscribe(10);
            for (Connection c : List.of(one, two, three)) {
                c.flush(Duration.ofSeconds(2));
            }
            for (int i = 0; i < 3; i++) {
                one.publish("c.a", new byte[10]);
            }
            two.publish("c.b", new byte[100]);
            for (Connection c : List.of(one, two, three)) {
                c.flush(Duration.ofSeconds(2));
            }
            eventually("deliveries counted", () -> conns(json(s, "/connz")).stream()
                    .mapToLong(c -> (Long) c.get("out_msgs")).sum() == 11);

            Map<String, Object> connz = json(s, "/connz");
            assertThat(connz.get("num_connections")).isEqualTo(3L);
            assertThat(connz.get("total")).isEqualTo(3L);
            assertThat(connz.get("limit")).isEqualTo(1024L);
            assertThat(connz.get("offset")).isEqualTo(0L);
            List<Map<String, Object>> list = conns(connz);
            assertThat(list).extracting(c -> c.get("name")).containsExactly("one", "two", "three");
            Map<String, Object> first = list.get(0);
            assertThat(first.get("kind")).isEqualTo("Client");
            assertThat(first.get("type")).isEqualTo("nats");
            assertThat(first.get("ip")).isEqualTo("127.0.0.1");
            assertThat(first.get("lang")).isEqualTo("java");
            assertThat((String) first.get("start")).matches(RFC3339_NANO);
            assertThat((String) first.get("last_activity")).matches(RFC3339_NANO);
            assertThat((String) first.get("rtt")).matches("[0-9.]+(ns|µs|ms|s)");
            assertThat(first).doesNotContainKeys("stop", "reason", "subscriptions_list", "authorized_user");
            assertThat(first.get("in_msgs")).isEqualTo(3L);
            assertThat(first.get("in_bytes")).isEqualTo(30L);
            assertThat(first.get("out_msgs")).isEqualTo(3L);

            assertThat(conns(json(s, "/connz?sort=subs"))).extracting(c -> c.get("name"))
                    .containsExactly("three", "two", "one");
            assertThat(conns(json(s, "/connz?sort=msgs_from"))).extracting(c -> c.get("name"))
                    .containsExactly("one", "two", "three");
            assertThat(conns(json(s, "/connz?sort=bytes_from"))).extracting(c -> c.get("name"))
                    .containsExactly("two", "one", "three");
            // Ties (two and three received 4 each) keep cid order.
            assertThat(conns(json(s, "/connz?sort=msgs_to"))).extracting(c -> c.get("name"))
                    .containsExactly("two", "three", "one");
            assertThat(conns(json(s, "/connz?sort=uptime"))).extracting(c -> c.get("name"))
                    .containsExactly("three", "two", "one");
            for (String sort : List.of("cid", "start", "pending", "bytes_to", "last", "idle")) {
                assertThat(conns(json(s, "/connz?sort=" + sort))).as(sort).hasSize(3);
            }

            Map<String, Object> page = json(s, "/connz?limit=1&offset=1");
            assertThat(page.get("num_connections")).isEqualTo(1L);
            assertThat(page.get("total")).isEqualTo(3L);
            assertThat(page.get("limit")).isEqualTo(1L);
            assertThat(conns(page)).extracting(c -> c.get("name")).containsExactly("two");
            Map<String, Object> beyond = json(s, "/connz?offset=10&limit=-5");
            assertThat(beyond.get("connections")).isEqualTo(List.of());
            assertThat(beyond.get("limit")).isEqualTo(1024L);

            long cidTwo = (Long) list.get(1).get("cid");
            Map<String, Object> byCid = json(s, "/connz?cid=" + cidTwo);
            assertThat(byCid.get("limit")).isEqualTo(1L);
            assertThat(byCid.get("total")).isEqualTo(3L);
            assertThat(conns(byCid)).extracting(c -> c.get("name")).containsExactly("two");
            assertThat(conns(json(s, "/connz?cid=999"))).isEmpty();

            Map<String, Object> withSubs = conns(json(s, "/connz?subs=1")).get(2);
            assertThat(withSubs.get("subscriptions")).isEqualTo(3L);
            assertThat(withSubs.get("subscriptions_list")).asList()
                    .containsExactlyInAnyOrder("c.a", "c.b", "c.c");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> detail = (List<Map<String, Object>>) conns(json(s, "/connz?subs=detail"))
                    .get(2).get("subscriptions_list_detail");
            assertThat(detail).hasSize(3).allSatisfy(d -> assertThat(d).doesNotContainKey("account"));
            assertThat(detail).filteredOn(d -> "c.c".equals(d.get("subject")))
                    .singleElement().satisfies(d -> assertThat(d.get("max")).isEqualTo(10L));
            assertThat(conns(json(s, "/connz?subs=detail")).get(1).get("subscriptions_list_detail")).asList()
                    .anySatisfy(d -> assertThat(((Map<?, ?>) d).get("qgroup")).isEqualTo("q"));

            Map<String, Object> none = json(s, "/connz?acc=nope");
            assertThat(none.get("connections")).isNull();
            assertThat(none.get("server_id")).isEqualTo("");
            assertThat(conns(json(s, "/connz?acc=$G"))).hasSize(3);
            Map<String, Object> byUser = json(s, "/connz?user=nobody");
            assertThat(byUser.get("total")).isEqualTo(3L);
            assertThat(conns(byUser)).isEmpty();
        }
    }

    @Test
    void connzAuthShowsTheUser() throws Exception {
        try (RunningServer s = start(b -> b.username("alice").password("secret"));
             Connection nc = connect(s, "a", b -> b.userInfo("alice", "secret"))) {
            assertThat(conns(json(s, "/connz?auth=1")).get(0).get("authorized_user")).isEqualTo("alice");
            assertThat(conns(json(s, "/connz")).get(0)).doesNotContainKey("authorized_user");
            assertThat(conns(json(s, "/connz?user=alice"))).hasSize(1);
        }
    }

    @Test
    void closedConnectionsKeepReasonTimesAndSubscriptions() throws Exception {
        try (RunningServer s = start(); Connection stays = connect(s, "stays")) {
            Connection gone = connect(s, "gone");
            gone.subscribe("x.y");
            gone.subscribe("x.z", "qq");
            gone.flush(Duration.ofSeconds(2));
            gone.close();
            eventually("closed entry", () -> conns(json(s, "/connz?state=closed")).size() == 1);
            try (RawClient raw = new RawClient(s.port())) {
                raw.readInfo();
                raw.send("CONNECT {\"verbose\":false}\r\nBOGUS\r\n");
                raw.readUntilClose(2000);
            }
            eventually("second closed entry", () -> conns(json(s, "/connz?state=closed")).size() == 2);

            Map<String, Object> closed = json(s, "/connz?state=closed&subs=1");
            assertThat(closed.get("total")).isEqualTo(2L);
            Map<String, Object> g = conns(closed).get(0);
            assertThat(g.get("name")).isEqualTo("gone");
            assertThat(g.get("reason")).isEqualTo("Client Closed");
            assertThat((String) g.get("stop")).matches(RFC3339_NANO);
            assertThat(g.get("subscriptions")).isEqualTo(2L);
            assertThat(g.get("subscriptions_list")).asList().containsExactlyInAnyOrder("x.y", "x.z");
            assertThat(List.copyOf(g.keySet()).subList(5, 11))
                    .containsExactly("start", "last_activity", "stop", "reason", "rtt", "uptime");
            Map<String, Object> bogus = conns(closed).get(1);
            assertThat(bogus.get("reason")).isEqualTo("Protocol Violation"); // as nats-server 2.9.10
            assertThat(s.log().contains("Client connection closed: Protocol Violation")).isTrue();

            assertThat(conns(json(s, "/connz?state=closed&sort=stop"))).extracting(c -> c.get("reason"))
                    .containsExactly("Protocol Violation", "Client Closed");
            assertThat(conns(json(s, "/connz?state=closed&sort=reason"))).extracting(c -> c.get("reason"))
                    .containsExactly("Client Closed", "Protocol Violation");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> detail = (List<Map<String, Object>>) conns(
                    json(s, "/connz?state=closed&subs=detail")).get(0).get("subscriptions_list_detail");
            assertThat(detail).extracting(d -> d.get("subject")).containsExactlyInAnyOrder("x.y", "x.z");

            Map<String, Object> all = json(s, "/connz?state=all");
            assertThat(all.get("total")).isEqualTo(3L);
            assertThat(conns(all)).extracting(c -> c.get("name")).containsExactly("stays", "gone", null);
            long goneCid = (Long) g.get("cid");
            assertThat(conns(json(s, "/connz?state=all&cid=" + goneCid))).extracting(c -> c.get("name"))
                    .containsExactly("gone");
            // nats-server 2.9 looks only at closed connections for cid + state=all.
            long staysCid = (Long) conns(json(s, "/connz")).get(0).get("cid");
            assertThat(conns(json(s, "/connz?state=all&cid=" + staysCid))).isEmpty();
            assertThat(conns(json(s, "/connz?state=open"))).extracting(c -> c.get("name")).containsExactly("stays");
        }
    }

    @Test
    void badParametersAnswer400LikeNatsServer() throws Exception {
        try (RunningServer s = start()) {
            int port = http(s);
            String[][] cases = {
                {"/connz?sort=bogus", "invalid sorting option: bogus"},
                {"/connz?sort=stop", "sort by stop only valid on closed connections"},
                {"/connz?sort=reason&state=all", "sort by reason only valid on closed connections"},
                {"/connz?state=bogus", "Error decoding state for bogus"},
                {"/connz?subs=maybe",
                    "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax"},
                {"/connz?limit=x", "Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax"},
                {"/connz?offset=1.5",
                    "Error decoding int for 'offset': strconv.Atoi: parsing \"1.5\": invalid syntax"},
                {"/connz?cid=-1",
                    "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax"},
                {"/connz?auth=2", "Error decoding boolean for 'auth': strconv.ParseBool: parsing \"2\": invalid syntax"},
                {"/subsz?test=foo.*", "invalid test subject, must be valid publish subject: foo.*"},
                {"/subsz?subs=detail",
                    "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"detail\": invalid syntax"},
                {"/routez?subs=x", "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax"},
                {"/healthz?js-enabled-only=x",
                    "Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing \"x\": invalid syntax"},
                {"/accountz?acc=nope", "Account nope does not exist"},
                {"/jsz?leader-only=true", "filtered response: not leader"},
            };
            for (String[] c : cases) {
                Http.Resp r = Http.get(port, c[0]);
                assertThat(r.status()).as(c[0]).isEqualTo(400);
                assertThat(r.contentType()).as(c[0]).isEqualTo("text/plain; charset=utf-8");
                assertThat(r.body()).as(c[0]).isEqualTo(c[1]);
            }
            // Counted as nats-server counts: connz after its parameters decode, subsz/healthz before.
            @SuppressWarnings("unchecked")
            Map<String, Object> stats = (Map<String, Object>) json(s, "/varz").get("http_req_stats");
            assertThat(stats).containsEntry("/connz", 3L).containsEntry("/subsz", 2L).containsEntry("/healthz", 1L)
                    .containsEntry("/accountz", 1L).containsEntry("/jsz", 1L).doesNotContainKey("/routez");

            Http.Resp notFound = Http.get(port, "/varz/");
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.body()).isEqualTo("404 page not found\n");
            assertThat(Http.get(port, "/nope").status()).isEqualTo(404);
        }
    }

    @Test
    void servesEveryEndpointAnyMethodAndJsonp() throws Exception {
        try (RunningServer s = start()) {
            int port = http(s);
            Http.Resp health = Http.get(port, "/healthz");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.contentType()).isEqualTo("application/json");
            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(Http.send(port, "POST", "/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
            Http.Resp head = Http.send(port, "HEAD", "/varz");
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            Http.Resp jsonp = Http.get(port, "/healthz?callback=cb");
            assertThat(jsonp.contentType()).isEqualTo("application/javascript");
            assertThat(jsonp.body()).isEqualTo("cb({\"status\":\"ok\"})");

            Http.Resp root = Http.get(port, "/");
            assertThat(root.contentType()).isEqualTo("text/html; charset=utf-8");
            assertThat(root.body()).contains("href=./varz", "href=./connz", "href=./subsz", "href=./healthz");

            Map<String, Object> routez = json(s, "/routez");
            assertThat(List.copyOf(routez.keySet())).containsExactly("server_id", "now", "num_routes", "routes");
            assertThat(routez.get("routes")).isEqualTo(List.of());
            assertThat(json(s, "/gatewayz")).containsEntry("outbound_gateways", Map.of())
                    .containsEntry("inbound_gateways", Map.of());
            assertThat(json(s, "/leafz")).containsEntry("leafnodes", 0L).containsEntry("leafs", null);
            assertThat(json(s, "/accountz").get("accounts")).isEqualTo(List.of("$G", "$SYS"));
            assertThat(json(s, "/jsz")).containsEntry("disabled", true);
            assertThat(json(s, "/accstatz").get("account_statz")).isEqualTo(List.of());
            assertThat(json(s, "/accstatz?unused=1").get("account_statz")).asList().hasSize(2);
            assertThat(Http.get(port, "/ipqueuesz").body()).isEqualTo("{}");
            assertThat(Http.get(port, "/stacksz").body()).contains("nats-http");
        }
    }

    @Test
    void subszListsFiltersAndPages() throws Exception {
        try (RunningServer s = start(); Connection nc = connect(s, "s")) {
            nc.subscribe("s.foo");
            nc.subscribe("s.*", "g");
            nc.subscribe("s.bar.>");
            nc.publish("s.foo", new byte[1]);
            nc.flush(Duration.ofSeconds(2));

            Map<String, Object> stats = json(s, "/subsz");
            assertThat(List.copyOf(stats.keySet())).containsExactly("num_subscriptions", "num_cache", "num_inserts",
                    "num_removes", "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout");
            // and the system account's three imports into $G, as nats-server has them
            assertThat(stats.get("num_subscriptions")).isEqualTo(6L);
            assertThat(json(s, "/subscriptionsz")).isEqualTo(json(s, "/subsz"));

            Map<String, Object> list = json(s, "/subsz?subs=1");
            assertThat(list.get("total")).isEqualTo(6L);
            assertThat(list.get("limit")).isEqualTo(1024L);
            assertThat(list.get("subscriptions_list")).asList().hasSize(6)
                    .allSatisfy(d -> assertThat(((Map<?, ?>) d).get("account")).isEqualTo("$G"));
            Map<String, Object> matching = json(s, "/subsz?subs=1&test=s.foo");
            assertThat(matching.get("total")).isEqualTo(2L);
            Map<String, Object> paged = json(s, "/subsz?subs=1&offset=1&limit=1");
            assertThat(paged.get("total")).isEqualTo(1L);
            assertThat(paged.get("offset")).isEqualTo(1L);
            // Nothing matched: only the statistics, as nats-server.
            assertThat(json(s, "/subsz?subs=1&test=none").keySet()).isEqualTo(stats.keySet());
            assertThat(json(s, "/subsz?acc=other").get("num_subscriptions")).isEqualTo(0L);
        }
    }

    @Test
    void snapshotsAreAvailableWithoutHttp() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection nc = connect(s, "direct")) {
            nc.flush(Duration.ofSeconds(2));
            Monitor m = s.server().snapshots();
            Connz connz = m.connz(ConnzOptions.defaults());
            assertThat(connz.connections()).extracting(ConnInfo::name).containsExactly("direct");
            Varz varz = m.varz();
            assertThat(varz.connections()).isEqualTo(1);
            assertThat(varz.toJson(true)).contains("\"natsboot_version\": ");
            assertThat(m.healthz()).isEqualTo(HealthStatus.OK);
        }
    }

    @Test
    void shutdownReleasesTheMonitorPort() throws Exception {
        RunningServer s = start();
        int port = http(s);
        assertThat(Http.get(port, "/healthz").status()).isEqualTo(200);
        s.close();
        List<Exception> failures = new ArrayList<>();
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            // connected: the port is still open
        } catch (ConnectException e) {
            failures.add(e);
        }
        assertThat(failures).as("connection to the monitor port after shutdown is refused").hasSize(1);
    }
}
