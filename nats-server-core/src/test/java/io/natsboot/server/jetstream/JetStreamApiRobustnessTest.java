package io.natsboot.server.jetstream;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Garbage and wrong-typed requests on every API subject never break a request (no failed-request log line),
 * and the API keeps answering afterwards; an idle ephemeral consumer goes away after its inactive threshold.
 */
class JetStreamApiRobustnessTest {
    @TempDir
    Path dir;
    private final LoopbackTransport t = new LoopbackTransport();
    private final CapturingLog log = new CapturingLog();
    private JetStream js;

    @BeforeEach
    void start() throws Exception {
        js = new JetStream(new JetStream.Options(dir, -1, -1, "", null), t, log);
        js.enableAccount("$G");
    }

    @AfterEach
    void stop() {
        js.close();
    }

    private String request(String subject, String body) throws Exception {
        CountDownLatch got = new CountDownLatch(1);
        String[] out = new String[1];
        String inbox = "_INBOX." + System.nanoTime();
        JetStreamTransport.Subscription sub = t.subscribe("$G", inbox, (s, r, h, p) -> {
            out[0] = (h == null ? "" : new String(h, StandardCharsets.UTF_8)) + new String(p, StandardCharsets.UTF_8);
            got.countDown();
        });
        t.publish("$G", subject, inbox, null, body.getBytes(StandardCharsets.UTF_8));
        got.await(2, TimeUnit.SECONDS);
        sub.unsubscribe();
        return out[0];
    }

    @Test
    void garbageNeverBreaksTheApi() throws Exception {
        assertThat(request("$JS.API.STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"allow_direct\":true}"))
                .contains("did_create");
        request("s.1", "x");
        request("$JS.API.CONSUMER.DURABLE.CREATE.S.D", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"D\"}}");
        List<String> subjects = List.of("$JS.API.INFO", "$JS.API.STREAM.CREATE.S", "$JS.API.STREAM.UPDATE.S",
                "$JS.API.STREAM.INFO.S", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST", "$JS.API.STREAM.PURGE.S",
                "$JS.API.STREAM.MSG.GET.S", "$JS.API.STREAM.MSG.DELETE.S", "$JS.API.DIRECT.GET.S",
                "$JS.API.CONSUMER.CREATE.S", "$JS.API.CONSUMER.CREATE.S.N.s.1", "$JS.API.CONSUMER.DURABLE.CREATE.S.D",
                "$JS.API.CONSUMER.INFO.S.D", "$JS.API.CONSUMER.NAMES.S", "$JS.API.CONSUMER.LIST.S",
                "$JS.API.CONSUMER.MSG.NEXT.S.D", "$JS.API.CONSUMER.DELETE.S.X");
        List<String> bodies = List.of("", "{", "}", "[]", "null", "1", "\"x\"", "{\"name\":[1]}", "{\"config\":5}",
                "{\"stream_name\":\"S\",\"config\":{\"backoff\":[\"x\"],\"opt_start_time\":\"yesterday\"}}",
                "{\"stream_name\":\"S\",\"config\":{\"max_waiting\":99999999999}}", "{\"seq\":-1}", "{\"seq\":1e3}",
                "{\"batch\":-5,\"expires\":-1}", "{\"subjects\":[null,{}]}", "{\"sources\":[1]}", "{\"mirror\":\"m\"}",
                "{\"placement\":{\"tags\":[1]}}", "{\"republish\":{\"src\":1}}", "{\"offset\":\"a\"}",
                "{\"filter\":{},\"keep\":\"1\"}", "{\"last_by_subj\":5}", "\u0000\u0001\u00ff");
        Random r = new Random(3);
        for (String subject : subjects) {
            for (String body : bodies) {
                request(subject, body);
            }
            for (int i = 0; i < 20; i++) {
                byte[] b = new byte[r.nextInt(40)];
                r.nextBytes(b);
                t.publish("$G", subject, "_INBOX.garbage", null, b);
            }
        }
        assertThat(log.lines()).noneMatch(l -> l.contains("failed"));
        assertThat(request("$JS.API.STREAM.INFO.S", "")).contains("\"name\":\"S\"");
        assertThat(request("$JS.API.INFO", "")).contains("account_info_response");
    }

    @Test
    void idleEphemeralConsumerIsRemoved() throws Exception {
        request("$JS.API.STREAM.CREATE.E", "{\"name\":\"E\"}");
        String created = request("$JS.API.CONSUMER.CREATE.E",
                "{\"stream_name\":\"E\",\"config\":{\"inactive_threshold\":200000000}}");
        String name = created.replaceAll(".*\"name\":\"([A-Za-z0-9]{8})\".*", "$1");
        assertThat(request("$JS.API.CONSUMER.INFO.E." + name, "")).contains("\"num_pending\":0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String info = "";
        while (System.nanoTime() < deadline) {
            info = request("$JS.API.CONSUMER.INFO.E." + name, "");
            if (info.contains("10014")) {
                break;
            }
            Thread.onSpinWait();
        }
        assertThat(info).contains("\"err_code\":10014");
    }
}
