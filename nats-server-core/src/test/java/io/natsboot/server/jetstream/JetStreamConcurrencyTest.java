package io.natsboot.server.jetstream;

import io.natsboot.server.support.CapturingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishers, a limit that removes old messages, a push consumer acking everything and a pull consumer, all at
 * once: nothing deadlocks, every publish is acknowledged, and the consumers end with nothing pending.
 */
class JetStreamConcurrencyTest {
    @TempDir
    Path dir;

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    @Test
    void publishersLimitsAndConsumersTogether() throws Exception {
        LoopbackTransport t = new LoopbackTransport();
        JetStream js = new JetStream(new JetStream.Options(dir, -1, -1, "", null), t, new CapturingLog());
        try {
            js.enableAccount("$G");
            CountDownLatch created = new CountDownLatch(3);
            t.subscribe("$G", "_INBOX.admin", (s, r, h, p) -> created.countDown());
            t.publish("$G", "$JS.API.STREAM.CREATE.L", "_INBOX.admin", null,
                    "{\"name\":\"L\",\"subjects\":[\"l.>\"],\"max_msgs\":200}".getBytes(StandardCharsets.UTF_8));
            AtomicInteger pushed = new AtomicInteger();
            t.subscribe("$G", "push.l", (s, r, h, p) -> {
                if (r != null) {
                    pushed.incrementAndGet();
                    t.publish("$G", r, null, null, "+ACK".getBytes());
                }
            });
            t.publish("$G", "$JS.API.CONSUMER.DURABLE.CREATE.L.P", "_INBOX.admin", null,
                    ("{\"stream_name\":\"L\",\"config\":{\"durable_name\":\"P\",\"deliver_subject\":\"push.l\","
                            + "\"ack_policy\":\"explicit\",\"max_ack_pending\":50}}").getBytes(StandardCharsets.UTF_8));
            t.publish("$G", "$JS.API.CONSUMER.DURABLE.CREATE.L.Q", "_INBOX.admin", null,
                    ("{\"stream_name\":\"L\",\"config\":{\"durable_name\":\"Q\",\"ack_policy\":\"explicit\"}}")
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(created.await(10, TimeUnit.SECONDS)).isTrue();

            int publishers = 4;
            int each = 3000;
            AtomicInteger acks = new AtomicInteger();
            AtomicInteger pulled = new AtomicInteger();
            t.subscribe("$G", "_INBOX.pub", (s, r, h, p) -> acks.incrementAndGet());
            t.subscribe("$G", "_INBOX.pull", (s, r, h, p) -> {
                if (r != null && r.startsWith("$JS.ACK.")) {
                    pulled.incrementAndGet();
                    t.publish("$G", r, null, null, "+ACK".getBytes());
                }
            });
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                int id = i;
                threads.add(started(() -> {
                    for (int n = 0; n < each; n++) {
                        t.publish("$G", "l." + id + "." + (n % 7), "_INBOX.pub", null, ("m" + n).getBytes());
                    }
                }));
            }
            // No-wait pulls race the publishers: the puller keeps going (up to 20 s) until one pull found
            // messages, so a puller that ran ahead of every publish on a loaded machine does not end with none.
            long pullUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            threads.add(started(() -> {
                for (int n = 0; n < 300 || (pulled.get() == 0 && System.nanoTime() < pullUntil); n++) {
                    t.publish("$G", "$JS.API.CONSUMER.MSG.NEXT.L.Q", "_INBOX.pull", null,
                            "{\"batch\":20,\"no_wait\":true}".getBytes());
                }
            }));
            for (Thread th : threads) {
                th.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(th.isAlive()).as("a thread is stuck (deadlock?)").isFalse();
            }
            assertThat(acks.get()).isEqualTo(publishers * each);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String info = "";
            while (System.nanoTime() < deadline) {
                CountDownLatch got = new CountDownLatch(1);
                String[] out = new String[1];
                JetStreamTransport.Subscription sub = t.subscribe("$G", "_INBOX.info", (s, r, h, p) -> {
                    out[0] = new String(p, StandardCharsets.UTF_8);
                    got.countDown();
                });
                t.publish("$G", "$JS.API.CONSUMER.INFO.L.P", "_INBOX.info", null, new byte[0]);
                got.await(5, TimeUnit.SECONDS);
                sub.unsubscribe();
                info = out[0];
                if (info != null && info.contains("\"num_ack_pending\":0") && info.contains("\"num_pending\":0")) {
                    break;
                }
                Thread.onSpinWait();
            }
            assertThat(info).contains("\"num_ack_pending\":0").contains("\"num_pending\":0");
            assertThat(pushed.get()).isGreaterThan(0);
            assertThat(pulled.get()).isGreaterThan(0);
        } finally {
            js.close();
        }
    }
}
