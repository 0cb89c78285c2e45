package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.ServerInfo;
import io.nats.client.impl.Headers;
import io.nats.client.support.Status;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messaging semantics as seen through the official Java client (jnats) against the in-process
 * server: pub/sub, wildcards, fan-out, ordering, queue groups, request/reply, headers, no
 * responders, auto-unsubscribe, drain and echo.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JnatsClientTest {
    private static final Duration WAIT = Duration.ofSeconds(2);

    static Connection connect(RunningServer s) throws Exception {
        return connect(s, b -> b);
    }

    static Connection connect(RunningServer s, UnaryOperator<Options.Builder> config) throws Exception {
        return Nats.connect(config.apply(new Options.Builder().server(s.url()).connectionTimeout(WAIT)).build());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Message m) {
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    /** The server-side connection behind a jnats connection (matched by the INFO client_id). */
    static ClientConnection serverSide(RunningServer s, Connection nc) {
        ServerInfo info = nc.getServerInfo();
        return s.server().context().clients().stream()
                .filter(c -> c.cid() == info.getClientId())
                .findFirst()
                .orElseThrow();
    }

    /** Waits for a condition the server offers no hook for (e.g. a peer's close being noticed). */
    static void eventually(String what, BooleanSupplier condition) {
        Waits.upTo(what, Duration.ofSeconds(2)).until(condition::getAsBoolean);
    }

    // ---- publish / subscribe ---------------------------------------------------------------

    @Test
    void syncSubscriptionAndDispatcherReceive() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection nc = connect(s)) {
            Subscription sub = nc.subscribe("greet.sync");
            CompletableFuture<Message> viaDispatcher = new CompletableFuture<>();
            Dispatcher d = nc.createDispatcher(viaDispatcher::complete);
            d.subscribe("greet.async");
            nc.flush(WAIT);

            nc.publish("greet.sync", bytes("hello sync"));
            nc.publish("greet.async", "reply.to", bytes("hello async"));

            Message m = sub.nextMessage(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.getSubject()).isEqualTo("greet.sync");
            assertThat(m.getReplyTo()).isNull();
            assertThat(text(m)).isEqualTo("hello sync");

            Message a = viaDispatcher.get(2, TimeUnit.SECONDS);
            assertThat(a.getSubject()).isEqualTo("greet.async");
            assertThat(a.getReplyTo()).isEqualTo("reply.to");
            assertThat(text(a)).isEqualTo("hello async");

            // Empty payload is delivered as an empty message.
            nc.publish("greet.sync", new byte[0]);
            Message empty = sub.nextMessage(WAIT);
            assertThat(empty).isNotNull();
            assertThat(empty.getData()).isEmpty();
        }
    }

    @Test
    void wildcardsMatchByToken() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection nc = connect(s)) {
            Subscription star = nc.subscribe("a.*.c");
            Subscription tail = nc.subscribe("a.>");
            Subscription all = nc.subscribe(">");
            Subscription mid = nc.subscribe("*.b.*");
            nc.flush(WAIT);

            for (String subject : List.of("a.b.c", "a.x.c", "a.b.c.d", "a.b", "a", "x.b.c", "a.b.d")) {
                nc.publish(subject, bytes(subject));
            }
            nc.publish("end", bytes("end"));
            nc.flush(WAIT);

            assertThat(drainSubjects(all, "end")).containsExactly(
                    "a.b.c", "a.x.c", "a.b.c.d", "a.b", "a", "x.b.c", "a.b.d", "end");
            assertThat(drainSubjects(star, null)).containsExactly("a.b.c", "a.x.c");
            assertThat(drainSubjects(tail, null)).containsExactly("a.b.c", "a.x.c", "a.b.c.d", "a.b", "a.b.d");
            assertThat(drainSubjects(mid, null)).containsExactly("a.b.c", "x.b.c", "a.b.d");
        }
    }

    /** Collects subjects until {@code last} arrives, or (last == null) until nothing more comes quickly. */
    private static List<String> drainSubjects(Subscription sub, String last) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (true) {
            Message m = sub.nextMessage(last == null ? Duration.ofMillis(100) : WAIT);
            if (m == null) {
                assertThat(last).as("timed out waiting for " + last + ", got " + got).isNull();
                return got;
            }
            got.add(m.getSubject());
            assertThat(text(m)).isEqualTo(m.getSubject());
            if (m.getSubject().equals(last)) {
                return got;
            }
        }
    }

    @Test
    void everySubscriberGetsItsOwnCopy() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection pub = connect(s);
             Connection c1 = connect(s);
             Connection c2 = connect(s);
             Connection c3 = connect(s)) {
            List<Subscription> subs = new ArrayList<>();
            for (Connection c : List.of(c1, c2, c3)) {
                subs.add(c.subscribe("fan"));
                c.flush(WAIT);
            }
            // Two overlapping subscriptions on one connection: one copy each.
            subs.add(c1.subscribe("fan"));
            subs.add(c1.subscribe("*"));
            c1.flush(WAIT);

            for (int i = 0; i < 10; i++) {
                pub.publish("fan", bytes("m" + i));
            }
            pub.flush(WAIT);
            for (Connection c : List.of(c1, c2, c3)) {
                c.flush(WAIT); // PING/PONG: every copy the server sent is queued now
            }
            for (Subscription sub : subs) {
                for (int i = 0; i < 10; i++) {
                    Message m = sub.nextMessage(WAIT);
                    assertThat(m).as("copy %d for %s", i, sub.getSubject()).isNotNull();
                    assertThat(text(m)).isEqualTo("m" + i);
                }
                assertThat(sub.getPendingMessageCount()).as("one copy each for %s", sub.getSubject()).isZero();
            }
        }
    }

    @Test
    void perPublisherOrderIsPreservedFor10kMessages() throws Exception {
        int n = 10_000;
        try (RunningServer s = RunningServer.start();
             Connection p1 = connect(s);
             Connection p2 = connect(s);
             Connection sc = connect(s)) {
            Subscription sync = sc.subscribe("order.>");
            int[] next = new int[2];
            AtomicInteger errors = new AtomicInteger();
            CountDownLatch dispatched = new CountDownLatch(2 * n);
            Dispatcher d = sc.createDispatcher(m -> {
                int p = m.getSubject().endsWith("p1") ? 0 : 1;
                if (Integer.parseInt(text(m)) != next[p]++) {
                    errors.incrementAndGet();
                }
                dispatched.countDown();
            });
            d.subscribe("order.*");
            sc.flush(WAIT);

            Thread t1 = new Thread(() -> publishSequence(p1, "order.p1", n));
            Thread t2 = new Thread(() -> publishSequence(p2, "order.p2", n));
            t1.start();
            t2.start();
            t1.join();
            t2.join();

            int[] expected = new int[2];
            for (int i = 0; i < 2 * n; i++) {
                Message m = sync.nextMessage(WAIT);
                assertThat(m).as("message %d", i).isNotNull();
                int p = m.getSubject().endsWith("p1") ? 0 : 1;
                assertThat(Integer.parseInt(text(m))).as(m.getSubject()).isEqualTo(expected[p]++);
            }
            assertThat(expected).containsExactly(n, n);
            assertThat(dispatched.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(errors).hasValue(0);
            assertThat(next).containsExactly(n, n);
        }
    }

    private static void publishSequence(Connection nc, String subject, int n) {
        try {
            for (int i = 0; i < n; i++) {
                nc.publish(subject, bytes(Integer.toString(i)));
            }
            nc.flush(Duration.ofSeconds(5));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    // ---- queue groups ----------------------------------------------------------------------

    @Test
    void queueGroupDeliversEachMessageOnceAndSpreadsLoad() throws Exception {
        int n = 3000;
        try (RunningServer s = RunningServer.start();
             Connection pub = connect(s);
             Connection m1 = connect(s);
             Connection m2 = connect(s);
             Connection m3 = connect(s);
             Connection plain = connect(s)) {
            List<Connection> members = List.of(m1, m2, m3);
            AtomicIntegerArray counts = new AtomicIntegerArray(members.size() + 1);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            AtomicInteger duplicates = new AtomicInteger();
            CountDownLatch groupDone = new CountDownLatch(n);
            CountDownLatch dispatchersDone = new CountDownLatch(members.size());
            for (int i = 0; i < members.size(); i++) {
                int idx = i;
                Dispatcher d = members.get(i).createDispatcher(m -> {
                    counts.incrementAndGet(idx);
                    if (!seen.add(text(m))) {
                        duplicates.incrementAndGet();
                    }
                    groupDone.countDown();
                });
                d.subscribe("work", "workers");
                d.subscribe("work.done", m -> dispatchersDone.countDown()); // handled after its "work" messages
                members.get(i).flush(WAIT);
            }
            // A fourth member that shares the connection of member 1, via a sync subscription.
            Subscription fourth = m1.subscribe("work", "workers");
            m1.flush(WAIT);
            CountDownLatch plainDone = new CountDownLatch(n);
            plain.createDispatcher(m -> plainDone.countDown()).subscribe("work");
            plain.flush(WAIT);

            for (int i = 0; i < n; i++) {
                pub.publish("work", bytes(Integer.toString(i)));
            }
            pub.flush(WAIT);

            assertThat(plainDone.await(5, TimeUnit.SECONDS)).as("plain subscriber gets all").isTrue();
            // A marker after the jobs: each dispatcher handles it after every job it was given.
            pub.publish("work.done", bytes("done"));
            pub.flush(WAIT);
            assertThat(dispatchersDone.await(5, TimeUnit.SECONDS)).as("dispatchers handled their jobs").isTrue();
            // After a PING/PONG on m1, every job the server gave the fourth member is in its queue.
            m1.flush(WAIT);
            int viaFourth = 0;
            while (fourth.getPendingMessageCount() > 0) {
                Message m = fourth.nextMessage(WAIT);
                viaFourth++;
                if (!seen.add(text(m))) {
                    duplicates.incrementAndGet();
                }
            }
            counts.set(3, viaFourth);
            assertThat(seen).hasSize(n);
            assertThat(duplicates).hasValue(0);
            Deliveries.assertNothingMore(m1, fourth, "the fourth member got no more");
            assertThat(counts.get(0) + counts.get(1) + counts.get(2) + counts.get(3)).isEqualTo(n);
            for (int i = 0; i < counts.length(); i++) {
                // Four members: each should get ~25%; 15% leaves a wide margin for randomness.
                assertThat(counts.get(i)).as("member shares %s", counts).isGreaterThan(n * 15 / 100);
            }
        }
    }

    @Test
    void threeQueueMembersEachGetAFairShare() throws Exception {
        int n = 3000;
        try (RunningServer s = RunningServer.start(); Connection pub = connect(s); Connection sub = connect(s)) {
            AtomicInteger[] counts = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
            CountDownLatch done = new CountDownLatch(n);
            Dispatcher d = sub.createDispatcher();
            for (AtomicInteger c : counts) {
                d.subscribe("jobs.*", "q", m -> {
                    c.incrementAndGet();
                    done.countDown();
                });
            }
            Subscription plain = sub.subscribe("jobs.*");
            sub.flush(WAIT);
            for (int i = 0; i < n; i++) {
                pub.publish("jobs.x", bytes("j"));
            }
            pub.flush(WAIT);
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < n; i++) {
                assertThat(plain.nextMessage(WAIT)).isNotNull();
            }
            sub.flush(WAIT);
            int total = 0;
            for (AtomicInteger c : counts) {
                assertThat(c.get()).as("each of 3 members gets >= 20%%").isGreaterThanOrEqualTo(n / 5);
                total += c.get();
            }
            assertThat(total).isEqualTo(n);
        }
    }

    // ---- request / reply -------------------------------------------------------------------

    private static Dispatcher echoResponder(Connection nc, String subject) throws Exception {
        Dispatcher d = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getHeaders(),
                bytes("re:" + text(m))));
        d.subscribe(subject);
        nc.flush(WAIT);
        return d;
    }

    @Test
    void requestReplyWithMuxInbox() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection responder = connect(s); Connection nc = connect(s)) {
            echoResponder(responder, "svc.echo");
            Message r = nc.request("svc.echo", bytes("one"), WAIT);
            assertThat(r).isNotNull();
            assertThat(text(r)).isEqualTo("re:one");
            assertThat(r.getSubject()).startsWith("_INBOX.");

            CompletableFuture<Message> f = nc.request("svc.echo", bytes("two"));
            assertThat(text(f.get(2, TimeUnit.SECONDS))).isEqualTo("re:two");

            CompletableFuture<Message> fh = nc.request("svc.echo", new Headers().add("K", "v"), bytes("three"));
            Message rh = fh.get(2, TimeUnit.SECONDS);
            assertThat(text(rh)).isEqualTo("re:three");
            assertThat(rh.getHeaders().getFirst("K")).isEqualTo("v");
        }
    }

    @Test
    void requestReplyOldStyle() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection responder = connect(s);
             Connection nc = connect(s, Options.Builder::oldRequestStyle)) {
            echoResponder(responder, "svc.old");
            for (int i = 0; i < 20; i++) {
                Message r = nc.request("svc.old", bytes("x" + i), WAIT);
                assertThat(r).isNotNull();
                assertThat(text(r)).isEqualTo("re:x" + i);
            }
            assertThat(text(nc.request("svc.old", bytes("async")).get(2, TimeUnit.SECONDS))).isEqualTo("re:async");
            nc.flush(WAIT);
            // Every old-style inbox was a one-shot subscription (UNSUB sid 1): the server removed each one
            // before its reply went out. Only the mux inbox subscription jnats always creates remains.
            assertThat(serverSide(s, nc).subscriptions())
                    .extracting(io.natsboot.server.connection.Subscription::subject)
                    .singleElement()
                    .satisfies(subject -> assertThat(subject).startsWith("_INBOX.").endsWith(".*"));
        }
    }

    @Test
    void manyConcurrentRequests() throws Exception {
        int n = 2000;
        try (RunningServer s = RunningServer.start();
             Connection r1 = connect(s);
             Connection r2 = connect(s);
             Connection nc = connect(s)) {
            // Two responders in a queue group, so each request is answered exactly once.
            for (Connection r : List.of(r1, r2)) {
                r.createDispatcher(m -> r.publish(m.getReplyTo(), bytes("re:" + text(m)))).subscribe("svc.many", "g");
                r.flush(WAIT);
            }
            List<CompletableFuture<Message>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                futures.add(nc.request("svc.many", bytes(Integer.toString(i))));
            }
            for (int i = 0; i < n; i++) {
                Message m = futures.get(i).get(5, TimeUnit.SECONDS);
                assertThat(text(m)).isEqualTo("re:" + i);
            }
            // And concurrently from several threads with blocking requests.
            List<Thread> threads = new ArrayList<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        String body = id + "-" + i;
                        try {
                            Message m = nc.request("svc.many", bytes(body), Duration.ofSeconds(5));
                            if (m == null || !text(m).equals("re:" + body)) {
                                failures.add(body + " -> " + (m == null ? null : text(m)));
                            }
                        } catch (InterruptedException e) {
                            failures.add(body + " interrupted");
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertThat(failures).isEmpty();
        }
    }

    // ---- headers ---------------------------------------------------------------------------

    @Test
    void headersArriveIntact() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection pub = connect(s); Connection sub = connect(s)) {
            Subscription sync = sub.subscribe("hdr");
            sub.flush(WAIT);
            Headers h = new Headers()
                    .add("X-Trace", "abc-123")
                    .add("X-Multi", "one", "two")
                    .add("X-Spaces", "a value with spaces");
            pub.publish("hdr", "rep", h, bytes("body"));
            pub.publish("hdr", new Headers().add("Only", "headers"), new byte[0]);
            pub.publish("hdr", bytes("no headers"));

            Message m = sync.nextMessage(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.hasHeaders()).isTrue();
            assertThat(m.getReplyTo()).isEqualTo("rep");
            assertThat(text(m)).isEqualTo("body");
            assertThat(m.getHeaders().get("X-Trace")).containsExactly("abc-123");
            assertThat(m.getHeaders().get("X-Multi")).containsExactly("one", "two");
            assertThat(m.getHeaders().get("X-Spaces")).containsExactly("a value with spaces");
            assertThat(m.isStatusMessage()).isFalse();

            Message onlyHeaders = sync.nextMessage(WAIT);
            assertThat(onlyHeaders.getHeaders().get("Only")).containsExactly("headers");
            assertThat(onlyHeaders.getData()).isEmpty();

            Message plain = sync.nextMessage(WAIT);
            assertThat(plain.hasHeaders()).isFalse();
            assertThat(text(plain)).isEqualTo("no headers");
        }
    }

    @Test
    void subscriberWithoutHeadersGetsPayloadOnly() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection pub = connect(s);
             Connection noHdr = connect(s, b -> b.noHeaders().noNoResponders())) {
            Subscription sync = noHdr.subscribe("hdr.strip");
            noHdr.flush(WAIT);
            pub.publish("hdr.strip", new Headers().add("X-Gone", "1"), bytes("payload"));
            Message m = sync.nextMessage(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.hasHeaders()).isFalse();
            assertThat(text(m)).isEqualTo("payload");
        }
    }

    @Test
    void serverWithoutHeaderSupport() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.noHeaderSupport(true))) {
            // jnats asks for no_responders by default, which requires headers: the server refuses it,
            // exactly like nats-server ("no responders requires headers support").
            assertThatThrownBy(() -> connect(s, b -> b.noReconnect().connectionTimeout(Duration.ofMillis(300))))
                    .isInstanceOf(java.io.IOException.class);
            assertThat(s.log().lines()).noneMatch(l -> l.contains("Exception"));
            try (Connection nc = connect(s, b -> b.noNoResponders())) {
                assertThat(nc.getServerInfo().isHeadersSupported()).isFalse();
                assertThatThrownBy(() -> nc.publish("x", new Headers().add("a", "b"), bytes("y")))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("Headers are not supported");
                Subscription sub = nc.subscribe("x");
                nc.publish("x", bytes("y"));
                assertThat(text(sub.nextMessage(WAIT))).isEqualTo("y");
            }
        }
    }

    // ---- no responders ---------------------------------------------------------------------

    @Test
    void requestWithoutRespondersFailsFast() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection nc = connect(s)) {
            long start = System.nanoTime();
            // Blocking request: jnats cancels the request future on the 503 and returns null.
            Message m = nc.request("nobody.home", bytes("hi"), Duration.ofSeconds(10));
            assertThat(m).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            // Future form: cancelled (not timed out).
            start = System.nanoTime();
            CompletableFuture<Message> f = nc.request("nobody.home", bytes("hi"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void noRespondersReportedAs503Status() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection nc = connect(s, Options.Builder::reportNoResponders);
             Connection old = connect(s, b -> b.reportNoResponders().oldRequestStyle())) {
            for (Connection c : List.of(nc, old)) {
                long start = System.nanoTime();
                CompletableFuture<Message> f = c.request("nobody.home", bytes("hi"));
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(JetStreamStatusException.class)
                        .satisfies(e -> {
                            Status st = ((JetStreamStatusException) e).getStatus();
                            assertThat(st.getCode()).isEqualTo(503);
                        });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void noResponders503IsAStatusMessageOnTheInbox() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection nc = connect(s)) {
            // A hand-made request: subscribe to our own inbox and publish with it as the reply.
            String inbox = nc.createInbox();
            Subscription sub = nc.subscribe(inbox);
            nc.publish("nobody.home", inbox, bytes("hi"));
            Message m = sub.nextMessage(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.isStatusMessage()).isTrue();
            assertThat(m.getStatus().getCode()).isEqualTo(503);
            assertThat(m.getSubject()).isEqualTo(inbox);
            assertThat(m.getData()).isEmpty();
            // Nobody matched, but nobody listens on the reply either: nothing comes back.
            nc.publish("nobody.home", "_INBOX.not.subscribed", bytes("hi"));
            Deliveries.assertNothingMore(nc, sub, "no status message for a reply subject nobody listens on");
        }
    }

    // ---- auto-unsubscribe ------------------------------------------------------------------

    @Test
    void autoUnsubscribeDeliversExactlyN() throws Exception {
        try (RunningServer s = RunningServer.start(); Connection pub = connect(s); Connection nc = connect(s)) {
            Subscription sync = nc.subscribe("auto.sync");
            sync.unsubscribe(5);
            AtomicInteger dispatched = new AtomicInteger();
            Dispatcher d = nc.createDispatcher(m -> dispatched.incrementAndGet());
            d.subscribe("auto.disp");
            d.unsubscribe("auto.disp", 3);
            nc.flush(WAIT);

            for (int i = 0; i < 20; i++) {
                pub.publish("auto.sync", bytes("s" + i));
                pub.publish("auto.disp", bytes("d" + i));
            }
            pub.flush(WAIT);
            nc.flush(WAIT);

            for (int i = 0; i < 5; i++) {
                Message m = sync.nextMessage(WAIT);
                assertThat(m).isNotNull();
                assertThat(text(m)).isEqualTo("s" + i);
            }
            assertThat(sync.isActive()).isFalse();
            // The server itself stopped at the limits and removed both subscriptions.
            ClientConnection server = serverSide(s, nc);
            assertThat(server.outMsgs()).isEqualTo(5 + 3);
            // The removal runs on the subscriber's event loop, which may answer the PING first: wait for it.
            Waits.upTo("both subscriptions removed", WAIT)
                    .untilAsserted(() -> assertThat(server.subscriptions()).isEmpty());
            assertThat(s.log().lines()).anyMatch(l -> l.contains("Auto-unsubscribe limit of 5 reached"));
            assertThat(s.log().lines()).anyMatch(l -> l.contains("Auto-unsubscribe limit of 3 reached"));
            // The dispatcher runs on its own thread, in arrival order: once it has handled a marker that reached
            // nc after every auto.disp message (nc.flush above), a fourth auto.disp would have been counted.
            CountDownLatch marker = new CountDownLatch(1);
            d.subscribe("auto.marker", m -> marker.countDown());
            nc.flush(WAIT);
            pub.publish("auto.marker", bytes("after all 20"));
            assertThat(marker.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("marker dispatched").isTrue();
            assertThat(dispatched).hasValue(3);
        }
    }

    // ---- drain -----------------------------------------------------------------------------

    @Test
    void drainDeliversInFlightMessagesThenCloses() throws Exception {
        int n = 500;
        try (RunningServer s = RunningServer.start(); Connection pub = connect(s)) {
            Connection nc = connect(s);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch firstArrived = new CountDownLatch(1);
            List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
            Dispatcher d = nc.createDispatcher(m -> {
                firstArrived.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got.add(text(m));
            });
            d.subscribe("drain.me");
            Subscription sync = nc.subscribe("drain.sync");
            nc.flush(WAIT);

            for (int i = 0; i < n; i++) {
                pub.publish("drain.me", bytes(Integer.toString(i)));
                pub.publish("drain.sync", bytes(Integer.toString(i)));
            }
            pub.flush(WAIT);
            assertThat(firstArrived.await(2, TimeUnit.SECONDS)).isTrue();

            // Messages are now in flight: the dispatcher is blocked on the first one.
            CompletableFuture<Boolean> drained = nc.drain(Duration.ofSeconds(10));
            AtomicInteger syncCount = new AtomicInteger();
            gate.countDown();
            for (int i = 0; i < n; i++) {
                Message m = sync.nextMessage(WAIT);
                assertThat(m).as("sync message %d", i).isNotNull();
                assertThat(text(m)).isEqualTo(Integer.toString(i));
                syncCount.incrementAndGet();
            }
            assertThat(drained.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(syncCount).hasValue(n);
            assertThat(got).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(got.get(i)).isEqualTo(Integer.toString(i));
            }
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CLOSED);
            // The server sees the drained connection go away.
            eventually("drained connection closed server-side", () -> s.server().context().clientCount() == 1);
        }
    }

    // ---- echo ------------------------------------------------------------------------------

    @Test
    void noEchoSuppressesOwnMessagesOnly() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection quiet = connect(s, Options.Builder::noEcho);
             Connection other = connect(s);
             Connection echoing = connect(s)) {
            Subscription mine = quiet.subscribe("echo.test");
            Subscription echoSub = echoing.subscribe("echo.test");
            Subscription otherSub = other.subscribe("echo.test");
            quiet.flush(WAIT);
            echoing.flush(WAIT);
            other.flush(WAIT);

            quiet.publish("echo.test", bytes("from quiet"));
            quiet.flush(WAIT);
            echoing.publish("echo.test", bytes("from echoing"));
            echoing.flush(WAIT);
            other.publish("echo.test", bytes("from other"));
            other.flush(WAIT);

            // The no-echo connection gets everybody's messages but its own; had its own come back,
            // it would have arrived first.
            assertThat(text(mine.nextMessage(WAIT))).isEqualTo("from echoing");
            assertThat(text(mine.nextMessage(WAIT))).isEqualTo("from other");
            Deliveries.assertNothingMore(quiet, mine, "not its own message");

            // A default (echo on) connection does get its own messages.
            assertThat(text(echoSub.nextMessage(WAIT))).isEqualTo("from quiet");
            assertThat(text(echoSub.nextMessage(WAIT))).isEqualTo("from echoing");
            assertThat(text(echoSub.nextMessage(WAIT))).isEqualTo("from other");

            Set<String> others = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                others.add(text(otherSub.nextMessage(WAIT)));
            }
            assertThat(others).containsExactlyInAnyOrder("from quiet", "from echoing", "from other");
        }
    }
}
