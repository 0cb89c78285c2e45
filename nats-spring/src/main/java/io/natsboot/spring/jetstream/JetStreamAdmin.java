package io.natsboot.spring.jetstream;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.ObjectStoreManagement;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;

/**
 * Declares the application's JetStream resources at start-up, as Spring AMQP's {@code RabbitAdmin} declares
 * queues: every {@link StreamConfiguration}, {@link JetStreamConsumerDeclaration}, {@link KeyValueConfiguration}
 * and {@link ObjectStoreConfiguration} bean of the context is created when it does not exist and updated when
 * it does. A stream that exists with a configuration the server refuses to change to the declared one (another
 * storage type, subjects another stream holds, ...) fails the start-up with a {@link JetStreamDeclarationException}
 * naming the stream, the server's error and what differs.
 *
 * <p>Runs when all singletons exist, before listener containers start (they need their consumers). Outside a
 * context call {@link #declare()}.
 */
public class JetStreamAdmin implements SmartInitializingSingleton, ApplicationContextAware {

    public static final String BEAN_NAME = "natsJetStreamAdmin";

    private static final Log log = LogFactory.getLog("io.natsboot.spring.jetstream");

    private final Connection connection;
    private final List<StreamConfiguration> streams = new ArrayList<>();
    private final List<JetStreamConsumerDeclaration> consumers = new ArrayList<>();
    private final List<KeyValueConfiguration> buckets = new ArrayList<>();
    private final List<ObjectStoreConfiguration> objectStores = new ArrayList<>();
    private ApplicationContext context;

    public JetStreamAdmin(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void setApplicationContext(ApplicationContext context) throws BeansException {
        this.context = context;
    }

    /** Declared in addition to the context's beans (or instead of them, outside a context). */
    public JetStreamAdmin stream(StreamConfiguration stream) {
        streams.add(stream);
        return this;
    }

    public JetStreamAdmin consumer(JetStreamConsumerDeclaration consumer) {
        consumers.add(consumer);
        return this;
    }

    public JetStreamAdmin keyValue(KeyValueConfiguration bucket) {
        buckets.add(bucket);
        return this;
    }

    public JetStreamAdmin objectStore(ObjectStoreConfiguration store) {
        objectStores.add(store);
        return this;
    }

    @Override
    public void afterSingletonsInstantiated() {
        declare();
    }

    /** The stream names this admin declares (the context's beans included), for health checks. */
    public List<String> getDeclaredStreamNames() {
        List<String> names = new ArrayList<>();
        allStreams().forEach(s -> names.add(s.getName()));
        return names;
    }

    private List<StreamConfiguration> allStreams() {
        List<StreamConfiguration> all = new ArrayList<>(streams);
        if (context != null) {
            all.addAll(context.getBeansOfType(StreamConfiguration.class, false, false).values());
        }
        return all;
    }

    private <T> List<T> all(List<T> own, Class<T> type) {
        List<T> all = new ArrayList<>(own);
        if (context != null) {
            all.addAll(context.getBeansOfType(type, false, false).values());
        }
        return all;
    }

    /** Creates or updates everything declared; throws {@link JetStreamDeclarationException} on the first failure. */
    public void declare() {
        List<StreamConfiguration> s = allStreams();
        List<JetStreamConsumerDeclaration> c = all(consumers, JetStreamConsumerDeclaration.class);
        List<KeyValueConfiguration> kv = all(buckets, KeyValueConfiguration.class);
        List<ObjectStoreConfiguration> os = all(objectStores, ObjectStoreConfiguration.class);
        if (s.isEmpty() && c.isEmpty() && kv.isEmpty() && os.isEmpty()) {
            return;
        }
        JetStreamManagement jsm = management();
        for (StreamConfiguration stream : s) {
            declareStream(jsm, stream);
        }
        for (JetStreamConsumerDeclaration consumer : c) {
            declareConsumer(jsm, consumer);
        }
        for (KeyValueConfiguration bucket : kv) {
            declareKeyValue(bucket);
        }
        for (ObjectStoreConfiguration store : os) {
            declareObjectStore(store);
        }
    }

    private JetStreamManagement management() {
        try {
            return connection.jetStreamManagement();
        } catch (IOException e) {
            throw new JetStreamDeclarationException("JetStream is not available on " + connection.getConnectedUrl()
                    + " (is the server started with JetStream, e.g. nats-server -js?): " + e.getMessage(), e);
        }
    }

    void declareStream(JetStreamManagement jsm, StreamConfiguration declared) {
        String name = declared.getName();
        StreamInfo existing;
        try {
            existing = jsm.getStreamInfo(name);
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() != 404) {
                throw failure("read stream '" + name + "'", e);
            }
            existing = null;
        } catch (IOException e) {
            throw failure("read stream '" + name + "'", e);
        }
        try {
            if (existing == null) {
                jsm.addStream(declared);
                log.info("Created JetStream stream '" + name + "' on subjects " + declared.getSubjects());
            } else {
                jsm.updateStream(declared);
                log.debug("Updated JetStream stream '" + name + "'");
            }
        } catch (JetStreamApiException e) {
            String differs = existing == null ? "" : differences(existing.getConfiguration(), declared);
            throw new JetStreamDeclarationException("Stream '" + name + "' "
                    + (existing == null ? "cannot be created" : "exists with a configuration that conflicts with the declared one")
                    + ": " + e.getMessage() + " (server error " + e.getApiErrorCode() + ")"
                    + (differs.isEmpty() ? "" : "; existing vs declared: " + differs), e);
        } catch (IOException e) {
            throw failure("declare stream '" + name + "'", e);
        }
    }

    /** The settings a user most often changes by mistake, as {@code name: existing -> declared}. */
    private static String differences(StreamConfiguration existing, StreamConfiguration declared) {
        List<String> d = new ArrayList<>();
        if (existing.getStorageType() != declared.getStorageType()) {
            d.add("storage: " + existing.getStorageType() + " -> " + declared.getStorageType());
        }
        if (existing.getRetentionPolicy() != declared.getRetentionPolicy()) {
            d.add("retention: " + existing.getRetentionPolicy() + " -> " + declared.getRetentionPolicy());
        }
        if (!new java.util.HashSet<>(existing.getSubjects()).equals(new java.util.HashSet<>(declared.getSubjects()))) {
            d.add("subjects: " + existing.getSubjects() + " -> " + declared.getSubjects());
        }
        if (existing.getReplicas() != declared.getReplicas()) {
            d.add("replicas: " + existing.getReplicas() + " -> " + declared.getReplicas());
        }
        if (existing.getMaxAge() != null && !existing.getMaxAge().equals(declared.getMaxAge())) {
            d.add("max age: " + existing.getMaxAge() + " -> " + declared.getMaxAge());
        }
        return String.join(", ", d);
    }

    void declareConsumer(JetStreamManagement jsm, JetStreamConsumerDeclaration declared) {
        ConsumerConfiguration config = declared.configuration();
        try {
            jsm.addOrUpdateConsumer(declared.stream(), config);
            log.debug("Declared JetStream consumer '" + declared.consumerName() + "' on stream '" + declared.stream() + "'");
        } catch (JetStreamApiException e) {
            throw new JetStreamDeclarationException("Consumer '" + declared.consumerName() + "' on stream '"
                    + declared.stream() + "' cannot be created or updated: " + e.getMessage()
                    + " (server error " + e.getApiErrorCode() + ")", e);
        } catch (IOException e) {
            throw failure("declare consumer '" + declared.consumerName() + "'", e);
        }
    }

    void declareKeyValue(KeyValueConfiguration bucket) {
        try {
            KeyValueManagement kvm = connection.keyValueManagement();
            if (kvm.getBucketNames().contains(bucket.getBucketName())) {
                kvm.update(bucket);
            } else {
                kvm.create(bucket);
                log.info("Created Key-Value bucket '" + bucket.getBucketName() + "'");
            }
        } catch (JetStreamApiException e) {
            throw new JetStreamDeclarationException("Key-Value bucket '" + bucket.getBucketName()
                    + "' cannot be created or updated: " + e.getMessage() + " (server error " + e.getApiErrorCode() + ")", e);
        } catch (IOException e) {
            throw failure("declare Key-Value bucket '" + bucket.getBucketName() + "'", e);
        }
    }

    void declareObjectStore(ObjectStoreConfiguration store) {
        try {
            ObjectStoreManagement osm = connection.objectStoreManagement();
            if (!osm.getBucketNames().contains(store.getBucketName())) {
                osm.create(store);
                log.info("Created object store '" + store.getBucketName() + "'");
            }
        } catch (JetStreamApiException e) {
            throw new JetStreamDeclarationException("Object store '" + store.getBucketName()
                    + "' cannot be created: " + e.getMessage() + " (server error " + e.getApiErrorCode() + ")", e);
        } catch (IOException e) {
            throw failure("declare object store '" + store.getBucketName() + "'", e);
        }
    }

    private static JetStreamDeclarationException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new JetStreamDeclarationException("Cannot " + what + ": " + e.getMessage(), e);
    }
}
