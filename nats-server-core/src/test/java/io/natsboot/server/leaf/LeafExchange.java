package io.natsboot.server.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** What a leaf-node link must carry, checked from clients of both ends (jnats). */
final class LeafExchange {
    private LeafExchange() {
    }

    static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofMillis(100)).maxReconnects(-1).build());
    }

    /** Publishes probes on {@code from} until {@code sub} gets one: the interest crossed the link. */
    static void awaitFlow(Connection from, Subscription sub, String subject) {
        Waits.upTo("interest in " + subject + " crossed the leaf link", Duration.ofSeconds(10)).until(() -> {
            from.publish(subject, "probe".getBytes(StandardCharsets.UTF_8));
            from.flush(Duration.ofSeconds(1));
            return sub.nextMessage(Duration.ofMillis(100)) != null;
        });
        try {
            while (sub.nextMessage(Duration.ofMillis(200)) != null) {
                // late probes
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages one way, in order, each once. */
    static void oneWay(Connection from, Connection to, String subject) throws Exception {
        Subscription sub = to.subscribe(subject);
        to.flush(Duration.ofSeconds(2));
        awaitFlow(from, sub, subject);
        for (int i = 0; i < 50; i++) {
            from.publish(subject, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        from.flush(Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) {
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertNotNull(m, subject + " message " + i);
            assertEquals("m" + i, new String(m.getData(), StandardCharsets.UTF_8));
        }
        assertNull(sub.nextMessage(Duration.ofMillis(200)), "no duplicates");
        sub.unsubscribe();
    }

    /** A responder on {@code responderSide}, requests from {@code requesterSide}. */
    static void requestReply(Connection requesterSide, Connection responderSide, String subject) throws Exception {
        Dispatcher d = responderSide.createDispatcher(m -> responderSide.publish(m.getReplyTo(),
                ("re:" + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        d.subscribe(subject);
        responderSide.flush(Duration.ofSeconds(2));
        Waits.upTo("the responder on " + subject + " reachable", Duration.ofSeconds(10)).until(() -> {
            try {
                return requesterSide.request(subject, "x".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500))
                        != null;
            } catch (Exception e) {
                return false;
            }
        });
        for (int i = 0; i < 20; i++) {
            Message r = requesterSide.request(subject, ("q" + i).getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(2));
            assertEquals("re:q" + i, new String(r.getData(), StandardCharsets.UTF_8));
        }
        responderSide.closeDispatcher(d);
    }

    /**
     * A queue group with two members on {@code members} and one on {@code other}; 60 messages published on
     * {@code publisher} reach the group exactly once each.
     */
    static void queueGroup(Connection publisher, Connection members, Connection other, String subject)
            throws Exception {
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        Dispatcher[] ds = new Dispatcher[3];
        Connection[] on = {members, members, other};
        for (int k = 0; k < 3; k++) {
            ds[k] = on[k].createDispatcher(m -> seen.computeIfAbsent(new String(m.getData(), StandardCharsets.UTF_8),
                    x -> new AtomicInteger()).incrementAndGet());
            ds[k].subscribe(subject, "workers");
            on[k].flush(Duration.ofSeconds(2));
        }
        Subscription probe = members.subscribe(subject + ".probe");
        members.flush(Duration.ofSeconds(2));
        awaitFlow(publisher, probe, subject + ".probe");
        Waits.upTo("queue interest crossed", Duration.ofSeconds(10)).until(() -> {
            publisher.publish(subject, "warmup".getBytes(StandardCharsets.UTF_8));
            publisher.flush(Duration.ofSeconds(1));
            return seen.containsKey("warmup");
        });
        for (int i = 0; i < 60; i++) {
            publisher.publish(subject, ("w" + i).getBytes(StandardCharsets.UTF_8));
        }
        publisher.flush(Duration.ofSeconds(2));
        Waits.upTo("60 queue messages", Duration.ofSeconds(10)).until(() -> {
            for (int i = 0; i < 60; i++) {
                if (!seen.containsKey("w" + i)) {
                    return false;
                }
            }
            return true;
        });
        Thread.onSpinWait();
        members.flush(Duration.ofSeconds(2));
        other.flush(Duration.ofSeconds(2));
        for (int i = 0; i < 60; i++) {
            assertEquals(1, seen.get("w" + i).get(), "w" + i + " delivered once to the group");
        }
        for (Dispatcher d : ds) {
            d.unsubscribe(subject);
        }
        Set.of(ds).forEach(d -> { });
    }
}
