package io.natsboot.test;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Records the messages on a subject so a test can wait for them (no sleeping): subscribe before the code under
 * test publishes, then {@link #await(int, Duration)}.
 *
 * <pre class="code">
 * try (NatsMessages placed = NatsMessages.record(nc, "orders.placed")) {
 *     service.placeOrder(...);
 *     assertThat(placed.awaitPayloads(1, Duration.ofSeconds(2))).containsExactly("{\"id\":\"o-1\"}");
 * }
 * </pre>
 */
public final class NatsMessages implements AutoCloseable {

    private final Connection connection;
    private final Dispatcher dispatcher;
    private final String subject;
    private final List<Message> received = new ArrayList<>();

    private NatsMessages(Connection connection, String subject) {
        this.connection = connection;
        this.subject = subject;
        this.dispatcher = connection.createDispatcher(this::add);
    }

    /**
     * Subscribes to {@code subject} (wildcards allowed) and returns once the server has the subscription, so
     * nothing published afterwards is missed.
     */
    public static NatsMessages record(Connection connection, String subject) {
        NatsMessages messages = new NatsMessages(connection, subject);
        messages.dispatcher.subscribe(subject);
        try {
            connection.flush(Duration.ofSeconds(5));
        } catch (TimeoutException e) {
            throw new IllegalStateException("The server did not confirm the subscription to " + subject, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return messages;
    }

    private void add(Message message) {
        synchronized (received) {
            received.add(message);
            received.notifyAll();
        }
    }

    /** What arrived so far. */
    public List<Message> messages() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits until at least {@code count} messages arrived; fails with what did arrive when the time is up. */
    public List<Message> await(int count, Duration timeout) {
        return awaitUntil(list -> list.size() >= count, timeout, "at least " + count + " message(s)");
    }

    /** The first message (in arrival order) that matches, waiting for it. */
    public Message awaitFirst(Predicate<Message> matching, Duration timeout) {
        return awaitUntil(list -> list.stream().anyMatch(matching), timeout, "a matching message")
                .stream().filter(matching).findFirst().orElseThrow();
    }

    /** The first {@code count} payloads as UTF-8 text. */
    public List<String> awaitPayloads(int count, Duration timeout) {
        return await(count, timeout).stream().limit(count)
                .map(m -> new String(m.getData(), StandardCharsets.UTF_8)).toList();
    }

    private List<Message> awaitUntil(Predicate<List<Message>> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (!done.test(received)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Expected " + what + " on '" + subject + "' within " + timeout
                            + " but got " + received.size() + ": " + describe(received));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(received, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted while waiting for " + what + " on '" + subject + "'", e);
                }
            }
            return List.copyOf(received);
        }
    }

    private static List<String> describe(List<Message> messages) {
        return messages.stream().map(m -> m.getSubject() + " " + new String(m.getData(), StandardCharsets.UTF_8))
                .toList();
    }

    /** Unsubscribes. */
    @Override
    public void close() {
        if (connection.getStatus() != Connection.Status.CLOSED) {
            connection.closeDispatcher(dispatcher);
        }
    }
}
