package io.natsboot.server.jetstream;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference nats-server 2.9.10 ({@code -js -sd}) and our JetStream side by side: the same request goes to both,
 * each side's replies are reduced to a canonical text (volatile fields such as times dropped by name) and the
 * differences are collected.
 */
final class JetStreamPair implements AutoCloseable {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    /** Fields whose values differ between any two runs. */
    static final Set<String> VOLATILE = Set.of("created", "last_active", "first_ts", "last_ts", "time", "api",
            "active", "id", "timestamp");

    /** More fields to mask for the next steps (e.g. "state" where nats-server's answer races its own copying). */
    static final Set<String> EXTRA_VOLATILE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    final Path refDir;
    final Path ourDir;
    private final Process ref;
    final Connection nc;
    final LoopbackTransport transport = new LoopbackTransport();
    final CapturingLog log = new CapturingLog();
    JetStream js;
    private final AtomicInteger inboxes = new AtomicInteger();
    final List<String> diffs = new ArrayList<>();
    final List<String> transcript = new ArrayList<>();
    /** Raw reply subjects of the messages the last step received, per side (acks go back to them). */
    final List<String> refReplies = new ArrayList<>();
    final List<String> ourReplies = new ArrayList<>();
    /** The ack subjects of the last step or take that delivered messages with one. */
    final List<String> refAcks = new ArrayList<>();
    final List<String> ourAcks = new ArrayList<>();

    private void keepAcks() {
        if (refReplies.stream().anyMatch(r -> r != null && r.startsWith("$JS.ACK."))) {
            refAcks.clear();
            refAcks.addAll(refReplies);
        }
        synchronized (ourReplies) {
            if (ourReplies.stream().anyMatch(r -> r != null && r.startsWith("$JS.ACK."))) {
                ourAcks.clear();
                ourAcks.addAll(ourReplies);
            }
        }
    }

    JetStreamPair(Path tmp) throws Exception {
        assertTrue(Files.isExecutable(NATS_SERVER),
                "JetStream differential tests need the real nats-server at " + NATS_SERVER + " (apt-get install nats-server)");
        refDir = tmp.resolve("ref");
        ourDir = tmp.resolve("ours");
        int port = Ports.free();
        Path logFile = tmp.resolve("nats-server.log");
        ref = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd",
                refDir.toString()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        Ports.awaitListening(port);
        nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).noReconnect().build());
        startOurs();
    }

    void startOurs() throws Exception {
        js = new JetStream(new JetStream.Options(ourDir, -1, -1, "", null), transport, log);
        js.enableAccount("$G");
    }

    void restartOurs() throws Exception {
        js.close();
        startOurs();
    }

    /** One reply, canonical. */
    record Reply(String text) {
    }

    /** Sends to both and compares; returns our replies. */
    List<String> step(int expect, Map<String, String> headers, String subject, String payload) throws Exception {
        return step(expect, headers, subject, subject, payload);
    }

    /** Sends an ack body to the reply subject of message {@code index} of the last step, on each side. */
    List<String> ack(int index, int expect, String body) throws Exception {
        String refSubject = refAcks.get(index);
        String ourSubject = ourAcks.get(index);
        return step(expect, null, refSubject, ourSubject, body);
    }

    private List<String> step(int expect, Map<String, String> headers, String refSubject, String ourSubject,
                              String payload) throws Exception {
        String subject = refSubject;
        List<String> theirs = reference(expect, headers, refSubject, payload);
        List<String> ours = ours(expect, headers, ourSubject, payload);
        keepAcks();
        String label = subject + " " + (headers == null ? "" : headers + " ") + payload;
        transcript.add(label + "\n  ref:  " + theirs + "\n  ours: " + ours);
        if (!theirs.equals(ours)) {
            System.out.println("DIFF " + label + "\n  ref:  " + theirs + "\n  ours: " + ours);
            diffs.add(label + "\n  ref:  " + theirs + "\n  ours: " + ours);
        }
        return ours;
    }

    List<String> step(String subject, String payload) throws Exception {
        return step(1, null, subject, payload);
    }

    private List<String> reference(int expect, Map<String, String> headers, String subject, String payload)
            throws Exception {
        String inbox = "_INBOX.r" + inboxes.incrementAndGet();
        refReplies.clear();
        BlockingQueue<Message> q = new LinkedBlockingQueue<>();
        Dispatcher d = nc.createDispatcher(q::add);
        d.subscribe(inbox);
        nc.flush(Duration.ofSeconds(2));
        Headers h = null;
        if (headers != null) {
            h = new Headers();
            for (Map.Entry<String, String> e : headers.entrySet()) {
                h.add(e.getKey(), e.getValue());
            }
        }
        nc.publish(NatsMessage.builder().subject(subject).replyTo(inbox).headers(h)
                .data(payload.getBytes(StandardCharsets.UTF_8)).build());
        List<String> out = new ArrayList<>();
        collect(expect, () -> {
            Message m = q.poll(expect == 0 ? 300 : 3000, TimeUnit.MILLISECONDS);
            if (m == null) {
                return null;
            }
            refReplies.add(m.getReplyTo());
            return canonical(m.getSubject(), m.getReplyTo(), statusOf(m), headersOf(m.getHeaders()), m.getData(), inbox);
        }, out);
        nc.closeDispatcher(d);
        return out;
    }

    private List<String> ours(int expect, Map<String, String> headers, String subject, String payload) throws Exception {
        String inbox = "_INBOX.o" + inboxes.incrementAndGet();
        ourReplies.clear();
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        JetStreamTransport.Subscription sub = transport.subscribe("$G", inbox, (s, r, h, p) -> {
            synchronized (ourReplies) {
                ourReplies.add(r);
            }
            q.add(ourCanonical(s, r, h, p, inbox));
        });
        byte[] hdr = null;
        if (headers != null) {
            StringBuilder b = new StringBuilder("NATS/1.0\r\n");
            // jnats writes "Key:Value" without a space; ours must store the same bytes.
            headers.forEach((k, v) -> b.append(k).append(":").append(v).append("\r\n"));
            hdr = b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
        }
        transport.publish("$G", subject, inbox, hdr, payload.getBytes(StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        collect(expect, () -> q.poll(expect == 0 ? 300 : 3000, TimeUnit.MILLISECONDS), out);
        sub.unsubscribe();
        return out;
    }

    /** A subscription on both sides (a push consumer's deliver subject). */
    final class Listener implements AutoCloseable {
        final String subject;
        final BlockingQueue<Message> ref = new LinkedBlockingQueue<>();
        final BlockingQueue<String> ours = new LinkedBlockingQueue<>();
        final Dispatcher d;
        final JetStreamTransport.Subscription sub;

        Listener(String subject) throws Exception {
            this.subject = subject;
            d = nc.createDispatcher(ref::add);
            d.subscribe(subject);
            nc.flush(Duration.ofSeconds(2));
            sub = transport.subscribe("$G", subject, (s, r, h, p) -> {
                synchronized (ourReplies) {
                    ourReplies.add(r);
                }
                ours.add(ourCanonical(s, r, h, p, subject));
            });
        }

        /** Takes {@code n} messages from each side (waiting up to 3 s each) and compares. */
        void take(int n, String label) throws Exception {
            refReplies.clear();
            synchronized (ourReplies) {
                ourReplies.clear();
            }
            List<String> theirs = new ArrayList<>();
            collect(n, () -> {
                Message m = ref.poll(n == 0 ? 300 : 3000, TimeUnit.MILLISECONDS);
                if (m == null) {
                    return null;
                }
                refReplies.add(m.getReplyTo());
                return canonical(m.getSubject(), m.getReplyTo(), statusOf(m), headersOf(m.getHeaders()), m.getData(),
                        subject);
            }, theirs);
            List<String> mine = new ArrayList<>();
            collect(n, () -> ours.poll(n == 0 ? 300 : 3000, TimeUnit.MILLISECONDS), mine);
            keepAcks();
            transcript.add("listen " + label + "\n  ref:  " + theirs + "\n  ours: " + mine);
            if (!theirs.equals(mine)) {
                System.out.println("DIFF listen " + label + "\n  ref:  " + theirs + "\n  ours: " + mine);
                diffs.add("listen " + label + "\n  ref:  " + theirs + "\n  ours: " + mine);
            }
        }

        @Override
        public void close() {
            nc.closeDispatcher(d);
            sub.unsubscribe();
        }
    }

    Listener listen(String subject) throws Exception {
        return new Listener(subject);
    }

    static String ourCanonical(String s, String r, byte[] h, byte[] p, String inbox) {
        String status = null;
        Map<String, List<String>> hv = new TreeMap<>();
        if (h != null && h.length > 0) {
            String[] lines = new String(h, StandardCharsets.UTF_8).split("\r\n");
            String first = lines[0];
            if (first.length() > 8) {
                status = first.substring(9).trim();
            }
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    hv.computeIfAbsent(lines[i].substring(0, c), k -> new ArrayList<>()).add(lines[i].substring(c + 1).trim());
                }
            }
        }
        return canonical(s, r, status, hv, p, inbox);
    }

    private interface Poll {
        String next() throws Exception;
    }

    private static void collect(int expect, Poll p, List<String> out) throws Exception {
        while (out.size() < Math.max(expect, 1)) {
            String s = p.next();
            if (s == null) {
                break;
            }
            out.add(s);
        }
        if (expect == 0 || out.size() >= expect) {
            return;
        }
    }

    private static String statusOf(Message m) {
        if (m.isStatusMessage()) {
            String msg = m.getStatus().getMessage();
            return m.getStatus().getCode() + (msg == null || msg.isEmpty() ? "" : " " + msg);
        }
        return null;
    }

    private static Map<String, List<String>> headersOf(Headers h) {
        Map<String, List<String>> out = new TreeMap<>();
        if (h != null) {
            for (String k : h.keySet()) {
                out.put(k, new ArrayList<>(h.get(k)));
            }
        }
        return out;
    }

    /** subject, reply, status, headers and body with everything volatile replaced. */
    static String canonical(String subject, String reply, String status, Map<String, List<String>> headers, byte[] data,
                            String inbox) {
        StringBuilder b = new StringBuilder();
        b.append(subject.equals(inbox) ? "<inbox>" : subject);
        if (reply != null && !reply.isEmpty()) {
            String r = reply;
            if (r.startsWith("$JS.ACK.")) {
                String[] t = r.split("\\.");
                if (t.length == 9) {
                    t[7] = "<ts>";
                    // Ephemeral consumers have random 8-character names (letters and digits; once in a while all
                    // upper case); no durable of these tests has 8 characters.
                    if (t[3].length() == 8 && t[3].chars().allMatch(Character::isLetterOrDigit)) {
                        t[3] = "<ephemeral>";
                    }
                }
                r = String.join(".", t);
            }
            b.append(" reply=").append(r);
        }
        if (status != null) {
            b.append(" status=").append(status);
        }
        Map<String, List<String>> h = new TreeMap<>(headers);
        if (h.containsKey("Nats-Time-Stamp")) {
            h.put("Nats-Time-Stamp", List.of("<ts>"));
        }
        if (!h.isEmpty()) {
            b.append(" hdr=").append(h);
        }
        String body = new String(data, StandardCharsets.UTF_8);
        if (body.startsWith("{\"type\":")) {
            Object v = Json.parse(body);
            strip(v);
            b.append(" json=").append(sorted(v));
        } else if (!body.isEmpty()) {
            b.append(" body=").append(body);
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static void strip(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> mm = (Map<String, Object>) m;
            for (String k : VOLATILE) {
                if (mm.containsKey(k)) {
                    mm.put(k, "<volatile>");
                }
            }
            for (String k : EXTRA_VOLATILE) {
                if (mm.containsKey(k)) {
                    mm.put(k, "<volatile>");
                }
            }
            // Ephemeral consumers get random names.
            Object cfg = mm.get("config");
            if (cfg instanceof Map<?, ?> c && mm.containsKey("stream_name") && !c.containsKey("durable_name")
                    && !c.containsKey("name")) {
                mm.put("name", "<ephemeral>");
            }
            // nats-server lists the progress of sources in map order (random); compare them by name.
            Object sources = mm.get("sources");
            if (sources instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> first
                    && first.containsKey("lag")) {
                List<Object> sortedSources = new ArrayList<>(l);
                sortedSources.sort(java.util.Comparator.comparing(o -> String.valueOf(((Map<?, ?>) o).get("name"))));
                mm.put("sources", sortedSources);
            }
            for (Object o : mm.values()) {
                strip(o);
            }
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                strip(o);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> t = new TreeMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                t.put(e.getKey(), sorted(e.getValue()));
            }
            return t;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(sorted(o));
            }
            return out;
        }
        return v;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        try {
            nc.close();
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
            if (js != null) {
                js.close();
            }
        }
    }
}
