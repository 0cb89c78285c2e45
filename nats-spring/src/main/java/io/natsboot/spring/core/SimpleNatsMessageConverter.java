package io.natsboot.spring.core;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;

/** {@code byte[]} and {@link String} (UTF-8) only; subclasses add object mapping. */
public class SimpleNatsMessageConverter implements NatsMessageConverter {

    public static final String TEXT_PLAIN = "text/plain;charset=UTF-8";
    public static final String OCTET_STREAM = "application/octet-stream";

    @Override
    public byte[] toBytes(Object payload, Headers headers) {
        if (payload == null) {
            return new byte[0];
        }
        if (payload instanceof byte[] bytes) {
            return bytes;
        }
        if (payload instanceof String s) {
            setContentType(headers, TEXT_PLAIN);
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return toBytesOther(payload, headers);
    }

    protected byte[] toBytesOther(Object payload, Headers headers) {
        throw new IllegalArgumentException("Cannot convert " + payload.getClass().getName()
                + " to a NATS payload; send byte[] or String, or add a JSON library");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T fromMessage(Message message, Class<T> type) {
        if (type == null || type == Object.class || Message.class.isAssignableFrom(type)) {
            return (T) message;
        }
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        if (type == byte[].class) {
            return (T) data;
        }
        if (type == String.class) {
            return (T) new String(data, StandardCharsets.UTF_8);
        }
        return fromBytesOther(data, type);
    }

    protected <T> T fromBytesOther(byte[] data, Class<T> type) {
        throw new IllegalArgumentException("Cannot convert a NATS payload to " + type.getName());
    }

    protected static void setContentType(Headers headers, String contentType) {
        if (headers != null && !headers.isReadOnly() && !headers.containsKey(CONTENT_TYPE)) {
            headers.put(CONTENT_TYPE, contentType);
        }
    }
}
