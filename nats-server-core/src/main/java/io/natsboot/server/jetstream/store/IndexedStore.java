package io.natsboot.server.jetstream.store;

import io.natsboot.server.subject.Subjects;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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

    final EntryIndex index = new EntryIndex();
    final Map<String, SeqList> bySubject = new HashMap<>();
    long firstSeq = 1;
    long lastSeq;
    long lastTimestamp;
    long bytes;
    StoreLimits limits = StoreLimits.NONE;
    private RemovalListener listener;
    boolean closed;

    /** Persists a new message; returns its index entry. */
    abstract Entry write(long seq, long timestamp, String subject, byte[] headers, byte[] data) throws StoreException;

    abstract StoredMessage read(long seq, Entry e);

    /** Persists the removal of one message. */
    abstract void erase(long seq, Entry e);

    /** Persists that every sequence below {@code seq} is gone (the index entries are already removed). */
    abstract void eraseBelow(long seq, List<Entry> removed);

    /** Bytes a message counts against max_bytes (nats-server's accounting for this kind of store). */
    abstract int sizeOf(String subject, byte[] headers, byte[] data);

    static long now() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Adds a recovered or new entry to the index and counters. */
    final void indexEntry(long seq, Entry e) {
        index.put(seq, e);
        bySubject.computeIfAbsent(e.subject, k -> new SeqList()).add(seq);
        bytes += e.size;
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
        Entry e = write(seq, ts, subject, headers, data);
        if (index.count() == 0) {
            firstSeq = seq;
        }
        indexEntry(seq, e);
        lastSeq = seq;
        lastTimestamp = ts;
        enforceLimits();
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
            SeqList s = bySubject.get(subject);
            if (s != null && s.size() >= l.maxMsgsPerSubject()) {
                if (l.discardNewPerSubject()) {
                    throw new StoreException(StoreException.MAX_MSGS_PER_SUBJECT);
                }
                atSubjectLimit = true;
            }
        }
        if (l.maxMsgs() > 0 && index.count() >= l.maxMsgs() && !atSubjectLimit) {
            throw new StoreException(StoreException.MAX_MSGS);
        }
        if (l.maxBytes() > 0 && bytes + headers.length + data.length > l.maxBytes() && !atSubjectLimit) {
            throw new StoreException(StoreException.MAX_BYTES);
        }
    }

    /** Removes what the limits no longer allow, oldest first (per subject first, as nats-server). */
    final void enforceLimits() {
        StoreLimits l = limits;
        if (l.maxMsgsPerSubject() > 0) {
            List<Long> over = null;
            for (SeqList s : bySubject.values()) {
                for (int i = 0; i < s.size() - l.maxMsgsPerSubject(); i++) {
                    if (over == null) {
                        over = new ArrayList<>();
                    }
                    over.add(s.get(i));
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
            while (bytes > l.maxBytes() && index.count() > 0) {
                removeBy(index.firstSeq(), true);
            }
        }
        if (l.maxAgeNanos() > 0) {
            expireLocked(now());
        }
    }

    private void expireLocked(long nowNanos) {
        long cutoff = nowNanos - limits.maxAgeNanos();
        while (index.count() > 0) {
            long seq = index.firstSeq();
            Entry e = index.get(seq);
            if (e.timestamp > cutoff) {
                break;
            }
            removeBy(seq, true);
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
        SeqList s = bySubject.get(e.subject);
        s.remove(seq);
        if (s.size() == 0) {
            bySubject.remove(e.subject);
        }
        bytes -= e.size;
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
            SeqList s = bySubject.get(filter);
            if (s == null) {
                return -1;
            }
            int i = s.ceilingIndex(fromSeq);
            return i < s.size() ? s.get(i) : -1;
        }
        if (bySubject.size() <= 256) {
            long best = -1;
            for (Map.Entry<String, SeqList> m : bySubject.entrySet()) {
                if (Subjects.matches(filter, m.getKey())) {
                    SeqList s = m.getValue();
                    int i = s.ceilingIndex(fromSeq);
                    if (i < s.size() && (best < 0 || s.get(i) < best)) {
                        best = s.get(i);
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
            best = index.count() > 0 ? index.lastPresent() : -1;
        } else if (Subjects.isLiteral(filter)) {
            SeqList s = bySubject.get(filter);
            best = s == null ? -1 : s.last();
        } else {
            for (Map.Entry<String, SeqList> m : bySubject.entrySet()) {
                if (Subjects.matches(filter, m.getKey())) {
                    best = Math.max(best, m.getValue().last());
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
            for (Map.Entry<String, SeqList> m : bySubject.entrySet()) {
                if (m.getKey().equals(filter) || Subjects.matches(filter, m.getKey())) {
                    SeqList s = m.getValue();
                    for (int i = 0; i < s.size(); i++) {
                        victims.add(s.get(i));
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
        List<Entry> removed = new ArrayList<>();
        long n = 0;
        while (index.count() > 0 && index.firstSeq() < below) {
            long seq = index.firstSeq();
            Entry e = index.remove(seq);
            SeqList s = bySubject.get(e.subject);
            s.remove(seq);
            if (s.size() == 0) {
                bySubject.remove(e.subject);
            }
            bytes -= e.size;
            removed.add(e);
            n++;
        }
        if (index.count() == 0) {
            if (below > lastSeq + 1) {
                lastSeq = below - 1;
            }
            firstSeq = lastSeq + 1;
        } else {
            firstSeq = index.firstSeq();
        }
        eraseBelow(Math.min(below, lastSeq + 1), removed);
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
            long n = 0;
            for (long seq = index.nextPresent(fromSeq); seq >= 0; seq = index.nextPresent(seq + 1)) {
                n++;
            }
            return n;
        }
        if (Subjects.isLiteral(filter)) {
            // One subject (a consumer filtered on it, asked on every delivery): its list, not every subject's.
            SeqList s = bySubject.get(filter);
            return s == null ? 0 : s.size() - s.ceilingIndex(fromSeq);
        }
        long n = 0;
        for (Map.Entry<String, SeqList> m : bySubject.entrySet()) {
            if (m.getKey().equals(filter) || Subjects.matches(filter, m.getKey())) {
                SeqList s = m.getValue();
                n += s.size() - s.ceilingIndex(fromSeq);
            }
        }
        return n;
    }

    @Override
    public synchronized Map<String, Long> subjectCounts(String filter) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, SeqList> m : bySubject.entrySet()) {
            if (all(filter) || m.getKey().equals(filter) || Subjects.matches(filter, m.getKey())) {
                out.put(m.getKey(), (long) m.getValue().size());
            }
        }
        return out;
    }

    @Override
    public synchronized StoreState state() {
        long msgs = index.count();
        long first = msgs > 0 ? index.firstSeq() : lastSeq + 1;
        long firstTs = msgs > 0 ? index.get(first).timestamp : 0;
        long deleted = msgs > 0 ? (lastSeq - first + 1) - msgs : 0;
        return new StoreState(msgs, bytes, first, firstTs, lastSeq, lastTimestamp, deleted, bySubject.size());
    }

    @Override
    public synchronized long[] deletedSeqs() {
        if (index.count() == 0) {
            return new long[0];
        }
        long first = index.firstSeq();
        long[] out = new long[(int) Math.min(Integer.MAX_VALUE - 8, (lastSeq - first + 1) - index.count())];
        int n = 0;
        for (long s = first; s <= lastSeq && n < out.length; s++) {
            if (index.get(s) == null) {
                out[n++] = s;
            }
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
