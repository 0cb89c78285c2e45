package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.CapturingLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external mirror against a scripted origin (the test answers the copy consumer's create request and sends the
 * deliveries): the request nats-server 2.9.10 sends, the origin's sequences kept, flow control answered, and a lost
 * delivery (a jump in the consumer sequence, or a heartbeat naming a later one) makes a new consumer from the next
 * sequence needed.
 */
class ExternalSourceTest {
    @TempDir
    Path dir;
    private final LoopbackTransport t = new LoopbackTransport();
    private JetStream js;
    /** Create requests the mirror sent: "subject body". */
    private final BlockingQueue<String[]> creates = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        js = new JetStream(new JetStream.Options(dir, -1, -1, "", null), t, new CapturingLog());
        js.enableAccount("$G");
        t.subscribe("$G", "$JS.far.API.CONSUMER.CREATE.>", (s, r, h, p) ->
                creates.add(new String[] {s, new String(p, StandardCharsets.UTF_8), r}));
    }

    @AfterEach
    void stop() {
        js.close();
    }

    private String[] nextCreate() throws InterruptedException {
        String[] c = creates.poll(5, TimeUnit.SECONDS);
        assertThat(c).as("a consumer create request").isNotNull();
        return c;
    }

    private static String deliverSubject(String body) {
        int i = body.indexOf("\"deliver_subject\":\"") + 19;
        return body.substring(i, body.indexOf('"', i));
    }

    private void answerOk(String[] create) {
        t.publish("$G", create[2], null, null,
                "{\"type\":\"io.nats.jetstream.api.v1.consumer_create_response\",\"name\":\"X\"}".getBytes());
    }

    private void deliver(String to, long sseq, long dseq) {
        t.publish("$G", to, "$JS.ACK.O.X.1." + sseq + "." + dseq + ".1796669445672343715.0", null,
                ("m" + sseq).getBytes(StandardCharsets.UTF_8));
    }

    private long lastSeq() {
        return js.account("$G").stream("M").store.state().lastSeq();
    }

    @Test
    void aMirrorCopiesAndStartsAgainAfterALostDelivery() throws Exception {
        t.publish("$G", "$JS.API.STREAM.CREATE.M", "_INBOX.c", null, ("{\"name\":\"M\",\"storage\":\"memory\","
                + "\"mirror\":{\"name\":\"O\",\"external\":{\"api\":\"$JS.far.API\",\"deliver\":\"\"}}}")
                .getBytes(StandardCharsets.UTF_8));
        String[] first = nextCreate();
        assertThat(first[0]).isEqualTo("$JS.far.API.CONSUMER.CREATE.O");
        assertThat(first[1]).startsWith("{\"stream_name\":\"O\",\"config\":{\"deliver_policy\":\"all\","
                + "\"ack_policy\":\"none\",\"ack_wait\":79200000000000,\"max_deliver\":1,\"replay_policy\":\"instant\","
                + "\"idle_heartbeat\":1000000000,\"flow_control\":true,\"deliver_subject\":\"$JS.M.")
                .endsWith("\",\"num_replicas\":0,\"direct\":true}}");
        assertThat(first[2]).startsWith("$JSC.R.");
        answerOk(first);
        String to = deliverSubject(first[1]);
        deliver(to, 1, 1);
        deliver(to, 2, 2);
        assertThat(lastSeq()).isEqualTo(2);

        // flow control: answered on its reply subject
        BlockingQueue<String> fc = new LinkedBlockingQueue<>();
        t.subscribe("$G", "$JS.FC.O.X.*", (s, r, h, p) -> fc.add(s));
        t.publish("$G", to, "$JS.FC.O.X.abc", NatsHeaders.build("100 FlowControl Request"), new byte[0]);
        assertThat(fc.poll(5, TimeUnit.SECONDS)).isEqualTo("$JS.FC.O.X.abc");

        // delivery 3 lost: 4 arrives, nothing stored, a new consumer from origin sequence 3
        deliver(to, 4, 4);
        assertThat(lastSeq()).isEqualTo(2);
        String[] again = nextCreate();
        assertThat(again[1]).contains("\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":3,");
        answerOk(again);
        String to2 = deliverSubject(again[1]);
        assertThat(to2).isNotEqualTo(to);
        deliver(to2, 3, 1);
        deliver(to2, 4, 2);
        assertThat(lastSeq()).isEqualTo(4);

        // a heartbeat naming a delivery we never got: a new consumer from origin sequence 5
        t.publish("$G", to2, null, NatsHeaders.build("100 Idle Heartbeat", "Nats-Last-Consumer", "3",
                "Nats-Last-Stream", "5"), new byte[0]);
        assertThat(nextCreate()[1]).contains("\"opt_start_seq\":5,");
        assertThat(js.account("$G").stream("M").store.load(3).data()).isEqualTo("m3".getBytes());
    }
}
