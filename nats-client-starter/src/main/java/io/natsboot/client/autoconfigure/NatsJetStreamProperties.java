package io.natsboot.client.autoconfigure;

import io.nats.client.api.StorageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code natsboot.client.jetstream.*}: JetStream, Key-Value and Object Store support, and the KV cache manager. */
@ConfigurationProperties("natsboot.client.jetstream")
public class NatsJetStreamProperties {

    /** JetStream templates, declarations, {@code @JetStreamListener} containers and health; {@code false} turns them off. */
    private boolean enabled = true;

    private final Cache cache = new Cache();

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public Cache getCache() { return cache; }

    /** {@code natsboot.client.jetstream.cache.*}: a Spring {@code CacheManager} on Key-Value buckets. */
    public static class Cache {
        /** Make the Key-Value {@code CacheManager} the application's {@code cacheManager}. */
        private boolean enabled;
        /** Prefix of the bucket behind each cache. */
        private String bucketPrefix = "";
        /** Max age of buckets the manager creates (entries expire that long after they were written); 0 for none. */
        private Duration timeToLive = Duration.ZERO;
        /** Storage of buckets the manager creates. */
        private StorageType storage = StorageType.File;
        /** Caches (and their buckets) to create at start-up. */
        private List<String> cacheNames = new ArrayList<>();
        /** Cache {@code null} results. */
        private boolean allowNullValues = true;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getBucketPrefix() { return bucketPrefix; }
        public void setBucketPrefix(String bucketPrefix) { this.bucketPrefix = bucketPrefix; }
        public Duration getTimeToLive() { return timeToLive; }
        public void setTimeToLive(Duration timeToLive) { this.timeToLive = timeToLive; }
        public StorageType getStorage() { return storage; }
        public void setStorage(StorageType storage) { this.storage = storage; }
        public List<String> getCacheNames() { return cacheNames; }
        public void setCacheNames(List<String> cacheNames) { this.cacheNames = cacheNames; }
        public boolean isAllowNullValues() { return allowNullValues; }
        public void setAllowNullValues(boolean allowNullValues) { this.allowNullValues = allowNullValues; }
    }
}
