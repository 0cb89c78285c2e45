package io.natsboot.spring.kv;

import io.nats.client.Connection;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatchOption;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import io.natsboot.spring.listener.MessageListenerContainer;
import java.util.function.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs one {@code @NatsKvListener}: a jnats watch of {@code keyPattern} in {@code bucket} whose entries go to the
 * handler, on jnats' dispatcher thread, in order. A handler failure is logged and the watch goes on (a watch has
 * no redelivery: the entry is in the bucket, read it again if needed).
 */
public class KeyValueWatchContainer implements MessageListenerContainer {

    private static final Log log = LogFactory.getLog("io.natsboot.spring.kv");

    private final String id;
    private final Connection connection;
    private final String bucket;
    private final String keyPattern;
    private final KeyValueWatchOption[] options;
    private final boolean autoStartup;
    private final Consumer<KeyValueEntry> handler;
    private NatsKeyValueWatchSubscription subscription;

    public KeyValueWatchContainer(String id, Connection connection, String bucket, String keyPattern,
            KeyValueWatchOption[] options, boolean autoStartup, Consumer<KeyValueEntry> handler) {
        this.id = id;
        this.connection = connection;
        this.bucket = bucket;
        this.keyPattern = keyPattern;
        this.options = options.clone();
        this.autoStartup = autoStartup;
        this.handler = handler;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        try {
            subscription = connection.keyValue(bucket).watch(keyPattern, new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry entry) {
                    try {
                        handler.accept(entry);
                    } catch (RuntimeException e) {
                        log.error("Key-Value listener '" + id + "' failed on " + entry.getKey() + " (revision "
                                + entry.getRevision() + ")", e);
                    }
                }

                @Override
                public void endOfData() {
                    // the current values were delivered; changes follow
                }
            }, options);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KeyValueException("Key-Value listener '" + id + "' cannot watch '" + keyPattern
                    + "' in bucket '" + bucket + "'", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (subscription != null) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException e) {
                log.debug("Unsubscribing Key-Value listener '" + id + "': " + e);
            }
            subscription = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return subscription != null;
    }
}
