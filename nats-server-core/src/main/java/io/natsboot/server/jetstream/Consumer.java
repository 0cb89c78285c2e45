package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.jetstream.store.StoreState;
import io.natsboot.server.jetstream.store.StoredMessage;
import io.natsboot.server.subject.Subjects;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A consumer of one stream: where it is (delivered and ack floor sequences), what waits for an ack, what is to
 * be redelivered, and its pull requests. Deliveries carry nats-server's ack reply subject
 * {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>}.
 */
public final class Consumer {
    private final Stream stream;
    private final JetStream js;
    volatile ConsumerConfig config;
    final String name;
    final Instant created;
    private final Path dir;

    /** Next stream sequence to look at for new deliveries. */
    private long sseq;
    /** Last consumer sequence handed out. */
    private long dseq;
    private long lastDeliveredStreamSeq;
    private long ackFloorStream;
    private long ackFloorConsumer;
    private long lastActiveNanos;
    private long lastAckNanos;
    /** stream seq -> {consumer seq, delivered time nanos, deadline nanos} */
    private final TreeMap<Long, long[]> pending = new TreeMap<>();
    /** stream seq -> times delivered (only when > 1 or pending) */
    private final Map<Long, Integer> deliveries = new HashMap<>();
    private final TreeSet<Long> redeliver = new TreeSet<>();
    /** last-per-subject start: sequences still to deliver before going on from sseq. */
    private final TreeSet<Long> startSet = new TreeSet<>();
    private final ArrayDeque<PullRequest> waiting = new ArrayDeque<>();
    private final List<JetStreamTransport.Subscription> subs = new ArrayList<>();
    private ScheduledFuture<?> ackTimer;
    private ScheduledFuture<?> heartbeatTimer;
    private long lastPushNanos;
    private boolean dirty;
    private boolean closed;
    private long inactiveSinceNanos;
    /** Flow control (push): bytes sent since the last answered request, the window, the open request. */
    private long pbytes;
    private long maxpb = PB_LIMIT / 16;
    /**
     * The flow-control window's ceiling, nats-server 2.9's JsFlowControlMaxPending (1 MiB; the window starts at a
     * sixteenth of it and doubles per answered request). A larger window lets a replay outrun the subscriber's own
     * pending limits (nats.go: 64 MiB / 512k messages): its ordered consumer then sees a gap and starts over.
     */
    private static final long PB_LIMIT = 1L << 20;
    private String fcid;
    private long fcsz;

    /** A waiting pull request. */
    private static final class PullRequest {
        final String reply;
        int batch;
        long maxBytes;
        final boolean noWait;
        final long expiresAtNanos;
        final long heartbeatNanos;
        int delivered;
        ScheduledFuture<?> expiry;
        ScheduledFuture<?> heartbeat;

        PullRequest(String reply, int batch, long maxBytes, boolean noWait, long expiresAtNanos, long heartbeatNanos) {
            this.reply = reply;
            this.batch = batch;
            this.maxBytes = maxBytes;
            this.noWait = noWait;
            this.expiresAtNanos = expiresAtNanos;
            this.heartbeatNanos = heartbeatNanos;
        }
    }

    Consumer(Stream stream, String name, ConsumerConfig config, Instant created, Path dir) {
        this.stream = stream;
        this.js = stream.js();
        this.name = name;
        this.config = config;
        this.sampleFreq = sampleFrequencyOf(config);
        this.created = created;
        this.dir = dir;
        this.sseq = startSequence();
        // nats-server reports the position before the start as delivered.
        this.lastDeliveredStreamSeq = Math.max(0, (startSet.isEmpty() ? sseq : startSet.first()) - 1);
        this.inactiveSinceNanos = System.nanoTime();
    }

    boolean isDurable() {
        return !config.durable.isEmpty();
    }

    // ---- start position --------------------------------------------------------------------------------

    private long startSequence() {
        ConsumerConfig c = config;
        String filter = filter();
        StoreState st = stream.store.state();
        switch (c.deliverPolicy) {
            case LAST:
                StoredMessage last = stream.store.loadLast(filter);
                return last == null ? st.lastSeq() + 1 : last.seq();
            case NEW:
                return st.lastSeq() + 1;
            case BY_START_SEQUENCE:
                return c.optStartSeq;
            case BY_START_TIME:
                long t = GoFormat.epochNanos(c.optStartTime);
                for (StoredMessage m = stream.store.loadNext(filter, 0); m != null;
                     m = stream.store.loadNext(filter, m.seq() + 1)) {
                    if (m.timestamp() >= t) {
                        return m.seq();
                    }
                }
                return st.lastSeq() + 1;
            case LAST_PER_SUBJECT:
                for (String subject : stream.store.subjectCounts(filter).keySet()) {
                    StoredMessage m = stream.store.loadLast(subject);
                    if (m != null) {
                        startSet.add(m.seq());
                    }
                }
                return st.lastSeq() + 1;
            default:
                return Math.max(1, st.firstSeq());
        }
    }

    String filter() {
        String f = config.filterSubject;
        return f.isEmpty() ? null : f;
    }

    boolean matchesFilter(String subject) {
        String f = config.filterSubject;
        return f.isEmpty() || Subjects.matches(f, subject);
    }

    // ---- subscriptions ---------------------------------------------------------------------------------

    private boolean started;

    /** Starts delivery unless already started; true when this call started it. */
    boolean startOnce() {
        synchronized (this) {
            if (started) {
                return false;
            }
            started = true;
        }
        start();
        return true;
    }

    void start() {
        synchronized (this) {
            started = true;
        }
        String ackPrefix = "$JS.ACK." + stream.name() + "." + name + ".>";
        subs.add(js.transport().subscribe(stream.account.name, ackPrefix, this::onAck));
        if (!config.deliverSubject.isEmpty() && config.flowControl) {
            subs.add(js.transport().subscribe(stream.account.name, "$JS.FC." + stream.name() + "." + name + ".*",
                    (s, r, h, p) -> flowControlReply(s)));
        }
        if (!config.deliverSubject.isEmpty() && config.idleHeartbeat > 0) {
            long ms = Math.max(1, config.idleHeartbeat / 1_000_000);
            heartbeatTimer = js.timer().scheduleAtFixedRate(this::pushHeartbeat, ms, ms, TimeUnit.MILLISECONDS);
        }
        signal();
    }

    // ---- pull requests ---------------------------------------------------------------------------------

    /** A {@code CONSUMER.MSG.NEXT} request. */
    void nextRequest(String reply, byte[] payload) {
        if (reply == null || reply.isEmpty()) {
            return;
        }
        int batch = 1;
        long expires = 0;
        boolean noWait = false;
        long maxBytes = 0;
        long hb = 0;
        String body = new String(payload, StandardCharsets.UTF_8).trim();
        if (!body.isEmpty()) {
            if (body.charAt(0) == '{') {
                try {
                    JsonIn j = JsonIn.parse(payload);
                    batch = j.i32("batch");
                    expires = j.i64("expires");
                    noWait = j.bool("no_wait");
                    maxBytes = j.i64("max_bytes");
                    hb = j.i64("idle_heartbeat");
                } catch (JsonIn.InvalidJson e) {
                    status(reply, "400 Bad Request");
                    return;
                }
            } else {
                try {
                    batch = Integer.parseInt(body);
                } catch (NumberFormatException e) {
                    batch = 1;
                }
            }
        }
        if (batch <= 0) {
            batch = 1;
        }
        ConsumerConfig c = config;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!c.isPull()) {
                return;
            }
            inactiveSinceNanos = System.nanoTime();
            if (c.maxBatch > 0 && batch > c.maxBatch) {
                status(reply, "409 Exceeded MaxRequestBatch of " + c.maxBatch);
                return;
            }
            if (c.maxExpires > 0 && expires > c.maxExpires) {
                status(reply, "409 Exceeded MaxRequestExpires of " + goDuration(c.maxExpires));
                return;
            }
            if (c.maxBytes > 0 && maxBytes > c.maxBytes) {
                status(reply, "409 Exceeded MaxRequestMaxBytes of " + c.maxBytes);
                return;
            }
            if (waiting.size() >= c.maxWaiting) {
                status(reply, "409 Exceeded MaxWaiting");
                return;
            }
            long expiresAt = expires > 0 ? System.nanoTime() + expires : 0;
            PullRequest pr = new PullRequest(reply, batch, maxBytes, noWait, expiresAt, hb);
            waiting.add(pr);
            deliverLocked();
            if (!waiting.contains(pr)) {
                return;
            }
            if (noWait) {
                waiting.remove(pr);
                if (pr.delivered == 0) {
                    status(reply, "404 No Messages");
                } else {
                    timeout(pr);
                }
                return;
            }
            if (expires > 0) {
                pr.expiry = js.timer().schedule(() -> expire(pr), expires, TimeUnit.NANOSECONDS);
            }
            if (hb > 0) {
                pr.heartbeat = js.timer().scheduleAtFixedRate(() -> js.transport().publish(stream.account.name,
                        pr.reply, null, NatsHeaders.build("100 Idle Heartbeat"), new byte[0]), hb, hb, TimeUnit.NANOSECONDS);
            }
        }
    }

    private static String goDuration(long nanos) {
        return GoFormat.duration(nanos);
    }

    private synchronized void expire(PullRequest pr) {
        if (waiting.remove(pr)) {
            timeout(pr);
        }
    }

    private void timeout(PullRequest pr) {
        cancel(pr);
        js.transport().publish(stream.account.name, pr.reply, null, NatsHeaders.build("408 Request Timeout",
                "Nats-Pending-Messages", Integer.toString(pr.batch), "Nats-Pending-Bytes", Long.toString(pr.maxBytes)),
                new byte[0]);
    }

    private static void cancel(PullRequest pr) {
        if (pr.expiry != null) {
            pr.expiry.cancel(false);
        }
        if (pr.heartbeat != null) {
            pr.heartbeat.cancel(false);
        }
    }

    private void status(String reply, String status) {
        js.transport().publish(stream.account.name, reply, null, NatsHeaders.build(status), new byte[0]);
    }

    // ---- delivery ---------------------------------------------------------------------------------------

    /** Something changed (a new message, an ack, interest): deliver what can be delivered. */
    void signal() {
        synchronized (this) {
            if (!closed) {
                deliverLocked();
            }
        }
    }

    private boolean canDeliverMore() {
        ConsumerConfig c = config;
        if (c.ackPolicy != ConsumerConfig.AckPolicy.NONE && c.maxAckPending > 0 && pending.size() >= c.maxAckPending) {
            return false;
        }
        if (c.isPull()) {
            pruneWaiting();
            return !waiting.isEmpty();
        }
        if (c.flowControl && pbytes > maxpb) {
            return false;
        }
        return js.transport().hasInterest(stream.account.name, c.deliverSubject);
    }

    /** The subscriber answered a flow control request: the window grows and delivery goes on. */
    private synchronized void flowControlReply(String subject) {
        if (closed || !subject.equals(fcid)) {
            return;
        }
        if (maxpb < PB_LIMIT) {
            maxpb = Math.min(PB_LIMIT, maxpb * 2);
        }
        pbytes = Math.max(0, pbytes - fcsz);
        fcid = null;
        fcsz = 0;
        deliverLocked();
    }

    private void sendFlowControl() {
        fcid = "$JS.FC." + stream.name() + "." + name + "." + Long.toString(System.nanoTime() & 0xffffffffL, 36);
        fcsz = pbytes;
        js.transport().deliver(stream.account.name, config.deliverSubject, config.deliverSubject, fcid,
                NatsHeaders.build("100 FlowControl Request"), new byte[0]);
    }

    private void deliverLocked() {
        while (canDeliverMore()) {
            StoredMessage m = nextMessage();
            if (m == null) {
                return;
            }
            deliver(m);
        }
    }

    /** The next message to send: redeliveries first, then the last-per-subject set, then new ones. */
    private StoredMessage nextMessage() {
        while (!redeliver.isEmpty()) {
            long seq = redeliver.pollFirst();
            StoredMessage m = stream.store.load(seq);
            if (m != null && pending.containsKey(seq)) {
                return m;
            }
            pending.remove(seq);
            deliveries.remove(seq);
        }
        while (!startSet.isEmpty()) {
            long seq = startSet.pollFirst();
            StoredMessage m = stream.store.load(seq);
            if (m != null) {
                return m;
            }
        }
        StoredMessage m = stream.store.loadNext(filter(), sseq);
        if (m != null) {
            sseq = m.seq() + 1;
        } else {
            sseq = Math.max(sseq, stream.store.state().lastSeq() + 1);
        }
        return m;
    }

    private void deliver(StoredMessage m) {
        ConsumerConfig c = config;
        boolean redelivery = pending.containsKey(m.seq());
        int dc = deliveries.merge(m.seq(), 1, Integer::sum);
        if (c.maxDeliver > 0 && dc > c.maxDeliver) {
            deliveries.remove(m.seq());
            pending.remove(m.seq());
            js.advisory(stream.account.name, "CONSUMER.MAX_DELIVERIES." + stream.name() + "." + name, "max_deliver",
                    "stream", stream.name(), "consumer", name, "stream_seq", m.seq(), "deliveries", c.maxDeliver);
            return;
        }
        long cseq = ++dseq;
        long now = GoFormat.epochNanos(Instant.now());
        if (m.seq() > lastDeliveredStreamSeq) {
            lastDeliveredStreamSeq = m.seq();
        }
        long prevActive = lastActiveNanos;
        long prevFloorStream = ackFloorStream;
        long prevFloorConsumer = ackFloorConsumer;
        lastActiveNanos = now;
        if (c.ackPolicy != ConsumerConfig.AckPolicy.NONE) {
            pending.put(m.seq(), new long[] {cseq, now, System.nanoTime() + ackWaitFor(dc)});
            armAckTimer();
        } else {
            ackFloorStream = m.seq();
            ackFloorConsumer = cseq;
            deliveries.remove(m.seq());
        }
        long numPending = numPendingLocked();
        String ack = "$JS.ACK." + stream.name() + "." + name + "." + dc + "." + m.seq() + "." + cseq + "." + m.timestamp()
                + "." + numPending;
        byte[] hdr = m.headers();
        byte[] data = m.data();
        if (c.headersOnly) {
            hdr = NatsHeaders.append(hdr, NatsHeaders.kv("Nats-Msg-Size", Integer.toString(data.length)));
            data = new byte[0];
        }
        if (c.isPull()) {
            PullRequest pr = waiting.peekFirst();
            // nats-server's size of a delivery: deliver subject, ack reply, headers and payload.
            int size = pr.reply.length() + ack.length() + hdr.length + data.length;
            if (pr.maxBytes > 0 && size > pr.maxBytes) {
                waiting.pollFirst();
                cancel(pr);
                js.transport().publish(stream.account.name, pr.reply, null, NatsHeaders.build(
                        "409 Message Size Exceeds MaxBytes", "Nats-Pending-Messages", Integer.toString(pr.batch),
                        "Nats-Pending-Bytes", Long.toString(pr.maxBytes)), new byte[0]);
                // Put the message back for the next request.
                dseq--;
                lastActiveNanos = prevActive;
                ackFloorStream = prevFloorStream;
                ackFloorConsumer = prevFloorConsumer;
                if (!redelivery) {
                    pending.remove(m.seq());
                    sseq = Math.min(sseq, m.seq());
                    if (lastDeliveredStreamSeq == m.seq()) {
                        lastDeliveredStreamSeq = m.seq() - 1;
                    }
                } else {
                    redeliver.add(m.seq());
                }
                if (deliveries.merge(m.seq(), -1, Integer::sum) <= 0) {
                    deliveries.remove(m.seq());
                }
                return;
            }
            js.transport().deliver(stream.account.name, pr.reply, m.subject(), ack, hdr.length == 0 ? null : hdr, data);
            pr.delivered++;
            pr.batch--;
            if (pr.maxBytes > 0) {
                pr.maxBytes -= size;
            }
            if (pr.batch <= 0) {
                waiting.pollFirst();
                cancel(pr);
            }
        } else {
            js.transport().deliver(stream.account.name, c.deliverSubject, m.subject(), ack, hdr.length == 0 ? null : hdr,
                    data);
            lastPushNanos = System.nanoTime();
            if (c.flowControl) {
                pbytes += m.subject().length() + hdr.length + data.length;
                if (fcid == null && pbytes > maxpb / 2) {
                    sendFlowControl();
                }
            }
        }
        dirty = true;
    }

    private long ackWaitFor(int deliveryCount) {
        ConsumerConfig c = config;
        if (!c.backoff.isEmpty()) {
            int i = Math.min(deliveryCount - 1, c.backoff.size() - 1);
            return c.backoff.get(Math.max(0, i));
        }
        return c.ackWait;
    }

    private void armAckTimer() {
        if (ackTimer != null || pending.isEmpty()) {
            return;
        }
        long next = Long.MAX_VALUE;
        for (long[] p : pending.values()) {
            next = Math.min(next, p[2]);
        }
        long delay = Math.max(1_000_000, next - System.nanoTime());
        ackTimer = js.timer().schedule(this::ackTimeout, delay, TimeUnit.NANOSECONDS);
    }

    private synchronized void ackTimeout() {
        ackTimer = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        for (Map.Entry<Long, long[]> e : pending.entrySet()) {
            if (e.getValue()[2] <= now && !redeliver.contains(e.getKey())) {
                redeliver.add(e.getKey());
                e.getValue()[2] = Long.MAX_VALUE;
            }
        }
        deliverLocked();
        armAckTimerFromPending();
    }

    private void armAckTimerFromPending() {
        long next = Long.MAX_VALUE;
        for (long[] p : pending.values()) {
            next = Math.min(next, p[2]);
        }
        if (next != Long.MAX_VALUE) {
            armAckTimer();
        }
    }

    private void pushHeartbeat() {
        String deliverSubject = config.deliverSubject;
        byte[] hdr;
        synchronized (this) {
            if (closed || System.nanoTime() - lastPushNanos < config.idleHeartbeat) {
                return;
            }
            hdr = fcid == null
                    ? NatsHeaders.build("100 Idle Heartbeat", "Nats-Last-Consumer", Long.toString(dseq),
                            "Nats-Last-Stream", Long.toString(lastDeliveredStreamSeq))
                    : NatsHeaders.build("100 Idle Heartbeat", "Nats-Last-Consumer", Long.toString(dseq),
                            "Nats-Last-Stream", Long.toString(lastDeliveredStreamSeq), "Nats-Consumer-Stalled", fcid);
        }
        js.transport().deliver(stream.account.name, deliverSubject, deliverSubject, null, hdr, new byte[0]);
    }

    // ---- acks -------------------------------------------------------------------------------------------

    /** Parsed {@code $JS.ACK} reply subject. */
    record AckInfo(String stream, String consumer, long delivered, long streamSeq, long consumerSeq, long timestamp,
                   long pending) {
        static AckInfo parse(String subject) {
            // $JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts>.<pending> (9 tokens); 2.10+ adds a domain and
            // account hash in front (12 tokens) and a random token at the end. Split by hand (once per ack): the
            // numbers are parsed in place, without a String[] and a substring each. Trailing empty tokens do not
            // count, as with String.split.
            int end = subject.length();
            while (end > 0 && subject.charAt(end - 1) == '.') {
                end--;
            }
            int[] starts = new int[16];
            int n = 0;
            int from = 0;
            while (true) {
                if (n == starts.length) {
                    return null; // more tokens than any ack subject has
                }
                starts[n++] = from;
                int dot = subject.indexOf('.', from);
                if (dot < 0 || dot >= end) {
                    break;
                }
                from = dot + 1;
            }
            int base;
            if (n == 9) {
                base = 2;
            } else if (n >= 11) {
                base = 4;
            } else {
                return null;
            }
            try {
                return new AckInfo(token(subject, starts, n, end, base), token(subject, starts, n, end, base + 1),
                        number(subject, starts, n, end, base + 2), number(subject, starts, n, end, base + 3),
                        number(subject, starts, n, end, base + 4), number(subject, starts, n, end, base + 5),
                        number(subject, starts, n, end, base + 6));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                return null;
            }
        }

        private static int tokenEnd(int[] starts, int n, int end, int i) {
            return i + 1 < n ? starts[i + 1] - 1 : end;
        }

        private static String token(String s, int[] starts, int n, int end, int i) {
            if (i >= n) {
                throw new ArrayIndexOutOfBoundsException(i);
            }
            return s.substring(starts[i], tokenEnd(starts, n, end, i));
        }

        private static long number(String s, int[] starts, int n, int end, int i) {
            if (i >= n) {
                throw new ArrayIndexOutOfBoundsException(i);
            }
            return Long.parseLong(s, starts[i], tokenEnd(starts, n, end, i), 10);
        }
    }

    private void onAck(String subject, String reply, byte[] hdr, byte[] payload) {
        AckInfo a = AckInfo.parse(subject);
        if (a == null) {
            return;
        }
        String body = new String(payload, StandardCharsets.UTF_8);
        String kind = body.length() >= 4 ? body.substring(0, 4) : body;
        List<Long> acked = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            lastAckNanos = GoFormat.epochNanos(Instant.now());
            switch (kind) {
                case "", "+ACK" -> {
                    sampleAck(a);
                    ack(a.streamSeq(), a.consumerSeq(), acked);
                }
                case "+NXT" -> {
                    sampleAck(a);
                    ack(a.streamSeq(), a.consumerSeq(), acked);
                    if (reply != null && !reply.isEmpty()) {
                        byte[] rest = body.length() > 4 ? body.substring(4).trim().getBytes(StandardCharsets.UTF_8)
                                : new byte[0];
                        js.timer().execute(() -> nextRequest(reply, rest));
                    }
                }
                case "-NAK" -> nak(a.streamSeq(), body.length() > 4 ? body.substring(4).trim() : "");
                case "+WPI" -> {
                    long[] p = pending.get(a.streamSeq());
                    if (p != null) {
                        p[2] = System.nanoTime() + ackWaitFor(deliveries.getOrDefault(a.streamSeq(), 1));
                        redeliver.remove(a.streamSeq());
                        armAckTimer();
                    }
                }
                case "+TER" -> {
                    if (pending.containsKey(a.streamSeq())) {
                        js.advisory(stream.account.name, "CONSUMER.MSG_TERMINATED." + stream.name() + "." + name,
                                "terminated", "stream", stream.name(), "consumer", name,
                                "consumer_seq", a.consumerSeq(), "stream_seq", a.streamSeq(),
                                "deliveries", (long) deliveries.getOrDefault(a.streamSeq(), 1));
                    }
                    if (pending.remove(a.streamSeq()) != null) {
                        deliveries.remove(a.streamSeq());
                        redeliver.remove(a.streamSeq());
                        acked.add(a.streamSeq());
                        updateAckFloor();
                    }
                }
                default -> {
                    sampleAck(a);
                    ack(a.streamSeq(), a.consumerSeq(), acked);
                }
            }
            dirty = true;
            if (reply != null && !reply.isEmpty() && !kind.equals("+NXT")) {
                // Double acks (ack sync) get an empty reply.
                js.transport().publishReply(stream.account.name, reply, null, new byte[0]);
            }
            deliverLocked();
        }
        for (long seq : acked) {
            stream.acknowledged(this, seq);
        }
    }

    // ---- ack metrics ($JS.EVENT.METRIC.CONSUMER.ACK) ------------------------------------------------------

    /** The parsed {@code sample_freq}: 0 none, 100 and above every ack, else that percentage of them. */
    private volatile int sampleFreq;

    private static int sampleFrequencyOf(ConsumerConfig c) {
        try {
            return ConsumerConfigCheck.sampleFrequency(c.sampleFreq);
        } catch (ApiError.Failure f) {
            return 0; // refused at create; a recovered or updated configuration does not sample
        }
    }

    private boolean shouldSample() {
        int f = sampleFreq;
        if (f <= 0) {
            return false;
        }
        // nats-server draws from [0, 100) and samples when the draw is <= the frequency
        return f >= 100 || java.util.concurrent.ThreadLocalRandom.current().nextInt(100) <= f;
    }

    /**
     * nats-server 2.9.10's sampled ack metric, for explicit acks of a message still pending: the time since it
     * was delivered ({@code ack_time}, ns), the consumer sequence and delivery count of the acked delivery. Called
     * under the consumer's lock before the ack removes the pending entry.
     */
    private void sampleAck(AckInfo a) {
        if (config.ackPolicy != ConsumerConfig.AckPolicy.EXPLICIT || !shouldSample()) {
            return;
        }
        long[] p = pending.get(a.streamSeq());
        if (p == null) {
            return;
        }
        String subject = "$JS.EVENT.METRIC.CONSUMER.ACK." + stream.name() + "." + name;
        if (!js.transport().hasInterest(stream.account.name, subject)) {
            return;
        }
        long ackTime = GoFormat.epochNanos(Instant.now()) - p[1];
        js.metric(stream.account.name, subject, "consumer_ack", "stream", stream.name(), "consumer", name,
                "consumer_seq", a.consumerSeq(), "stream_seq", a.streamSeq(), "ack_time", ackTime,
                "deliveries", a.delivered());
    }

    private void ack(long streamSeq, long consumerSeq, List<Long> acked) {
        ConsumerConfig c = config;
        if (c.ackPolicy == ConsumerConfig.AckPolicy.ALL) {
            Iterator<Map.Entry<Long, long[]>> it = pending.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, long[]> e = it.next();
                if (e.getKey() > streamSeq) {
                    break;
                }
                it.remove();
                deliveries.remove(e.getKey());
                redeliver.remove(e.getKey());
                acked.add(e.getKey());
            }
        } else if (pending.remove(streamSeq) != null) {
            deliveries.remove(streamSeq);
            redeliver.remove(streamSeq);
            acked.add(streamSeq);
        }
        updateAckFloor();
    }

    private void updateAckFloor() {
        if (pending.isEmpty()) {
            ackFloorStream = Math.max(ackFloorStream, lastDeliveredStreamSeq);
            ackFloorConsumer = dseq;
        } else {
            Map.Entry<Long, long[]> first = pending.firstEntry();
            ackFloorStream = Math.max(ackFloorStream, first.getKey() - 1);
            ackFloorConsumer = Math.max(ackFloorConsumer, first.getValue()[0] - 1);
        }
    }

    private void nak(long seq, String rest) {
        long[] p = pending.get(seq);
        if (p == null) {
            return;
        }
        long delay = 0;
        if (rest.startsWith("{")) {
            try {
                delay = JsonIn.parse(rest.getBytes(StandardCharsets.UTF_8)).i64("delay");
            } catch (JsonIn.InvalidJson ignored) {
                delay = 0;
            }
        }
        if (delay > 0) {
            p[2] = System.nanoTime() + delay;
            if (ackTimer != null) {
                ackTimer.cancel(false);
                ackTimer = null;
            }
            armAckTimer();
        } else {
            redeliver.add(seq);
        }
    }

    /** Whether this consumer is done with {@code seq} (interest retention). */
    synchronized boolean hasAcked(long seq) {
        if (config.ackPolicy == ConsumerConfig.AckPolicy.NONE) {
            return seq < sseq;
        }
        return seq <= lastDeliveredStreamSeq && !pending.containsKey(seq) && !startSet.contains(seq);
    }

    /**
     * After a purge, as nats-server 2.9.10's consumer purge: the consumer moves to {@code fseq} (0: past
     * {@code lseq}), its ack floor follows, and everything pending or queued for redelivery is forgotten.
     */
    void purged(long fseq, long lseq) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (fseq == 0) {
                fseq = lseq + 1;
            }
            if (sseq < fseq) {
                sseq = fseq;
            }
            if (ackFloorStream < fseq) {
                ackFloorStream = fseq - 1;
                ackFloorConsumer = dseq;
            }
            lastDeliveredStreamSeq = Math.max(lastDeliveredStreamSeq, sseq - 1);
            pending.clear();
            deliveries.clear();
            redeliver.clear();
            startSet.removeIf(seq -> seq < sseq);
            dirty = true;
            deliverLocked();
        }
    }

    /** Whether a purge of {@code subject} ("" for all) concerns this consumer. */
    boolean purgeMatches(String subject) {
        String f = config.filterSubject;
        return subject.isEmpty() || f.isEmpty() || Subjects.subsetOf(subject, f) || Subjects.matches(f, subject);
    }

    /** The stream removed a message on its own (limits): nothing to wait for any more. */
    synchronized void streamRemoved(long seq) {
        if (pending.remove(seq) != null) {
            deliveries.remove(seq);
            redeliver.remove(seq);
            updateAckFloor();
        }
    }

    // ---- info -------------------------------------------------------------------------------------------

    /** Pull requests whose requester went away (no interest in the reply subject) are dropped, as in nats-server. */
    private void pruneWaiting() {
        Iterator<PullRequest> it = waiting.iterator();
        while (it.hasNext()) {
            PullRequest pr = it.next();
            if (!js.transport().hasInterest(stream.account.name, pr.reply)) {
                it.remove();
                cancel(pr);
            }
        }
    }

    private long numPendingLocked() {
        long n = stream.store.numPending(filter(), sseq);
        return n + startSet.size();
    }

    synchronized Map<String, Object> infoJson() {
        Map<String, Object> m = JsonOut.obj();
        m.put("stream_name", stream.name());
        m.put("name", name);
        m.put("created", GoFormat.rfc3339NanoOrZero(created));
        m.put("config", config.toJson());
        Map<String, Object> d = JsonOut.obj();
        d.put("consumer_seq", dseq);
        d.put("stream_seq", lastDeliveredStreamSeq);
        if (lastActiveNanos != 0) {
            d.put("last_active", GoFormat.rfc3339NanoOfEpochNanos(lastActiveNanos));
        }
        m.put("delivered", d);
        Map<String, Object> af = JsonOut.obj();
        af.put("consumer_seq", ackFloorConsumer);
        af.put("stream_seq", ackFloorStream);
        if (lastAckNanos != 0) {
            af.put("last_active", GoFormat.rfc3339NanoOfEpochNanos(lastAckNanos));
        }
        m.put("ack_floor", af);
        m.put("num_ack_pending", pending.size());
        long redelivered = deliveries.values().stream().filter(n -> n > 1).count();
        m.put("num_redelivered", redelivered);
        pruneWaiting();
        m.put("num_waiting", waiting.size());
        m.put("num_pending", numPendingLocked());
        if (!config.deliverSubject.isEmpty()) {
            boolean bound = js.transport().hasInterest(stream.account.name, config.deliverSubject);
            if (bound) {
                m.put("push_bound", true);
            }
        }
        return m;
    }

    // ---- persistence ---------------------------------------------------------------------------------

    void writeMeta() throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        Map<String, Object> m = JsonOut.obj();
        m.put("name", name);
        m.put("config", config.toJson());
        m.put("created", GoFormat.rfc3339NanoOrZero(created));
        write(dir.resolve("meta.json"), JsonOut.write(m));
    }

    private void write(Path p, String s) throws IOException {
        StreamKeys.write(p, s.getBytes(StandardCharsets.UTF_8), stream.cipher());
    }

    /** Writes the delivery state if it changed (called periodically and at stop). */
    void flushState() {
        String state;
        synchronized (this) {
            if (!dirty || dir == null) {
                return;
            }
            dirty = false;
            Map<String, Object> m = JsonOut.obj();
            m.put("sseq", sseq);
            m.put("dseq", dseq);
            m.put("last_stream_seq", lastDeliveredStreamSeq);
            m.put("ack_floor_stream", ackFloorStream);
            m.put("ack_floor_consumer", ackFloorConsumer);
            List<Object> p = new ArrayList<>();
            for (Map.Entry<Long, long[]> e : pending.entrySet()) {
                p.add(List.of(e.getKey(), e.getValue()[0], e.getValue()[1], (long) deliveries.getOrDefault(e.getKey(), 1)));
            }
            m.put("pending", p);
            List<Object> s = new ArrayList<>(startSet);
            m.put("start_set", s);
            state = JsonOut.write(m);
        }
        try {
            write(dir.resolve("state.json"), state);
        } catch (IOException e) {
            js.log().error("JetStream consumer '" + stream.account.name + " > " + stream.name() + " > " + name
                    + "': could not write state: " + e.getMessage());
        }
    }

    /** Restores the delivery state written by {@link #flushState}. */
    synchronized void readState() throws IOException {
        if (dir == null || !Files.exists(dir.resolve("state.json"))) {
            return;
        }
        JsonIn j = JsonIn.parse(StreamKeys.read(dir.resolve("state.json"), stream.cipher()));
        sseq = j.i64("sseq");
        dseq = j.i64("dseq");
        lastDeliveredStreamSeq = j.i64("last_stream_seq");
        ackFloorStream = j.i64("ack_floor_stream");
        ackFloorConsumer = j.i64("ack_floor_consumer");
        Object p = j.raw().get("pending");
        long now = System.nanoTime();
        if (p instanceof List<?> l) {
            for (Object o : l) {
                List<?> e = (List<?>) o;
                long seq = (Long) e.get(0);
                pending.put(seq, new long[] {(Long) e.get(1), (Long) e.get(2), now + config.ackWait});
                deliveries.put(seq, ((Long) e.get(3)).intValue());
            }
        }
        Object s = j.raw().get("start_set");
        startSet.clear();
        if (s instanceof List<?> l) {
            for (Object o : l) {
                startSet.add((Long) o);
            }
        }
        armAckTimer();
    }

    // ---- lifecycle -----------------------------------------------------------------------------------

    synchronized void updateConfig(ConsumerConfig c) throws IOException {
        this.config = c;
        this.sampleFreq = sampleFrequencyOf(c);
        writeMeta();
    }

    void stop(boolean delete) {
        List<PullRequest> reqs;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!delete) {
                dirty = true;
            }
            reqs = new ArrayList<>(waiting);
            waiting.clear();
        }
        if (!delete) {
            flushState();
        }
        synchronized (this) {
            closed = true;
            for (JetStreamTransport.Subscription s : subs) {
                s.unsubscribe();
            }
            subs.clear();
            if (ackTimer != null) {
                ackTimer.cancel(false);
            }
            if (heartbeatTimer != null) {
                heartbeatTimer.cancel(false);
            }
        }
        for (PullRequest pr : reqs) {
            cancel(pr);
            if (delete) {
                js.transport().publish(stream.account.name, pr.reply, null, NatsHeaders.build("409 Consumer Deleted"),
                        new byte[0]);
            }
        }
        if (delete && dir != null) {
            js.deleteTree(dir);
        }
    }

    /** Ephemeral consumers go away after their inactive threshold without interest or pull requests. */
    synchronized boolean inactiveExpired() {
        ConsumerConfig c = config;
        if (isDurable() || c.inactiveThreshold <= 0 || closed) {
            return false;
        }
        boolean active = c.isPull() ? !waiting.isEmpty()
                : js.transport().hasInterest(stream.account.name, c.deliverSubject);
        if (active) {
            inactiveSinceNanos = System.nanoTime();
            return false;
        }
        return System.nanoTime() - inactiveSinceNanos > c.inactiveThreshold;
    }

    Stream stream() {
        return stream;
    }
}
