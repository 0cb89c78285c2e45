package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.jetstream.store.FileStoreOptions;
import io.natsboot.server.jetstream.store.StoreCipher;
import io.natsboot.server.support.CapturingLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turning encryption on for a store with plain streams: the stream comes back sealed with the same messages,
 * gaps, first sequence and consumer position; an encryption cut short (a leftover work copy, or a crash between
 * the two renames) is finished or undone at the next start.
 */
class StreamEncrypterTest {
    @TempDir
    Path dir;
    private final LoopbackTransport transport = new LoopbackTransport();
    private final CapturingLog log = new CapturingLog();
    private JetStream js;

    private void start(StoreCipher kek) throws Exception {
        js = new JetStream(new JetStream.Options(dir, -1, -1, "", FileStoreOptions.DEFAULTS, kek), transport, log);
        js.enableAccount("$G");
    }

    @AfterEach
    void stop() {
        if (js != null) {
            js.close();
        }
    }

    private String request(String subject, String body) throws Exception {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        String inbox = "_INBOX." + System.nanoTime();
        JetStreamTransport.Subscription sub = transport.subscribe("$G", inbox,
                (s, r, h, p) -> q.add(new String(p, StandardCharsets.UTF_8)));
        transport.publish("$G", subject, inbox, null, body.getBytes(StandardCharsets.UTF_8));
        String m = q.poll(3, TimeUnit.SECONDS);
        sub.unsubscribe();
        return m;
    }

    /** What must not change: stream state with its gaps, some messages, the consumer's position. */
    private String observe() throws Exception {
        return request("$JS.API.STREAM.INFO.E", "{\"deleted_details\":true}").replaceAll("\"created\":\"[^\"]*\"", "")
                + "\n" + request("$JS.API.STREAM.MSG.GET.E", "{\"seq\":5}")
                + "\n" + request("$JS.API.STREAM.MSG.GET.E", "{\"seq\":6}")
                + "\n" + request("$JS.API.CONSUMER.INFO.E.D", "").replaceAll("\"created\":\"[^\"]*\"", "")
                        .replaceAll(",\"last_active\":\"[^\"]*\"", ""); // not kept across restarts (as nats-server)
    }

    private Path streams() {
        return dir.resolve("jetstream").resolve("$G").resolve("streams");
    }

    private void plainStream() throws Exception {
        start(null);
        request("$JS.API.STREAM.CREATE.E", "{\"name\":\"E\",\"subjects\":[\"e.>\"]}");
        for (int i = 1; i <= 10; i++) {
            assertThat(request("e." + i, "payload-" + i)).contains("\"seq\":" + i);
        }
        request("$JS.API.STREAM.MSG.DELETE.E", "{\"seq\":5}");
        request("$JS.API.STREAM.PURGE.E", "{\"seq\":3}");
        request("$JS.API.CONSUMER.DURABLE.CREATE.E.D",
                "{\"stream_name\":\"E\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"none\"}}");
        assertThat(request("$JS.API.CONSUMER.MSG.NEXT.E.D", "1")).isEqualTo("payload-3");
    }

    @Test
    void aPlainStreamComesBackSealedWithTheSameState() throws Exception {
        plainStream();
        String before = observe();
        assertThat(before).contains("\"first_seq\":3", "\"deleted\":[5]", "\"data\":\"cGF5bG9hZC02\""); // payload-6
        js.close();

        StoreCipher kek = StoreCipher.forServerKey("s3cr3t", StoreCipher.Kind.CHACHA);
        start(kek);
        assertThat(log.lines()).contains("[INF]   Encrypting stream '$G > E'");
        assertThat(observe()).isEqualTo(before);
        assertThat(Files.exists(streams().resolve("E").resolve(StreamKeys.FILE))).isTrue();
        assertThat(new String(Files.readAllBytes(streams().resolve("E").resolve("msgs").resolve("1.blk")),
                StandardCharsets.ISO_8859_1)).doesNotContain("payload-");
        js.close();

        log.lines().clear();
        start(kek);
        assertThat(log.lines()).noneMatch(l -> l.contains("Encrypting"));
        assertThat(observe()).isEqualTo(before);
        assertThat(request("e.x", "after")).contains("\"seq\":11");
    }

    @Test
    void anEncryptionCutShortIsFinishedOrUndoneAtTheNextStart() throws Exception {
        plainStream();
        String before = observe();
        js.close();
        StoreCipher kek = StoreCipher.forServerKey("s3cr3t", StoreCipher.Kind.AES);

        // a work copy left by a crash while it was being built: dropped, the plain stream encrypted again
        Files.createDirectories(streams().resolve("E.encrypting").resolve("msgs"));
        Files.writeString(streams().resolve("E.encrypting").resolve("meta.json"), "half");
        start(kek);
        assertThat(observe()).isEqualTo(before);
        js.close();

        // a crash between the two renames: the sealed copy is in place of the stream at the next start
        Path e = streams().resolve("E");
        Files.move(e, streams().resolve("E.encrypting"));
        Files.createDirectories(streams().resolve("E.plain"));
        start(kek);
        assertThat(observe()).isEqualTo(before);
        try (var left = Files.list(streams())) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("E");
        }
    }
}
