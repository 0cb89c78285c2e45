package io.natsboot.spring.core;

import io.nats.client.impl.Headers;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON through Jackson 3 ({@code tools.jackson}) for objects; {@code byte[]} and String pass through. */
public class JacksonNatsMessageConverter extends SimpleNatsMessageConverter {

    public static final String APPLICATION_JSON = "application/json";

    private final ObjectMapper mapper;

    public JacksonNatsMessageConverter() {
        this(JsonMapper.builder().build());
    }

    public JacksonNatsMessageConverter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected byte[] toBytesOther(Object payload, Headers headers) {
        setContentType(headers, APPLICATION_JSON);
        return mapper.writeValueAsBytes(payload);
    }

    @Override
    protected <T> T fromBytesOther(byte[] data, Class<T> type) {
        return mapper.readValue(data, type);
    }
}
