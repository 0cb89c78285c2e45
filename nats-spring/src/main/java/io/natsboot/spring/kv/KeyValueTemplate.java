package io.natsboot.spring.kv;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.natsboot.spring.core.NatsMessageConverter;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key-Value buckets on a jnats {@link Connection}, with values converted by the {@link NatsMessageConverter}
 * (JSON, {@code String}, {@code byte[]}). Buckets must exist: declare them as jnats
 * {@code KeyValueConfiguration} beans (the {@code JetStreamAdmin} creates them) or create them otherwise.
 * Failures raise {@link KeyValueException}; a revision conflict is {@link KeyValueException#isConflict()}.
 */
public class KeyValueTemplate {

    private final Connection connection;
    private final NatsMessageConverter converter;
    private final Map<String, KeyValue> buckets = new ConcurrentHashMap<>();

    public KeyValueTemplate(Connection connection, NatsMessageConverter converter) {
        this.connection = connection;
        this.converter = converter;
    }

    public NatsMessageConverter getConverter() {
        return converter;
    }

    /** jnats' bucket handle, for what this template does not cover. */
    public KeyValue bucket(String bucket) {
        return buckets.computeIfAbsent(bucket, b -> {
            try {
                return connection.keyValue(b);
            } catch (IOException e) {
                throw new KeyValueException("Cannot open Key-Value bucket '" + b + "'", e);
            }
        });
    }

    /** The latest entry of {@code key}, or null when it has none or was deleted/purged. */
    public KeyValueEntry getEntry(String bucket, String key) {
        KeyValueEntry e = call(bucket, key, "get", () -> bucket(bucket).get(key));
        return e == null || e.getOperation() != KeyValueOperation.PUT ? null : e;
    }

    /** The latest value of {@code key} as {@code type}, or null. */
    public <T> T get(String bucket, String key, Class<T> type) {
        KeyValueEntry e = getEntry(bucket, key);
        return e == null ? null : convert(e, type);
    }

    /** The value of {@code key} at {@code revision}, or null. */
    public <T> T get(String bucket, String key, long revision, Class<T> type) {
        KeyValueEntry e = call(bucket, key, "get", () -> bucket(bucket).get(key, revision));
        return e == null || e.getOperation() != KeyValueOperation.PUT ? null : convert(e, type);
    }

    /** Stores {@code value}; returns the new revision. */
    public long put(String bucket, String key, Object value) {
        byte[] bytes = bytes(value);
        return call(bucket, key, "put", () -> bucket(bucket).put(key, bytes));
    }

    /** Stores {@code value} only if {@code key} has no value; else a conflict. Returns the revision. */
    public long create(String bucket, String key, Object value) {
        byte[] bytes = bytes(value);
        return call(bucket, key, "create", () -> bucket(bucket).create(key, bytes));
    }

    /** Stores {@code value} only if {@code key}'s latest revision is {@code expectedRevision}; else a conflict. */
    public long update(String bucket, String key, Object value, long expectedRevision) {
        byte[] bytes = bytes(value);
        return call(bucket, key, "update", () -> bucket(bucket).update(key, bytes, expectedRevision));
    }

    /** Marks {@code key} deleted (its history stays). */
    public void delete(String bucket, String key) {
        call(bucket, key, "delete", () -> {
            bucket(bucket).delete(key);
            return null;
        });
    }

    /** Deletes {@code key} and its history. */
    public void purge(String bucket, String key) {
        call(bucket, key, "purge", () -> {
            bucket(bucket).purge(key);
            return null;
        });
    }

    /** Keys that have a value. */
    public List<String> keys(String bucket) {
        return call(bucket, "*", "keys", () -> bucket(bucket).keys());
    }

    /** Keys matching {@code filter} (subject wildcards: {@code orders.*}, {@code orders.>}). */
    public List<String> keys(String bucket, String filter) {
        return call(bucket, filter, "keys", () -> bucket(bucket).keys(filter));
    }

    /** Every kept revision of {@code key}, oldest first, deletes and purges included (up to the bucket's history). */
    public List<KeyValueEntry> history(String bucket, String key) {
        return call(bucket, key, "history", () -> bucket(bucket).history(key));
    }

    public <T> T convert(KeyValueEntry entry, Class<T> type) {
        return converter.fromMessage(message(entry), type);
    }

    public Object convert(KeyValueEntry entry, Type type) {
        return converter.fromMessage(message(entry), type);
    }

    private static NatsMessage message(KeyValueEntry entry) {
        return NatsMessage.builder().subject("$KV." + entry.getBucket() + "." + entry.getKey())
                .data(entry.getValue() == null ? new byte[0] : entry.getValue()).build();
    }

    private byte[] bytes(Object value) {
        return converter.toBytes(value, new Headers());
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(String bucket, String key, String what, Call<T> call) {
        try {
            return call.call();
        } catch (KeyValueException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KeyValueException("Key-Value " + what + " of '" + key + "' in bucket '" + bucket + "' failed", e);
        }
    }
}
