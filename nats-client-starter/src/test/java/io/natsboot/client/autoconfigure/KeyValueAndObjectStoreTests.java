package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import io.natsboot.spring.kv.KeyValueException;
import io.natsboot.spring.kv.KeyValueTemplate;
import io.natsboot.spring.kv.NatsKeyValueCacheManager;
import io.natsboot.spring.kv.ReactiveKeyValueTemplate;
import io.natsboot.spring.objectstore.ObjectStoreTemplate;
import io.natsboot.spring.objectstore.ReactiveObjectStoreTemplate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.Serializable;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** Key-Value templates, watches and the cache manager, and object stores, against the reference {@code nats-server -js}. */
class KeyValueAndObjectStoreTests {

    static ReferenceNatsServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ReferenceNatsServer.startJetStream();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Driver(String id, String name) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                    NatsJetStreamAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    @Test
    void keyValueTemplateCoversTheBucketOperations() {
        runner.withBean(KeyValueConfiguration.class, () -> KeyValueConfiguration.builder().name("drivers")
                .maxHistoryPerKey(5).storageType(StorageType.File).build()).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            KeyValueTemplate kv = ctx.getBean(KeyValueTemplate.class);
            long r1 = kv.put("drivers", "d1", new Driver("d1", "Ann"));
            assertThat(kv.get("drivers", "d1", Driver.class)).isEqualTo(new Driver("d1", "Ann"));
            long r2 = kv.update("drivers", "d1", new Driver("d1", "Anna"), r1);
            assertThat(r2).isGreaterThan(r1);
            assertThatThrownBy(() -> kv.update("drivers", "d1", new Driver("d1", "stale"), r1))
                    .isInstanceOf(KeyValueException.class)
                    .satisfies(e -> assertThat(((KeyValueException) e).isConflict()).isTrue());
            assertThatThrownBy(() -> kv.create("drivers", "d1", new Driver("d1", "again")))
                    .isInstanceOf(KeyValueException.class)
                    .satisfies(e -> assertThat(((KeyValueException) e).isConflict()).isTrue());
            kv.create("drivers", "d2", "plain text");
            assertThat(kv.get("drivers", "d2", String.class)).isEqualTo("plain text");
            assertThat(kv.get("drivers", "d1", r1, Driver.class)).isEqualTo(new Driver("d1", "Ann"));
            assertThat(kv.keys("drivers")).containsExactlyInAnyOrder("d1", "d2");

            kv.delete("drivers", "d2");
            assertThat(kv.get("drivers", "d2", String.class)).isNull();
            assertThat(kv.keys("drivers")).containsExactly("d1");
            assertThat(kv.history("drivers", "d2")).extracting(KeyValueEntry::getOperation)
                    .containsExactly(KeyValueOperation.PUT, KeyValueOperation.DELETE);
            // create works again on a deleted key
            kv.create("drivers", "d2", "back");
            assertThat(kv.history("drivers", "d1")).extracting(KeyValueEntry::getRevision).containsExactly(r1, r2);
            kv.purge("drivers", "d1");
            assertThat(kv.get("drivers", "d1", Driver.class)).isNull();
            assertThat(kv.history("drivers", "d1")).extracting(KeyValueEntry::getOperation)
                    .containsExactly(KeyValueOperation.PURGE);
            assertThat(kv.get("drivers", "nobody", Driver.class)).isNull();
        });
    }

    @Test
    void watchIsAFluxOfEntries() {
        runner.withBean(KeyValueConfiguration.class, () -> KeyValueConfiguration.builder().name("positions")
                .storageType(StorageType.Memory).build()).run(ctx -> {
            KeyValueTemplate kv = ctx.getBean(KeyValueTemplate.class);
            ReactiveKeyValueTemplate reactive = ctx.getBean(ReactiveKeyValueTemplate.class);
            kv.put("positions", "car.1", "A");
            kv.put("positions", "bike.1", "B");
            List<KeyValueEntry> cars = new java.util.concurrent.CopyOnWriteArrayList<>();
            reactor.core.Disposable watching = reactive.watch("positions", "car.*").subscribe(cars::add);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cars.size() == 1);
            assertThat(cars.get(0).getValueAsString()).isEqualTo("A"); // the current value first
            kv.put("positions", "car.2", "C");
            kv.put("positions", "bike.1", "other key: not watched");
            kv.delete("positions", "car.1");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cars.size() == 3);
            assertThat(cars.get(1).getKey()).isEqualTo("car.2");
            assertThat(cars.get(2).getKey()).isEqualTo("car.1");
            assertThat(cars.get(2).getOperation()).isEqualTo(KeyValueOperation.DELETE);
            watching.dispose();
            kv.put("positions", "car.3", "after cancel");
            // values of every key; the deleted car.1 is skipped
            List<String> values = reactive.watchValues("positions", ">", String.class).take(3)
                    .collectList().block(Duration.ofSeconds(10));
            assertThat(values).containsExactlyInAnyOrder("C", "other key: not watched", "after cancel");
            assertThat(cars).hasSize(3);
        });
    }

    static class PositionWatchers {
        final List<String> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Driver> drivers = new java.util.concurrent.CopyOnWriteArrayList<>();

        @io.natsboot.spring.annotation.NatsKvListener(bucket = "fleet", keys = "car.*", id = "cars")
        void entry(KeyValueEntry e) {
            entries.add(e.getKey() + ":" + e.getOperation());
        }

        @io.natsboot.spring.annotation.NatsKvListener(bucket = "fleet", keys = "driver.>",
                options = io.nats.client.api.KeyValueWatchOption.UPDATES_ONLY)
        void driver(Driver d, @io.natsboot.spring.annotation.NatsSubject String key) {
            drivers.add(d);
        }
    }

    @Test
    void kvListenersWatchKeys() {
        runner.withBean(KeyValueConfiguration.class, () -> KeyValueConfiguration.builder().name("fleet")
                .storageType(StorageType.Memory).build())
                .withBean(PositionWatchers.class).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            KeyValueTemplate kv = ctx.getBean(KeyValueTemplate.class);
            PositionWatchers w = ctx.getBean(PositionWatchers.class);
            kv.put("fleet", "car.1", "here");
            kv.put("fleet", "driver.1", new Driver("d1", "Ann"));
            kv.delete("fleet", "car.1");
            kv.delete("fleet", "driver.1");  // a value parameter: deletes are skipped
            kv.put("fleet", "driver.2", new Driver("d2", "Bo"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(w.entries).containsExactly("car.1:PUT", "car.1:DELETE");
                assertThat(w.drivers).containsExactly(new Driver("d1", "Ann"), new Driver("d2", "Bo"));
            });
            var registry = ctx.getBean(io.natsboot.spring.listener.NatsListenerEndpointRegistry.class);
            registry.stop("cars");
            kv.put("fleet", "car.2", "unseen");
            registry.start("cars"); // a new watch: the current values again, car.2 included
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(w.entries).endsWith("car.2:PUT"));
        });
    }

    static class Lookups {
        static final AtomicInteger calls = new AtomicInteger();

        @Cacheable("drivername")
        public String name(String id) {
            return id.toUpperCase() + "#" + calls.incrementAndGet();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class CachingConfig {
        @Bean
        Lookups lookups() {
            return new Lookups();
        }
    }

    record Fare(String ride, long cents) implements Serializable { }

    @Test
    void cacheableResultsAreSharedAcrossInstances() {
        ApplicationContextRunner caching = runner.withUserConfiguration(CachingConfig.class)
                .withPropertyValues("natsboot.client.jetstream.cache.enabled=true",
                        "natsboot.client.jetstream.cache.bucket-prefix=cache-",
                        "natsboot.client.jetstream.cache.time-to-live=1s");
        caching.run(first -> caching.run(second -> {
            assertThat(first.getBean(CacheManager.class)).isInstanceOf(NatsKeyValueCacheManager.class);
            String a = first.getBean(Lookups.class).name("d7");
            String b = second.getBean(Lookups.class).name("d7");      // the other instance: from the bucket
            assertThat(b).isEqualTo(a);
            assertThat(Lookups.calls).hasValue(1);
            // TTL from the bucket the manager created
            var status = first.getBean(Connection.class).keyValueManagement().getStatus("cache-drivername");
            assertThat(status.getTtl()).isEqualTo(Duration.ofSeconds(1));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(second.getBean(Lookups.class).name("d7")).isNotEqualTo(a));

            var cache = first.getBean(CacheManager.class).getCache("fares");
            cache.put("ride 1/ä", new Fare("ride 1/ä", 1250)); // not a valid KV key: stored encoded
            assertThat(second.getBean(CacheManager.class).getCache("fares").get("ride 1/ä", Fare.class))
                    .isEqualTo(new Fare("ride 1/ä", 1250));
            cache.put("none", null);
            assertThat(cache.get("none")).isNotNull().extracting(w -> w.get()).isNull();
            assertThat(cache.putIfAbsent("ride 1/ä", new Fare("x", 1)).get()).isEqualTo(new Fare("ride 1/ä", 1250));
            cache.evict("ride 1/ä");
            assertThat(cache.get("ride 1/ä")).isNull();
            cache.clear();
            assertThat(cache.get("none")).isNull();
        }));
    }

    @Test
    void cacheManagerConditions() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(CacheManager.class));
        runner.withPropertyValues("natsboot.client.jetstream.cache.enabled=true")
                .run(ctx -> assertThat(ctx).hasSingleBean(NatsKeyValueCacheManager.class));
        runner.withPropertyValues("natsboot.client.jetstream.cache.enabled=true")
                .withBean(CacheManager.class, ConcurrentMapCacheManager::new)
                .run(ctx -> assertThat(ctx).getBean(CacheManager.class).isInstanceOf(ConcurrentMapCacheManager.class));
        runner.withPropertyValues("natsboot.client.jetstream.cache.enabled=true")
                .withClassLoader(new FilteredClassLoader(CacheManager.class))
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(NatsKeyValueCacheManager.class));
    }

    @Test
    void largeObjectsStreamInAndOut() throws Exception {
        byte[] big = new byte[6 * 1024 * 1024 + 123];
        new Random(7).nextBytes(big);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(big);
        runner.withBean(ObjectStoreConfiguration.class, () -> ObjectStoreConfiguration.builder("videos")
                .storageType(StorageType.File).build()).run(ctx -> {
            ObjectStoreTemplate os = ctx.getBean(ObjectStoreTemplate.class);
            ObjectInfo info = os.put("videos", "clip-1", new ByteArrayInputStream(big));
            assertThat(info.getSize()).isEqualTo(big.length);
            assertThat(info.getChunks()).isGreaterThan(1);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            os.get("videos", "clip-1", out);
            assertThat(MessageDigest.getInstance("SHA-256").digest(out.toByteArray())).isEqualTo(digest);
            try (InputStream in = os.getInputStream("videos", "clip-1")) {
                assertThat(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())).isEqualTo(digest);
            }
            assertThatThrownBy(() -> {
                try (InputStream in = os.getInputStream("videos", "missing")) {
                    in.readAllBytes();
                }
            }).isInstanceOf(java.io.IOException.class).hasMessageContaining("missing");

            ReactiveObjectStoreTemplate reactive = ctx.getBean(ReactiveObjectStoreTemplate.class);
            Flux<DataBuffer> upload = DataBufferUtils.readInputStream(() -> new ByteArrayInputStream(big),
                    DefaultDataBufferFactory.sharedInstance, 64 * 1024);
            ObjectInfo second = reactive.put("videos", "clip-2", upload).block(Duration.ofSeconds(30));
            assertThat(second.getSize()).isEqualTo(big.length);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            reactive.get("videos", "clip-2").doOnNext(b -> {
                byte[] chunk = new byte[b.readableByteCount()];
                b.read(chunk);
                md.update(chunk);
                DataBufferUtils.release(b);
            }).blockLast(Duration.ofSeconds(30));
            assertThat(md.digest()).isEqualTo(digest);
            assertThat(os.list("videos")).extracting(ObjectInfo::getObjectName).containsExactlyInAnyOrder("clip-1", "clip-2");
            os.delete("videos", "clip-1");
            assertThat(os.list("videos")).extracting(ObjectInfo::getObjectName).containsExactly("clip-2");
        });
    }
}
