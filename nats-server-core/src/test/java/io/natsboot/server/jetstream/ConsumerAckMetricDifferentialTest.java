package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.JetStreamOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import io.natsboot.server.support.RequiresBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sampled ack metrics ({@code $JS.EVENT.METRIC.CONSUMER.ACK.<stream>.<consumer>}, consumer {@code sample_freq})
 * against nats-server 2.9.10 and ours, over plain NATS messages: which acks are sampled (explicit acks of pending
 * messages: +ACK, empty, +NXT, a redelivery's ack; not naks, terms, double acks, ack-all or unsampled consumers),
 * the metric's fields, the domain when one is set, and the 10095 answers to unparsable frequencies.
 */
class ConsumerAckMetricDifferentialTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    private static final Set<String> MASKED = Set.of("id", "timestamp", "ack_time", "created");

    @Test
    @RequiresBinary("nats-server")
    void ackMetricsAreSampledAndShapedAsNatsServerSendsThem(@TempDir Path tmp) throws Exception {
        for (String domain : new String[] {"", "hub"}) {
            List<String> theirs;
            Process ref = startReference(tmp.resolve("ref" + domain), domain);
            try {
                theirs = scenario(url(refPort), domain.isEmpty());
            } finally {
                ref.destroy();
                assertTrue(ref.waitFor(10, TimeUnit.SECONDS));
            }
            List<String> ours;
            NatsServer server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).jetstream(
                    new JetStreamOptions(true, tmp.resolve("ours" + domain).toString(), -1, -1,
                            domain.isEmpty() ? null : domain)).build(), new CapturingLog());
            server.start();
            try {
                ours = scenario("nats://127.0.0.1:" + server.port(), domain.isEmpty());
            } finally {
                server.shutdown();
            }
            assertThat(ours).as("domain '" + domain + "'").containsExactlyElementsOf(theirs);
            // +ACK of seq 1, the redelivered seq 2's ack, +NXT of seq 4 (without a domain); nothing else
            assertThat(ours.stream().filter(l -> l.startsWith("$JS.EVENT.METRIC.CONSUMER.ACK.T.E ")).count())
                    .isEqualTo(domain.isEmpty() ? 3 : 2);
            assertThat(ours.stream().filter(l -> l.startsWith("$JS.EVENT.METRIC")).count())
                    .isEqualTo(domain.isEmpty() ? 3 : 2);
            assertThat(String.join("\n", ours)).contains("io.nats.jetstream.metric.v1.consumer_ack")
                    .contains(domain.isEmpty() ? "stream_seq=2" : "domain=hub");
        }
    }

    @Test
    void halfTheAcksAreSampledAtFiftyPercent(@TempDir Path tmp) throws Exception {
        NatsServer server = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(0).jetstream(
                new JetStreamOptions(true, tmp.toString(), -1, -1, null)).build(), new CapturingLog());
        server.start();
        try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port())
                .noReconnect().build())) {
            Subscription metrics = nc.subscribe("$JS.EVENT.METRIC.CONSUMER.ACK.H.C");
            request(nc, "$JS.API.STREAM.CREATE.H", "{\"name\":\"H\",\"subjects\":[\"h\"]}");
            for (int i = 0; i < 400; i++) {
                nc.publish("h", new byte[0]);
            }
            request(nc, "$JS.API.CONSUMER.DURABLE.CREATE.H.C", "{\"stream_name\":\"H\",\"config\":{\"durable_name\":"
                    + "\"C\",\"ack_policy\":\"explicit\",\"sample_freq\":\"50\"}}");
            for (Message m : fetch(nc, "H", "C", 400)) {
                nc.publish(m.getReplyTo(), "+ACK".getBytes(StandardCharsets.UTF_8));
            }
            request(nc, "$JS.API.CONSUMER.INFO.H.C", ""); // after the acks on the same connection
            int sampled = 0;
            while (metrics.nextMessage(Duration.ofMillis(300)) != null) {
                sampled++;
            }
            // nats-server samples a draw in [0, 100) <= 50: 51% expected; 400 acks put 204 +- 10 (one sd)
            assertThat(sampled).isBetween(140, 270);
        } finally {
            server.shutdown();
        }
    }

    private static int refPort;

    private static Process startReference(Path dir, String domain) throws Exception {
        assertTrue(Files.isExecutable(NATS_SERVER), "this test needs the real nats-server at " + NATS_SERVER
                + " (Debian package nats-server)");
        Files.createDirectories(dir);
        Path conf = dir.resolve("js.conf");
        Files.writeString(conf, "jetstream { store_dir: \"" + dir.resolve("store") + "\""
                + (domain.isEmpty() ? "" : ", domain: " + domain) + " }\n");
        refPort = Ports.free();
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(refPort), "-c",
                conf.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        Ports.awaitListening(refPort);
        return p;
    }

    private static String url(int port) {
        return "nats://127.0.0.1:" + port;
    }

    private static List<String> scenario(String url, boolean full) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Connection nc = Nats.connect(new Options.Builder().server(url).noReconnect().build())) {
            Subscription metrics = nc.subscribe("$JS.EVENT.METRIC.>");
            request(nc, "$JS.API.STREAM.CREATE.T", "{\"name\":\"T\",\"subjects\":[\"t.>\"]}");
            for (int i = 0; i < 5; i++) {
                request(nc, "t." + i, "x" + i);
            }
            if (full) {
                for (String sf : new String[] {"abc", "-5", "1.5", " 5", "%", "99999999999999999999", "150", "+7"}) {
                    seen.add("sample_freq '" + sf + "' -> " + canon(request(nc, "$JS.API.CONSUMER.DURABLE.CREATE.T.C",
                            "{\"stream_name\":\"T\",\"config\":{\"durable_name\":\"C\",\"ack_policy\":\"explicit\","
                                    + "\"sample_freq\":\"" + sf + "\"}}")));
                    request(nc, "$JS.API.CONSUMER.DELETE.T.C", "");
                }
            }
            consumer(nc, "E", "explicit", "100%");
            List<Message> got = fetch(nc, "T", "E", 3);
            ack(nc, got.get(0), "+ACK");
            ack(nc, got.get(1), "-NAK");
            ack(nc, got.get(2), "+TERM");
            ack(nc, got.get(0), "+ACK"); // a double ack: nothing pending any more
            Message redelivered = fetch(nc, "T", "E", 1).get(0);
            seen.add("redelivered " + redelivered.metaData().streamSequence() + " x" + redelivered.metaData().deliveredCount());
            ack(nc, redelivered, "");
            if (full) {
                Message fourth = fetch(nc, "T", "E", 1).get(0);
                Subscription next = nc.subscribe(nc.createInbox());
                nc.publish(fourth.getReplyTo(), next.getSubject(), "+NXT".getBytes(StandardCharsets.UTF_8));
                Message fifth = next.nextMessage(Duration.ofSeconds(5));
                seen.add("+NXT gave " + (fifth == null ? "none" : fifth.getSubject()));
                next.unsubscribe();
                for (String[] c : new String[][] {{"A", "all", "100"}, {"N", "explicit", "0"}, {"Z", "explicit", ""}}) {
                    consumer(nc, c[0], c[1], c[2]);
                    for (Message m : fetch(nc, "T", c[0], 2)) {
                        ack(nc, m, "+ACK");
                    }
                }
            }
            request(nc, "$JS.API.STREAM.INFO.T", "");
            for (Message m = metrics.nextMessage(Duration.ofMillis(500)); m != null;
                 m = metrics.nextMessage(Duration.ofMillis(300))) {
                String body = new String(m.getData(), StandardCharsets.UTF_8);
                long ackTime = ((Number) Json.parseObject(body).get("ack_time")).longValue();
                seen.add(m.getSubject() + " " + canon(body) + " ack_time>0=" + (ackTime > 0)
                        + " ack_time<10s=" + (ackTime < 10_000_000_000L) + " header=" + (m.getHeaders() != null));
            }
        }
        return seen;
    }

    private static void consumer(Connection nc, String name, String ackPolicy, String sampleFreq) throws Exception {
        String answer = request(nc, "$JS.API.CONSUMER.DURABLE.CREATE.T." + name, "{\"stream_name\":\"T\",\"config\":"
                + "{\"durable_name\":\"" + name + "\",\"ack_policy\":\"" + ackPolicy + "\""
                + (sampleFreq.isEmpty() ? "" : ",\"sample_freq\":\"" + sampleFreq + "\"") + "}}");
        assertThat(answer).doesNotContain("\"error\"");
    }

    /** An ack as a request (the server answers acks that carry a reply), so it is handled before the next step. */
    private static void ack(Connection nc, Message m, String body) throws Exception {
        Subscription s = nc.subscribe(nc.createInbox());
        nc.publish(m.getReplyTo(), s.getSubject(), body.getBytes(StandardCharsets.UTF_8));
        s.nextMessage(Duration.ofSeconds(2));
        s.unsubscribe();
    }

    private static List<Message> fetch(Connection nc, String stream, String consumer, int n) throws Exception {
        Subscription s = nc.subscribe(nc.createInbox());
        nc.publish("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer, s.getSubject(),
                Integer.toString(n).getBytes(StandardCharsets.UTF_8));
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = s.nextMessage(Duration.ofSeconds(5));
            assertThat(m).as("message " + (i + 1) + " of " + n).isNotNull();
            out.add(m);
        }
        s.unsubscribe();
        return out;
    }

    private static String request(Connection nc, String subject, String body) throws Exception {
        Message m = nc.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    private static String canon(String json) {
        Map<String, Object> m = Json.parseObject(json);
        return SnapshotProtocolClient.canonical(io.natsboot.server.jetstream.JsonOut.write(m), MASKED);
    }
}
