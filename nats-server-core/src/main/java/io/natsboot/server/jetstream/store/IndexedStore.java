package io.natsboot.server.jetstream.store;

import io.natsboot.server.subject.Subjects;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the memory and file stores share: the sequence index, per-subject sequences, counters and limits.
 * Subclasses persist (or keep) message bodies; every public method runs under this object's monitor.
 */
abstract class IndexedStore implements MessageStore {

    /** Index entry: what limits and filters need without reading the message. */
    static class Entry {
        final String subject;
        final long timestamp;
        final int size;

        Entry(String subject, long timestamp, int size) {
            this.subject = subject;
            this.timestamp = timestamp;
            this.size = size;
        }
    }

    /** Which messages are present (the file store's loads blocks on demand). */
    final SeqIndex index;
    long firstSeq = 1;
    long lastSeq;
    long lastTimestamp;
    StoreLimits limits = StoreLimits.NONE;
    private RemovalListener listener;
    boolean closed;

    IndexedStore(SeqIndex index) {
        this.index = index;
    }

    /** Called before {@link #write}: a store that loads its index lazily readies the part appends go to. */
    void beforeAppend() {
    }

    /** Persists a new message; returns its index entry. */
    abstract Entry write(long seq, long timestamp, String subject, byte[] headers, byte[] data) throws StoreException;

    abstract StoredMessage read(long seq, Entry e);

    /** Persists the removal of one message. */
    abstract void erase(long seq, Entry e);

    /** Persists that every sequence below {@code seq} is gone (the index entries are already removed). */
    abstract void eraseBelow(long seq);

    /** Bytes a message counts against max_bytes (nats-server's accounting for this kind of store). */
    abstract int sizeOf(String subject, byte[] headers, byte[] data);

    static long now() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Adds a recovered or new entry to the index and counters. */
    final void indexEntry(long seq, Entry e) {
        index.put(seq, e);
        if (seq > lastSeq) {
            lastSeq = seq;
            lastTimestamp = e.timestamp;
        }
        if (index.count() == 1) {
            firstSeq = seq;
        }
    }

    @Override
    public synchronized StoredMessage append(String subject, byte[] headers, byte[] data, long timestamp)
            throws StoreException {
        return doAppend(lastSeq + 1, subject, headers, data, timestamp);
    }

    @Override
    public synchronized StoredMessage appendAt(long seq, String subject, byte[] headers, byte[] data, long timestamp)
            throws StoreException {
        if (seq <= lastSeq) {
            throw new StoreException("sequence " + seq + " not above last sequence " + lastSeq);
        }
        return doAppend(seq, subject, headers, data, timestamp);
    }

    private StoredMessage doAppend(long seq, String subject, byte[] headers, byte[] data, long timestamp)
            throws StoreException {
        if (closed) {
            throw new StoreException(StoreException.CLOSED);
        }
        headers = headers == null ? new byte[0] : headers;
        data = data == null ? new byte[0] : data;
        checkDiscardNew(subject, headers, data);
        long ts = timestamp == 0 ? Math.max(now(), lastTimestamp) : timestamp;
        beforeAppend();
        Entry e = write(seq, ts, subject, headers, data);
        if (index.count() == 0) {
            firstSeq = seq;
        }
        indexEntry(seq, e);
        lastSeq = seq;
        lastTimestamp = ts;
        enforceLimits(subject);
        return new StoredMessage(subject, headers, data, seq, ts);
    }

    private void checkDiscardNew(String subject, byte[] headers, byte[] data) throws StoreException {
        StoreLimits l = limits;
        if (l.maxMsgSize() > 0 && headers.length + data.length > l.maxMsgSize()) {
            throw new StoreException(StoreException.MSG_TOO_BIG);
        }
        if (!l.discardNew()) {
            return;
        }
        boolean atSubjectLimit = false;
        if (l.maxMsgsPerSubject() > 0) {
            if (index.subjectCount(subject) >= l.maxMsgsPerSubject()) {
                if (l.discardNewPerSubject()) {
                    throw new StoreException(StoreException.MAX_MSGS_PER_SUBJECT);
                }
                atSubjectLimit = true;
            }
        }
        if (l.maxMsgs() > 0 && index.count() >= l.maxMsgs() && !atSubjectLimit) {
            throw new StoreException(StoreException.MAX_MSGS);
        }
        if (l.maxBytes() > 0 && index.bytes() + headers.length + data.length > l.maxBytes() && !atSubjectLimit) {
            throw new StoreException(StoreException.MAX_BYTES);
        }
    }

    /** Removes what the limits no longer allow, oldest first (per subject first, as nats-server). */
    final void enforceLimits() {
        enforceLimits(null);
    }

    /**
     * As {@link #enforceLimits()}; after an append only the appended subject can be over its per-subject limit,
     * so {@code appended} (null: every subject) narrows that check.
     */
    private void enforceLimits(String appended) {
        StoreLimits l = limits;
        if (l.maxMsgsPerSubject() > 0) {
            List<Long> over = null;
            for (String subject : appended != null ? List.of(appended) : new ArrayList<>(index.subjects())) {
                long excess = index.subjectCount(subject) - l.maxMsgsPerSubject();
                if (excess <= 0) {
                    continue; // (no block is read for a subject within its limit)
                }
                for (long seq = index.subjectNext(subject, 0); excess > 0 && seq >= 0;
                     seq = index.subjectNext(subject, seq + 1), excess--) {
                    if (over == null) {
                        over = new ArrayList<>();
                    }
                    over.add(seq);
                }
            }
            if (over != null) {
                Collections.sort(over);
                for (long seq : over) {
                    removeBy(seq, true);
                }
            }
        }
        if (l.maxMsgs() > 0) {
            while (index.count() > l.maxMsgs()) {
                removeBy(index.firstSeq(), true);
            }
        }
        if (l.maxBytes() > 0) {
            while (index.bytes() > l.maxBytes() && index.count() > 0) {
                removeBy(index.firstSeq(), true);
            }
        }
        if (l.maxAgeNanos() > 0) {
            expireLocked(now());
        }
    }

    private void expireLocked(long nowNanos) {
        long cutoff = nowNanos - limits.maxAgeNanos();
        // The first message's time comes from a summary: no block is read unless something expires.
        while (index.count() > 0 && index.firstTimestamp() <= cutoff) {
            removeBy(index.firstSeq(), true);
        }
    }

    @Override
    public synchronized void expire(long nowNanos) {
        if (!closed && limits.maxAgeNanos() > 0) {
            expireLocked(nowNanos);
        }
    }

    /** Removes from index and subject list; persists unless told not to. */
    private Entry removeBy(long seq, boolean byLimits) {
        Entry e = index.remove(seq);
        if (e == null) {
            return null;
        }
        firstSeq = index.count() > 0 ? index.firstSeq() : lastSeq + 1;
        erase(seq, e);
        if (byLimits && listener != null) {
            listener.removed(seq, e.subject);
        }
        return e;
    }

    @Override
    public synchronized StoredMessage load(long seq) {
        Entry e = index.get(seq);
        return e == null ? null : read(seq, e);
    }

    private static boolean all(String filter) {
        return filter == null || filter.isEmpty() || filter.equals(">");
    }

    @Override
    public synchronized StoredMessage loadNext(String filter, long fromSeq) {
        long seq = nextSeq(filter, fromSeq);
        return seq < 0 ? null : read(seq, index.get(seq));
    }

    /** The first sequence >= fromSeq matching filter, or -1. */
    final long nextSeq(String filter, long fromSeq) {
        if (all(filter)) {
            return index.nextPresent(fromSeq);
        }
        if (Subjects.isLiteral(filter)) {
            return index.subjectNext(filter, fromSeq);
        }
        if (index.numSubjects() <= 256) {
            long best = -1;
            for (String subject : index.subjects()) {
                if (Subjects.matches(filter, subject)) {
                    long seq = index.subjectNext(subject, fromSeq);
                    if (seq >= 0 && (best < 0 || seq < best)) {
                        best = seq;
                    }
                }
            }
            return best;
        }
        for (long seq = index.nextPresent(fromSeq); seq >= 0; seq = index.nextPresent(seq + 1)) {
            if (Subjects.matches(filter, index.get(seq).subject)) {
                return seq;
            }
        }
        return -1;
    }

    @Override
    public synchronized StoredMessage loadLast(String filter) {
        long best = -1;
        if (all(filter)) {
            best = index.lastPresent();
        } else if (Subjects.isLiteral(filter)) {
            best = index.subjectLast(filter);
        } else {
            for (String subject : new ArrayList<>(index.subjects())) {
                if (Subjects.matches(filter, subject)) {
                    best = Math.max(best, index.subjectLast(subject));
                }
            }
        }
        return best < 0 ? null : read(best, index.get(best));
    }

    @Override
    public synchronized boolean remove(long seq) {
        if (closed) {
            return false;
        }
        return removeBy(seq, false) != null;
    }

    @Override
    public synchronized long purge(String filter, long upToSeq, long keep) {
        if (closed) {
            return 0;
        }
        if (all(filter) && keep <= 0) {
            long below = upToSeq > 0 ? upToSeq : lastSeq + 1;
            return compactLocked(below);
        }
        List<Long> victims = new ArrayList<>();
        if (all(filter)) {
            for (long seq = index.nextPresent(0); seq >= 0; seq = index.nextPresent(seq + 1)) {
                victims.add(seq);
            }
        } else {
            for (String subject : new ArrayList<>(index.subjects())) {
                if (subject.equals(filter) || Subjects.matches(filter, subject)) {
                    for (long seq = index.subjectNext(subject, 0); seq >= 0; seq = index.subjectNext(subject, seq + 1)) {
                        victims.add(seq);
                    }
                }
            }
            Collections.sort(victims);
        }
        if (upToSeq > 0) {
            int i = Collections.binarySearch(victims, upToSeq);
            victims = victims.subList(0, i >= 0 ? i : -i - 1);
        }
        if (keep > 0) {
            victims = victims.subList(0, (int) Math.max(0, victims.size() - keep));
        }
        for (long seq : victims) {
            removeBy(seq, false);
        }
        return victims.size();
    }

    @Override
    public synchronized long compact(long seq) {
        return closed ? 0 : compactLocked(seq);
    }

    private long compactLocked(long below) {
        long n = index.removeBelow(below);
        if (index.count() == 0) {
            if (below > lastSeq + 1) {
                lastSeq = below - 1;
            }
            firstSeq = lastSeq + 1;
        } else {
            firstSeq = index.firstSeq();
        }
        eraseBelow(Math.min(below, lastSeq + 1));
        return n;
    }

    @Override
    public synchronized long numPending(String filter, long fromSeq) {
        if (all(filter)) {
            if (fromSeq <= firstSeq) {
                return index.count();
            }
            if (fromSeq > lastSeq) {
                return 0;
            }
            long first = index.count() > 0 ? index.firstSeq() : lastSeq + 1;
            if ((lastSeq - first + 1) == index.count()) {
                // No gaps: count by arithmetic instead of walking the index (called for every delivery).
                return lastSeq - fromSeq + 1;
            }
            return index.countFrom(fromSeq);
        }
        if (Subjects.isLiteral(filter)) {
            return index.subjectCountFrom(filter, fromSeq);
        }
        long n = 0;
        for (String subject : new ArrayList<>(index.subjects())) {
            if (Subjects.matches(filter, subject)) {
                n += index.subjectCountFrom(subject, fromSeq);
            }
        }
        return n;
    }

    @Override
    public synchronized Map<String, Long> subjectCounts(String filter) {
        Map<String, Long> out = new TreeMap<>();
        for (String subject : index.subjects()) {
            if (all(filter) || subject.equals(filter) || Subjects.matches(filter, subject)) {
                out.put(subject, index.subjectCount(subject));
            }
        }
        return out;
    }

    @Override
    public synchronized StoreState state() {
        long msgs = index.count();
        long first = msgs > 0 ? index.firstSeq() : lastSeq + 1;
        long firstTs = msgs > 0 ? index.firstTimestamp() : 0;
        long deleted = msgs > 0 ? (lastSeq - first + 1) - msgs : 0;
        return new StoreState(msgs, index.bytes(), first, firstTs, lastSeq, lastTimestamp, deleted,
                index.numSubjects());
    }

    @Override
    public synchronized long[] deletedSeqs() {
        if (index.count() == 0) {
            return new long[0];
        }
        long first = index.firstSeq();
        long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, (lastSeq - first + 1) - index.count())];
        int n = 0;
        long expect = first;
        for (long seq = index.nextPresent(first); n < out.length; seq = index.nextPresent(seq + 1)) {
            long upTo = seq < 0 ? lastSeq + 1 : seq;
            for (long s = expect; s < upTo && n < out.length; s++) {
                out[n++] = s;
            }
            if (seq < 0) {
                break;
            }
            expect = seq + 1;
        }
        return out;
    }

    @Override
    public synchronized void setLimits(StoreLimits limits) {
        this.limits = limits;
        if (!closed) {
            enforceLimits();
        }
    }

    @Override
    public synchronized StoreLimits limits() {
        return limits;
    }

    @Override
    public synchronized void setRemovalListener(RemovalListener listener) {
        this.listener = listener;
    }
}
