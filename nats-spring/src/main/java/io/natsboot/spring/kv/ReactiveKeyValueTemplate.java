package io.natsboot.spring.kv;

import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link KeyValueTemplate} for Reactor: watches as {@link Flux}es of entries, and get/put as {@link Mono}s
 * (run on the bounded-elastic scheduler, since jnats' calls block).
 */
public class ReactiveKeyValueTemplate {

    private final KeyValueTemplate template;

    public ReactiveKeyValueTemplate(KeyValueTemplate template) {
        this.template = template;
    }

    public KeyValueTemplate getTemplate() {
        return template;
    }

    /**
     * Entries of the keys matching {@code keyPattern} ({@code >} for all) as they change: first the latest value
     * of each existing key (unless {@link KeyValueWatchOption#UPDATES_ONLY}), then every put, delete
     * ({@code getOperation() == DELETE}) and purge. The watch stops when the subscriber cancels. Entries are
     * buffered for a subscriber that falls behind.
     */
    public Flux<KeyValueEntry> watch(String bucket, String keyPattern, KeyValueWatchOption... options) {
        return Flux.create(sink -> {
            try {
                NatsKeyValueWatchSubscription sub = template.bucket(bucket).watch(keyPattern, new KeyValueWatcher() {
                    @Override
                    public void watch(KeyValueEntry entry) {
                        sink.next(entry);
                    }

                    @Override
                    public void endOfData() {
                        // the initial values have been delivered; the watch goes on
                    }
                }, options);
                sink.onDispose(sub::unsubscribe);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                sink.error(new KeyValueException("Cannot watch '" + keyPattern + "' in bucket '" + bucket + "'", e));
            }
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** {@link #watch} with values converted to {@code type}; deleted and purged keys are skipped. */
    public <T> Flux<T> watchValues(String bucket, String keyPattern, Class<T> type) {
        return watch(bucket, keyPattern, KeyValueWatchOption.IGNORE_DELETE).map(e -> template.convert(e, type));
    }

    public <T> Mono<T> get(String bucket, String key, Class<T> type) {
        return Mono.fromCallable(() -> template.get(bucket, key, type)).subscribeOn(Schedulers.boundedElastic());
    }

    public Mono<Long> put(String bucket, String key, Object value) {
        return Mono.fromCallable(() -> template.put(bucket, key, value)).subscribeOn(Schedulers.boundedElastic());
    }
}
