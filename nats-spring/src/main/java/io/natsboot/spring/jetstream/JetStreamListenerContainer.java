package io.natsboot.spring.jetstream;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.natsboot.spring.core.AsyncResults;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.listener.MessageListenerContainer;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Runs one {@link JetStreamListenerEndpoint}: {@code concurrency} threads, each pulling up to {@code batchSize}
 * messages at a time from the durable consumer and handing them to the handler (one by one, or as one list).
 * A pull returns when {@code batchSize} messages came or the poll timeout passed, whichever is first: a
 * batch size of 1 (the default of single-message listeners) hands each message over as soon as it is stored.
 * A push consumer (one with a deliver subject) is bound to instead, with {@code concurrency} dispatchers in its
 * deliver group, each message handled as it is pushed.
 *
 * <p>At-least-once: a message is acked only after its handler returned (an asynchronous result: after it
 * completed). A handler that throws gets its messages nacked, with the {@code nakBackOff}'s delay for that
 * delivery, or terminated once they were delivered {@code maxDeliveries} times or the back-off is exhausted.
 * While a handler runs the container sends "in progress" so the server does not redeliver it after the ack
 * wait. Anything not acked (the process died, the connection was lost) is redelivered by the server once the
 * consumer's ack wait has passed. Stopping lets the handlers finish (up to the drain timeout) and naks the
 * messages pulled but not yet handled, so they are redelivered at once.
 */
public class JetStreamListenerContainer implements MessageListenerContainer {

    private static final Log log = LogFactory.getLog("io.natsboot.spring.jetstream");

    private final JetStreamListenerEndpoint endpoint;
    private final Connection connection;
    private final Duration drainTimeout;
    private final NatsInstrumentation instrumentation;
    private final JetStreamMetrics metrics;
    private final List<Thread> workers = new ArrayList<>();
    private final List<io.nats.client.Dispatcher> dispatchers = new ArrayList<>();
    private ScheduledExecutorService keepAlive;
    private volatile boolean running;

    public JetStreamListenerContainer(JetStreamListenerEndpoint endpoint, Connection connection, Duration drainTimeout,
            NatsInstrumentation instrumentation, JetStreamMetrics metrics) {
        this.endpoint = endpoint;
        this.connection = connection;
        this.drainTimeout = drainTimeout;
        this.instrumentation = instrumentation;
        this.metrics = metrics;
    }

    @Override
    public String getId() {
        return endpoint.id();
    }

    public JetStreamListenerEndpoint getEndpoint() {
        return endpoint;
    }

    @Override
    public boolean isAutoStartup() {
        return endpoint.autoStartup();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        ConsumerContext consumer;
        try {
            consumer = connection.getConsumerContext(endpoint.stream(), endpoint.consumer());
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("JetStream listener '" + endpoint.id() + "': no consumer '"
                    + endpoint.consumer() + "' on stream '" + endpoint.stream() + "' (declare it as a "
                    + "JetStreamConsumerDeclaration bean): " + e.getMessage(), e);
        }
        io.nats.client.api.ConsumerConfiguration config = consumer.getCachedConsumerInfo().getConsumerConfiguration();
        Duration interval = endpoint.inProgressInterval();
        if (interval == null) {
            Duration ackWait = config.getAckWait();
            interval = ackWait == null ? Duration.ofSeconds(15) : ackWait.dividedBy(2);
        }
        keepAlive = interval.isZero() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jetstream-" + endpoint.id() + "-in-progress");
            t.setDaemon(true);
            return t;
        });
        running = true;
        if (config.getDeliverSubject() != null) {
            startPush(config, interval);
            return;
        }
        for (int i = 0; i < endpoint.concurrency(); i++) {
            Duration every = interval;
            Thread t = new Thread(() -> pullLoop(consumer, every), "jetstream-" + endpoint.id() + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        log.debug("Started JetStream listener '" + endpoint.id() + "' on " + endpoint.stream() + "/" + endpoint.consumer());
    }

    /**
     * A push consumer (its configuration has a deliver subject): {@code concurrency} dispatchers bound to it, in its
     * deliver group (required above 1); each message is handled as it is pushed. Batches need a pull consumer.
     */
    private void startPush(io.nats.client.api.ConsumerConfiguration config, Duration inProgressEvery) {
        String group = config.getDeliverGroup();
        try {
            if (endpoint.batch()) {
                throw new IllegalStateException("a batch listener needs a pull consumer; '" + endpoint.consumer()
                        + "' is a push consumer (deliver subject " + config.getDeliverSubject() + ")");
            }
            if (endpoint.concurrency() > 1 && group == null) {
                throw new IllegalStateException("concurrency " + endpoint.concurrency() + " on the push consumer '"
                        + endpoint.consumer() + "' needs a deliver group in its configuration");
            }
            io.nats.client.JetStream js = connection.jetStream();
            for (int i = 0; i < endpoint.concurrency(); i++) {
                io.nats.client.Dispatcher d = connection.createDispatcher();
                js.subscribe(null, group, d, m -> handlePulled(List.of(m), inProgressEvery), false,
                        io.nats.client.PushSubscribeOptions.bind(endpoint.stream(), endpoint.consumer()));
                dispatchers.add(d);
            }
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            running = false;
            closeDispatchers();
            throw new IllegalStateException("JetStream listener '" + endpoint.id() + "' cannot bind to push consumer '"
                    + endpoint.consumer() + "': " + e.getMessage(), e);
        }
        log.debug("Started JetStream listener '" + endpoint.id() + "' on push consumer " + endpoint.stream() + "/"
                + endpoint.consumer());
    }

    private void closeDispatchers() {
        for (io.nats.client.Dispatcher d : dispatchers) {
            try {
                if (d.isActive() && connection.getStatus() == Connection.Status.CONNECTED) {
                    // handlers still running finish; messages not yet handled are redelivered after the ack wait
                    d.drain(drainTimeout).get(drainTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("JetStream listener '" + endpoint.id() + "' did not drain in " + drainTimeout + ": " + e);
            }
            try {
                if (d.isActive() && connection.getStatus() != Connection.Status.CLOSED) {
                    connection.closeDispatcher(d);
                }
            } catch (RuntimeException e) {
                log.debug("Closing dispatcher of '" + endpoint.id() + "': " + e);
            }
        }
        dispatchers.clear();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        closeDispatchers();
        long deadline = System.nanoTime() + drainTimeout.toNanos() + endpoint.pollTimeout().toNanos();
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("JetStream listener '" + endpoint.id() + "' still handling after " + drainTimeout
                        + "; its unacked messages will be redelivered after the ack wait");
                t.interrupt();
            }
        }
        workers.clear();
        if (keepAlive != null) {
            keepAlive.shutdownNow();
        }
        log.debug("Stopped JetStream listener '" + endpoint.id() + "'");
    }

    private void pullLoop(ConsumerContext consumer, Duration inProgressEvery) {
        FetchConsumeOptions options = FetchConsumeOptions.builder().maxMessages(endpoint.batchSize())
                .expiresIn(endpoint.pollTimeout().toMillis()).build();
        while (running) {
            List<Message> pulled = new ArrayList<>();
            try (FetchConsumer fetch = consumer.fetch(options)) {
                Message m;
                while ((m = fetch.nextMessage()) != null) {
                    pulled.add(m);
                }
                if (!running) {
                    pulled.forEach(Message::nak); // pulled while stopping: back to the stream at once
                    return;
                }
                if (!pulled.isEmpty()) {
                    handlePulled(pulled, inProgressEvery);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                log.warn("JetStream listener '" + endpoint.id() + "' pull failed, retrying: " + e);
                pause(); // e.g. while reconnecting; the server keeps the messages
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(Math.min(1000, endpoint.pollTimeout().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Handles one pull's messages, as one batch or one by one. While any of them is not finished the server is
     * told they are in progress, the ones still waiting their turn included, so a long handler does not get
     * the others redelivered elsewhere after the ack wait.
     */
    private void handlePulled(List<Message> pulled, Duration inProgressEvery) {
        java.util.Set<Message> unfinished = java.util.concurrent.ConcurrentHashMap.newKeySet();
        unfinished.addAll(pulled);
        ScheduledFuture<?> working = keepAlive == null ? null : keepAlive.scheduleAtFixedRate(
                () -> unfinished.forEach(Message::inProgress), inProgressEvery.toMillis(), inProgressEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            if (endpoint.batch()) {
                process(pulled);
            } else {
                for (int i = 0; i < pulled.size(); i++) {
                    Message m = pulled.get(i);
                    if (!running) {
                        // stopping: what was not handled goes back to the stream at once
                        pulled.subList(i, pulled.size()).forEach(Message::nak);
                        return;
                    }
                    process(List.of(m));
                    unfinished.remove(m);
                }
            }
        } finally {
            if (working != null) {
                working.cancel(false);
            }
        }
    }

    void process(List<Message> messages) {
        for (Message m : messages) {
            metrics.delivered(endpoint.id(), deliveries(m) > 1);
        }
        NatsInstrumentation.Handle observation = messages.size() == 1
                ? instrumentation.receive(messages.get(0), endpoint.id()) : NatsInstrumentation.Handle.NONE;
        try (NatsInstrumentation.Scope scope = observation.openScope()) {
            Object result = endpoint.handler().handle(messages);
            if (result instanceof CompletionStage<?> stage) {
                stage.toCompletableFuture().join();
            } else if (AsyncResults.isMono(result)) {
                AsyncResults.block(result);
            }
            for (Message m : messages) {
                m.ack();
                metrics.acked(endpoint.id());
            }
        } catch (Throwable e) {
            Throwable cause = unwrap(e);
            observation.error(cause);
            for (Message m : messages) {
                reject(m, cause);
            }
        } finally {
            observation.stop();
        }
    }

    private void reject(Message m, Throwable cause) {
        long delivered = deliveries(m);
        Duration delay = Duration.ZERO;
        boolean giveUp = endpoint.maxDeliveries() > 0 && delivered >= endpoint.maxDeliveries();
        if (!giveUp && endpoint.nakBackOff() != null) {
            BackOffExecution execution = endpoint.nakBackOff().start();
            long next = 0;
            for (long i = 0; i < delivered && next != BackOffExecution.STOP; i++) {
                next = execution.nextBackOff();
            }
            giveUp = next == BackOffExecution.STOP;
            delay = giveUp ? Duration.ZERO : Duration.ofMillis(next);
        }
        if (giveUp) {
            log.error("JetStream listener '" + endpoint.id() + "' gives up on " + m.getSubject() + " (stream sequence "
                    + m.metaData().streamSequence() + ") after " + delivered + " deliveries: terminated", cause);
            m.term();
            metrics.terminated(endpoint.id());
            return;
        }
        log.warn("JetStream listener '" + endpoint.id() + "' failed on " + m.getSubject() + " (delivery " + delivered
                + "), redelivery " + (delay.isZero() ? "now" : "in " + delay) + ": " + cause);
        if (delay.isZero()) {
            m.nak();
        } else {
            m.nakWithDelay(delay);
        }
        metrics.nacked(endpoint.id());
    }

    private static long deliveries(Message m) {
        return m.isJetStream() ? m.metaData().deliveredCount() : 1;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof InvocationTargetException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
