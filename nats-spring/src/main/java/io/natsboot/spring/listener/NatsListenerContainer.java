package io.natsboot.spring.listener;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.natsboot.spring.core.AsyncResults;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsTemplate;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs one {@link NatsListenerEndpoint}: {@code concurrency} jnats {@link Dispatcher}s, each subscribed to
 * every subject (in the queue group when there is one). Stopping drains the dispatchers, so messages
 * already delivered are handled and replied to; starting again creates new dispatchers.
 */
public class NatsListenerContainer implements MessageListenerContainer {

    private static final Log log = LogFactory.getLog("io.natsboot.spring.listener");

    private final NatsListenerEndpoint endpoint;
    private final Connection connection;
    private final NatsMessageConverter converter;
    private final NatsListenerErrorHandler errorHandler;
    private final Duration drainTimeout;
    private final NatsInstrumentation instrumentation;
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private volatile boolean running;
    /** Handler results still to complete (CompletionStage or Mono): stop waits for them before it returns. */
    private final AtomicInteger asyncInFlight = new AtomicInteger();
    private final Object asyncIdle = new Object();
    private long pendingMessagesLimit = io.nats.client.Consumer.DEFAULT_MAX_MESSAGES;
    private long pendingBytesLimit = io.nats.client.Consumer.DEFAULT_MAX_BYTES;

    public NatsListenerContainer(NatsListenerEndpoint endpoint, Connection connection, NatsMessageConverter converter,
            NatsListenerErrorHandler errorHandler, Duration drainTimeout) {
        this(endpoint, connection, converter, errorHandler, drainTimeout, NatsInstrumentation.NONE);
    }

    public NatsListenerContainer(NatsListenerEndpoint endpoint, Connection connection, NatsMessageConverter converter,
            NatsListenerErrorHandler errorHandler, Duration drainTimeout, NatsInstrumentation instrumentation) {
        this.instrumentation = instrumentation;
        this.endpoint = endpoint;
        this.connection = connection;
        this.converter = converter;
        this.errorHandler = errorHandler;
        this.drainTimeout = drainTimeout;
    }

    /** Applies to dispatchers created by later starts. */
    public void setPendingLimits(long maxMessages, long maxBytes) {
        this.pendingMessagesLimit = maxMessages;
        this.pendingBytesLimit = maxBytes;
    }

    public String getId() {
        return endpoint.id();
    }

    public NatsListenerEndpoint getEndpoint() {
        return endpoint;
    }

    public boolean isAutoStartup() {
        return endpoint.autoStartup();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        for (int i = 0; i < endpoint.concurrency(); i++) {
            Dispatcher d = connection.createDispatcher(this::onMessage);
            d.setPendingLimits(pendingMessagesLimit, pendingBytesLimit);
            for (String subject : endpoint.subjects()) {
                if (endpoint.queue() != null) {
                    d.subscribe(subject, endpoint.queue());
                } else {
                    d.subscribe(subject);
                }
            }
            dispatchers.add(d);
        }
        running = true;
        if (connection.getStatus() == Connection.Status.CONNECTED) {
            try {
                // The subscriptions are known to the server when start() returns.
                connection.flush(drainTimeout);
            } catch (Exception e) {
                log.warn("Flush after subscribing listener '" + endpoint.id() + "' failed: " + e);
            }
        }
        log.debug("Started NATS listener '" + endpoint.id() + "' on " + endpoint.subjects());
    }

    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        for (Dispatcher d : dispatchers) {
            stopDispatcher(d);
        }
        dispatchers.clear();
        awaitAsyncResults();
        log.debug("Stopped NATS listener '" + endpoint.id() + "'");
    }

    private void stopDispatcher(Dispatcher d) {
        try {
            if (connection.getStatus() == Connection.Status.CONNECTED && d.isActive()) {
                d.drain(drainTimeout).get(drainTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("NATS listener '" + endpoint.id() + "' did not drain in " + drainTimeout + ": " + e);
        }
        try {
            if (d.isActive() && connection.getStatus() != Connection.Status.CLOSED) {
                connection.closeDispatcher(d);
            }
        } catch (Exception e) {
            log.debug("Closing dispatcher of '" + endpoint.id() + "': " + e);
        }
    }

    /**
     * Draining a dispatcher waits for the handler calls, not for the Monos and futures they return: wait for
     * those too (up to the drain timeout), so their replies go out before the connection is closed.
     */
    private void awaitAsyncResults() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        synchronized (asyncIdle) {
            while (asyncInFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("NATS listener '" + endpoint.id() + "' stopped with " + asyncInFlight.get()
                            + " asynchronous handler result(s) still pending after " + drainTimeout);
                    return;
                }
                try {
                    asyncIdle.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void asyncDone() {
        if (asyncInFlight.decrementAndGet() == 0) {
            synchronized (asyncIdle) {
                asyncIdle.notifyAll();
            }
        }
    }

    public boolean isRunning() {
        return running;
    }

    void onMessage(Message message) {
        NatsInstrumentation.Handle observation = instrumentation.receive(message, endpoint.id());
        // Scope: calls the handler makes through a NatsTemplate become children of this observation.
        try (NatsInstrumentation.Scope scope = observation.openScope()) {
            Object result;
            try {
                result = endpoint.handler().handle(message);
            } catch (Throwable e) {
                handleError(message, e, observation);
                observation.stop();
                return;
            }
            if (result instanceof CompletionStage<?> stage) {
                asyncInFlight.incrementAndGet();
                stage.whenComplete((value, e) -> {
                    try {
                        if (e != null) {
                            handleError(message, e, observation);
                        } else {
                            reply(message, value, observation);
                        }
                        observation.stop();
                    } finally {
                        asyncDone();
                    }
                });
            } else if (AsyncResults.isMono(result)) {
                asyncInFlight.incrementAndGet();
                AsyncResults.subscribe(result, value -> reply(message, value, observation),
                        e -> handleError(message, e, observation), () -> {
                            try {
                                observation.stop();
                            } finally {
                                asyncDone();
                            }
                        });
            } else {
                reply(message, result, observation);
                observation.stop();
            }
        }
    }

    private void reply(Message request, Object value, NatsInstrumentation.Handle observation) {
        if (value == null || request.getReplyTo() == null || request.getReplyTo().isEmpty()) {
            return;
        }
        if (connection.getStatus() == Connection.Status.CLOSED) {
            // an answer that outlived the drain timeout at shutdown: nothing can carry it any more
            log.warn("NATS listener '" + endpoint.id() + "': reply to " + request.getReplyTo()
                    + " dropped, the connection is closed");
            return;
        }
        try {
            Headers headers = new Headers();
            byte[] data = converter.toBytes(value, headers);
            connection.publish(NatsMessage.builder().subject(request.getReplyTo())
                    .headers(headers.isEmpty() ? null : headers).data(data).build());
        } catch (Throwable e) {
            handleError(request, e, observation);
        }
    }

    private void handleError(Message message, Throwable error, NatsInstrumentation.Handle observation) {
        Throwable cause = error;
        while ((cause instanceof InvocationTargetException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        observation.error(cause);
        try {
            errorHandler.handleError(message, cause, connection);
        } catch (Throwable e) {
            log.error("Error handler of NATS listener '" + endpoint.id() + "' failed", e);
        }
    }
}
