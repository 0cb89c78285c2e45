package io.natsboot.spring.objectstore;

import io.nats.client.api.ObjectInfo;
import java.util.concurrent.Executor;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link ObjectStoreTemplate} for WebFlux: objects written from and read as {@code Flux<DataBuffer>}
 * (e.g. a request or response body) with back-pressure, without holding them whole in memory.
 */
public class ReactiveObjectStoreTemplate {

    private final ObjectStoreTemplate template;
    private final DataBufferFactory bufferFactory;
    private final Executor executor = task -> Schedulers.boundedElastic().schedule(task);

    public ReactiveObjectStoreTemplate(ObjectStoreTemplate template) {
        this(template, DefaultDataBufferFactory.sharedInstance);
    }

    public ReactiveObjectStoreTemplate(ObjectStoreTemplate template, DataBufferFactory bufferFactory) {
        this.template = template;
        this.bufferFactory = bufferFactory;
    }

    public ObjectStoreTemplate getTemplate() {
        return template;
    }

    /** Writes the buffers as {@code name}; the buffers are released once written. */
    public Mono<ObjectInfo> put(String bucket, String name, Publisher<? extends DataBuffer> content) {
        return Mono.fromCallable(() -> {
            try (java.io.InputStream in = DataBufferUtils.subscriberInputStream(content, 16)) {
                return template.put(bucket, name, in);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The object's bytes as buffers, read as the subscriber asks for them. */
    public Flux<DataBuffer> get(String bucket, String name) {
        return Flux.from(DataBufferUtils.outputStreamPublisher(out -> template.get(bucket, name, out),
                bufferFactory, executor));
    }

    public Mono<ObjectInfo> getInfo(String bucket, String name) {
        return Mono.fromCallable(() -> template.getInfo(bucket, name)).subscribeOn(Schedulers.boundedElastic());
    }
}
