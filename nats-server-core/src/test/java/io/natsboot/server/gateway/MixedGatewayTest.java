package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.connect;
import static io.natsboot.server.gateway.GatewayTestSupport.gatewayUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A supercluster of one of our clusters and one nats-server 2.9.10 cluster (issue 19): the gateway handshake both
 * ways, interest (interest-only from the start, as 2.9.10), pub/sub, request/reply (routed replies) and queue groups
 * with members on both sides (the local member preferred).
 */
@RequiresBinary("nats-server")
class MixedGatewayTest {

    @Test
    void oursAndNatsServerFormASupercluster() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        try (RunningServer a = GatewayTestSupport.node("A1", "A", ourGw, "B=nats://127.0.0.1:" + goGw);
             GoGatewayNode b = GoGatewayNode.start("B1", "B", goGw, List.of("A=" + gatewayUrl(a)), 0, List.of())) {
            awaitConnected(a, "B");
            awaitConnected(b, "A");
            GatewayTestSupport.awaitInbound(a, "B");
            GatewayTestSupport.awaitInbound(b, "A");
            assertTrue(a.log().contains("Outbound gateway connection to \"B\""), String.join("\n", a.log().lines()));
            try (Connection ca = connect(a.url()); Connection cb = connect(b.url())) {
                pubSub(ca, cb, "to.go");
                pubSub(cb, ca, "to.ours");
                requestReply(ca, cb, "svc.go");
                requestReply(cb, ca, "svc.ours");
                localQueueMemberPreferred(ca, cb, "work.a");
                localQueueMemberPreferred(cb, ca, "work.b");
            }
        }
    }

    /** A subscriber in the other cluster gets what is published here, once its interest crossed. */
    static void pubSub(Connection pub, Connection sub, String subject) throws Exception {
        Subscription s = sub.subscribe(subject);
        sub.flush(Duration.ofSeconds(2));
        byte[] body = ("hello " + subject).getBytes(StandardCharsets.UTF_8);
        Message[] got = new Message[1];
        await("a message on " + subject + " across the gateway", () -> {
            try {
                pub.publish(subject, body);
                Message m = s.nextMessage(Duration.ofMillis(100));
                got[0] = m;
                return m != null;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("hello " + subject, new String(got[0].getData(), StandardCharsets.UTF_8));
        s.unsubscribe();
    }

    /** A request from one cluster is answered by a responder in the other. */
    static void requestReply(Connection requester, Connection responder, String subject) throws Exception {
        Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                ("re:" + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        d.subscribe(subject);
        responder.flush(Duration.ofSeconds(2));
        Message[] reply = new Message[1];
        await("an answer to " + subject + " from the other cluster", () -> {
            try {
                reply[0] = requester.request(subject, "ping".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500));
                return reply[0] != null;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("re:ping", new String(reply[0].getData(), StandardCharsets.UTF_8));
        // Once interest is known, every request is answered.
        for (int i = 0; i < 20; i++) {
            Message m = requester.request(subject, ("n" + i).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            assertNotNull(m, "request " + i + " on " + subject);
            assertEquals("re:n" + i, new String(m.getData(), StandardCharsets.UTF_8));
        }
        responder.closeDispatcher(d);
    }

    /**
     * A queue group with a member in each cluster: messages published in one cluster go to its own member; once
     * that member leaves, to the other cluster's. Probes (published until interest has crossed) and jobs are told
     * apart by their payload, so a probe still in flight cannot be mistaken for a job that crossed.
     */
    static void localQueueMemberPreferred(Connection local, Connection remote, String subject) throws Exception {
        AtomicInteger jobsLocal = new AtomicInteger();
        AtomicInteger jobsRemote = new AtomicInteger();
        AtomicInteger probesRemote = new AtomicInteger();
        Dispatcher dl = local.createDispatcher(m -> {
            if (isJob(m)) {
                jobsLocal.incrementAndGet();
            }
        });
        Dispatcher dr = remote.createDispatcher(m -> (isJob(m) ? jobsRemote : probesRemote).incrementAndGet());
        dr.subscribe(subject, "workers");
        remote.flush(Duration.ofSeconds(2));
        // The remote member alone gets messages once its queue interest crossed.
        await("the remote member of " + subject, () -> {
            local.publish(subject, PROBE);
            return probesRemote.get() > 0;
        });
        dl.subscribe(subject, "workers");
        local.flush(Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) {
            local.publish(subject, JOB);
        }
        local.flush(Duration.ofSeconds(2));
        await("50 jobs at the local member of " + subject, () -> jobsLocal.get() >= 50);
        // A PING round trip on the remote connection after: anything sent across would have arrived by now.
        remote.flush(Duration.ofSeconds(2));
        assertEquals(0, jobsRemote.get(), "a local member exists: no job crosses");
        assertEquals(50, jobsLocal.get());
        local.closeDispatcher(dl);
        local.flush(Duration.ofSeconds(2));
        await("jobs at the remote member once the local one left", () -> {
            local.publish(subject, JOB);
            return jobsRemote.get() > 0;
        });
        remote.closeDispatcher(dr);
    }

    static final byte[] PROBE = "probe".getBytes(StandardCharsets.UTF_8);
    static final byte[] JOB = "job".getBytes(StandardCharsets.UTF_8);

    static boolean isJob(Message m) {
        return m.getData().length == JOB.length;
    }
}
