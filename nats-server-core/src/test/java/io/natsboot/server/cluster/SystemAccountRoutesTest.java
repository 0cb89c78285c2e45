package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static io.natsboot.server.cluster.ClusterTestSupport.routeUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The system account across routes with a real nats-server 2.9.10: its RS+ for $SYS subjects are interest in our
 * system account (no longer dropped), and ours reach it, so system users on either node exchange messages.
 */
@RequiresBinary("nats-server")
class SystemAccountRoutesTest {
    static final String CONF = "accounts { $SYS { users=[{user:sys,password:sys}] }, A { users=[{user:a,password:a}] } }\n";

    static RunningServer ours(Path conf, String name, String... routes) {
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0).serverName(name).clusterListen("127.0.0.1:-1").clusterName("TEST")
                    .routes(java.util.List.of(routes));
        });
    }

    static Connection connect(String url, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, user).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void systemUsersTalkAcrossAMixedRoute() throws Exception {
        Path conf = Files.createTempDirectory("sysroutes").resolve("sys.conf");
        Files.writeString(conf, CONF);
        try (RunningServer j = ours(conf, "J1");
             GoNode g = GoNode.startWithConfig(conf, "G1", "TEST", routeUrl(j))) {
            await("route up", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(j) == 1);
            // nats-server subscribes its own $SYS handlers (e.g. $SYS.REQ.SERVER.PING): our system account has them
            await("nats-server's $SYS interest in our system account", Duration.ofSeconds(10),
                    () -> j.server().context().systemAccount().trie().match("$SYS.REQ.SERVER.PING").plainCount() > 0);
            try (Connection ourSys = connect(j.url(), "sys"); Connection goSys = connect(g.url(), "sys")) {
                io.nats.client.Subscription atGo = goSys.subscribe("$SYS.test.>");
                io.nats.client.Subscription atUs = ourSys.subscribe("$SYS.test.>");
                goSys.flush(Duration.ofSeconds(5));
                ourSys.flush(Duration.ofSeconds(5));
                await("interest both ways", Duration.ofSeconds(10), () -> {
                    ourSys.publish("$SYS.test.probe", new byte[0]);
                    goSys.publish("$SYS.test.probe", new byte[0]);
                    try {
                        return j.server().context().systemAccount().trie().match("$SYS.test.x").plainCount() == 2
                                && g.monitor("/subsz?subs=1&test=$SYS.test.x").contains("num_subscriptions");
                    } catch (Exception e) {
                        return false;
                    }
                });
                ourSys.publish("$SYS.test.fromJ", "j".getBytes(StandardCharsets.UTF_8));
                goSys.publish("$SYS.test.fromG", "g".getBytes(StandardCharsets.UTF_8));
                assertThat(next(atGo, "$SYS.test.fromJ")).isEqualTo("j");
                assertThat(next(atUs, "$SYS.test.fromG")).isEqualTo("g");
            }
            assertThat(g.log()).doesNotContain("Unknown account");
        }
    }

    /**
     * One node ours, one nats-server: a system user on either node gets $SYS.REQ.SERVER.PING answers from both
     * servers, and sees both servers' CONNECT events.
     */
    @Test
    void pingAndConnectEventsCoverBothServers() throws Exception {
        Path conf = Files.createTempDirectory("sysroutes").resolve("sys.conf");
        Files.writeString(conf, CONF);
        try (RunningServer j = ours(conf, "J1");
             GoNode g = GoNode.startWithConfig(conf, "G1", "TEST", routeUrl(j))) {
            await("route up", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(j) == 1);
            String ourId = j.server().context().serverId();
            String goId = io.natsboot.server.protocol.Json.parseObject(g.monitor("/varz")).get("server_id").toString();
            for (String url : java.util.List.of(j.url(), g.url())) {
                try (Connection sys = connect(url, "sys")) {
                    java.util.Map<String, String> servers = new java.util.concurrent.ConcurrentHashMap<>();
                    io.nats.client.Dispatcher d = sys.createDispatcher(m -> {
                        var json = io.natsboot.server.protocol.Json.parseObject(
                                new String(m.getData(), StandardCharsets.UTF_8));
                        @SuppressWarnings("unchecked")
                        var server = (java.util.Map<String, Object>) json.get("server");
                        assertThat(json).containsKeys("server", "statsz");
                        servers.put((String) server.get("id"), (String) server.get("name"));
                    });
                    String inbox = sys.createInbox();
                    d.subscribe(inbox);
                    sys.flush(Duration.ofSeconds(5));
                    // the other server's PING interest may still be on its way over the route: ask until both answer
                    org.awaitility.Awaitility.await("PING answers from both servers at " + url)
                            .pollInterval(Duration.ofMillis(250)).atMost(Duration.ofSeconds(15)).until(() -> {
                                sys.publish("$SYS.REQ.SERVER.PING", inbox, new byte[0]);
                                return servers.size() == 2;
                            });
                    assertThat(servers).containsEntry(ourId, "J1").containsEntry(goId, "G1");
                    // both count two servers: nats-server tracks ours from our STATSZ events
                    await("active_servers 2 at " + url, Duration.ofSeconds(20), () -> {
                        try {
                            String ours = new String(sys.request("$SYS.REQ.SERVER." + ourId + ".STATSZ", new byte[0],
                                    Duration.ofSeconds(5)).getData(), StandardCharsets.UTF_8);
                            String theirs = new String(sys.request("$SYS.REQ.SERVER." + goId + ".STATSZ",
                                    new byte[0], Duration.ofSeconds(5)).getData(), StandardCharsets.UTF_8);
                            return ours.contains("\"active_servers\":2") && theirs.contains("\"active_servers\":2");
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
            }
            // one server addressed by id, across the route both ways
            try (Connection sysAtUs = connect(j.url(), "sys"); Connection sysAtGo = connect(g.url(), "sys")) {
                Message goVarz = sysAtUs.request("$SYS.REQ.SERVER." + goId + ".VARZ", new byte[0],
                        Duration.ofSeconds(10));
                Message ourVarz = sysAtGo.request("$SYS.REQ.SERVER." + ourId + ".VARZ", new byte[0],
                        Duration.ofSeconds(10));
                assertThat(new String(goVarz.getData(), StandardCharsets.UTF_8))
                        .contains("\"server_name\":\"G1\"").contains("\"data\":{");
                assertThat(new String(ourVarz.getData(), StandardCharsets.UTF_8))
                        .contains("\"server_name\":\"J1\"").contains("\"data\":{");
            }
            try (Connection sysAtUs = connect(j.url(), "sys"); Connection sysAtGo = connect(g.url(), "sys")) {
                io.nats.client.Subscription atUs = sysAtUs.subscribe("$SYS.ACCOUNT.A.CONNECT");
                io.nats.client.Subscription atGo = sysAtGo.subscribe("$SYS.ACCOUNT.A.CONNECT");
                sysAtUs.flush(Duration.ofSeconds(5));
                sysAtGo.flush(Duration.ofSeconds(5));
                await("CONNECT interest over the route", Duration.ofSeconds(10), () -> j.server().context()
                        .systemAccount().trie().match("$SYS.ACCOUNT.A.CONNECT").plainCount() >= 2);
                try (Connection a1 = connect(j.url(), "a"); Connection a2 = connect(g.url(), "a")) {
                    for (io.nats.client.Subscription sub : java.util.List.of(atUs, atGo)) {
                        java.util.Set<String> names = new java.util.HashSet<>();
                        for (int i = 0; i < 2; i++) {
                            Message m = sub.nextMessage(Duration.ofSeconds(10));
                            assertThat(m).as("CONNECT event " + i).isNotNull();
                            var json = io.natsboot.server.protocol.Json.parseObject(
                                    new String(m.getData(), StandardCharsets.UTF_8));
                            assertThat(json.get("type")).isEqualTo("io.nats.server.advisory.v1.client_connect");
                            names.add(String.valueOf(((java.util.Map<?, ?>) json.get("server")).get("name")));
                        }
                        assertThat(names).containsExactlyInAnyOrder("J1", "G1");
                    }
                }
            }
            // nats-server read our events (its debug log complains about ones it cannot parse)
            assertThat(g.log()).doesNotContain("[ERR]").doesNotContain("bad server info")
                    .doesNotContain("Received empty server info");
        }
    }

    static String next(io.nats.client.Subscription sub, String subject) throws InterruptedException {
        while (true) {
            Message m = sub.nextMessage(Duration.ofSeconds(5));
            assertThat(m).as("waiting for " + subject).isNotNull();
            if (m.getSubject().equals(subject)) {
                return new String(m.getData(), StandardCharsets.UTF_8);
            }
        }
    }
}
