package io.natsboot.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.auth.User;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.monitor.ConnInfo;
import io.natsboot.server.monitor.ConnState;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import io.natsboot.server.config.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scripted hostile clients (raw sockets) against one server, while a well-behaved jnats pair (a requester and an
 * echo responder) must keep getting answers during and after each attack. Every test also watches the server's own
 * per-connection pending outbound bytes (the number its slow-consumer rule is made of) and requires them to stay
 * within max_pending; the answers are nats-server 2.9.10's (protocol reference §1.10, §2, §3.9, §3.10), the byte
 * sequences checked against /usr/sbin/nats-server by DifferentialTest.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileClientTest {
    static final long MAX_PENDING = 512 * 1024;
    static final int MAX_PAYLOAD = 64 * 1024;
    static final int MAX_CONNECTIONS = 30;
    static final String INFO_PREFIX = "INFO {";

    private RunningServer server;
    private Connection responder;
    private Connection requester;
    private PendingSampler sampler;
    private final AtomicInteger requestNo = new AtomicInteger();

    private void start(UnaryOperator<ServerOptions.Builder> extra, String user, String pass) throws Exception {
        server = RunningServer.start(b -> extra.apply(b.maxPending(MAX_PENDING).maxPayload(MAX_PAYLOAD)
                .maxConnections(MAX_CONNECTIONS)));
        responder = connect(user, pass);
        requester = connect(user, pass);
        responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData())).subscribe("svc.echo");
        responder.flush(Duration.ofSeconds(5));
        sampler = new PendingSampler(server.server().context());
        assertServing();
    }

    private void start() throws Exception {
        start(b -> b, null, null);
    }

    private Connection connect(String user, String pass) throws Exception {
        Options.Builder o = new Options.Builder().server(server.url()).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5));
        if (user != null) {
            o.userInfo(user, pass);
        }
        return Nats.connect(o.build());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (server != null) {
                assertServing();
                assertThat(sampler.max()).as("largest pending outbound bytes of any connection")
                        .isLessThanOrEqualTo(MAX_PENDING);
            }
        } finally {
            if (sampler != null) {
                sampler.close();
            }
            for (Connection c : new Connection[] {requester, responder}) {
                if (c != null) {
                    c.close();
                }
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** The jnats requester gets its echo back and both witnesses are still connected. */
    private void assertServing() throws Exception {
        String body = "ping-" + requestNo.incrementAndGet();
        Message reply = requester.request("svc.echo", body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(reply).as("echo reply to " + body).isNotNull();
        assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(requester.getStatus()).isEqualTo(Connection.Status.CONNECTED);
        assertThat(responder.getStatus()).isEqualTo(Connection.Status.CONNECTED);
    }

    private ServerContext context() {
        return server.server().context();
    }

    private void awaitClients(int n) throws InterruptedException {
        awaitTrue(() -> context().clientCount() == n, "client count " + n + " (is " + context().clientCount() + ")");
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        Waits.upTo(what, Duration.ofSeconds(20)).until(condition::getAsBoolean);
    }

    /** Sends {@code bytes} on a fresh connection and returns everything received until the server closed it. */
    private String exchange(String bytes) throws IOException {
        try (Socket s = socket(0)) {
            s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readUntilClose(s, 10_000);
        }
    }

    private Socket socket(int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Everything until EOF, then "<closed>"; "<open>" if the server kept the connection for timeoutMillis. */
    static String readUntilClose(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        InputStream in = s.getInputStream();
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return b.toString(StandardCharsets.ISO_8859_1) + "<open>";
        } catch (IOException e) {
            // reset after the close counts as closed
        }
        return b.toString(StandardCharsets.ISO_8859_1) + "<closed>";
    }

    static String readLine(Socket s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Strips the INFO line and returns the rest. */
    static String afterInfo(String received) {
        assertThat(received).startsWith(INFO_PREFIX);
        return received.substring(received.indexOf("\r\n") + 2);
    }

    // ---- Malformed input -------------------------------------------------------------------

    @Test
    void controlLineOverTheLimit() throws Exception {
        start();
        assertThat(afterInfo(exchange("SUB " + "x".repeat(5000) + " 1\r\nPING\r\n")))
                .isEqualTo("-ERR 'maximum control line exceeded'\r\n<closed>");
        assertServing();
        // A line that never ends: the server must give up after max_control_line, not buffer what follows.
        try (Socket s = socket(0)) {
            OutputStream out = s.getOutputStream();
            byte[] chunk = "y".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
            out.write("PUB ".getBytes(StandardCharsets.US_ASCII));
            long sent = 0;
            try {
                for (int i = 0; i < 128; i++) { // up to 8 MiB
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException closedByServer) {
                // expected once the server has closed
            }
            assertThat(afterInfo(readUntilClose(s, 10_000))).isEqualTo("-ERR 'maximum control line exceeded'\r\n<closed>");
            assertThat(sent).as("bytes accepted before the close").isLessThan(8L * 1024 * 1024);
        }
        assertThat(server.log().contains("maximum control line exceeded: State")).isTrue();
        assertServing();
        awaitClients(2);
    }

    @Test
    void sizesWithTenDigitsOrNegative() throws Exception {
        start();
        for (String bad : List.of("PUB foo 1234567890\r\n", "PUB foo 99999999999999999999\r\n", "PUB foo -1\r\n",
                "PUB foo 0000000001\r\n", "PUB foo reply -5\r\n", "PUB foo 1x\r\n")) {
            assertThat(afterInfo(exchange(bad + "PING\r\n"))).as(bad).isEqualTo("<closed>");
            assertServing();
        }
        String headers = "CONNECT {\"verbose\":false,\"headers\":true}\r\n";
        for (String bad : List.of("HPUB foo -1 2\r\n", "HPUB foo 2 -1\r\n", "HPUB foo 1 12345678901\r\n")) {
            assertThat(afterInfo(exchange(headers + bad + "PING\r\n"))).as(bad).isEqualTo("<closed>");
        }
        assertThat(server.log().contains("processPub Bad or Missing Size: \"foo 1234567890\"")).isTrue();
        // Nine digits pass the syntax and meet the payload limit instead.
        assertThat(afterInfo(exchange("PUB foo 999999999\r\n")))
                .isEqualTo("-ERR 'Maximum Payload Violation'\r\n<closed>");
        assertThat(server.log().contains("maximum payload exceeded: 999999999 vs " + MAX_PAYLOAD)).isTrue();
        assertServing();
        awaitClients(2);
    }

    @Test
    void payloadLongerThanDeclaredIsNotDelivered() throws Exception {
        start();
        io.nats.client.Subscription sub = responder.subscribe("hostile.payload");
        responder.flush(Duration.ofSeconds(5));
        assertThat(afterInfo(exchange("PUB hostile.payload 2\r\nhello\r\nPING\r\n")))
                .isEqualTo("-ERR 'Unknown Protocol Operation'\r\n<closed>");
        assertThat(afterInfo(exchange("PUB hostile.payload 2\r\nhi\n")))
                .isEqualTo("-ERR 'Unknown Protocol Operation'\r\n<closed>");
        requester.publish("hostile.payload", "after".getBytes(StandardCharsets.UTF_8));
        requester.flush(Duration.ofSeconds(5));
        Message first = sub.nextMessage(Duration.ofSeconds(5));
        assertThat(first).isNotNull();
        assertThat(new String(first.getData(), StandardCharsets.UTF_8)).as("the truncated frames were dropped")
                .isEqualTo("after");
        assertServing();
    }

    @Test
    void unknownOperations() throws Exception {
        start();
        List<String> garbage = List.of("FOO\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003", "\u0000\u0000\u0000\u0000",
                "MSG foo 1 2\r\nhi\r\n", "RS+ $G foo\r\n", "PINGPONG\r\n\u00ff\u00fe\r\n", " PING\r\n");
        for (String g : garbage) {
            String seen = afterInfo(exchange(g));
            if (g.startsWith("PINGPONG")) {
                // PING matches after four letters and the rest of that line is ignored (§1.2).
                assertThat(seen).isEqualTo("PONG\r\n-ERR 'Unknown Protocol Operation'\r\n<closed>");
            } else {
                assertThat(seen).as(g).isEqualTo("-ERR 'Unknown Protocol Operation'\r\n<closed>");
            }
            assertServing();
        }
        awaitClients(2);
        List<ConnInfo> closed = server.server().snapshots().connz(new ConnzOptions("", false, false, false, 0, 0, 0,
                ConnState.CLOSED, "", "", "", "")).connections();
        assertThat(closed).extracting(ConnInfo::reason).contains("Protocol Violation");
    }

    // ---- Connections that never authenticate ----------------------------------------------

    @Test
    void halfOpenConnectionsMeetTheAuthTimeout() throws Exception {
        start(b -> b.users(List.of(new User("alice", "secret", null))).authTimeout(Duration.ofMillis(500)), "alice",
                "secret");
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = socket(0);
                if (i % 2 == 1) { // half of them start a CONNECT and stop in the middle
                    s.getOutputStream().write("CONNECT {\"user\":".getBytes(StandardCharsets.US_ASCII));
                }
                silent.add(s);
            }
            assertServing();
            for (Socket s : silent) {
                assertThat(afterInfo(readUntilClose(s, 10_000))).isEqualTo("-ERR 'Authentication Timeout'\r\n<closed>");
            }
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        awaitClients(2);
        List<ConnInfo> closed = server.server().snapshots().connz(new ConnzOptions("", false, false, false, 0, 0, 0,
                ConnState.CLOSED, "", "", "", "")).connections();
        assertThat(closed).filteredOn(c -> c.reason().equals("Authentication Timeout")).hasSize(20);
    }

    @Test
    void silentClientWithoutAuthGoesStale() throws Exception {
        start(b -> b.pingInterval(Duration.ofMillis(200)).pingMax(2), null, null);
        try (Socket s = socket(0)) {
            assertThat(afterInfo(readUntilClose(s, 10_000)))
                    .isEqualTo("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n<closed>");
        }
    }

    // ---- Connection flood ------------------------------------------------------------------

    @Test
    void connectionFloodPastMaxConnections() throws Exception {
        start();
        int attempts = 100;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Socket> sockets = new ArrayList<>();
        try {
            List<Future<Socket>> opened = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                opened.add(pool.submit(() -> socket(0)));
            }
            for (Future<Socket> f : opened) {
                sockets.add(f.get(10, TimeUnit.SECONDS));
            }
            int accepted = 0;
            int refused = 0;
            for (Socket s : sockets) {
                String info = readLine(s);
                assertThat(info).startsWith(INFO_PREFIX);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                String next = readLine(s);
                if (next.equals("PONG\r\n")) {
                    accepted++;
                } else {
                    assertThat(next).isEqualTo("-ERR 'maximum connections exceeded'\r\n");
                    assertThat(readUntilClose(s, 10_000)).isEqualTo("<closed>");
                    refused++;
                }
            }
            assertThat(accepted).as("connections beyond the two witnesses").isEqualTo(MAX_CONNECTIONS - 2);
            assertThat(refused).isEqualTo(attempts - accepted);
            assertThat(context().clientCount()).isEqualTo(MAX_CONNECTIONS);
            assertServing();
        } finally {
            pool.shutdownNow();
            for (Socket s : sockets) {
                s.close();
            }
        }
        awaitClients(2);
        try (Socket again = socket(0)) {
            readLine(again);
            again.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(again)).as("slots are free again").isEqualTo("PONG\r\n");
        }
        assertServing();
    }

    // ---- Subscribers that never read -------------------------------------------------------

    @Test
    void subscriberThatNeverReadsBecomesASlowConsumer() throws Exception {
        start();
        try (Socket slow = socket(4096); Connection producer = connect(null, null)) {
            slow.getOutputStream().write("CONNECT {\"verbose\":false}\r\nSUB slow.x 1\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            readLine(slow);
            assertThat(readLine(slow)).isEqualTo("PONG\r\n");
            long before = context().slowConsumers.sum();
            byte[] payload = new byte[4096];
            for (int i = 0; i < 20_000 && context().slowConsumers.sum() == before; i++) {
                producer.publish("slow.x", payload);
                if (i % 64 == 63) {
                    producer.flush(Duration.ofSeconds(10));
                    assertServing();
                }
            }
            assertThat(context().slowConsumers.sum()).isEqualTo(before + 1);
            String seen = readUntilClose(slow, 10_000);
            assertThat(seen).endsWith("<closed>").doesNotContain("-ERR");
            assertThat(producer.getStatus()).isEqualTo(Connection.Status.CONNECTED);
        }
        assertThat(server.log().contains("Slow Consumer Detected: MaxPending of " + MAX_PENDING + " Exceeded"))
                .isTrue();
        List<ConnInfo> closed = server.server().snapshots().connz(new ConnzOptions("", false, false, false, 0, 0, 0,
                ConnState.CLOSED, "", "", "", "")).connections();
        assertThat(closed).extracting(ConnInfo::reason).contains("Slow Consumer (Pending Bytes)");
        assertServing();
    }

    @Test
    void fullWildcardSubscriberOnABusyServer() throws Exception {
        start();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Connection> producers = new ArrayList<>();
        List<CompletableFuture<Long>> loads = new ArrayList<>();
        try (Socket greedy = socket(4096)) {
            for (int p = 0; p < 3; p++) {
                Connection c = connect(null, null);
                producers.add(c);
                String subject = "busy." + p + ".data";
                loads.add(CompletableFuture.supplyAsync(() -> produce(c, subject, running)));
            }
            greedy.getOutputStream().write("CONNECT {\"verbose\":false}\r\nSUB > 1\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long before = context().slowConsumers.sum();
            // The witnesses' requests and replies also go to the greedy subscriber, so they are stalled while
            // it is backed up, but they must still be answered.
            int answered = 0;
            while (context().slowConsumers.sum() == before) {
                assertServing();
                answered++;
                assertThat(answered).as("requests before the greedy subscriber was cut off").isLessThan(500);
            }
            assertThat(readUntilClose(greedy, 10_000)).endsWith("<closed>").doesNotContain("-ERR");
            for (int i = 0; i < 5; i++) {
                assertServing();
            }
            running.set(false);
            for (CompletableFuture<Long> load : loads) {
                assertThat(load.get(30, TimeUnit.SECONDS)).as("messages published").isPositive();
            }
            for (Connection c : producers) {
                assertThat(c.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
        } finally {
            running.set(false);
            for (Connection c : producers) {
                c.close();
            }
        }
        awaitClients(2);
        assertThat(context().slowConsumers.sum()).isEqualTo(1);
    }

    // ---- No growth over repeated attacks ----------------------------------------------------

    /**
     * The same attacks, round after round, with Netty's leak detector tracking every buffer: afterwards no
     * buffer was dropped without release, the pooled direct memory in use is what it was after the first round,
     * and connections, subscriptions and pending bytes are back to the witnesses' own.
     */
    @Test
    void repeatedAttacksDoNotGrowServerMemory() throws Exception {
        List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> leaks.add(type + ": " + records));
        try {
            start();
            long[] direct = new long[5];
            for (int round = 0; round < direct.length; round++) {
                attackRound();
                awaitClients(2);
                awaitTrue(() -> context().clients().stream().allMatch(c -> c.pendingBytes() == 0), "drained buffers");
                // the jnats client's two, and the system account's three imports into $G
                assertThat(context().trie().count()).as("subscriptions left").isEqualTo(2 + 3);
                direct[round] = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            }
            assertThat(direct[direct.length - 1]).as("pooled direct memory in use after each round: %s",
                    java.util.Arrays.toString(direct)).isLessThanOrEqualTo(direct[0]);
            // Leaks are found when a collected buffer's tracker is polled, on later allocations.
            for (int i = 0; i < 5 && leaks.isEmpty(); i++) {
                awaitGarbageCollection();
                for (int j = 0; j < 100; j++) {
                    PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
                }
                assertServing();
            }
            assertThat(leaks).as("buffers collected without release").isEmpty();
        } finally {
            ResourceLeakDetector.setLevel(level);
            ByteBufUtil.setLeakListener(null);
        }
    }

    /**
     * Runs a collection and waits until the JVM has processed its references: a weakly reachable sentinel is
     * enqueued by the same reference processing that hands Netty's leak trackers their collected buffers.
     */
    private static void awaitGarbageCollection() throws InterruptedException {
        java.lang.ref.ReferenceQueue<Object> queue = new java.lang.ref.ReferenceQueue<>();
        java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object(), queue);
        int hints = 0;
        do {
            System.gc(); // a hint: repeated until the sentinel was collected
        } while (queue.remove(100) == null && ++hints < 50);
        assertThat(sentinel.refersTo(null)).as("a collection ran").isTrue();
    }

    private void attackRound() throws Exception {
        for (String bad : List.of("SUB " + "x".repeat(5000) + " 1\r\n", "PUB foo 1234567890\r\n",
                "PUB foo 2\r\nhello\r\n", "FOO\r\n", "PUB big 60000\r\n" + "z".repeat(30000))) {
            for (int i = 0; i < 5; i++) {
                if (bad.startsWith("PUB big")) {
                    try (Socket s = socket(0)) { // a partial payload, then the client goes away
                        s.getOutputStream().write(bad.getBytes(StandardCharsets.ISO_8859_1));
                        readLine(s);
                    }
                } else {
                    exchange(bad);
                }
            }
        }
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                flood.add(socket(0));
            }
            for (Socket s : flood) {
                readLine(s);
            }
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        // The server sees the flood's closes asynchronously: on a loaded machine the next socket could
        // still count against max_connections.
        awaitClients(2);
        try (Socket slow = socket(4096); Connection producer = connect(null, null)) {
            slow.getOutputStream().write("CONNECT {\"verbose\":false}\r\nSUB slow.> 1\r\nSUB slow.x 2\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            readLine(slow);
            assertThat(readLine(slow)).isEqualTo("PONG\r\n");
            long before = context().slowConsumers.sum();
            byte[] payload = new byte[4096];
            for (int i = 0; i < 20_000 && context().slowConsumers.sum() == before; i++) {
                producer.publish("slow.x", payload);
                if (i % 64 == 63) {
                    producer.flush(Duration.ofSeconds(10));
                }
            }
            assertThat(context().slowConsumers.sum()).isEqualTo(before + 1);
        }
        assertServing();
    }

    private static long produce(Connection c, String subject, AtomicBoolean running) {
        byte[] payload = new byte[1024];
        long n = 0;
        try {
            while (running.get()) {
                c.publish(subject, payload);
                if (++n % 256 == 0) {
                    c.flush(Duration.ofSeconds(10));
                }
            }
            c.flush(Duration.ofSeconds(10));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    /** Polls every connection's pending outbound bytes (what the slow-consumer rule compares with max_pending). */
    static final class PendingSampler implements AutoCloseable {
        private final AtomicLong max = new AtomicLong();
        private final io.natsboot.server.support.Repeating sampling;

        PendingSampler(ServerContext context) {
            // every millisecond: the probe's sampling period
            sampling = io.natsboot.server.support.Repeating.every(java.time.Duration.ofMillis(1), "pending-sampler",
                    () -> {
                        for (ClientConnection c : context.clients()) {
                            max.accumulateAndGet(c.pendingBytes(), Math::max);
                        }
                    });
        }

        long max() {
            return max.get();
        }

        @Override
        public void close() throws InterruptedException {
            sampling.close();
        }
    }
}
