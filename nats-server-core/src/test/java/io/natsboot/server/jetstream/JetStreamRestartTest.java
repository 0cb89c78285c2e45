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

    private void start() throws Exception {
        js = new JetStream(new JetStream.Options(dir, -1, -1, "", FileStoreOptions.DEFAULTS), transport, log);
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
        transport.publish("$G", subject, inbox, null, body.getBytes(StandardCharsets.UTF_8));
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
}
