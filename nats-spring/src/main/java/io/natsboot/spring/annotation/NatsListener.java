package io.natsboot.spring.annotation;

import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsRemoteException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.listener.NatsListenerErrorHandler;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean method as a NATS message listener. Arguments: the payload converted with the
 * {@link NatsMessageConverter} to the parameter type, {@link io.nats.client.Message},
 * {@link io.nats.client.impl.Headers}, and the subject through {@link NatsSubject}. A non-null return value
 * (also from a {@code Mono} or {@code CompletionStage}) is published to the message's reply subject.
 * Exceptions go to the {@link NatsListenerErrorHandler}; by default a request gets a reply with the
 * {@value NatsTemplate#ERROR_HEADER} header, which {@link NatsTemplate} raises as {@link NatsRemoteException}.
 * String attributes accept {@code ${...}} placeholders.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NatsListener {

    /** Subjects (wildcards allowed). */
    @AliasFor("subjects")
    String[] value() default {};

    @AliasFor("value")
    String[] subjects() default {};

    /** Queue group; empty for none. Required when {@link #concurrency()} is above 1. */
    String queue() default "";

    /** Number of dispatchers (threads), each a member of {@link #queue()}. */
    int concurrency() default 1;

    /** Container id in the {@link NatsListenerEndpointRegistry}; defaults to {@code Class#method}. */
    String id() default "";

    /** {@code false} to start the container only through {@link NatsListenerEndpointRegistry#start(String)}. */
    boolean autoStartup() default true;

    /** Bean name of the {@link NatsListenerContainerFactory}; empty for {@value NatsListenerContainerFactory#DEFAULT_BEAN_NAME}. */
    String containerFactory() default "";

    /** Bean name of a {@link NatsListenerErrorHandler} for this listener; empty for the factory's. */
    String errorHandler() default "";
}
