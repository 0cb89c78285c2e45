package io.natsboot.spring.core;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reactor API over a {@link NatsTemplate}: publish, request, scatter-gather {@link #requestMany} and
 * {@link #subscribe} with a bounded buffer and a slow-consumer policy.
 */
public class ReactiveNatsTemplate {

    private final NatsTemplate template;
    private final int bufferSize;
    private final SlowConsumerPolicy policy;
    private final AtomicLong dropped = new AtomicLong();
    private long pendingMessagesLimit = io.nats.client.Consumer.DEFAULT_MAX_MESSAGES;
    private long pendingBytesLimit = io.nats.client.Consumer.DEFAULT_MAX_BYTES;

    public ReactiveNatsTemplate(NatsTemplate template, int bufferSize, SlowConsumerPolicy policy) {
        this.template = template;
        this.bufferSize = bufferSize;
        this.policy = policy;
    }

    /** jnats pending limits of each {@link #subscribe} dispatcher (0 for no limit). */
    public void setPendingLimits(long maxMessages, long maxBytes) {
        this.pendingMessagesLimit = maxMessages;
        this.pendingBytesLimit = maxBytes;
    }

    /** Messages dropped by {@link #subscribe} fluxes under the DROP policy. */
    public long getDroppedCount() {
        return dropped.get();
    }

    public Mono<Void> publish(String subject, Object payload) {
        return publish(subject, null, payload, null);
    }

    public Mono<Void> publish(String subject, String replyTo, Object payload, Headers headers) {
        return Mono.fromRunnable(() -> template.publish(subject, replyTo, payload, headers));
    }

    public Mono<Message> request(String subject, Object payload) {
        return request(subject, payload, null, template.getDefaultTimeout());
    }

    public Mono<Message> request(String subject, Object payload, Headers headers, Duration timeout) {
        return Mono.fromFuture(() -> template.requestAsync(subject, payload, headers, timeout))
                .onErrorMap(e -> !(e instanceof NatsException), e -> NatsTemplate.translate(subject, e, timeout));
    }

    public <T> Mono<T> request(String subject, Object payload, Class<T> replyType) {
        return request(subject, payload).map(m -> template.getConverter().fromMessage(m, replyType));
    }

    /**
     * Scatter-gather: publishes once with a fresh inbox as reply-to and emits every reply until
     * {@code maxWait} passes or {@code maxCount} replies arrived (0 = no count bound).
     */
    public Flux<Message> requestMany(String subject, Object payload, Duration maxWait, int maxCount) {
        Connection nc = template.getConnection();
        Flux<Message> replies = Flux.defer(() -> {
            String inbox = nc.createInbox();
            return subscribe(inbox, null)
                    .doOnSubscribe(s -> { })
                    .mergeWith(Mono.<Message>fromRunnable(() -> {
                        template.flush(maxWait);
                        template.publish(subject, inbox, payload, null);
                    }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
                    .filter(m -> !(m.isStatusMessage()));
        });
        if (maxCount > 0) {
            replies = replies.take(maxCount);
        }
        return replies.take(maxWait);
    }

    public Flux<Message> subscribe(String subject) {
        return subscribe(subject, null);
    }

    /**
     * Messages on {@code subject} (in queue group {@code queue} when not null) while subscribed. Up to the
     * configured buffer size messages wait for a slow subscriber; beyond that they are dropped and counted,
     * or the flux fails, by {@code natsboot.client.reactive.slow-consumer-policy}.
     */
    public Flux<Message> subscribe(String subject, String queue) {
        Flux<Message> flux = Flux.create(sink -> {
            Dispatcher d = template.getConnection().createDispatcher(sink::next);
            d.setPendingLimits(pendingMessagesLimit, pendingBytesLimit);
            if (queue == null) {
                d.subscribe(subject);
            } else {
                d.subscribe(subject, queue);
            }
            sink.onDispose(() -> template.getConnection().closeDispatcher(d));
        }, reactor.core.publisher.FluxSink.OverflowStrategy.BUFFER);
        if (policy == SlowConsumerPolicy.ERROR) {
            return flux.onBackpressureBuffer(bufferSize, m -> { },
                    BufferOverflowStrategy.ERROR);
        }
        return flux.onBackpressureBuffer(bufferSize, m -> dropped.incrementAndGet(), BufferOverflowStrategy.DROP_LATEST);
    }
}
