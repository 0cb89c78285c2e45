package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import io.natsboot.server.support.RequiresBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot from our server, restore into our server: messages (with gaps and headers, over more than one block),
 * consumers with their delivery and ack state, and the configuration come back as they were, and stay so across
 * a restart. Archives made by nats-server and by us do not cross (different store formats), with the errors
 * documented in docs/jetstream.md.
 */
class StreamSnapshotRoundTripTest {
    private static final String CONFIG = "{\"name\":\"ORDERS\",\"subjects\":[\"orders.>\"],\"storage\":\"file\","
            + "\"description\":\"all orders\",\"max_msgs_per_subject\":5000,\"duplicate_window\":60000000000}";
    private static final Set<String> NONE = Set.of();

    @Test
    void aRestoredStreamHasItsMessagesConsumersAndConfigAlsoAfterARestart(@TempDir Path tmp) throws Exception {
        Path store = tmp.resolve("ours");
        try (JetStreamClientEndToEndTest.Ours side = new JetStreamClientEndToEndTest.Ours(store)) {
            byte[] archive;
            byte[] archiveWithoutConsumers;
            String info;
            String pull;
            String push;
            List<String> sample;
            try (Connection nc = connect(side)) {
                SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
                assertThat(c.request("$JS.API.STREAM.CREATE.ORDERS", CONFIG)).doesNotContain("\"error\"");
                Random random = new Random(7);
                for (int i = 1; i <= 2500; i++) {
                    byte[] payload = new byte[4096];
                    random.nextBytes(payload); // incompressible: the archive is really ~10 MB over two blocks
                    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers().add("Nats-Msg-Id", "id-" + i);
                    Message ack = nc.request(io.nats.client.impl.NatsMessage.builder().subject("orders." + (i % 3))
                            .headers(h).data(payload).build(), Duration.ofSeconds(5));
                    assertThat(new String(ack.getData(), StandardCharsets.UTF_8)).contains("\"seq\":" + i);
                }
                for (int seq : new int[] {10, 20, 2000}) {
                    assertThat(c.request("$JS.API.STREAM.MSG.DELETE.ORDERS", "{\"seq\":" + seq + "}")).contains("success");
                }
                c.request("$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.P",
                        "{\"stream_name\":\"ORDERS\",\"config\":{\"durable_name\":\"P\",\"ack_policy\":\"explicit\"}}");
                c.request("$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.Q", "{\"stream_name\":\"ORDERS\",\"config\":"
                        + "{\"durable_name\":\"Q\",\"deliver_subject\":\"q.deliver\",\"filter_subject\":\"orders.1\","
                        + "\"ack_policy\":\"all\"}}");
                List<Message> got = fetch(nc, "P", 5);
                for (int i = 0; i < 3; i++) {
                    nc.request(got.get(i).getReplyTo(), "+ACK".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
                }
                info = streamInfo(c);
                pull = consumerInfo(c, "P");
                push = consumerInfo(c, "Q");
                sample = sample(c);

                SnapshotProtocolClient.Snapshot snap = c.snapshot("ORDERS", "");
                assertThat(snap.answer()).doesNotContain("\"error\"");
                assertThat(snap.endReply()).isEmpty();
                assertThat(snap.chunkSizes()).allMatch(n -> n <= StreamSnapshot.DEFAULT_CHUNK_SIZE);
                assertThat(snap.archive().length).isGreaterThan(2500 * 4096);
                archive = snap.archive();
                archiveWithoutConsumers = c.snapshot("ORDERS", "\"no_consumers\":true").archive();

                assertThat(c.request("$JS.API.STREAM.DELETE.ORDERS", "")).contains("success");
                SnapshotProtocolClient.Restore r = c.restore("ORDERS", CONFIG, archive, 128 * 1024);
                assertThat(r.result()).contains("stream_create_response").doesNotContain("\"error\"");
                assertThat(SnapshotProtocolClient.canonical(r.result(), NONE))
                        .contains("created=" + Json.parseObject(c.request("$JS.API.STREAM.INFO.ORDERS", "")).get("created"));
                assertThat(streamInfo(c)).isEqualTo(info);
                assertThat(consumerInfo(c, "P")).isEqualTo(pull);
                assertThat(consumerInfo(c, "Q")).isEqualTo(push);
                assertThat(sample(c)).isEqualTo(sample);
            }
            try (Stream<Path> left = Files.list(store.resolve("jetstream").resolve("$G").resolve("__snapshots__"))) {
                assertThat(left.toList()).as("staging files are removed").isEmpty();
            }

            side.restart();
            try (Connection nc = connect(side)) {
                SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
                assertThat(streamInfo(c)).isEqualTo(info);
                assertThat(consumerInfo(c, "P")).isEqualTo(pull);
                assertThat(consumerInfo(c, "Q")).isEqualTo(push);
                assertThat(sample(c)).isEqualTo(sample);
                // the pull consumer goes on after the five it had delivered (seq 6; 10 is deleted further on)
                Message next = fetch(nc, "P", 1).get(0);
                assertThat(next.metaData().streamSequence()).isEqualTo(6);
                assertThat(c.request("orders.9", "x")).isEqualTo("{\"stream\":\"ORDERS\", \"seq\":2501}");
                // a duplicate id within the window is still known after restore and restart
                Message dup = nc.request(io.nats.client.impl.NatsMessage.builder().subject("orders.1")
                        .headers(new io.nats.client.impl.Headers().add("Nats-Msg-Id", "id-2500")).data(new byte[1])
                        .build(), Duration.ofSeconds(5));
                assertThat(new String(dup.getData(), StandardCharsets.UTF_8)).contains("\"duplicate\": true");

                assertThat(c.request("$JS.API.STREAM.DELETE.ORDERS", "")).contains("success");
                SnapshotProtocolClient.Restore r = c.restore("ORDERS", CONFIG, archiveWithoutConsumers, 1024 * 1024);
                assertThat(r.result()).doesNotContain("\"error\"");
                assertThat(c.request("$JS.API.CONSUMER.NAMES.ORDERS", "")).contains("\"consumers\":[]");
                assertThat(Json.parseObject(c.request("$JS.API.STREAM.INFO.ORDERS", "")).get("state").toString())
                        .contains("messages=2497");
            }
        }
    }

    @Test
    void aSnapshotTakenWhilePublishingRestoresAConsistentPrefix(@TempDir Path tmp) throws Exception {
        byte[] archive;
        long before;
        long after;
        try (JetStreamClientEndToEndTest.Ours a = new JetStreamClientEndToEndTest.Ours(tmp.resolve("a"));
             Connection nc = connect(a); Connection publisher = connect(a)) {
            SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
            c.request("$JS.API.STREAM.CREATE.LIVE", "{\"name\":\"LIVE\",\"subjects\":[\"live.>\"]}");
            byte[] payload = new byte[2048];
            for (int i = 1; i <= 3000; i++) {
                publisher.publish("live." + (i % 7), payload);
            }
            publisher.flush(Duration.ofSeconds(5));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread load = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        publisher.request("live." + (i % 7), payload, Duration.ofSeconds(5));
                    }
                } catch (Exception e) {
                    stop.set(true);
                }
            });
            before = (Long) ((Map<?, ?>) Json.parseObject(c.request("$JS.API.STREAM.INFO.LIVE", "")).get("state"))
                    .get("messages");
            load.start();
            SnapshotProtocolClient.Snapshot snap = c.snapshot("LIVE", "\"chunk_size\":65536");
            stop.set(true);
            load.join(10_000);
            after = (Long) ((Map<?, ?>) Json.parseObject(c.request("$JS.API.STREAM.INFO.LIVE", "")).get("state"))
                    .get("messages");
            assertThat(snap.endReply()).isEmpty();
            archive = snap.archive();
        }
        try (JetStreamClientEndToEndTest.Ours b = new JetStreamClientEndToEndTest.Ours(tmp.resolve("b"));
             Connection nc = connect(b)) {
            SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
            String result = c.restore("LIVE", "{\"name\":\"LIVE\",\"subjects\":[\"live.>\"]}", archive, 65536).result();
            Map<?, ?> state = (Map<?, ?>) Json.parseObject(result).get("state");
            long n = (Long) state.get("messages");
            // every message stored before the snapshot, perhaps some published during it, as one gapless prefix
            assertThat(n).isBetween(before, after);
            assertThat(state.get("first_seq")).isEqualTo(1L);
            assertThat(state.get("last_seq")).isEqualTo(n);
            assertThat(c.request("$JS.API.STREAM.MSG.GET.LIVE", "{\"seq\":" + n + "}")).contains("\"seq\":" + n);
            assertThat(b.log.lines()).noneMatch(l -> l.contains("torn") || l.contains("damaged"));
        }
    }

    @Test
    @RequiresBinary("nats-server")
    void archivesOfNatsServerAndOursDoNotCrossAndSayWhy(@TempDir Path tmp) throws Exception {
        byte[] theirs;
        byte[] ours;
        String natsServerOnOurs;
        String oursOnNatsServer;
        try (JetStreamClientEndToEndTest.Reference ref = new JetStreamClientEndToEndTest.Reference(tmp.resolve("ref"),
                tmp.resolve("nats-server.log")); Connection nc = connect(ref)) {
            theirs = smallStreamSnapshot(new SnapshotProtocolClient(nc));
        }
        try (JetStreamClientEndToEndTest.Ours o = new JetStreamClientEndToEndTest.Ours(tmp.resolve("ours"));
             Connection nc = connect(o)) {
            SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
            ours = smallStreamSnapshot(c);
            c.request("$JS.API.STREAM.DELETE.S", "");
            natsServerOnOurs = c.restore("S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}", theirs, 1000).result();
        }
        try (JetStreamClientEndToEndTest.Reference ref = new JetStreamClientEndToEndTest.Reference(tmp.resolve("ref2"),
                tmp.resolve("nats-server2.log")); Connection nc = connect(ref)) {
            oursOnNatsServer = new SnapshotProtocolClient(nc).restore("S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}",
                    ours, 1000).result();
        }
        assertThat(natsServerOnOurs).isEqualTo("{\"type\":\"io.nats.jetstream.api.v1.stream_create_response\",\"error\":"
                + "{\"code\":500,\"err_code\":10062,\"description\":\"restore failed: snapshot made by nats-server (S2 "
                + "archive of its file store), NATS Boot restores only its own snapshots\"}}");
        // nats-server reads our Snappy framing and tar, then misses its own metadata file
        assertThat(oursOnNatsServer).contains("\"err_code\":10062", "restore failed: open ",
                "meta.inf: no such file or directory");
    }

    private static byte[] smallStreamSnapshot(SnapshotProtocolClient c) throws Exception {
        c.request("$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}");
        c.request("s.1", "one");
        SnapshotProtocolClient.Snapshot s = c.snapshot("S", "");
        assertThat(s.archive()).isNotEmpty();
        return s.archive();
    }

    private static Connection connect(JetStreamClientEndToEndTest.Side side) throws Exception {
        return Nats.connect(new Options.Builder().server(side.url()).noReconnect().build());
    }

    private static List<Message> fetch(Connection nc, String consumer, int n) throws Exception {
        Subscription s = nc.subscribe(nc.createInbox());
        nc.publish("$JS.API.CONSUMER.MSG.NEXT.ORDERS." + consumer, s.getSubject(),
                Integer.toString(n).getBytes(StandardCharsets.UTF_8));
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = s.nextMessage(Duration.ofSeconds(5));
            assertThat(m).as("message " + i + " of " + n).isNotNull();
            out.add(m);
        }
        s.unsubscribe();
        return out;
    }

    private static String streamInfo(SnapshotProtocolClient c) throws Exception {
        return SnapshotProtocolClient.canonical(c.request("$JS.API.STREAM.INFO.ORDERS", "{\"deleted_details\":true}"),
                NONE);
    }

    /**
     * Consumer info without what changes with time alone; {@code last_active} is not kept by a restore or a
     * restart (nats-server 2.9.10 does not keep it either).
     */
    @SuppressWarnings("unchecked")
    private static String consumerInfo(SnapshotProtocolClient c, String name) throws Exception {
        Map<String, Object> m = Json.parseObject(c.request("$JS.API.CONSUMER.INFO.ORDERS." + name, ""));
        m.remove("push_bound");
        ((Map<String, Object>) m.get("delivered")).remove("last_active");
        ((Map<String, Object>) m.get("ack_floor")).remove("last_active");
        return SnapshotProtocolClient.canonical(io.natsboot.server.jetstream.JsonOut.write(m), Set.of("active",
                "last_active"));
    }

    /** Some messages by sequence: present ones with their content digest, deleted ones as errors. */
    private static List<String> sample(SnapshotProtocolClient c) throws Exception {
        List<String> out = new ArrayList<>();
        for (int seq : new int[] {1, 2, 10, 20, 1000, 2000, 2047, 2048, 2049, 2499, 2500}) {
            Map<String, Object> m = Json.parseObject(c.request("$JS.API.STREAM.MSG.GET.ORDERS", "{\"seq\":" + seq + "}"));
            out.add(seq + " " + (m.containsKey("message") ? digest(m.get("message").toString()) : m.get("error")));
        }
        return out;
    }

    private static String digest(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
