package io.natsboot.spring.kv;

import io.nats.client.Connection;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.StorageType;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are Key-Value buckets ({@link NatsKeyValueCache}), so
 * {@code @Cacheable} results are shared by every instance of the application. The cache {@code users} is the
 * bucket {@code <prefix>users}; a missing bucket is created with the default time-to-live (the bucket's max
 * age: entries expire that long after they were written) and storage, an existing one is used as it is (its own
 * TTL applies).
 */
public class NatsKeyValueCacheManager implements CacheManager {

    private final Connection connection;
    private final Map<String, NatsKeyValueCache> caches = new ConcurrentHashMap<>();
    private String bucketPrefix = "";
    private Duration defaultTimeToLive = Duration.ZERO;
    private StorageType storageType = StorageType.File;
    private boolean allowNullValues = true;

    public NatsKeyValueCacheManager(Connection connection) {
        this.connection = connection;
    }

    /** Prefix of the bucket names (e.g. {@code cache-}); empty by default. */
    public void setBucketPrefix(String bucketPrefix) {
        this.bucketPrefix = bucketPrefix == null ? "" : bucketPrefix;
    }

    /** Max age of buckets this manager creates; {@link Duration#ZERO} keeps entries until evicted. */
    public void setDefaultTimeToLive(Duration defaultTimeToLive) {
        this.defaultTimeToLive = defaultTimeToLive;
    }

    public void setStorageType(StorageType storageType) {
        this.storageType = storageType;
    }

    public void setAllowNullValues(boolean allowNullValues) {
        this.allowNullValues = allowNullValues;
    }

    /** Creates the caches (and their buckets) now rather than on first use. */
    public void setCacheNames(Collection<String> names) {
        names.forEach(this::getCache);
    }

    @Override
    public Cache getCache(String name) {
        return caches.computeIfAbsent(name, this::open);
    }

    @Override
    public Collection<String> getCacheNames() {
        return List.copyOf(caches.keySet());
    }

    private NatsKeyValueCache open(String name) {
        String bucket = bucketPrefix + name;
        try {
            KeyValueManagement kvm = connection.keyValueManagement();
            if (!kvm.getBucketNames().contains(bucket)) {
                KeyValueConfiguration.Builder config = KeyValueConfiguration.builder().name(bucket)
                        .storageType(storageType).maxHistoryPerKey(1);
                if (!defaultTimeToLive.isZero()) {
                    config.ttl(defaultTimeToLive);
                }
                kvm.create(config.build());
            }
            return new NatsKeyValueCache(name, connection.keyValue(bucket), allowNullValues);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KeyValueException("Cannot open cache '" + name + "' (Key-Value bucket '" + bucket + "')", e);
        }
    }
}
