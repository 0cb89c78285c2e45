package io.natsboot.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;

/**
 * Turns on {@link NatsListener} and {@link NatsService} processing in a Spring application context, as
 * {@code @EnableKafka} does for Kafka listeners; Spring Boot's nats-client-starter does this by itself.
 *
 * <p>It registers the annotation post-processors, the
 * {@link io.natsboot.spring.listener.NatsListenerEndpointRegistry} and the
 * {@link io.natsboot.spring.service.NatsServiceRegistry} (each only when the context has none). The context
 * must hold the jnats {@link io.nats.client.Connection}. A
 * {@link io.natsboot.spring.listener.NatsListenerContainerFactory} named
 * {@value io.natsboot.spring.listener.NatsListenerContainerFactory#DEFAULT_BEAN_NAME} is used when there is
 * one; otherwise one is created on the unique {@code Connection} with the unique
 * {@link io.natsboot.spring.core.NatsMessageConverter} (or {@link io.natsboot.spring.core.NatsMessageConverter#createDefault()})
 * and registered under that name.
 *
 * <pre class="code">
 * &#64;Configuration
 * &#64;EnableNats
 * class NatsConfig {
 *     &#64;Bean(destroyMethod = "close")
 *     Connection natsConnection() throws Exception {
 *         return Nats.connect("nats://127.0.0.1:4222");
 *     }
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(NatsBootstrapConfiguration.class)
public @interface EnableNats {
}
