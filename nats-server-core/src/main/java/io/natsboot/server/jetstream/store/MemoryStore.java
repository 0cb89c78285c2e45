package io.natsboot.server.jetstream.store;

/** Messages kept on the heap; nothing survives the process. */
public final class MemoryStore extends IndexedStore {

    private static final class MemEntry extends Entry {
        final byte[] headers;
        final byte[] data;

        MemEntry(String subject, long timestamp, int size, byte[] headers, byte[] data) {
            super(subject, timestamp, size);
            this.headers = headers;
            this.data = data;
        }
    }

    public MemoryStore(StoreLimits limits) {
        super(new FullIndex());
        this.limits = limits;
    }

    @Override
    Entry write(long seq, long timestamp, String subject, byte[] headers, byte[] data) {
        return new MemEntry(subject, timestamp, sizeOf(subject, headers, data), headers, data);
    }

    @Override
    StoredMessage read(long seq, Entry e) {
        MemEntry m = (MemEntry) e;
        return new StoredMessage(e.subject, m.headers, m.data, seq, e.timestamp);
    }

    @Override
    void erase(long seq, Entry e) {
    }

    @Override
    void eraseBelow(long seq) {
    }

    /** nats-server's memory store accounting: subject, headers, payload and 16 bytes for sequence and time. */
    @Override
    int sizeOf(String subject, byte[] headers, byte[] data) {
        return subject.length() + headers.length + data.length + 16;
    }

    @Override
    public void sync() {
    }

    @Override
    public synchronized void destroy() {
        closed = true;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
