package io.natsboot.spring.objectstore;

import io.nats.client.Connection;
import io.nats.client.ObjectStore;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectMeta;
import io.natsboot.spring.core.NatsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object stores on a jnats {@link Connection}: objects of any size written from an {@link InputStream} and read
 * into an {@link OutputStream} (or as an {@code InputStream}) in chunks (128 KiB by default), so neither side
 * holds the whole object in memory. An object's size is bounded only by the bucket's max bytes and the server's
 * storage; each chunk must fit the server's max payload. Stores must exist: declare them as jnats
 * {@code ObjectStoreConfiguration} beans (the {@code JetStreamAdmin} creates them).
 */
public class ObjectStoreTemplate {

    private final Connection connection;
    private final Map<String, ObjectStore> stores = new ConcurrentHashMap<>();

    public ObjectStoreTemplate(Connection connection) {
        this.connection = connection;
    }

    /** jnats' store handle. */
    public ObjectStore store(String bucket) {
        return stores.computeIfAbsent(bucket, b -> {
            try {
                return connection.objectStore(b);
            } catch (IOException e) {
                throw new NatsException("Cannot open object store '" + b + "': " + e.getMessage(), e);
            }
        });
    }

    /** Writes {@code content} (read to its end, not closed) as {@code name}, replacing an older version. */
    public ObjectInfo put(String bucket, String name, InputStream content) {
        return call(bucket, name, "put", () -> store(bucket).put(name, content));
    }

    public ObjectInfo put(String bucket, ObjectMeta meta, InputStream content) {
        return call(bucket, meta.getObjectName(), "put", () -> store(bucket).put(meta, content));
    }

    /** Writes the object into {@code out} (not closed); the digest is verified. */
    public ObjectInfo get(String bucket, String name, OutputStream out) {
        return call(bucket, name, "get", () -> store(bucket).get(name, out));
    }

    /**
     * The object as a stream read while it arrives (a daemon thread copies it through a pipe). A failure while
     * reading, a digest mismatch included, surfaces as an {@link IOException} from {@code read}. Close it.
     */
    public InputStream getInputStream(String bucket, String name) {
        ObjectStore store = store(bucket);
        PipedInputStream pipe = new PipedInputStream(128 * 1024);
        PipedOutputStream out;
        try {
            out = new PipedOutputStream(pipe);
        } catch (IOException e) {
            throw new NatsException("Cannot open a pipe", e);
        }
        ObjectInputStream in = new ObjectInputStream(pipe, bucket, name);
        Thread copier = new Thread(() -> {
            try {
                store.get(name, out);
            } catch (Exception e) {
                in.failure = e; // before the close below, so the reader sees it rather than a clean end
            } finally {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the reader closed its side
                }
            }
        }, "objectstore-" + bucket + "-get");
        copier.setDaemon(true);
        copier.start();
        return in;
    }

    /** The reading side of {@link #getInputStream}: raises the copier's failure instead of a plain end of stream. */
    private static final class ObjectInputStream extends java.io.FilterInputStream {
        private final String bucket;
        private final String name;
        volatile Exception failure;

        ObjectInputStream(InputStream pipe, String bucket, String name) {
            super(pipe);
            this.bucket = bucket;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            check();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            check();
            return n;
        }

        private void check() throws IOException {
            Exception e = failure;
            if (e != null) {
                throw new IOException("Reading '" + name + "' from object store '" + bucket + "' failed: "
                        + e.getMessage(), e);
            }
        }
    }

    public ObjectInfo getInfo(String bucket, String name) {
        return call(bucket, name, "info", () -> store(bucket).getInfo(name));
    }

    public ObjectInfo delete(String bucket, String name) {
        return call(bucket, name, "delete", () -> store(bucket).delete(name));
    }

    public List<ObjectInfo> list(String bucket) {
        return call(bucket, "*", "list", () -> store(bucket).getList());
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(String bucket, String name, String what, Call<T> call) {
        try {
            return call.call();
        } catch (NatsException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new NatsException("Object store " + what + " of '" + name + "' in '" + bucket + "' failed: "
                    + e.getMessage(), e);
        }
    }
}
