package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the same raw-socket scripts against the real nats-server 2.9.10 ({@value #NATS_SERVER}, installed from
 * Debian's package; CI installs it) and against our server with matching options, and requires identical
 * results: every byte each connection received, and whether the server closed it. Only the INFO values that
 * legitimately differ (server_id, server_name, port, client_id) are masked.
 *
 * <p>Scripts are sequences of steps on one or more connections: send bytes, pause (so that nats-server reads
 * what follows in a separate read), or sync (PING, wait for the PONG). At the end each connection is read
 * until a PONG answers a final PING ({@code endSync}; the last connection used first, so that what it
 * published has been delivered), or until the server closes it or stays quiet.
 */
@RequiresBinary("nats-server")
class DifferentialTest {
    static final String NATS_SERVER = "/usr/sbin/nats-server";
    private static final long QUIET_MILLIS = 250;
    private static final long PAUSE_MILLIS = 100;

    /** Server options applied to both servers: nats-server config text, and our builder. */
    enum Profile {
        DEFAULT("", b -> b),
        USER_PASS("authorization { user: alice, password: secret }", b -> b.username("alice").password("secret")),
        TOKEN("authorization { token: s3cr3t }", b -> b.authToken("s3cr3t")),
        AUTH_TIMEOUT("authorization { user: alice, password: secret, timeout: 0.3 }",
                b -> b.username("alice").password("secret").authTimeout(Duration.ofMillis(300))),
        MAX_SUBS("max_subscriptions: 2", b -> b.maxSubscriptions(2)),
        MAX_PAYLOAD("max_payload: 100", b -> b.maxPayload(100)),
        MAX_CONNECTIONS("max_connections: 1", b -> b.maxConnections(1)),
        MAX_CONTROL_LINE("max_control_line: 64", b -> b.maxControlLine(64)),
        PING("ping_interval: \"200ms\"\nping_max: 2", b -> b.pingInterval(Duration.ofMillis(200)).pingMax(2));

        final String natsConfig;
        final UnaryOperator<ServerOptions.Builder> ours;

        Profile(String natsConfig, UnaryOperator<ServerOptions.Builder> ours) {
            this.natsConfig = natsConfig;
            this.ours = ours;
        }
    }

    // ---- Servers ---------------------------------------------------------------------------

    /** A nats-server process started with a config file on a free port. */
    static final class NatsServerProcess implements AutoCloseable {
        final Process process;
        final int port;
        final StringBuffer log = new StringBuffer();

        NatsServerProcess(Profile profile, Path dir) throws IOException, InterruptedException {
            port = freePort();
            Path conf = dir.resolve(profile.name().toLowerCase() + ".conf");
            Files.writeString(conf, "listen: \"127.0.0.1:" + port + "\"\n" + profile.natsConfig + "\n");
            process = new ProcessBuilder(NATS_SERVER, "-c", conf.toString()).redirectErrorStream(true).start();
            CountDownLatch ready = new CountDownLatch(1);
            Thread drain = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        log.append(line).append('\n');
                        if (line.contains("Server is ready")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            }, "nats-server-log-" + profile);
            drain.setDaemon(true);
            drain.start();
            if (!ready.await(10, TimeUnit.SECONDS)) {
                close();
                fail("nats-server (" + profile + ") did not start: " + log);
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static final Map<Profile, NatsServerProcess> NATS = new LinkedHashMap<>();
    private static final Map<Profile, RunningServer> OURS = new LinkedHashMap<>();
    private static Path configDir;

    @BeforeAll
    static void configDirectory() throws IOException {
        // @RequiresBinary checked that /usr/sbin/nats-server is there and is 2.9.10.
        configDir = Files.createTempDirectory("nats-differential");
    }

    @AfterAll
    static void stopServers() throws IOException {
        NATS.values().forEach(NatsServerProcess::close);
        NATS.clear();
        OURS.values().forEach(RunningServer::close);
        OURS.clear();
        if (configDir != null) {
            try (Stream<Path> files = Files.list(configDir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(configDir);
        }
    }

    private static synchronized int natsPort(Profile p) throws IOException, InterruptedException {
        NatsServerProcess s = NATS.get(p);
        if (s == null) {
            s = new NatsServerProcess(p, configDir);
            NATS.put(p, s);
        }
        return s.port;
    }

    private static synchronized int ourPort(Profile p) {
        return OURS.computeIfAbsent(p, k -> RunningServer.start(k.ours)).port();
    }

    private static int freePort() throws IOException {
        return io.natsboot.server.support.Ports.free();
    }

    // ---- Scripts ---------------------------------------------------------------------------

    private enum Kind { SEND, PAUSE, SYNC, OPEN }

    private record Step(Kind kind, int conn, byte[] data) {
    }

    /** A script; build with {@link #script}. */
    static final class Script {
        final String name;
        final Profile profile;
        final List<Step> steps = new ArrayList<>();
        boolean endSync;
        long closeWithinMillis;

        Script(String name, Profile profile) {
            this.name = name;
            this.profile = profile;
        }

        Script send(String data) {
            return send(0, data);
        }

        Script send(int conn, String data) {
            steps.add(new Step(Kind.SEND, conn, data.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        /** Waits so that the server reads what follows separately. */
        Script pause() {
            steps.add(new Step(Kind.PAUSE, 0, null));
            return this;
        }

        /** Sends PING on {@code conn} and waits for the PONG (or a close). */
        Script sync(int conn) {
            steps.add(new Step(Kind.SYNC, conn, null));
            return this;
        }

        /** Connects {@code conn} now (otherwise connections open at their first step). */
        Script open(int conn) {
            steps.add(new Step(Kind.OPEN, conn, null));
            return this;
        }

        /** Ends by syncing every connection still open. */
        Script endSync() {
            endSync = true;
            return this;
        }

        /** Ends by waiting up to this long for the server to close, whatever it sends meanwhile. */
        Script closeWithin(long millis) {
            closeWithinMillis = millis;
            return this;
        }

        @Override
        public String toString() {
            return profile == Profile.DEFAULT ? name : profile + ": " + name;
        }
    }

    static Script script(String name) {
        return new Script(name, Profile.DEFAULT);
    }

    static Script script(Profile profile, String name) {
        return new Script(name, profile);
    }

    /** One client connection with a reader thread collecting everything received. */
    static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        /** Everything sent, to count the PINGs the server is going to answer. */
        private final StringBuilder sent = new StringBuilder();
        private boolean closed;
        private long lastData = System.nanoTime();

        Conn(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[16384];
                try {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (this) {
                            received.write(buf, 0, n);
                            lastData = System.nanoTime();
                            notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // reset or closed by us: counts as closed
                }
                synchronized (this) {
                    closed = true;
                    notifyAll();
                }
            }, "differential-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void send(byte[] data) {
            synchronized (this) {
                sent.append(new String(data, StandardCharsets.ISO_8859_1));
            }
            try {
                out.write(data);
                out.flush();
            } catch (IOException ignored) {
                // the server closed: what it sent before is what counts
            }
        }

        /** Occurrences of {@code what}, plus one if the text starts with {@code orStart}. */
        private static int count(String text, String what, String orStart) {
            int n = orStart != null && text.startsWith(orStart) ? 1 : 0;
            for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
                n++;
            }
            return n;
        }

        synchronized String text() {
            return received.toString(StandardCharsets.ISO_8859_1);
        }

        synchronized boolean closed() {
            return closed;
        }

        /**
         * PING, then wait until every PING sent so far is answered (or the server closes): the PONG that
         * answers this PING, not one still due for an earlier PING in the script.
         */
        synchronized void sync(long timeoutMillis) throws InterruptedException {
            send("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            int pings = count(sent.toString().toUpperCase(java.util.Locale.ROOT), "\nPING", "PING");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (!closed && count(text(), "PONG\r\n", null) < pings) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Waits until closed, or until nothing arrived for quietMillis (when quietMillis > 0), or maxMillis. */
        synchronized void awaitCloseOrQuiet(long quietMillis, long maxMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
            lastData = System.nanoTime();
            while (!closed) {
                long now = System.nanoTime();
                long left = deadline - now;
                // "Quiet" counts from the last byte received: before the first one (INFO), a loaded machine
                // may simply not have answered yet.
                if (quietMillis > 0 && received.size() > 0) {
                    left = Math.min(left, lastData + TimeUnit.MILLISECONDS.toNanos(quietMillis) - now);
                }
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** What one connection saw: its masked bytes and whether the server closed it. */
    record Seen(String bytes, boolean closed) {
        @Override
        public String toString() {
            return show(bytes) + (closed ? " <closed>" : " <open>");
        }
    }

    static List<Seen> run(Script script, int port) throws Exception {
        Map<Integer, Conn> conns = new LinkedHashMap<>();
        try {
            for (Step step : script.steps) {
                switch (step.kind()) {
                    // Pacing, not a wait: what follows must reach the server in a later read (there is no
                    // protocol acknowledgement of half an op to wait on).
                    case PAUSE -> Thread.sleep(PAUSE_MILLIS);
                    case OPEN -> conn(conns, step.conn(), port);
                    case SEND -> conn(conns, step.conn(), port).send(step.data());
                    case SYNC -> conn(conns, step.conn(), port).sync(3000);
                    default -> throw new IllegalStateException();
                }
            }
            // Last used first: a publisher's messages have reached its subscribers once its PONG is back.
            List<Conn> lastFirst = new ArrayList<>(conns.values());
            java.util.Collections.reverse(lastFirst);
            for (Conn c : lastFirst) {
                if (script.endSync) {
                    c.sync(3000);
                } else if (script.closeWithinMillis > 0) {
                    c.awaitCloseOrQuiet(0, script.closeWithinMillis);
                } else {
                    c.awaitCloseOrQuiet(QUIET_MILLIS, 3000);
                }
            }
            List<Seen> seen = new ArrayList<>();
            for (Conn c : conns.values()) {
                seen.add(new Seen(mask(c.text()), c.closed()));
            }
            return seen;
        } finally {
            for (Conn c : conns.values()) {
                c.close();
            }
        }
    }

    private static Conn conn(Map<Integer, Conn> conns, int index, int port) throws IOException {
        Conn c = conns.get(index);
        if (c == null) {
            c = new Conn(port);
            conns.put(index, c);
        }
        return c;
    }

    /** Masks the INFO values that legitimately differ between two servers ("go" names each one's runtime). */
    static String mask(String s) {
        return s.replaceAll("\"server_id\":\"[^\"]*\"", "\"server_id\":\"<id>\"")
                .replaceAll("\"go\":\"[^\"]*\"", "\"go\":\"<runtime>\"")
                .replaceAll("\"server_name\":\"[^\"]*\"", "\"server_name\":\"<name>\"")
                .replaceAll("\"port\":\\d+", "\"port\":<port>")
                .replaceAll("\"client_id\":\\d+", "\"client_id\":<cid>")
                // "go" names the runtime (Go's there, Java's here; MonitorDifferentialTest checks ours).
                .replaceAll("\"go\":\"[^\"]*\"", "\"go\":\"<runtime>\"");
    }

    static String show(String s) {
        String t = s.replace("\r", "\\r").replace("\n", "\\n");
        return t.length() > 400 ? t.substring(0, 300) + "...(" + t.length() + " chars)..." + t.substring(t.length() - 80)
                : t;
    }

    // ---- The scripts -----------------------------------------------------------------------

    private static final String QUIET = "CONNECT {\"verbose\":false}\r\n";
    private static final String HEADERS = "CONNECT {\"verbose\":false,\"headers\":true}\r\n";

    static List<Script> scripts() {
        List<Script> all = new ArrayList<>();

        // Normal operation.
        all.add(script("pub/sub").send(QUIET + "SUB ps.foo 1\r\nPUB ps.foo 2\r\nhi\r\n").endSync());
        all.add(script("verbose").send("CONNECT {\"verbose\":true}\r\nSUB vb.foo 1\r\nPUB vb.foo 2\r\nhi\r\nPING\r\n")
                .endSync());
        all.add(script("verbose unsub and +OK before echo").send("CONNECT {\"verbose\":true}\r\nSUB vu.foo 1\r\n"
                + "PUB vu.foo 0\r\n\r\nUNSUB 1\r\nUNSUB 99\r\nPUB vu.foo 0\r\n\r\n").endSync());
        all.add(script("defaults before CONNECT").send("SUB df.foo 1\r\nPUB df.foo 0\r\n\r\nUNSUB 1\r\n").endSync());
        all.add(script("CONNECT {} keeps verbose").send("CONNECT {}\r\nSUB ck.foo 1\r\n").endSync());
        all.add(script("second CONNECT re-applies").send(QUIET + "SUB sc.foo 1\r\nCONNECT {\"verbose\":true}\r\n"
                + "PUB sc.foo 0\r\n\r\n").endSync());
        all.add(script("case-insensitive ops").send("cOnNeCt {\"verbose\":false}\r\nsub ci.foo 1\r\nPuB ci.foo 1\r\n"
                + "x\r\nhPuB ci.foo 0 1\r\ny\r\nuNsUb 1\r\npub ci.foo 0\r\n\r\nping\r\npong\r\n").endSync());
        all.add(script("tabs and spaces").send("SUB\tws.foo \t q \t 1\r\nPUB\tws.foo   2 \r\nhi\r\n"
                + "PUB ws.foo\t\t1\t\r\nx\r\nUNSUB  1 \t\r\n").endSync());
        all.add(script("bare LF").send("SUB lf.foo 1\nPUB lf.foo 1\na\r\nPING\n").endSync());
        all.add(script("PING with trailing bytes").send("PING foo\r\nPINGX\r\nPING\r\r\n").endSync());
        all.add(script("CONNECT without space").send("CONNECT{\"verbose\":false}\r\nINFO{}\r\nPING\r\n").endSync());
        all.add(script("+OK from client").send("+OK\r\n+OKAY\r\n+ok\r\n").endSync());
        all.add(script("INFO from client").send("INFO {\"server_id\":\"x\"}\r\n").endSync());
        all.add(script("payload with CRLF").send("SUB cr.foo 1\r\nPUB cr.foo 4\r\na\r\nb\r\nPUB cr.foo 2\r\n\r\n\r\n")
                .endSync());
        all.add(script("MSG with reply").send(QUIET + "SUB rp.> 7\r\nPUB rp.a _INBOX.r 2\r\nhi\r\n"
                + "PUB rp.b r.1 0\r\n\r\n").endSync());
        all.add(script("queue subscription").send(QUIET + "SUB qs.foo grp 1\r\nPUB qs.foo 1\r\na\r\n").endSync());
        // MSG/HMSG copy the publisher's size fields as written (leading zeros), unless headers are stripped.
        all.add(script("sizes echoed as written")
                .send(0, HEADERS + "SUB sw.foo 1\r\n").sync(0)
                .send(1, QUIET + "SUB sw.foo 2\r\n").sync(1)
                .send(2, HEADERS + "PUB sw.foo 02\r\nhi\r\nHPUB sw.foo 012 0014\r\nNATS/1.0\r\n\r\nhi\r\n"
                        + "PUB sw.foo r 00\r\n\r\nHPUB sw.foo 00 0002\r\nhi\r\nPUB sw.foo 0000000001\r\nx\r\n")
                .endSync());
        all.add(script("headers to header and plain subscribers")
                .send(0, HEADERS + "SUB hd.foo 1\r\n").sync(0)
                .send(1, QUIET + "SUB hd.foo 2\r\n").sync(1)
                .send(2, HEADERS + "HPUB hd.foo 18 20\r\nNATS/1.0\r\nA: B\r\n\r\nok\r\n"
                        + "HPUB hd.foo reply.1 12 12\r\nNATS/1.0\r\n\r\n\r\n"
                        + "HPUB hd.foo 0 2\r\nhi\r\n"
                        + "HPUB hd.foo 3 5\r\nabcok\r\n"
                        + "HPUB hd.foo 0 0\r\n\r\n")
                .endSync());
        all.add(script("duplicate SID (Appendix A)").send("CONNECT {\"verbose\":true}\r\nSUB dup.foo 1\r\n"
                + "SUB dup.bar 1\r\nPUB dup.foo 1\r\na\r\nPUB dup.bar 1\r\nb\r\nPING\r\n").endSync());
        all.add(script("duplicate SID with invalid subject").send("SUB dupi.a 1\r\nSUB dupi.. 1\r\n").endSync());
        all.add(script("UNSUB max 2 then 3 PUBs").send(QUIET + "SUB um.foo 1\r\nUNSUB 1 2\r\nPUB um.foo 1\r\na\r\n"
                + "PUB um.foo 1\r\nb\r\nPUB um.foo 1\r\nc\r\n").endSync());
        all.add(script("UNSUB max at or below delivered").send(QUIET + "SUB ul.foo 1\r\nPUB ul.foo 0\r\n\r\n"
                + "UNSUB 1 1\r\nPUB ul.foo 0\r\n\r\nSUB ul.bar 2\r\nUNSUB 2 0\r\nPUB ul.bar 0\r\n\r\n"
                + "SUB ul.baz 3\r\nUNSUB 3 abc\r\nPUB ul.baz 0\r\n\r\n").endSync());
        all.add(script("echo false")
                .send(1, QUIET + "SUB ec.foo 9\r\n").sync(1)
                .send(0, "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB ec.foo 1\r\nPUB ec.foo 1\r\nx\r\n")
                .endSync());
        all.add(script("fan-out order across trie nodes").send(QUIET + "SUB fo.x 1\r\nSUB fo.* 2\r\nSUB fo.> 3\r\n"
                + "SUB *.x 4\r\nSUB *.> 5\r\nPUB fo.x 1\r\na\r\n").endSync());
        all.add(script("no responders").send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                + "SUB _INBOX.nr.* 9\r\nPUB nr.svc _INBOX.nr.x 2\r\nhi\r\nPUB nr.svc _INBOX.zz 2\r\nhi\r\n"
                + "HPUB nr.svc _INBOX.nr.y 12 14\r\nNATS/1.0\r\n\r\nhi\r\n").endSync());
        all.add(script("no responders picks the literal subscription").send("CONNECT {\"verbose\":false,"
                + "\"headers\":true,\"no_responders\":true}\r\nSUB nl.r.* 9\r\nSUB nl.r.x 8\r\n"
                + "PUB nl.svc nl.r.x 0\r\n\r\nSUB nl2.r.x 6\r\nSUB nl2.> 7\r\nPUB nlx.svc nl2.r.x 0\r\n\r\n")
                .endSync());
        all.add(script("no responders: queue subscription on the reply does not count").send("CONNECT {"
                + "\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB nq.x q 9\r\n"
                + "PUB nq.svc nq.x 0\r\n\r\n").endSync());
        all.add(script("no responders without headers").send("CONNECT {\"no_responders\":true}\r\nPING\r\n"));
        all.add(script("no responders with headers false").send("CONNECT {\"no_responders\":true,"
                + "\"headers\":false}\r\n"));

        // Subjects and errors that keep the connection.
        all.add(script("pedantic invalid publish subject delivered").send("SUB pd.* 1\r\nPUB pd.* 1\r\na\r\n"
                + "PUB pd..x 0\r\n\r\nPUB pd. 0\r\n\r\nPUB > 0\r\n\r\n").endSync());
        all.add(script("pedantic check comes before the payload").send(QUIET + "PUB pb.* 2\r\nhiX\r\n"));
        all.add(script("pedantic check on a split frame").send("PUB ps2.* 1\r\n").pause().send("a\r\n").endSync());
        all.add(script("pedantic with reserved reply").send("PUB pr.* _R_.x 1\r\na\r\n").endSync());
        all.add(script("non-pedantic wildcard publish").send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"
                + "SUB np.bar 1\r\nSUB np.* 2\r\nPUB np.* 1\r\na\r\nPUB np..x 1\r\nb\r\nPUB np.> 0\r\n\r\n").endSync());
        all.add(script("invalid subjects keep the connection").send("SUB foo. 1\r\nSUB .foo 2\r\nSUB foo..bar 3\r\n"
                + "SUB foo.>.bar 4\r\nSUB is.ok 5\r\nPUB is.ok 0\r\n\r\n").endSync());
        all.add(script("literal wildcard characters").send(QUIET + "SUB lw.foo* 1\r\nSUB lw.a> 2\r\n"
                + "PUB lw.foo* 0\r\n\r\nPUB lw.a> 0\r\n\r\nPUB lw.foox 0\r\n\r\n").endSync());
        all.add(script("_sys_ queue").send("SUB foo _sys_ 1\r\nSUB foo _SYS_ 2\r\nSUB foo q _sys_\r\n"
                + "SUB foo.. _sys_ 3\r\n").endSync());
        all.add(script("reserved reply prefixes").send("SUB rr.foo 1\r\nPUB rr.foo _R_.abc 1\r\na\r\n"
                + "PUB rr.foo $JS.ACK.x 1\r\nb\r\nPUB rr.foo _R_ 1\r\nc\r\nPUB rr.foo $GNR.a.b.c 1\r\nd\r\n"
                + "PUB $GNR.a.b.c 0\r\n\r\n").endSync());
        all.add(script("control characters in PUB subjects (pedantic)").send("SUB cc.x\r 1\r\n"
                + "PUB cc.x\r 0\r\n\r\nPUB cc\fx 0\r\n\r\nPUB cc.\u0000 0\r\n\r\n").endSync());
        all.add(script("large payload").send(QUIET + "SUB lp.foo 1\r\nPUB lp.foo 200000\r\n" + "p".repeat(199_998)
                + "\r\n\r\nPUB lp.foo 1\r\nz\r\n").endSync());
        all.add(script("UTF-8 subjects").send(QUIET + "SUB ü.* 1\r\nPUB ü.é 2\r\n\u00e9\r\n").endSync());

        // CONNECT handling.
        for (String connect : List.of("{\"protocol\":2}", "{\"protocol\":-1}", "{\"protocol\":1.5}",
                "{\"protocol\":\"1\"}", "{\"protocol\":1}", "{\"protocol\":0}", "{\"account\":\"x\"}",
                "{\"account\":\"\"}", "{\"new_account\":true}", "{\"new_account\":false}", "{\"verbose\":\"yes\"}",
                "{\"verbose\":null}", "{\"name\":123}", "{bad", "{} x", "[]", "", "{}\rx", "{\"VERBOSE\":false}",
                "{\"verbose\":true,\"verbose\":false}", "{\"unknown\":{\"a\":[1,2]},\"verbose\":false}",
                "{\"lang\":\"java\",\"name\":\"n\",\"version\":\"1\",\"tls_required\":false}")) {
            all.add(script("CONNECT " + connect).send("CONNECT " + connect + "\r\nPING\r\n"));
        }
        all.add(script("INFO with bad JSON").send("INFO {bad\r\nPING\r\n"));
        all.add(script("-ERR from client").send("PING\r\n-ERR 'Stale Connection'\r\nPING\r\n"));

        // Malformed input (reference §1.10).
        for (String bad : List.of("FOO\r\n", "PUBS foo 1\r\n", "SUBZZZ\r\n", "PIN\r\n", "+O\r\n", "-ERR\r\n",
                "-ERRX\r\n", "PUB\r\n", "UNSUB\r\n", " PING\r\n", "\r\n", "\n", "MSG foo 1 2\r\n",
                "HMSG foo 1 2 2\r\n", "RS+ foo\r\n", "RMSG $G foo 1\r\n", "LS+ foo\r\n", "LMSG x\r\n", "A+ x\r\n",
                "PUB foo 2\r\nhello\r\n", "PUB foo 2\r\nhi\n", "PUB foo 2\r\nhiX\r\n", "PUB foo 2\r\nhi\r\r\n",
                "PUB foo 2\r\nhi\r\n\r\n", "PUB foo 2\r\nhi\r\n\n", "PUB foo\r\n", "PUB a b c 1\r\n", "PUB \r\n",
                "SUB foo\r\n", "SUB a b c d\r\n", "UNSUB \r\n", "UNSUB 1 2 3\r\n", "PUB foo abc\r\n",
                "PUB foo -1\r\n", "PUB foo 1234567890\r\n", "PUB foo 0000000001\r\n", "PUB foo 1x\r\n",
                "PUB foo 1048577\r\n", "PUB foo 999999999\r\n", "PUB foo r 2000000\r\n",
                "HPUB foo 0 2\r\nhi\r\n", "PUB foo 0\r\n\r\nSUB foo 1\r\nFOO\r\n")) {
            all.add(script("malformed " + show(bad)).send(bad + "PING\r\n"));
        }
        for (String bad : List.of("HPUB foo 1\r\n", "HPUB a b c d 1\r\n", "HPUB foo x 2\r\n", "HPUB foo 1 x\r\n",
                "HPUB foo 5 2\r\n", "HPUB foo 2000000 1\r\n", "HPUB foo 1 2000000\r\n", "HPUB foo 2 2\r\nhiX\r\n",
                "HPUB foo\r 0 1\r\na\r\n", "HPUB foo 0\r 1\r\na\r\n")) {
            all.add(script("malformed with headers " + show(bad)).send(HEADERS + bad + "PING\r\n"));
        }
        all.add(script("CR inside SUB and UNSUB arguments").send("SUB cs.foo\r 1\r\nSUB cs.bar 2\r\r\n"
                + "PUB cs.foo 1\r\na\r\nPUB cs.bar 1\r\nb\r\nUNSUB 2\rx\nPUB cs.bar 1\r\nc\r\n").endSync());
        all.add(script("CR then bare LF in SUB").send("SUB cl.foo\r 1\n"));
        all.add(script("CR inside PUB arguments").send("SUB cp.foo 1\r\nPUB cp.foo\r 1\r\na\r\n").endSync());
        all.add(script("CR then bare LF in PUB").send("PUB cq.foo\r 2\n"));
        all.add(script("PUB size with CR").send("PUB cz.foo 1\r\r\na\r\n"));
        all.add(script("CONNECT with CR then bare LF").send("CONNECT {}\rx\nPING\r\n").endSync());

        // Frames split across reads.
        all.add(script("payload in a later read").send(QUIET + "SUB sp.foo 1\r\nPUB sp.foo 5\r\nhe").pause()
                .send("llo\r\n").endSync());
        all.add(script("CR in one read, LF in the next").send(QUIET + "SUB sq.foo 1\r\nPUB sq.foo 2\r\nhi\r")
                .pause().send("\nPING\r\n").endSync());
        all.add(script("bad byte after CR in a later read").send("PUB foo 2\r\nhi\r").pause().send("X"));
        all.add(script("bare LF after the payload in a later read").send(QUIET + "PUB foo 2\r\nhi").pause()
                .send("\n"));
        all.add(script("extra payload byte in a later read").send(QUIET + "PUB foo 2\r\nhi").pause().send("X"));
        all.add(script("control line split").send(QUIET + "SUB sl.f").pause().send("oo 1\r\nPUB sl.fo").pause()
                .send("o 1\r\na\r\n").endSync());
        all.add(script("op split").send("P").pause().send("IN").pause().send("G\r\n"));
        all.add(script("partial line waits").send("SUB foo 1"));
        all.add(script("partial PUB frame waits").send("PUB foo 5\r\nhel"));

        // max_control_line (4096, arguments only).
        String x4094 = "x".repeat(4094);
        all.add(script("control line 4096").send("SUB " + x4094 + " 1\r\n").endSync());
        all.add(script("control line 4097").send("SUB " + x4094 + "x 1\r\nPING\r\n"));
        all.add(script("PUB control line 4097").send("PUB " + x4094 + "x 0\r\n\r\nPING\r\n"));
        all.add(script("control line 4096 after extra whitespace").send("SUB \t   " + x4094 + " 1\r\n").endSync());
        all.add(script("partial line of 4096").send("SUB " + x4094 + " 1"));
        all.add(script("partial line of 4096 and CR").send("SUB " + x4094 + " 1\r"));
        all.add(script("partial line of 4096, CR, then LF").send("SUB " + x4094 + " 1\r").pause().send("\n")
                .endSync());
        all.add(script("partial line of 4097").send("SUB " + x4094 + " 1 "));
        all.add(script("partial line of 5000").send("SUB " + "x".repeat(5000)));
        all.add(script("long CONNECT").send("CONNECT {\"verbose\":false,\"name\":\"" + "n".repeat(5000)
                + "\"}\r\nPING\r\n"));
        all.add(script("long PING line").send("PING" + "x".repeat(10000) + "\r\n").endSync());
        all.add(script(Profile.MAX_CONTROL_LINE, "configured control line").send("SUB " + "x".repeat(62) + " 1\r\n")
                .sync(0).send("SUB " + "x".repeat(63) + " 2\r\nPING\r\n"));
        all.add(script(Profile.MAX_CONTROL_LINE, "configured control line, CONNECT")
                .send("CONNECT {\"verbose\":false,\"name\":\"" + "n".repeat(60) + "\"}\r\nPING\r\n"));

        // max_payload.
        all.add(script(Profile.MAX_PAYLOAD, "at the limit").send("PUB foo 100\r\n" + "x".repeat(100) + "\r\n")
                .endSync());
        all.add(script(Profile.MAX_PAYLOAD, "over the limit").send("PUB foo 101\r\n"));
        all.add(script(Profile.MAX_PAYLOAD, "HPUB total over the limit").send("CONNECT {\"headers\":true}\r\n"
                + "HPUB foo 50 101\r\n"));

        // max_subscriptions.
        all.add(script(Profile.MAX_SUBS, "limit").send("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB b 2\r\n").endSync());
        all.add(script(Profile.MAX_SUBS, "duplicate below the limit").send("SUB a 1\r\nSUB a 1\r\nSUB c 3\r\n"
                + "SUB d 4\r\n").endSync());
        all.add(script(Profile.MAX_SUBS, "after UNSUB").send("SUB a 1\r\nSUB b 2\r\nUNSUB 1\r\nSUB c 3\r\n")
                .endSync());
        all.add(script(Profile.MAX_SUBS, "limit before subject and queue checks").send("SUB a 1\r\nSUB b 2\r\n"
                + "SUB foo.. 3\r\nSUB foo _sys_ 4\r\n").endSync());

        // max_connections.
        all.add(script(Profile.MAX_CONNECTIONS, "INFO then -ERR then close").sync(0).open(1).pause().sync(0));

        // Authentication.
        Profile up = Profile.USER_PASS;
        all.add(script(up, "success").send("CONNECT {\"verbose\":true,\"user\":\"alice\",\"pass\":\"secret\"}\r\n")
                .endSync());
        all.add(script(up, "wrong password").send("CONNECT {\"verbose\":true,\"user\":\"alice\",\"pass\":\"bad\"}\r\n"
                + "PING\r\n"));
        all.add(script(up, "no credentials").send("CONNECT {\"verbose\":true}\r\nPING\r\n"));
        all.add(script(up, "token instead of user").send("CONNECT {\"auth_token\":\"secret\"}\r\nPING\r\n"));
        all.add(script(up, "lower-case CONNECT").send("cONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\n")
                .endSync());
        all.add(script(up, "second CONNECT without credentials").send("CONNECT {\"user\":\"alice\","
                + "\"pass\":\"secret\",\"verbose\":false}\r\nCONNECT {\"verbose\":true}\r\n").endSync());
        all.add(script(up, "bad JSON").send("CONNECT {bad\r\n"));
        all.add(script(up, "C but not CONNECT").send("COnX\r\n"));
        for (String first : List.of("PING\r\n", "SUB foo 1\r\n", "PUB foo 0\r\n\r\n", "\r\n", " CONNECT {}\r\n",
                "+OK\r\n", "INFO {}\r\n", "-ERR 'x'\r\n")) {
            all.add(script(up, "first op " + show(first)).send(first));
        }
        all.add(script(Profile.TOKEN, "success").send("CONNECT {\"verbose\":false,\"auth_token\":\"s3cr3t\"}\r\n")
                .endSync());
        all.add(script(Profile.TOKEN, "wrong token").send("CONNECT {\"auth_token\":\"nope\"}\r\nPING\r\n"));
        all.add(script(Profile.TOKEN, "user instead of token").send("CONNECT {\"user\":\"s3cr3t\"}\r\n"));
        all.add(script(Profile.AUTH_TIMEOUT, "silent client").open(0).closeWithin(3000));
        all.add(script(Profile.AUTH_TIMEOUT, "partial CONNECT").send("CONNECT {").closeWithin(3000));

        // Keepalive.
        all.add(script(Profile.PING, "silent client goes stale").open(0).closeWithin(3000));
        all.add(script(Profile.PING, "silent client after CONNECT goes stale").send(QUIET).closeWithin(3000));

        return all;
    }

    @TestFactory
    Stream<DynamicTest> sameBytesAsNatsServer() {
        return scripts().stream().map(s -> DynamicTest.dynamicTest(s.toString(), () -> compare(s)));
    }

    private static void compare(Script s) throws Exception {
        int natsPort = natsPort(s.profile);
        int ourPort = ourPort(s.profile);
        CompletableFuture<List<Seen>> nats = CompletableFuture.supplyAsync(() -> runUnchecked(s, natsPort));
        CompletableFuture<List<Seen>> ours = CompletableFuture.supplyAsync(() -> runUnchecked(s, ourPort));
        List<Seen> expected = nats.get(30, TimeUnit.SECONDS);
        List<Seen> actual = ours.get(30, TimeUnit.SECONDS);
        assertThat(expected).as("nats-server connections").isNotEmpty();
        assertThat(expected.get(0).bytes()).as("nats-server sent INFO first").startsWith("INFO {");
        assertThat(actual.toString()).as("%s%nnats-server: %s%nours:        %s", s, expected, actual)
                .isEqualTo(expected.toString());
    }

    private static List<Seen> runUnchecked(Script s, int port) {
        try {
            return run(s, port);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
