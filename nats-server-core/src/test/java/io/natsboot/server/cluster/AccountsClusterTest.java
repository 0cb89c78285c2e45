package io.natsboot.server.cluster;

import static io.natsboot.server.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accounts across routes: RS+/RMSG carry the account name, so subject spaces stay apart cluster-wide. */
class AccountsClusterTest {
    static final String CONF = """
            accounts {
              A: { users: [ {user: a, password: a} ] }
              C: { users: [ {user: c, password: c} ] }
            }
            """;

    static final String IMPORTS = """
            accounts {
              A: { users: [ {user: a, password: a} ], exports: [ {stream: "events.>"}, {service: "help.me"} ] }
              B: { users: [ {user: b, password: b} ],
                   imports: [ {stream: {account: A, subject: "events.>"}, prefix: "from_a"},
                              {service: {account: A, subject: "help.me"}, to: "ask"} ] }
            }
            """;

    private static RunningServer node(Path conf, String name, String... routes) {
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0).serverName(name).clusterListen("127.0.0.1:-1").clusterName("IMP")
                    .routes(List.of(routes));
        });
    }

    @Test
    void importsWorkWhenPublisherAndSubscriberAreOnDifferentNodes(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("imports.conf");
        Files.writeString(conf, IMPORTS);
        try (RunningServer x = node(conf, "X"); RunningServer y = node(conf, "Y", ClusterTestSupport.routeUrl(x))) {
            ClusterTestSupport.awaitMesh(x, y);
            try (Connection aOnX = connect(x.url(), "a"); Connection aOnY = connect(y.url(), "a");
                 Connection bOnX = connect(x.url(), "b"); Connection bOnY = connect(y.url(), "b")) {
                // Stream: published in A on X, received in B on Y under the prefix.
                Subscription events = bOnY.subscribe("from_a.events.>");
                bOnY.flush(Duration.ofSeconds(2));
                await("B's interest on X", Duration.ofSeconds(5), () ->
                        x.server().context().account("B").trie().match("from_a.events.one").plainCount() == 1);
                aOnX.publish("events.one", "e1".getBytes(StandardCharsets.UTF_8));
                aOnX.publish("events.one", "end".getBytes(StandardCharsets.UTF_8)); // same path, after e1
                var got = events.nextMessage(Duration.ofSeconds(2));
                assertThat(got).isNotNull();
                assertThat(got.getSubject()).isEqualTo("from_a.events.one");
                Deliveries.assertNextIsMarker(events, "end", "once");
                // Service: requested in B on X, answered in A on Y, the answer finds its way back.
                aOnY.createDispatcher(m -> aOnY.publish(m.getReplyTo(), ("re:" + new String(m.getData(),
                        StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8))).subscribe("help.me");
                aOnY.flush(Duration.ofSeconds(2));
                await("A's responder known on X", Duration.ofSeconds(5), () ->
                        x.server().context().account("A").trie().match("help.me").plainCount() == 1);
                for (int i = 0; i < 20; i++) {
                    var reply = bOnX.request("ask", ("q" + i).getBytes(StandardCharsets.UTF_8),
                            Duration.ofSeconds(2));
                    assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("re:q" + i);
                }
            }
        }
    }

    private static Connection connect(String url, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, user)
                .connectionTimeout(Duration.ofSeconds(2)).build());
    }

    @RequiresBinary("nats-server")
    @Test
    void accountsStayApartAcrossAMixedCluster(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("acc.conf");
        Files.writeString(conf, CONF);
        try (RunningServer ours = RunningServer.start(b -> {
                try {
                    assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return b.host("127.0.0.1").port(0).serverName("J").clusterListen("127.0.0.1:-1").clusterName("ACC")
                        .routes(List.of());
            });
             GoNode go = GoNode.startWithConfig(conf, "G", "ACC", ClusterTestSupport.routeUrl(ours))) {
            await("route up", Duration.ofSeconds(10), () -> ClusterTestSupport.routes(ours) == 1);
            try (Connection aOurs = connect(ours.url(), "a"); Connection aGo = connect(go.url(), "a");
                 Connection cGo = connect(go.url(), "c"); Connection cOurs = connect(ours.url(), "c")) {
                // ours -> go in account A
                Subscription onGo = aGo.subscribe("acc.x");
                aGo.flush(Duration.ofSeconds(2));
                Subscription cOnOurs = cOurs.subscribe("acc.x");
                cOurs.flush(Duration.ofSeconds(2));
                await("A's interest reached our node", Duration.ofSeconds(5), () -> {
                    var m = ours.server().context().account("A").trie().match("acc.x");
                    return m.plainCount() == 1 && m.plain(0).route() != null;
                });
                aOurs.publish("acc.x", "a1".getBytes(StandardCharsets.UTF_8));
                aOurs.flush(Duration.ofSeconds(2));
                assertThat(new String(onGo.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8))
                        .isEqualTo("a1");
                // the same subject in account C on the Go node does not see it, nor does C on ours
                Subscription cOnGo = cGo.subscribe("acc.x");
                cGo.flush(Duration.ofSeconds(2));
                aOurs.publish("acc.x", "a2".getBytes(StandardCharsets.UTF_8));
                aOurs.publish("acc.x", "a-end".getBytes(StandardCharsets.UTF_8)); // same route, after a2
                aOurs.flush(Duration.ofSeconds(2));
                assertThat(new String(onGo.nextMessage(Duration.ofSeconds(2)).getData(), StandardCharsets.UTF_8))
                        .isEqualTo("a2");
                // The Go node handled a2 before the marker: had it given a2 to C, a PING/PONG on cGo now shows it.
                Deliveries.assertNextIsMarker(onGo, "a-end", "A on the Go node");
                Deliveries.assertNothingMore(cGo, cOnGo, "C on the Go node does not see A's message");
                Deliveries.assertNothingMore(cOurs, cOnOurs, "nor does C on ours");
                // go -> ours in account C
                await("C's interest reached the Go node", Duration.ofSeconds(5), () -> {
                    try {
                        cGo.publish("acc.x", "c1".getBytes(StandardCharsets.UTF_8));
                        cGo.flush(Duration.ofSeconds(1));
                        return cOnOurs.nextMessage(Duration.ofMillis(200)) != null;
                    } catch (Exception e) {
                        return false;
                    }
                });
                // cGo's publishes were handled by the Go node (flushed): a PING/PONG on aGo shows any leak.
                Deliveries.assertNothingMore(aGo, onGo, "A never sees C's messages");
            }
        }
    }
}
