package io.natsboot.server.jetstream;

import io.natsboot.server.jetstream.store.FileStoreOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Streams, messages and consumer positions survive a restart of our JetStream on the same store directory. */
class JetStreamRestartTest {
    @TempDir
    Path dir;
    private final LoopbackTransport transport = new LoopbackTransport();
    private final CapturingLog log = new CapturingLog();
    private JetStream js;

    private FileStoreOptions storeOptions = FileStoreOptions.DEFAULTS;

    private void start() throws Exception {
        js = new JetStream(new JetStream.Options(dir, -1, -1, "", storeOptions), transport, log);
        js.enableAccount("$G");
    }

    @AfterEach
    void stop() {
        if (js != null) {
            js.close();
        }
    }

    /** A request through the loopback; returns the replies received within the wait. */
    private List<String> request(String subject, String body, int expect) throws Exception {
        return request(subject, null, body, expect);
    }

    private List<String> request(String subject, String headers, String body, int expect) throws Exception {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        String inbox = "_INBOX." + System.nanoTime();
        List<String> replies = new ArrayList<>();
        JetStreamTransport.Subscription sub = transport.subscribe("$G", inbox, (s, r, h, p) -> {
            synchronized (replies) {
                replies.add(r);
            }
            q.add(s + "|" + (h == null ? "" : new String(h, StandardCharsets.UTF_8).trim()) + "|"
                    + new String(p, StandardCharsets.UTF_8));
        });
        transport.publish("$G", subject, inbox, headers == null ? null : headers.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < expect; i++) {
            String m = q.poll(3, TimeUnit.SECONDS);
            if (m == null) {
                break;
            }
            out.add(m);
        }
        sub.unsubscribe();
        lastReplies = replies;
        return out;
    }

    private List<String> lastReplies;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String reply) {
        return (Map<String, Object>) Json.parse(reply.substring(reply.lastIndexOf('|') + 1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void streamsMessagesAndConsumersComeBack() throws Exception {
        start();
        request("$JS.API.STREAM.CREATE.R", "{\"name\":\"R\",\"subjects\":[\"r.>\"],\"max_msgs_per_subject\":5}", 1);
        request("$JS.API.STREAM.CREATE.MEM", "{\"name\":\"MEM\",\"storage\":\"memory\"}", 1);
        for (int i = 1; i <= 20; i++) {
            assertThat(request("r." + (i % 4), "m" + i, 1).get(0)).endsWith("\"seq\":" + i + "}");
        }
        request("$JS.API.STREAM.MSG.DELETE.R", "{\"seq\":19}", 1);
        request("$JS.API.CONSUMER.DURABLE.CREATE.R.W", "{\"stream_name\":\"R\",\"config\":{\"durable_name\":\"W\","
                + "\"ack_policy\":\"explicit\"}}", 1);
        assertThat(request("$JS.API.CONSUMER.MSG.NEXT.R.W", "{\"batch\":3}", 3)).hasSize(3);
        List<String> acks = lastReplies;
        transport.publish("$G", acks.get(0), null, null, "+ACK".getBytes());
        transport.publish("$G", acks.get(1), null, null, "+ACK".getBytes());
        Map<String, Object> infoBefore = json(request("$JS.API.STREAM.INFO.R", "", 1).get(0));
        Map<String, Object> consumerBefore = json(request("$JS.API.CONSUMER.INFO.R.W", "", 1).get(0));
        js.close();

        start();
        Map<String, Object> infoAfter = json(request("$JS.API.STREAM.INFO.R", "", 1).get(0));
        assertThat(infoAfter.get("state")).isEqualTo(infoBefore.get("state"));
        assertThat(infoAfter.get("config")).isEqualTo(infoBefore.get("config"));
        assertThat(infoAfter.get("created")).isEqualTo(infoBefore.get("created"));
        assertThat(json(request("$JS.API.STREAM.INFO.MEM", "", 1).get(0)).get("error"))
                .isEqualTo(Map.of("code", 404L, "err_code", 10059L, "description", "stream not found"));
        Map<String, Object> consumerAfter = json(request("$JS.API.CONSUMER.INFO.R.W", "", 1).get(0));
        for (String k : List.of("config", "num_ack_pending", "num_pending")) {
            assertThat(consumerAfter.get(k)).as(k).isEqualTo(consumerBefore.get(k));
        }
        for (String k : List.of("delivered", "ack_floor")) {
            for (String seq : List.of("stream_seq", "consumer_seq")) {
                assertThat(((Map<String, Object>) consumerAfter.get(k)).get(seq)).as(k + "." + seq)
                        .isEqualTo(((Map<String, Object>) consumerBefore.get(k)).get(seq));
            }
        }
        // The third message still waits for its ack; the next pull continues with stream sequence 4.
        List<String> next = request("$JS.API.CONSUMER.MSG.NEXT.R.W", "{\"batch\":1}", 1);
        assertThat(next).hasSize(1);
        assertThat(lastReplies.get(0)).startsWith("$JS.ACK.R.W.1.4.4.");
        assertThat(request("r.9", "m21", 1).get(0)).endsWith("\"seq\":21}");
    }

    private static String header(String name, String value) {
        return "NATS/1.0\r\n" + name + ": " + value + "\r\n\r\n";
    }

    /**
     * A stream over many blocks, restarted: its state comes from block summaries, the duplicate window and the last
     * message id (read back on the first publish) still hold, and per-subject lookups and limits reach old blocks.
     */
    @Test
    @SuppressWarnings("unchecked")
    void duplicateWindowAndPerSubjectStateSurviveARestartOverManyBlocks() throws Exception {
        storeOptions = new FileStoreOptions(4096, false, java.time.Duration.ofMinutes(2));
        start();
        request("$JS.API.STREAM.CREATE.D", "{\"name\":\"D\",\"subjects\":[\"d.>\"],\"max_msgs_per_subject\":3}", 1);
        for (int i = 1; i <= 300; i++) {
            assertThat(request("d." + (i % 10), header("Nats-Msg-Id", "id-" + i), "payload-" + i + "-"
                    + "x".repeat(100), 1).get(0)).endsWith("\"seq\":" + i + "}");
        }
        Map<String, Object> before = json(request("$JS.API.STREAM.INFO.D", "", 1).get(0));
        js.close();

        start();
        Map<String, Object> after = json(request("$JS.API.STREAM.INFO.D", "", 1).get(0));
        assertThat(after.get("state")).isEqualTo(before.get("state"));
        assertThat(((Map<String, Object>) after.get("state")).get("messages")).isEqualTo(30L);
        // last by subject, for a subject whose messages are all in older blocks than the last one
        Map<String, Object> got = json(request("$JS.API.STREAM.MSG.GET.D", "{\"last_by_subj\":\"d.1\"}", 1).get(0));
        assertThat(((Map<String, Object>) got.get("message")).get("seq")).isEqualTo(291L);
        // the duplicate window came back: a re-sent id is acknowledged as a duplicate of its first sequence
        assertThat(request("d.0", header("Nats-Msg-Id", "id-300"), "again", 1).get(0))
                .contains("\"seq\":300").contains("\"duplicate\": true");
        assertThat(request("d.5", header("Nats-Expected-Last-Msg-Id", "id-300"), "next", 1).get(0))
                .endsWith("\"seq\":301}");
        // the per-subject limit applies across blocks: d.5 keeps its newest three
        Map<String, Object> info = json(request("$JS.API.STREAM.INFO.D", "{\"subjects_filter\":\"d.5\"}", 1).get(0));
        assertThat(((Map<String, Object>) ((Map<String, Object>) info.get("state")).get("subjects")).get("d.5"))
                .isEqualTo(3L);
        Map<String, Object> oldest = json(request("$JS.API.STREAM.MSG.GET.D", "{\"seq\":275}", 1).get(0));
        assertThat(oldest.get("error")).isNotNull();
        assertThat(log.lines()).noneMatch(l -> l.startsWith("[ERR]") || l.startsWith("[WRN]"));
    }
}
