package io.natsboot.spring.annotation;

import io.natsboot.spring.core.NatsMessageConverter;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An endpoint of a {@link NatsService} bean. Arguments are resolved as for {@link NatsListener} (payload,
 * {@link io.nats.client.Message}, {@link io.nats.client.impl.Headers}, {@link NatsSubject}); the return value,
 * converted by the {@link NatsMessageConverter}, is the response ({@code null}/void: an empty one). A
 * {@code Mono} or {@code CompletionStage} is awaited on the endpoint's thread, so the service statistics
 * (processing time, errors) stay true. An exception becomes the protocol's error response
 * ({@code Nats-Service-Error} / {@code Nats-Service-Error-Code: 500}) and is counted in STATS.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NatsServiceEndpoint {

    /** Endpoint name; defaults to the method name. */
    String name() default "";

    /** Subject (after the service's group); defaults to the endpoint name. */
    String subject() default "";

    /** Queue group; empty for the service's. */
    String queueGroup() default "";

    /** {@code key=value} pairs reported in INFO. */
    String[] metadata() default {};
}
