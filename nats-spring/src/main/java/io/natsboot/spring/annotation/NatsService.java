package io.natsboot.spring.annotation;

import io.natsboot.spring.service.NatsServiceRegistry;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a bean as a NATS service (the {@code $SRV} micro protocol of jnats' {@code io.nats.service}): its
 * {@link NatsServiceEndpoint} methods become endpoints in a queue group, and the service answers
 * {@code $SRV.PING}, {@code $SRV.INFO} and {@code $SRV.STATS} (all, by name, and by name and id), so clients
 * discover it by scatter-gather. The {@link NatsServiceRegistry} starts it with the context and drains it on
 * shutdown, before the connection. String attributes accept {@code ${...}} placeholders.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface NatsService {

    /** Service name: letters, digits, {@code -} and {@code _}. */
    String name();

    /** Semantic version, e.g. {@code 1.2.0}. */
    String version() default "0.0.1";

    String description() default "";

    /** {@code key=value} pairs reported in PING/INFO. */
    String[] metadata() default {};

    /** Subject prefix of every endpoint (a micro "group"), e.g. {@code orders} for {@code orders.price}. */
    String group() default "";

    /** Queue group of the endpoints; empty for the protocol default {@code q}. */
    String queueGroup() default "";
}
