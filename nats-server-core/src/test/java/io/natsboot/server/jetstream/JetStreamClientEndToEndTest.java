package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.ObjectStore;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectMeta;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.JetStreamOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JetStream end to end through the server: jnats 2.26 against our server started with JetStream on a temporary
 * store directory, and the same scenario against {@code /usr/sbin/nats-server -js -sd <tmp>}. Each side's
 * observations (what the client sees: pub acks, fetched and pushed messages with their metadata, KV entries
 * and watch, object info and content, everything again after a restart on the same directory) must be equal.
 */
class JetStreamClientEndToEndTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    /** A server the scenario runs against, restartable on the same store directory. */
    interface Side extends AutoCloseable {
        String url();

        void restart() throws Exception;

        @Override
        void close() throws Exception;
    }

    static final class Ours implements Side {
        private final Path dir;
        final CapturingLog log = new CapturingLog();
        private NatsServer server;

        Ours(Path dir) {
            this.dir = dir;
            start();
        }

        private void start() {
            ServerOptions o = ServerOptions.builder().host("127.0.0.1").port(0)
                    .jetstream(new JetStreamOptions(true, dir.toString(), -1, -1, null)).build();
            server = new NatsServer(o, log);
            server.start();
        }

        @Override
        public String url() {
            return "nats://127.0.0.1:" + server.port();
        }

        @Override
        public void restart() {
            server.shutdown();
            start();
        }

        @Override
        public void close() {
            server.shutdown();
        }
    }

    static final class Reference implements Side {
        private final Path dir;
        private final Path logFile;
        private Process process;
        private int port;

        Reference(Path dir, Path logFile) throws Exception {
            assertTrue(Files.isExecutable(NATS_SERVER), "this test needs the real nats-server at " + NATS_SERVER
                    + " (Debian package nats-server)");
            this.dir = dir;
            this.logFile = logFile;
            start();
        }

        private void start() throws Exception {
            port = Ports.free();
            process = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port),
                    "-js", "-sd", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            Ports.awaitListening(port);
        }

        @Override
        public String url() {
            return "nats://127.0.0.1:" + port;
        }

        @Override
        public void restart() throws Exception {
            stop();
            start();
        }

        private void stop() throws Exception {
            process.destroy(); // SIGTERM: nats-server shuts down cleanly
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "nats-server did not stop");
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Connection connect(Side side) throws Exception {
        return Nats.connect(new Options.Builder().server(side.url()).connectionTimeout(Duration.ofSeconds(5))
                .noReconnect().build());
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** 3 MiB + a bit, the same bytes on every run: several 128 KiB Object Store chunks. */
    private static byte[] blob() {
        byte[] data = new byte[3 * 1024 * 1024 + 12345];
        new Random(17).nextBytes(data);
        return data;
    }

    private static String msg(Message m) {
        return m.getSubject() + " " + text(m.getData()) + " stream_seq=" + m.metaData().streamSequence()
                + " consumer_seq=" + m.metaData().consumerSequence() + " delivered=" + m.metaData().deliveredCount();
    }

    /** The scenario; returns what the client saw, one line per observation. */
    static List<String> scenario(Side side) throws Exception {
        List<String> seen = new ArrayList<>();
        byte[] blob = blob();
        try (Connection nc = connect(side)) {
            seen.add("INFO jetstream=" + nc.getServerInfo().isJetStreamAvailable());
            JetStreamManagement jsm = nc.jetStreamManagement();
            io.nats.client.JetStream js = nc.jetStream();
            StreamInfo si = jsm.addStream(StreamConfiguration.builder().name("ORDERS").subjects("orders.>")
                    .storageType(StorageType.File).build());
            seen.add("created " + si.getConfiguration().getName() + " " + si.getConfiguration().getSubjects()
                    + " msgs=" + si.getStreamState().getMsgCount());
            for (int i = 1; i <= 5; i++) {
                PublishAck pa = js.publish("orders." + i, ("order " + i).getBytes(StandardCharsets.UTF_8));
                seen.add("puback " + pa.getStream() + " " + pa.getSeqno() + " dup=" + pa.isDuplicate());
            }
            // pull: fetch 3 of 5, ack them synchronously
            JetStreamSubscription pull = js.subscribe("orders.>",
                    PullSubscribeOptions.builder().durable("puller").build());
            for (Message m : pull.fetch(3, Duration.ofSeconds(3))) {
                seen.add("fetched " + msg(m));
                m.ackSync(Duration.ofSeconds(3));
            }
            ConsumerInfo ci = jsm.getConsumerInfo("ORDERS", "puller");
            seen.add("puller pending=" + ci.getNumPending() + " ack_pending=" + ci.getNumAckPending()
                    + " delivered=" + ci.getDelivered().getStreamSequence()
                    + " ack_floor=" + ci.getAckFloor().getStreamSequence());
            // push: an ephemeral consumer gets all five
            JetStreamSubscription push = js.subscribe("orders.>", PushSubscribeOptions.builder().build());
            for (int i = 0; i < 5; i++) {
                Message m = push.nextMessage(Duration.ofSeconds(3));
                seen.add(m == null ? "push: nothing" : "pushed " + msg(m));
                if (m != null) {
                    m.ack();
                }
            }
            push.unsubscribe();
            // Key-Value
            nc.keyValueManagement().create(KeyValueConfiguration.builder().name("cfg").maxHistoryPerKey(5)
                    .storageType(StorageType.File).build());
            KeyValue kv = nc.keyValue("cfg");
            seen.add("kv put a " + kv.put("a", "1"));
            seen.add("kv put a " + kv.put("a", "2"));
            seen.add("kv put b " + kv.put("b", "x"));
            kv.delete("b");
            KeyValueEntry a = kv.get("a");
            seen.add("kv get a " + a.getValueAsString() + " rev=" + a.getRevision());
            seen.add("kv get b " + kv.get("b"));
            seen.add("kv history a " + kv.history("a").stream().map(KeyValueEntry::getValueAsString).toList());
            List<String> watched = new ArrayList<>();
            CountDownLatch endOfData = new CountDownLatch(1);
            var watch = kv.watchAll(new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    synchronized (watched) {
                        watched.add(e.getKey() + "=" + (e.getValue() == null ? "" : e.getValueAsString()) + " "
                                + e.getOperation() + " rev=" + e.getRevision());
                    }
                }

                @Override
                public void endOfData() {
                    endOfData.countDown();
                }
            });
            assertThat(endOfData.await(5, TimeUnit.SECONDS)).as("KV watch end of initial data").isTrue();
            kv.put("c", "new");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
                synchronized (watched) {
                    return watched.size() >= 3;
                }
            });
            watch.unsubscribe();
            synchronized (watched) {
                seen.add("kv watched " + watched);
            }
            // Object Store
            nc.objectStoreManagement().create(ObjectStoreConfiguration.builder("files")
                    .storageType(StorageType.File).build());
            ObjectStore os = nc.objectStore("files");
            ObjectInfo put = os.put(ObjectMeta.objectName("blob"), new ByteArrayInputStream(blob));
            seen.add("obj put size=" + put.getSize() + " chunks=" + put.getChunks() + " digest=" + put.getDigest());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ObjectInfo got = os.get("blob", out);
            seen.add("obj get size=" + got.getSize() + " same=" + sha256(out.toByteArray()).equals(sha256(blob)));
        }
        side.restart();
        try (Connection nc = connect(side)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            io.nats.client.JetStream js = nc.jetStream();
            StreamInfo si = jsm.getStreamInfo("ORDERS");
            seen.add("after restart ORDERS msgs=" + si.getStreamState().getMsgCount()
                    + " last_seq=" + si.getStreamState().getLastSequence());
            seen.add("after restart streams " + jsm.getStreamNames().stream().sorted().toList());
            JetStreamSubscription pull = js.subscribe("orders.>",
                    PullSubscribeOptions.bind("ORDERS", "puller"));
            for (Message m : pull.fetch(5, Duration.ofSeconds(3))) {
                seen.add("after restart fetched " + msg(m));
                m.ackSync(Duration.ofSeconds(3));
            }
            KeyValue kv = nc.keyValue("cfg");
            seen.add("after restart kv keys " + kv.keys().stream().sorted().toList() + " a=" + kv.get("a").getValueAsString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            nc.objectStore("files").get("blob", out);
            seen.add("after restart obj same=" + sha256(out.toByteArray()).equals(sha256(blob)));
            PublishAck pa = js.publish("orders.6", "order 6".getBytes(StandardCharsets.UTF_8));
            seen.add("after restart puback " + pa.getStream() + " " + pa.getSeqno());
        }
        return seen;
    }

    @Test
    void accountsWithJetStreamEnabledGetItTheirOwn(@TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("js.conf");
        Files.writeString(conf, "jetstream { store_dir: \"" + tmp.resolve("store") + "\" }\n"
                + "accounts { A: { jetstream: enabled, users: [ {user: a, password: a} ] },\n"
                + "           B: { jetstream: enabled, users: [ {user: b, password: b} ] } }\n");
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        assertThat(io.natsboot.server.config.ConfigFileOptions.load(conf.toString(), b).ok()).isTrue();
        NatsServer server = new NatsServer(b.build(), new CapturingLog());
        server.start();
        try (Connection a = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port())
                .userInfo("a", "a").build());
             Connection bc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port())
                     .userInfo("b", "b").build())) {
            a.jetStreamManagement().addStream(StreamConfiguration.builder().name("S").subjects("s.>")
                    .storageType(StorageType.File).build());
            assertThat(a.jetStream().publish("s.1", "x".getBytes(StandardCharsets.UTF_8)).getSeqno()).isEqualTo(1);
            // B has JetStream of its own: the same names, nothing of A's
            assertThat(bc.jetStreamManagement().getStreamNames()).isEmpty();
            bc.jetStreamManagement().addStream(StreamConfiguration.builder().name("S").subjects("s.>")
                    .storageType(StorageType.File).build());
            assertThat(bc.jetStream().publish("s.1", "y".getBytes(StandardCharsets.UTF_8)).getSeqno()).isEqualTo(1);
            assertThat(a.jetStreamManagement().getStreamInfo("S").getStreamState().getMsgCount()).isEqualTo(1);
            assertThat(Files.isDirectory(tmp.resolve("store").resolve("jetstream").resolve("A").resolve("streams")
                    .resolve("S"))).isTrue();
            assertThat(Files.isDirectory(tmp.resolve("store").resolve("jetstream").resolve("B").resolve("streams")
                    .resolve("S"))).isTrue();
        } finally {
            server.shutdown();
        }
    }

    @Test
    void aStoreDirectoryThatCannotBeMadeStopsTheStartAsNatsServer() throws Exception {
        assertTrue(Files.isExecutable(NATS_SERVER), "this test needs the real nats-server at " + NATS_SERVER
                + " (Debian package nats-server)");
        String dir = "/proc/no-such-store";
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", dir)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertThat(p.exitValue()).isEqualTo(1);
        String theirs = out.lines().filter(l -> l.contains("[FTL] ")).map(l -> l.substring(l.indexOf("[FTL] ") + 6))
                .findFirst().orElseThrow();
        ServerOptions o = ServerOptions.builder().host("127.0.0.1").port(0)
                .jetstream(new JetStreamOptions(true, dir, -1, -1, null)).build();
        NatsServer server = new NatsServer(o, new CapturingLog());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                server::start);
        assertThat(e.getMessage()).isEqualTo(theirs)
                .isEqualTo("Can't start JetStream: could not create storage directory - mkdir " + dir
                        + ": no such file or directory");
    }

    /** What each server logs about a stream it restores at start, from "[INF] " on, in order. */
    private static List<String> restoreLines(List<String> lines) {
        return lines.stream().filter(l -> l.contains("restore for stream") || l.contains("Restored "))
                .map(l -> l.substring(l.indexOf("[INF] ") + 6)).toList();
    }

    private static void publishTwoThousand(Side side) throws Exception {
        try (Connection nc = connect(side)) {
            nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("RESTORED").subjects("restored.>")
                    .storageType(StorageType.File).build());
            io.nats.client.JetStream js = nc.jetStream();
            for (int i = 0; i < 2000; i++) {
                js.publishAsync("restored.x", new byte[16]);
            }
            js.publish("restored.x", new byte[16]); // its ack comes after every earlier one's
        }
    }

    @Test
    void restoreAtStartIsLoggedAsNatsServerLogsIt(@TempDir Path tmp) throws Exception {
        Path refLog = tmp.resolve("ref.log");
        try (Reference ref = new Reference(tmp.resolve("ref"), refLog)) {
            publishTwoThousand(ref);
            ref.restart();
            try (Connection nc = connect(ref)) {
                nc.flush(Duration.ofSeconds(5)); // up again: the restore lines are written
            }
        }
        List<String> theirs = restoreLines(Files.readAllLines(refLog));
        List<String> ours;
        try (Ours side = new Ours(tmp.resolve("ours"))) {
            publishTwoThousand(side);
            side.log.lines().clear();
            side.restart();
            ours = restoreLines(side.log.lines());
        }
        assertThat(ours).isEqualTo(theirs).containsExactly("  Starting restore for stream '$G > RESTORED'",
                "  Restored 2,001 messages for stream '$G > RESTORED'");
    }

    @Test
    void jnatsSeesTheSameJetStreamOnOursAndOnNatsServer(@TempDir Path tmp) throws Exception {
        List<String> ours;
        try (Ours side = new Ours(tmp.resolve("ours"))) {
            ours = scenario(side);
            // monitoring: /varz's jetstream object and /jsz as nats-server shapes them
            String varz = side.server.snapshots().varz().toJson(false);
            assertThat(varz).contains("\"jetstream\":{\"config\":{\"max_memory\":")
                    .contains("\"store_dir\":\"" + tmp.resolve("ours").resolve("jetstream") + "\"},\"stats\":{")
                    .contains("\"accounts\":1,\"ha_assets\":0,\"api\":{\"total\":");
            String jsz = side.server.snapshots().jsz(false).toJson(false);
            assertThat(jsz).contains("\"accounts\":1").contains("\"streams\":3")
                    .doesNotContain("disabled");
            assertThat(side.log.lines()).anyMatch(l -> l.contains("Starting JetStream"))
                    .anyMatch(l -> l.contains("Store Directory: \"" + tmp.resolve("ours").resolve("jetstream") + "\""));
        }
        List<String> theirs;
        try (Reference side = new Reference(tmp.resolve("ref"), tmp.resolve("nats-server.log"))) {
            theirs = scenario(side);
        }
        // Not vacuous: the scenario did what it says on ours.
        assertThat(ours).contains("INFO jetstream=true", "puback ORDERS 5 dup=false", "after restart ORDERS msgs=5 last_seq=5",
                "after restart obj same=true", "after restart puback ORDERS 6");
        assertThat(ours.stream().filter(l -> l.startsWith("fetched "))).hasSize(3);
        assertThat(ours.stream().filter(l -> l.startsWith("after restart fetched "))).hasSize(2);
        assertThat(ours).isEqualTo(theirs);
    }
}
