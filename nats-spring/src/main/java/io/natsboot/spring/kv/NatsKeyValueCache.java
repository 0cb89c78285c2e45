package io.natsboot.spring.kv;

import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.springframework.cache.support.AbstractValueAdaptingCache;
import org.springframework.core.serializer.DefaultDeserializer;
import org.springframework.core.serializer.DefaultSerializer;
import org.springframework.core.serializer.support.SerializationDelegate;

/**
 * A Spring {@link org.springframework.cache.Cache} on one Key-Value bucket, shared by every application
 * instance connected to the server. Values are stored with Java serialization (they must be
 * {@code Serializable}, as with Spring Data Redis' default); entries expire with the bucket's max age (its TTL).
 * Keys that are valid KV keys ({@code [-/_=.a-zA-Z0-9]}, no leading or trailing dot) are used as they are,
 * others are stored Base64url-encoded with the prefix {@value #ENCODED_PREFIX}.
 */
public class NatsKeyValueCache extends AbstractValueAdaptingCache {

    static final String ENCODED_PREFIX = "_b64_";
    private static final Pattern VALID_KEY = Pattern.compile("[-/_=a-zA-Z0-9]+(\\.[-/_=a-zA-Z0-9]+)*");

    private final String name;
    private final KeyValue bucket;
    private final SerializationDelegate serialization =
            new SerializationDelegate(new DefaultSerializer(), new DefaultDeserializer(NatsKeyValueCache.class.getClassLoader()));

    public NatsKeyValueCache(String name, KeyValue bucket, boolean allowNullValues) {
        super(allowNullValues);
        this.name = name;
        this.bucket = bucket;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public KeyValue getNativeCache() {
        return bucket;
    }

    /** The KV key {@code key} is stored under. */
    static String kvKey(Object key) {
        String s = String.valueOf(key);
        if (VALID_KEY.matcher(s).matches() && !s.startsWith(ENCODED_PREFIX)) {
            return s;
        }
        return ENCODED_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Object lookup(Object key) {
        try {
            KeyValueEntry e = bucket.get(kvKey(key));
            if (e == null || e.getOperation() != KeyValueOperation.PUT || e.getValue() == null) {
                return null;
            }
            return serialization.deserialize(new java.io.ByteArrayInputStream(e.getValue()));
        } catch (Exception e) {
            throw new KeyValueException("Cache '" + name + "': cannot read " + key, e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <T> T get(Object key, Callable<T> valueLoader) {
        ValueWrapper present = get(key);
        if (present != null) {
            return (T) present.get();
        }
        T value;
        try {
            value = valueLoader.call();
        } catch (Exception e) {
            throw new ValueRetrievalException(key, valueLoader, e);
        }
        put(key, value);
        return value;
    }

    @Override
    public void put(Object key, Object value) {
        try {
            bucket.put(kvKey(key), bytes(toStoreValue(value)));
        } catch (Exception e) {
            throw new KeyValueException("Cache '" + name + "': cannot store " + key, e);
        }
    }

    @Override
    public ValueWrapper putIfAbsent(Object key, Object value) {
        try {
            bucket.create(kvKey(key), bytes(toStoreValue(value)));
            return null;
        } catch (io.nats.client.JetStreamApiException e) {
            if (e.getApiErrorCode() == KeyValueException.WRONG_LAST_SEQUENCE) {
                return get(key);
            }
            throw new KeyValueException("Cache '" + name + "': cannot store " + key, e);
        } catch (Exception e) {
            throw new KeyValueException("Cache '" + name + "': cannot store " + key, e);
        }
    }

    @Override
    public void evict(Object key) {
        try {
            bucket.purge(kvKey(key));
        } catch (Exception e) {
            throw new KeyValueException("Cache '" + name + "': cannot evict " + key, e);
        }
    }

    @Override
    public void clear() {
        try {
            for (String k : bucket.keys()) {
                bucket.purge(k);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KeyValueException("Cache '" + name + "': cannot clear", e);
        }
    }

    private byte[] bytes(Object value) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        serialization.serialize(value, out);
        return out.toByteArray();
    }
}
