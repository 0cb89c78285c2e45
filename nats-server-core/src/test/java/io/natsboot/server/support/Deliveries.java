package io.natsboot.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Deterministic "nothing more arrives" checks for jnats subscriptions, instead of waiting a while for a message
 * that should not come.
 */
public final class Deliveries {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private Deliveries() {
    }

    /**
     * On one server: once the publishers have flushed (their messages are processed), a PING/PONG on the
     * subscriber's connection comes back after every message the server queued for it, and jnats' reader has
     * put those in the subscription's queue before it sees the PONG. So nothing is pending = nothing came.
     */
    public static void assertNothingMore(Connection subscriber, Subscription sub, String what)
            throws TimeoutException, InterruptedException {
        subscriber.flush(WAIT);
        assertThat(sub.getPendingMessageCount()).as(what).isZero();
    }

    /**
     * Across routes (or whenever the path is longer than one server): the next message on {@code sub} is the
     * marker with payload {@code marker}, published after the messages under test on the same connection and
     * subject, so it takes the same path and arrives after anything they delivered.
     */
    public static void assertNextIsMarker(Subscription sub, String marker, String what) throws InterruptedException {
        Message m = sub.nextMessage(WAIT);
        assertThat(m).as("%s: the marker %s", what, marker).isNotNull();
        assertThat(new String(m.getData(), StandardCharsets.UTF_8)).as(what).isEqualTo(marker);
    }
}
