package io.natsboot.spring.core;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.lang.reflect.Type;

/**
 * Converts payloads to and from message bytes. {@code byte[]} and {@link String} pass through; the content
 * type goes in the {@value #CONTENT_TYPE} header.
 */
public interface NatsMessageConverter {

    String CONTENT_TYPE = "Content-Type";

    /** The bytes for {@code payload}; sets {@value #CONTENT_TYPE} in {@code headers} when it is known. */
    byte[] toBytes(Object payload, Headers headers);

    /** The payload of {@code message} as {@code type} ({@code Message}, {@code byte[]}, {@code String} or other). */
    <T> T fromMessage(Message message, Class<T> type);

    /**
     * The payload of {@code message} as {@code type} with its generic arguments (a {@code List<Order>}
     * holds {@code Order}s, not maps): a {@link Class}, a {@link java.lang.reflect.ParameterizedType}, or any
     * type from {@link org.springframework.core.ResolvableType#getType()} or
     * {@link org.springframework.core.ParameterizedTypeReference#getType()}. The default handles classes
     * only and refuses other types rather than losing their arguments.
     */
    default Object fromMessage(Message message, Type type) {
        if (type instanceof Class<?> c) {
            return fromMessage(message, c);
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + " cannot convert to the generic type " + type);
    }

    /** JSON through Jackson 3 when {@code tools.jackson.databind} is on the classpath, else byte[] and String only. */
    static NatsMessageConverter createDefault() {
        if (org.springframework.util.ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper",
                NatsMessageConverter.class.getClassLoader())) {
            return new JacksonNatsMessageConverter();
        }
        return new SimpleNatsMessageConverter();
    }
}
