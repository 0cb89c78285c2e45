package io.natsboot.spring.annotation;

import io.natsboot.spring.jetstream.JetStreamConsumerDeclaration;
import io.natsboot.spring.jetstream.JetStreamListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as the listener of a durable JetStream consumer: pulled from when it is a pull consumer,
 * bound to in its deliver group when it is a push consumer (batches need a pull consumer). The method returns normally: the
 * message is acked; it throws: the message is nacked (redelivered, after {@link #nakDelay()} or the
 * {@link #backOff()}'s delay) or, after {@link #maxDeliveries()} deliveries, terminated. Arguments as for
 * {@link NatsListener} (payload, {@code Message}, {@code Headers}, {@link NatsSubject}); with {@link #batch()}
 * the one payload parameter is a {@code List<T>} (or {@code List<Message>}) of the pulled messages, acked or
 * nacked together. Durations: {@code 500ms}, {@code 2s}, {@code 1m}, or ISO-8601 ({@code PT2S}); every
 * attribute accepts {@code ${...}} placeholders.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface JetStreamListener {

    /** The stream. */
    String stream();

    /** The durable consumer (declare it as a {@link JetStreamConsumerDeclaration} bean, or create it otherwise). */
    String consumer();

    /** Id in the {@link NatsListenerEndpointRegistry}; defaults to {@code Class#method}. */
    String id() default "";

    /** Threads pulling from the consumer. */
    String concurrency() default "1";

    /**
     * Messages pulled at a time: a pull returns when this many came or {@link #pollTimeout()} passed. Empty: 1 for
     * a single-message listener (each message handed over at once), 10 for a {@link #batch()} listener.
     */
    String batchSize() default "";

    /** The method takes the pulled messages as one {@code List}. */
    boolean batch() default false;

    /** How long one pull waits for messages. */
    String pollTimeout() default "1s";

    /** Deliveries after which a failing message is terminated ({@code term}, not redelivered again); 0: no limit. */
    String maxDeliveries() default "0";

    /** Delay before a failed message is redelivered; empty: at once. Ignored when {@link #backOff()} is set. */
    String nakDelay() default "";

    /**
     * Bean name of a Spring {@code org.springframework.util.backoff.BackOff}: the n-th delivery's failure naks with
     * its n-th delay, and terminates the message when the back-off is exhausted.
     */
    String backOff() default "";

    /** How often "in progress" is sent while the method runs; empty: half the consumer's ack wait; {@code 0}: never. */
    String inProgressInterval() default "";

    boolean autoStartup() default true;

    /** Bean name of a {@link JetStreamListenerContainerFactory}; empty for the default one. */
    String containerFactory() default "";
}
