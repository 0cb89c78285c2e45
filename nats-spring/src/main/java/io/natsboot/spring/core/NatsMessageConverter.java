package io.natsboot.spring.core;

import io.nats.client.Message;
import io.nats.client.impl.Headers;

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

    /** JSON through Jackson 3 when {@code tools.jackson.databind} is on the classpath, else byte[] and String only. */
    static NatsMessageConverter createDefault() {
        if (org.springframework.util.ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper",
                NatsMessageConverter.class.getClassLoader())) {
            return new JacksonNatsMessageConverter();
        }
        return new SimpleNatsMessageConverter();
    }
}
