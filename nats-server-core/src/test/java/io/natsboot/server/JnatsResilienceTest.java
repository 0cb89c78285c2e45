package io.natsboot.server;

import static io.natsboot.server.JnatsClientTest.bytes;
import static io.natsboot.server.JnatsClientTest.connect;
import static io.natsboot.server.JnatsClientTest.serverSide;
import static io.natsboot.server.JnatsClientTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener.Events;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failure handling seen through jnats (plus raw sockets for misbehaving peers): reconnect after a
 * restart, max payload, authentication, slow-consumer isolation and stale-connection detection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JnatsResilienceTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private static final Pattern CLIENT_ID = Pattern.compile("\"client_id\":(\\d+)");

    // ---- reconnect -------------------------------------------------------------------------

    private static int freePort() throws IOException {
        return io.natsboot.server.support.Ports.free();
    }

    @Test
    void reconnectsAfterRestartOnSamePortAndRestoresSubscriptions() throws Exception {
        int port = freePort();
        RunningServer first = RunningServer.start(b -> b.port(port));
        RunningServer second = null;
        // Two DISCONNECTED events: losing the server, then a refused reconnect attempt.
        CountDownLatch disconnected = new CountDownLatch(2);
        CountDownLatch resubscribed = new CountDownLatch(1);
        CountDownLatch reconnected = new CountDownLatch(1);
        try (Connection nc = connect(first, b -> b
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(50))
                .reconnectJitter(Duration.ofMillis(10))
                .connectionListener((c, e) -> {
                    switch (e) {
                        case DISCONNECTED -> disconnected.countDown();
                        case RESUBSCRIBED -> resubscribed.countDown();
                        case RECONNECTED -> reconnected.countDown();
                        default -> { }
                    }
                }))) {
            Subscription sync = nc.subscribe("re.sync");
            Subscription queued = nc.subscribe("re.q", "group");
            ConcurrentLinkedQueue<String> dispatched = new ConcurrentLinkedQueue<>();
            CountDownLatch dispatchedTwo = new CountDownLatch(2);
            Dispatcher d = nc.createDispatcher(m -> {
                dispatched.add(text(m));
                dispatchedTwo.countDown();
            });
            d.subscribe("re.disp");
            nc.flush(WAIT);
            nc.publish("re.sync", bytes("before"));
            nc.publish("re.disp", bytes("before"));
            assertThat(text(sync.nextMessage(WAIT))).isEqualTo("before");

            first.close();
            assertThat(disconnected.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(nc.getStatus()).isIn(Connection.Status.DISCONNECTED, Connection.Status.RECONNECTING);
            // Published while disconnected: buffered by the client, sent after the subscriptions are restored.
            // (Not right after the first DISCONNECTED: jnats reports it before its writer thread stops, and a
            // publish in that window can still be written to the dead socket and lost. Client behaviour.)
            nc.publish("re.sync", bytes("buffered"));

            second = RunningServer.start(b -> b.port(port));
            assertThat(second.port()).isEqualTo(port);
            assertThat(resubscribed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(reconnected.await(5, TimeUnit.SECONDS)).isTrue();
            nc.flush(WAIT);
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(serverSide(second, nc).subscriptions())
                    .extracting(io.natsboot.server.connection.Subscription::subject)
                    .contains("re.sync", "re.q", "re.disp");

            assertThat(text(sync.nextMessage(WAIT))).isEqualTo("buffered");
            try (Connection pub = connect(second)) {
                pub.publish("re.sync", bytes("after"));
                pub.publish("re.q", bytes("after-q"));
                pub.publish("re.disp", bytes("after"));
                pub.flush(WAIT);
            }
            assertThat(text(sync.nextMessage(WAIT))).isEqualTo("after");
            Message q = queued.nextMessage(WAIT);
            assertThat(q).isNotNull();
            assertThat(q.getSubject()).isEqualTo("re.q");
            assertThat(text(q)).isEqualTo("after-q");
            assertThat(dispatchedTwo.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(dispatched).containsExactly("before", "after");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    // ---- max payload -----------------------------------------------------------------------

    @Test
    void maxPayloadIsEnforcedByTheClientFromInfo() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.maxPayload(1024)); Connection nc = connect(s)) {
            assertThat(nc.getMaxPayload()).isEqualTo(1024);
            Subscription sub = nc.subscribe("big");
            nc.publish("big", new byte[1024]);
            Message m = sub.nextMessage(WAIT);
            assertThat(m).isNotNull();
            assertThat(m.getData()).hasSize(1024);
            assertThatThrownBy(() -> nc.publish("big", new byte[1025]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1025");
            // The connection is still fine.
            nc.publish("big", bytes("small"));
            assertThat(text(sub.nextMessage(WAIT))).isEqualTo("small");
        }
    }

    @Test
    void maxPayloadViolationFromAClientWithoutLocalChecksClosesIt() throws Exception {
        CountDownLatch error = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        try (RunningServer s = RunningServer.start(b -> b.maxPayload(1024));
             Connection nc = connect(s, b -> b
                     .clientSideLimitChecks(false)
                     .noReconnect()
                     .errorListener(new ErrorListener() {
                         @Override
                         public void errorOccurred(Connection conn, String err) {
                             errors.add(err);
                             error.countDown();
                         }
                     })
                     .connectionListener((c, e) -> {
                         if (e == Events.CLOSED) {
                             closed.countDown();
                         }
                     }))) {
            nc.publish("big", new byte[1025]);
            nc.flushBuffer();
            assertThat(error.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(errors).anyMatch(e -> e.toLowerCase().contains("maximum payload violation"));
            assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(s.log().lines()).anyMatch(l -> l.contains("maximum payload exceeded: 1025 vs 1024"));
        }
    }

    @Test
    void maxPayloadViolationOnTheWire() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.maxPayload(1024)); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains("\"max_payload\":1024");
            c.send("CONNECT {\"verbose\":false}\r\nPUB foo 1024\r\n" + "x".repeat(1024) + "\r\nPING\r\n");
            assertThat(c.readLine()).isEqualTo("PONG\r\n");
            c.send("PUB foo 1025\r\n");
            assertThat(c.readUntilClose(2000)).isEqualTo("-ERR 'Maximum Payload Violation'\r\n<closed>");
        }
        // HPUB counts header and payload together.
        try (RunningServer s = RunningServer.start(b -> b.maxPayload(1024)); RawClient c = new RawClient(s.port())) {
            c.readInfo();
            c.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nHPUB foo 12 1025\r\n");
            assertThat(c.readUntilClose(2000)).isEqualTo("-ERR 'Maximum Payload Violation'\r\n<closed>");
        }
    }

    // ---- authentication --------------------------------------------------------------------

    /**
     * A failed CONNECT: jnats notes the -ERR and the close, but still waits for the PONG to its
     * CONNECT until connectionTimeout (the same against nats-server), so keep that short; but not so short that
     * the -ERR can miss it on a busy machine (300 ms did: jnats then reports a plain timeout, not the auth error).
     */
    private static Options.Builder fast(Options.Builder b) {
        return b.connectionTimeout(Duration.ofSeconds(2));
    }

    @Test
    void userPasswordAuthentication() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.username("alice").password("s3cret"))) {
            try (Connection nc = connect(s, b -> b.userInfo("alice", "s3cret"))) {
                assertThat(nc.getServerInfo().isAuthRequired()).isTrue();
                Subscription sub = nc.subscribe("auth");
                nc.publish("auth", bytes("ok"));
                assertThat(text(sub.nextMessage(WAIT))).isEqualTo("ok");
            }
            assertThatThrownBy(() -> connect(s, b -> fast(b).userInfo("alice", "wrong")))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("Authorization Violation");
            assertThatThrownBy(() -> connect(s, b -> fast(b).userInfo("mallory", "s3cret")))
                    .isInstanceOf(AuthenticationException.class);
            assertThatThrownBy(() -> connect(s, JnatsResilienceTest::fast)).isInstanceOf(AuthenticationException.class);
            assertThat(s.log().lines()).anyMatch(l -> l.contains("authentication error - User \"alice\""));
            assertThat(s.log().lines()).anyMatch(l -> l.contains("authentication error - User \"mallory\""));
            assertThat(s.log().lines()).anyMatch(l -> l.contains("authentication error - User \"\""));
        }
    }

    @Test
    void tokenAuthentication() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.authToken("t0ken"))) {
            try (Connection nc = connect(s, b -> b.token("t0ken".toCharArray()))) {
                Subscription sub = nc.subscribe("auth");
                nc.publish("auth", bytes("ok"));
                assertThat(text(sub.nextMessage(WAIT))).isEqualTo("ok");
            }
            // Token in the URL works as well.
            try (Connection nc = io.nats.client.Nats.connect("nats://t0ken@127.0.0.1:" + s.port())) {
                assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
            assertThatThrownBy(() -> connect(s, b -> fast(b).token("nope".toCharArray())))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("Authorization Violation");
            assertThatThrownBy(() -> connect(s, JnatsResilienceTest::fast)).isInstanceOf(AuthenticationException.class);
        }
    }

    // ---- slow consumer ---------------------------------------------------------------------

    @Test
    void slowConsumerIsCutOffWithoutHurtingOthers() throws Exception {
        int batch = 2000;
        int size = 1024;
        try (RunningServer s = RunningServer.start(b -> b.maxPending(256 * 1024).maxPayload(64 * 1024));
             Connection good = connect(s);
             Connection pub = connect(s);
             Socket stalled = new Socket()) {
            Subscription goodSub = good.subscribe("flood");
            good.flush(WAIT);

            // A raw subscriber that stops reading after its SUB is confirmed.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", s.port()), 2000);
            stalled.setSoTimeout(5000);
            InputStream in = stalled.getInputStream();
            OutputStream out = stalled.getOutputStream();
            String info = readLine(in);
            Matcher cid = CLIENT_ID.matcher(info);
            assertThat(cid.find()).isTrue();
            out.write("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readLine(in)).isEqualTo("PONG\r\n");

            // Publish in batches until the stalled reader is cut off (kernel buffers differ between
            // machines), then one more batch that only the good subscriber can take.
            int sent = 0;
            boolean cutOff = false;
            while (!cutOff && sent < 40_000) {
                for (int i = 0; i < batch; i++, sent++) {
                    // A fresh array each time: jnats queues the array itself, it does not copy it.
                    byte[] payload = new byte[size];
                    java.nio.ByteBuffer.wrap(payload).putInt(0, sent);
                    pub.publish("flood", payload);
                }
                pub.flush(Duration.ofSeconds(10));
                cutOff = s.server().context().slowConsumers.sum() > 0;
            }
            assertThat(cutOff).as("slow consumer detected after %s messages", sent).isTrue();
            for (int i = 0; i < batch; i++, sent++) {
                byte[] payload = new byte[size];
                java.nio.ByteBuffer.wrap(payload).putInt(0, sent);
                pub.publish("flood", payload);
            }
            pub.flush(Duration.ofSeconds(10));
            int n = sent;

            for (int i = 0; i < n; i++) {
                Message m = goodSub.nextMessage(WAIT);
                assertThat(m).as("message %d of %d", i, n).isNotNull();
                assertThat(java.nio.ByteBuffer.wrap(m.getData()).getInt()).isEqualTo(i);
            }
            Deliveries.assertNothingMore(good, goodSub, "each message once");

            String prefix = " - cid:" + cid.group(1) + " - ";
            assertThat(s.log().lines()).anyMatch(l -> l.contains(prefix)
                    && l.contains("Slow Consumer Detected: MaxPending of 262144 Exceeded"));
            assertThat(s.log().lines().stream().filter(l -> l.contains("Slow Consumer Detected")).count())
                    .as("only the stalled reader is a slow consumer").isEqualTo(1);
            assertThat(s.server().context().slowConsumers.sum()).isEqualTo(1);
            assertThat(good.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(pub.getStatus()).isEqualTo(Connection.Status.CONNECTED);

            // The stalled socket was closed by the server: reading on, it ends, and no -ERR was sent.
            String tail = readToEnd(in);
            assertThat(tail).as("stalled socket closed by server").isNotNull();
            assertThat(tail).doesNotContain("-ERR");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (c == '\n') {
                break;
            }
        }
        return b.toString();
    }

    /** Reads until EOF or reset and returns the last bytes read; null if the peer kept the connection open. */
    private static String readToEnd(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        String tail = "";
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                tail = (tail + chunk).substring(Math.max(0, tail.length() + chunk.length() - 256));
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            // reset: closed as well
        }
        return tail;
    }

    // ---- keepalive -------------------------------------------------------------------------

    @Test
    void deadPeerIsClosedAsStaleWhileJnatsStaysConnected() throws Exception {
        CountDownLatch disconnected = new CountDownLatch(1);
        try (RunningServer s = RunningServer.start(b -> b.pingInterval(Duration.ofMillis(200)).pingMax(2));
             Connection nc = connect(s, b -> b.connectionListener((c, e) -> {
                 if (e == Events.DISCONNECTED) {
                     disconnected.countDown();
                 }
             }));
             RawClient dead = new RawClient(s.port())) {
            Subscription sub = nc.subscribe("alive");
            nc.flush(WAIT);
            long start = System.nanoTime();
            dead.readInfo();
            dead.send("CONNECT {\"verbose\":false}\r\n");
            assertThat(dead.readLine()).isEqualTo("PING\r\n");
            assertThat(dead.readLine()).isEqualTo("PING\r\n");
            assertThat(dead.readUntilClose(3000)).isEqualTo("-ERR 'Stale Connection'\r\n<closed>");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofMillis(2500));
            assertThat(s.log().lines()).anyMatch(l -> l.contains("Stale Client Connection - Closing"));

            // The jnats client answered every server PING over the same ~3 intervals and is untouched.
            assertThat(disconnected.getCount()).isEqualTo(1);
            assertThat(nc.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(serverSide(s, nc).isClosed()).isFalse();
            assertThat(serverSide(s, nc).rttNanos()).as("server measured RTT from jnats PONGs").isPositive();
            nc.publish("alive", bytes("still here"));
            assertThat(text(sub.nextMessage(WAIT))).isEqualTo("still here");
            assertThat(s.log().lines().stream().filter(l -> l.contains("Stale Client Connection")).count())
                    .isEqualTo(1);
        }
    }
}
