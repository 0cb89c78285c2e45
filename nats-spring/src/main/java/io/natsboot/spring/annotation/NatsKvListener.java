package io.natsboot.spring.annotation;

import io.nats.client.api.KeyValueWatchOption;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as a watcher of Key-Value keys: called with each current value when it starts (unless
 * {@link KeyValueWatchOption#UPDATES_ONLY}) and then with every change. Parameters: the jnats
 * {@code io.nats.client.api.KeyValueEntry}, or the value converted with the {@code NatsMessageConverter} (then
 * deletes and purges are skipped), and optionally a {@code String} annotated {@link NatsSubject} for the key.
 * Attributes accept {@code ${...}} placeholders.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NatsKvListener {

    /** The bucket. */
    String bucket();

    /** Keys to watch (subject wildcards: {@code drivers.*}, {@code >} for all). */
    String keys() default ">";

    /** jnats watch options, e.g. {@code UPDATES_ONLY}, {@code IGNORE_DELETE}, {@code INCLUDE_HISTORY}. */
    KeyValueWatchOption[] options() default {};

    /** Id in the {@code NatsListenerEndpointRegistry}; defaults to {@code Class#method}. */
    String id() default "";

    boolean autoStartup() default true;
}
