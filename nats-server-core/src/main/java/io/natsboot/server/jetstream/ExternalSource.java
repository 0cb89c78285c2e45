package io.natsboot.server.jetstream;

import io.natsboot.server.jetstream.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A mirror or source whose origin is reached through a JetStream API prefix ({@code external.api}: another domain,
 * another account's imported API), as nats-server 2.9.10 copies it: an ordered push consumer made on the origin
 * with a {@code CONSUMER.CREATE} request (ack none, max deliver 1, flow control, a 1 s idle heartbeat,
 * {@code direct}), delivering to {@code <deliver prefix or $JS>.M|S.<random>} in this stream's account. Each
 * delivery's ack reply names its origin sequence and timestamp; flow control requests are answered; when nothing
 * (message or heartbeat) arrives for a while, or the create request failed or went unanswered, the consumer is made
 * again from the next sequence, every 2 s until the origin answers.
 */
final class ExternalSource {
    /** nats-server's sourceHealthCheckInterval: the consumer's idle heartbeat. */
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** No delivery nor heartbeat for this long: the consumer is gone (origin restarted, link down). */
    private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A create request unanswered or refused: tried again after this (nats-server's retry, 2 s observed). */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final char[] CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Stream stream;
    private final JetStream js;
    final StreamConfig.Source source;
    final boolean mirror;
    /** nats-server's index name: {@code <origin>:<hash of the API prefix>} (the Nats-Stream-Source header's). */
    final String indexName;
    private final String api;
    private final String deliverPrefix;

    private JetStreamTransport.Subscription deliveries;
    private JetStreamTransport.Subscription answer;
    private ScheduledFuture<?> health;
    private String deliverSubject;
    /** The next origin sequence wanted (0: start as the source's options say). */
    private long next;
    private long lag;
    /** The copy consumer's last delivery sequence seen (0 after each create): a jump means messages were lost. */
    private long consumerSeq;
    private long requestedAt;
    /** The last delivery or heartbeat (System.nanoTime), 0 while the consumer is not known to run. */
    private volatile long lastActivity;
    /** The origin's error answer to the last create request, shown in stream info. */
    private volatile Map<String, Object> error;
    private boolean stopped;

    ExternalSource(Stream stream, JetStream js, StreamConfig.Source source, boolean mirror) {
        this.stream = stream;
        this.js = js;
        this.source = source;
        this.mirror = mirror;
        String a = source.external.get("api") instanceof String s ? s : "";
        this.api = a.isEmpty() ? "$JS.API" : a;
        String d = source.external.get("deliver") instanceof String s ? s : "";
        this.deliverPrefix = d;
        this.indexName = source.name + ":" + hash(a);
    }

    /** nats-server's getHash: the first 8 bytes of SHA-256, each a base-62 digit. */
    static String hash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            char[] out = new char[8];
            for (int i = 0; i < out.length; i++) {
                out[i] = CHARS[(h[i] & 0xff) % 62];
            }
            return new String(out);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random8() {
        char[] c = new char[8];
        for (int i = 0; i < c.length; i++) {
            c[i] = CHARS[RANDOM.nextInt(CHARS.length)];
        }
        return new String(c);
    }

    /** Starts copying from {@code resumeAt} (0: from the source's start options). */
    synchronized void start(long resumeAt) {
        next = resumeAt;
        create();
        long ms = TimeUnit.NANOSECONDS.toMillis(HEARTBEAT_NANOS);
        health = js.timer().scheduleWithFixedDelay(this::checkHealth, ms, ms, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        stopped = true;
        if (health != null) {
            health.cancel(false);
        }
        cancelSubscriptions();
    }

    private void cancelSubscriptions() {
        if (deliveries != null) {
            deliveries.unsubscribe();
            deliveries = null;
        }
        if (answer != null) {
            answer.unsubscribe();
            answer = null;
        }
    }

    private synchronized void checkHealth() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        long last = lastActivity;
        boolean stalled = last != 0 && now - last > STALLED_NANOS;
        boolean unanswered = last == 0 && now - requestedAt >= RETRY_NANOS;
        if (stalled || unanswered) {
            lastActivity = 0;
            create();
        }
    }

    /** Subscribes a fresh deliver subject and asks the origin for a consumer delivering to it. */
    private void create() {
        cancelSubscriptions();
        consumerSeq = 0;
        String account = stream.account.name;
        deliverSubject = (deliverPrefix.isEmpty() ? "$JS" : deliverPrefix) + (mirror ? ".M." : ".S.") + random8();
        deliveries = js.transport().subscribe(account, deliverSubject, this::onDelivery);
        String inbox = "$JSC.R." + random8();
        answer = js.transport().subscribe(account, inbox, (s, r, h, p) -> onAnswer(inbox, p));
        String filter = source.filterSubject;
        String name = filter.isEmpty() ? "" : "src-" + random8();
        StringBuilder b = new StringBuilder(300).append("{\"stream_name\":");
        io.natsboot.server.protocol.Json.quote(b, source.name);
        b.append(",\"config\":{");
        if (!name.isEmpty()) {
            b.append("\"name\":");
            io.natsboot.server.protocol.Json.quote(b, name);
            b.append(',');
        }
        if (next > 0) {
            b.append("\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":").append(next);
        } else if (source.optStartSeq > 0) {
            b.append("\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":").append(source.optStartSeq);
        } else if (source.optStartTime != null) {
            b.append("\"deliver_policy\":\"by_start_time\",\"opt_start_time\":");
            io.natsboot.server.protocol.Json.quote(b,
                    io.natsboot.server.goformat.GoFormat.rfc3339NanoOrZero(source.optStartTime));
        } else {
            b.append("\"deliver_policy\":\"all\"");
        }
        b.append(",\"ack_policy\":\"none\",\"ack_wait\":79200000000000,\"max_deliver\":1");
        if (!filter.isEmpty()) {
            b.append(",\"filter_subject\":");
            io.natsboot.server.protocol.Json.quote(b, filter);
        }
        b.append(",\"replay_policy\":\"instant\",\"idle_heartbeat\":").append(HEARTBEAT_NANOS)
                .append(",\"flow_control\":true,\"deliver_subject\":");
        io.natsboot.server.protocol.Json.quote(b, deliverSubject);
        b.append(",\"num_replicas\":0,\"direct\":true}}");
        String subject = api + ".CONSUMER.CREATE." + source.name + (name.isEmpty() ? "" : "." + name + "." + filter);
        requestedAt = System.nanoTime();
        js.transport().publish(account, subject, inbox, null, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void onAnswer(String inbox, byte[] payload) {
        if (stopped || answer == null || !inbox.startsWith("$JSC.R.")) {
            return;
        }
        answer.unsubscribe();
        answer = null;
        try {
            JsonIn j = JsonIn.parse(payload);
            JsonIn e = j.obj("error");
            if (e != null) {
                Map<String, Object> err = JsonOut.obj();
                err.put("code", e.i64("code"));
                err.put("err_code", e.i64("err_code"));
                err.put("description", e.str("description"));
                error = err;
                return; // retried by the health check
            }
            error = null;
            lastActivity = System.nanoTime();
        } catch (RuntimeException e) {
            js.log().warn("JetStream stream '" + stream.account.name + " > " + stream.name() + "': bad answer from "
                    + api + " for '" + source.name + "': " + e.getMessage());
        }
    }

    private void onDelivery(String subject, String reply, byte[] hdr, byte[] payload) {
        StoredMessage stored;
        synchronized (this) {
            if (stopped) {
                return;
            }
            lastActivity = System.nanoTime();
            if (hdr != null && isStatus(hdr)) {
                if (reply == null || reply.isEmpty()) {
                    // an idle heartbeat: the consumer's last delivery must be the last one we got (nats-server)
                    long last = parseLong(NatsHeaders.get(hdr, "Nats-Last-Consumer"));
                    if (last > 0 && last != consumerSeq) {
                        retry();
                        return;
                    }
                }
                // flow control request (or a stalled consumer's heartbeat naming where to answer)
                String to = reply != null && !reply.isEmpty() ? reply : NatsHeaders.get(hdr, "Nats-Consumer-Stalled");
                if (to != null && !to.isEmpty()) {
                    js.transport().publish(stream.account.name, to, null, null, new byte[0]);
                }
                return;
            }
            long[] meta = ackMetadata(reply);
            if (meta == null) {
                return;
            }
            if (meta[3] > consumerSeq + 1) {
                retry(); // a delivery went missing: a new consumer from the next sequence we need
                return;
            }
            if (meta[3] <= consumerSeq) {
                return; // a delivery seen already
            }
            consumerSeq = meta[3];
            long seq = meta[0];
            if (next > 0 && seq < next) {
                return; // seen already (a redelivery after a restart of the consumer)
            }
            stored = stream.storeFromOrigin(this, subject, hdr, payload, seq, meta[1]);
            next = seq + 1;
            lag = meta[2];
        }
        if (stored != null) {
            stream.afterStore(stored);
        }
    }

    /** A new copy consumer from the next sequence (under this object's lock). */
    private void retry() {
        lastActivity = 0;
        create();
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isStatus(byte[] hdr) {
        // "NATS/1.0 100 ..." : a status line with a code
        return hdr.length > 12 && hdr[8] == ' ' && hdr[9] == '1' && hdr[10] == '0' && hdr[11] == '0';
    }

    /**
     * Origin sequence, timestamp, pending count and delivery sequence from an ack reply: {@code $JS.ACK.<stream>.
     * <consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>} (2.9), or the form with domain and account hash; null
     * otherwise.
     */
    static long[] ackMetadata(String reply) {
        if (reply == null || !reply.startsWith("$JS.ACK.")) {
            return null;
        }
        String[] t = reply.split("\\.");
        int base;
        if (t.length == 9) {
            base = 5;
        } else if (t.length >= 11) {
            base = 7;
        } else {
            return null;
        }
        try {
            return new long[] {Long.parseLong(t[base]), Long.parseLong(t[base + 2]), Long.parseLong(t[base + 3]),
                Long.parseLong(t[base + 1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Mirror or source progress for stream info ({@code name}, {@code external}, {@code lag}, {@code active}). */
    Map<String, Object> info() {
        Map<String, Object> m = JsonOut.obj();
        m.put("name", source.name);
        m.put("external", source.external);
        long l;
        synchronized (this) {
            l = lag;
        }
        m.put("lag", l);
        long last = lastActivity;
        m.put("active", last == 0 ? -1 : Math.max(0, System.nanoTime() - last));
        Map<String, Object> e = error;
        if (e != null) {
            m.put("error", e);
        }
        return m;
    }
}
