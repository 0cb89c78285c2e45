package io.natsboot.server.jetstream;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.natsboot.server.protocol.Json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot and restore over plain NATS messages, the way the {@code nats} CLI (jsm.go) drives them: the API
 * request, the chunks on the deliver subject each answered with an empty message to its reply subject, the empty
 * message that ends the archive; for restore the chunks published to the deliver subject of the answer, each as
 * a request, and the empty request that ends it and gets the stream's create answer.
 */
final class SnapshotProtocolClient {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final Connection nc;

    SnapshotProtocolClient(Connection nc) {
        this.nc = nc;
    }

    /** A request and its one answer (body, or "status=NNN" for a status message, or "timeout"). */
    String request(String subject, String body) throws Exception {
        Subscription s = nc.subscribe(nc.createInbox());
        nc.publish(subject, s.getSubject(), body.getBytes(StandardCharsets.UTF_8));
        Message m = s.nextMessage(WAIT);
        s.unsubscribe();
        return describe(m);
    }

    static String describe(Message m) {
        if (m == null) {
            return "timeout";
        }
        if (m.isStatusMessage()) {
            return "status=" + m.getStatus().getCode();
        }
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    /** What a snapshot gave the client. */
    record Snapshot(String answer, byte[] archive, List<String> chunkReplies, List<Integer> chunkSizes,
                    String endReply) {
    }

    /** Requests a snapshot of {@code stream} to a fresh deliver subject and receives it, acking every chunk. */
    Snapshot snapshot(String stream, String options) throws Exception {
        String deliver = "snap." + nc.createInbox().substring(7);
        Subscription chunks = nc.subscribe(deliver);
        nc.flush(WAIT);
        String body = "{\"deliver_subject\":\"" + deliver + "\"" + (options.isEmpty() ? "" : "," + options) + "}";
        String answer = request("$JS.API.STREAM.SNAPSHOT." + stream, body);
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        List<String> replies = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String endReply = "none";
        if (!answer.contains("\"error\"")) {
            while (true) {
                Message m = chunks.nextMessage(WAIT);
                if (m == null) {
                    endReply = "timeout";
                    break;
                }
                if (m.getData() == null || m.getData().length == 0) {
                    endReply = m.getReplyTo() == null ? "" : m.getReplyTo();
                    break;
                }
                archive.write(m.getData());
                replies.add(m.getReplyTo());
                sizes.add(m.getData().length);
                nc.publish(m.getReplyTo(), new byte[0]);
            }
        }
        chunks.unsubscribe();
        return new Snapshot(answer, archive.toByteArray(), replies, sizes, endReply);
    }

    /** What a restore gave the client. */
    record Restore(String answer, List<String> chunkAnswers, String result) {
    }

    /** Restores {@code archive} as {@code stream} with {@code config} (JSON), {@code chunk} bytes at a time. */
    Restore restore(String stream, String config, byte[] archive, int chunk) throws Exception {
        String answer = request("$JS.API.STREAM.RESTORE." + stream, "{\"config\":" + config + "}");
        List<String> acks = new ArrayList<>();
        if (answer.contains("\"error\"")) {
            return new Restore(answer, acks, "none");
        }
        String deliver = (String) Json.parseObject(answer).get("deliver_subject");
        for (int i = 0; i < archive.length; i += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(archive, i, Math.min(archive.length, i + chunk));
            Subscription s = nc.subscribe(nc.createInbox());
            nc.publish(deliver, s.getSubject(), part);
            acks.add(describe(s.nextMessage(WAIT)));
            s.unsubscribe();
        }
        String result = request(deliver, "");
        return new Restore(answer, acks, result);
    }

    /** Collects messages on a subject (advisories) in arrival order. */
    static final class Listener implements AutoCloseable {
        private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
        private final io.nats.client.Dispatcher d;
        private final Connection nc;

        Listener(Connection nc, String subject) throws Exception {
            this.nc = nc;
            d = nc.createDispatcher(queue::add);
            d.subscribe(subject);
            nc.flush(WAIT);
        }

        /**
         * Messages until none came for {@code quietMs}, as "subject json", sorted: nats-server publishes some
         * advisories from different goroutines, so their order between subjects varies from run to run.
         */
        List<String> drain(long quietMs, Set<String> masked) throws Exception {
            List<String> out = new ArrayList<>();
            for (Message m = queue.poll(quietMs, TimeUnit.MILLISECONDS); m != null;
                 m = queue.poll(quietMs, TimeUnit.MILLISECONDS)) {
                out.add(m.getSubject() + " " + canonical(new String(m.getData(), StandardCharsets.UTF_8), masked));
            }
            out.sort(null);
            return out;
        }

        @Override
        public void close() {
            nc.closeDispatcher(d);
        }
    }

    /** JSON with the named fields' values replaced and keys sorted; other text as it is. */
    static String canonical(String text, Set<String> masked) {
        if (!text.startsWith("{")) {
            return text;
        }
        return String.valueOf(mask(Json.parse(text), masked));
    }

    @SuppressWarnings("unchecked")
    private static Object mask(Object v, Set<String> masked) {
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> t = new TreeMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                t.put(e.getKey(), masked.contains(e.getKey()) ? "<masked>" : mask(e.getValue(), masked));
            }
            return t;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(mask(o, masked));
            }
            return out;
        }
        return v;
    }
}
