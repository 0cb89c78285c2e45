package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The internal (socketless) client against jnats clients: alone, in a 2-node cluster, across accounts. */
class InternalClientTest {
    /** What one internal subscription received. */
    record Received(String subject, String reply, byte[] headers, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static Connection connect(RunningServer s) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).connectionTimeout(Duration.ofSeconds(2)).build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void publishAsRoutesByOneSubjectAndShowsAnother() throws Exception {
        try (RunningServer server = RunningServer.start(); Connection nc = connect(server)) {
            InternalClient ic = server.server().internalClient("$G", "test");
            assertThat(ic.hasInterest("_INBOX.x")).isFalse();
            io.nats.client.Subscription sub = nc.subscribe("_INBOX.x");
            nc.flush(Duration.ofSeconds(2));
            assertThat(ic.hasInterest("_INBOX.x")).isTrue();
            assertThat(ic.hasInterest("_INBOX.y")).isFalse();
            Headers h = new Headers().add("K", "v");
            byte[] hdr = utf8("NATS/1.0\r\nK: v\r\n\r\n");
            assertThat(ic.publishAs("_INBOX.x", "orders.1", "$JS.ACK.S.C.1.1.1.0.0", hdr, utf8("body"))).isEqualTo(1);
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(m).isNotNull();
            assertThat(m.getSubject()).isEqualTo("orders.1");
            assertThat(m.getReplyTo()).isEqualTo("$JS.ACK.S.C.1.1.1.0.0");
            assertThat(m.getHeaders().getFirst("K")).isEqualTo("v");
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("body");
            // the presented subject routes nothing: nobody listens on orders.1
            assertThat(ic.publishAs("_INBOX.none", "_INBOX.x", null, null, utf8("lost"))).isZero();
            ic.close();
        }
    }

    @Test
    void internalResponderAnswersAJnatsRequest() throws Exception {
        try (RunningServer server = RunningServer.start(); Connection nc = connect(server)) {
            InternalClient ic = server.server().internalClient("$G", "test");
            ic.subscribe("svc.echo", (subject, reply, headers, payload) ->
                    ic.publish(reply, null, null, utf8("re:" + new String(payload, StandardCharsets.UTF_8))));
            for (int i = 0; i < 50; i++) {
                Message m = nc.request("svc.echo", utf8("q" + i), Duration.ofSeconds(2));
                assertThat(m).as("answer %d", i).isNotNull();
                assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("re:q" + i);
            }
            ic.close();
        }
    }

    @Test
    void internalSubscriberSeesClientPublishesWithHeadersAndReply() throws Exception {
        try (RunningServer server = RunningServer.start(); Connection nc = connect(server)) {
            InternalClient ic = server.server().internalClient("$G", "test");
            BlockingQueue<Received> got = new LinkedBlockingQueue<>();
            InternalClient.InternalSubscription sub = ic.subscribe("in.>",
                    (subject, reply, headers, payload) -> got.add(new Received(subject, reply, headers, payload)));
            Headers h = new Headers().add("X-Key", "v1");
            nc.publish(NatsMessage.builder().subject("in.one").replyTo("my.reply").headers(h).data(utf8("hello"))
                    .build());
            nc.publish("in.two", utf8("plain"));
            nc.publish("other", utf8("not matched"));
            nc.flush(Duration.ofSeconds(2));
            Received one = got.poll(2, TimeUnit.SECONDS);
            assertThat(one).isNotNull();
            assertThat(one.subject()).isEqualTo("in.one");
            assertThat(one.reply()).isEqualTo("my.reply");
            assertThat(new String(one.headers(), StandardCharsets.US_ASCII)).isEqualTo("NATS/1.0\r\nX-Key:v1\r\n\r\n");
            assertThat(one.text()).isEqualTo("hello");
            Received two = got.poll(2, TimeUnit.SECONDS);
            assertThat(two).isNotNull();
            assertThat(two.subject()).isEqualTo("in.two");
            assertThat(two.reply()).isNull();
            assertThat(two.headers()).isNull();
            assertThat(two.text()).isEqualTo("plain");
            assertThat(sub.delivered()).isEqualTo(2);
            // not a connection: no client count, nothing in /connz
            assertThat(server.server().context().clientCount()).isEqualTo(1);
            assertThat(server.server().snapshots().connz(io.natsboot.server.monitor.ConnzOptions.defaults())
                    .numConnections()).isEqualTo(1);

            sub.unsubscribe();
            assertThat(server.server().context().trie().match("in.three").isEmpty()).isTrue();
            nc.publish("in.three", utf8("after"));
            nc.flush(Duration.ofSeconds(2)); // handlers run inline, before the PONG: a delivery would be here
            assertThat(got).as("nothing after unsubscribe").isEmpty();
            assertThat(sub.delivered()).isEqualTo(2);
        }
    }

    @Test
    void internalPublishReachesClientsWithHeadersAndOneQueueMemberEach() throws Exception {
        try (RunningServer server = RunningServer.start(); Connection nc = connect(server)) {
            io.nats.client.Subscription plain = nc.subscribe("out.>");
            io.nats.client.Subscription member = nc.subscribe("out.q", "workers");
            nc.flush(Duration.ofSeconds(2));
            InternalClient ic = server.server().internalClient("$G", "test");
            AtomicInteger internalMember = new AtomicInteger();
            ic.subscribe("out.q", "workers", (s, r, h, p) -> internalMember.incrementAndGet());
            int n = ic.publish("out.h", "r.1", utf8("NATS/1.0\r\nA: b\r\n\r\n"), utf8("body"));
            assertThat(n).isEqualTo(1);
            Message m = plain.nextMessage(Duration.ofSeconds(2));
            assertThat(m.getSubject()).isEqualTo("out.h");
            assertThat(m.getReplyTo()).isEqualTo("r.1");
            assertThat(m.getHeaders().getFirst("A")).isEqualTo("b");
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("body");
            int total = 200;
            for (int i = 0; i < total; i++) {
                ic.publish("out.q", utf8("m" + i));
            }
            nc.flush(Duration.ofSeconds(2)); // PING/PONG: every message the server gave the member is queued now
            int clientMember = 0;
            while (member.getPendingMessageCount() > 0) {
                assertThat(member.nextMessage(Duration.ofSeconds(2))).isNotNull();
                clientMember++;
            }
            for (int i = 0; i < total; i++) {
                assertThat(plain.nextMessage(Duration.ofSeconds(2))).as("plain %d", i).isNotNull();
            }
            assertThat(clientMember + internalMember.get()).as("one member per message").isEqualTo(total);
            assertThat(clientMember).isPositive();
            assertThat(internalMember.get()).isPositive();
        }
    }

    @Test
    void invalidSubjectsAndUnknownAccountsAreRefused() {
        try (RunningServer server = RunningServer.start()) {
            InternalClient ic = server.server().internalClient("$G", "test");
            assertThatThrownBy(() -> ic.subscribe("a..b", (s, r, h, p) -> { })).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ic.publish("a.*", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> server.server().internalClient("NOPE", "x"))
                    .isInstanceOf(IllegalArgumentException.class);
            ic.close();
            assertThatThrownBy(() -> ic.subscribe("a", (s, r, h, p) -> { })).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void acrossATwoNodeCluster() throws Exception {
        try (RunningServer a = clusterNode("A"); RunningServer b = clusterNode("B", routeUrl(a))) {
            await("route A-B", () -> a.server().cluster().registered().size() == 1
                    && b.server().cluster().registered().size() == 1);
            InternalClient onA = a.server().internalClient("$G", "test");
            BlockingQueue<Received> got = new LinkedBlockingQueue<>();
            onA.subscribe("x.>", (s, r, h, p) -> got.add(new Received(s, r, h, p)));
            onA.subscribe("svc.time", (s, r, h, p) -> onA.publish(r, null, null, utf8("now")));
            await("A's internal interest on B", () -> routeEntries(b, "x.y") == 1 && routeEntries(b, "svc.time") == 1);
            try (Connection onB = connect(b)) {
                // a client on B publishes (with headers) to the internal subscriber on A
                onB.publish(NatsMessage.builder().subject("x.y").headers(new Headers().add("K", "v")).data(utf8("p"))
                        .build());
                Received r = got.poll(2, TimeUnit.SECONDS);
                assertThat(r).isNotNull();
                assertThat(r.subject()).isEqualTo("x.y");
                assertThat(new String(r.headers(), StandardCharsets.US_ASCII)).isEqualTo("NATS/1.0\r\nK:v\r\n\r\n");
                assertThat(r.text()).isEqualTo("p");
                // a request from B answered by the internal responder on A
                Message answer = onB.request("svc.time", utf8("?"), Duration.ofSeconds(2));
                assertThat(answer).isNotNull();
                assertThat(new String(answer.getData(), StandardCharsets.UTF_8)).isEqualTo("now");
                // the internal client on A publishes to a subscriber on B
                io.nats.client.Subscription sub = onB.subscribe("from.a");
                onB.flush(Duration.ofSeconds(2));
                await("B's interest on A", () -> routeEntries(a, "from.a") == 1);
                assertThat(onA.publish("from.a", null, utf8("NATS/1.0\r\nZ: 1\r\n\r\n"), utf8("hi"))).isEqualTo(1);
                Message m = sub.nextMessage(Duration.ofSeconds(2));
                assertThat(m).isNotNull();
                assertThat(m.getHeaders().getFirst("Z")).isEqualTo("1");
                assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("hi");
            }
            onA.close();
            await("A's internal interest gone from B", () -> routeEntries(b, "x.y") == 0);
        }
    }

    static final String IMPORTS = """
            accounts {
              A: { users: [ {user: a, password: a} ], exports: [ {stream: "events.>"}, {service: "help.me"} ] }
              B: { users: [ {user: b, password: b} ],
                   imports: [ {stream: {account: A, subject: "events.>"}, prefix: "from_a"},
                              {service: {account: A, subject: "help.me"}, to: "ask"} ] }
            }
            """;

    @Test
    void crossAccountImportsReachAndLeaveInternalClients(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("imports.conf");
        Files.writeString(conf, IMPORTS);
        try (RunningServer server = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        })) {
            // a service in A answered by an internal client, requested by a client of B through its import
            InternalClient inA = server.server().internalClient("A", "svc");
            inA.subscribe("help.me", (s, r, h, p) -> inA.publish(r, null, null, utf8("helped")));
            // a stream of A published by an internal client, seen by a client of B under the prefix
            try (Connection b = Nats.connect(new Options.Builder().server(server.url()).userInfo("b", "b")
                    .connectionTimeout(Duration.ofSeconds(2)).build())) {
                Message answer = b.request("ask", utf8("?"), Duration.ofSeconds(2));
                assertThat(answer).isNotNull();
                assertThat(new String(answer.getData(), StandardCharsets.UTF_8)).isEqualTo("helped");
                io.nats.client.Subscription events = b.subscribe("from_a.events.>");
                b.flush(Duration.ofSeconds(2));
                assertThat(inA.publish("events.one", utf8("e1"))).isEqualTo(1);
                Message e = events.nextMessage(Duration.ofSeconds(2));
                assertThat(e).isNotNull();
                assertThat(e.getSubject()).isEqualTo("from_a.events.one");
            }
        }
    }

    private static RunningServer clusterNode(String name, String... routes) {
        return RunningServer.start(b -> b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("INTERNAL")
                .routes(List.of(routes)));
    }

    private static String routeUrl(RunningServer s) {
        return "nats://127.0.0.1:" + s.server().cluster().port();
    }

    private static int routeEntries(RunningServer s, String subject) {
        var r = s.server().context().trie().match(subject);
        int n = 0;
        for (int i = 0; i < r.plainCount(); i++) {
            if (r.plain(i).route() != null) {
                n++;
            }
        }
        return n;
    }

    private static void await(String what, BooleanSupplier condition) {
        Waits.upTo(what, java.time.Duration.ofSeconds(10)).until(condition::getAsBoolean);
    }
}
