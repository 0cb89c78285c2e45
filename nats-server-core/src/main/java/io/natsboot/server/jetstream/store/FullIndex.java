package io.natsboot.server.jetstream.store;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** Every entry and every subject's sequences on the heap: the memory store's index, and one loaded file block's. */
final class FullIndex implements SeqIndex {
    private final EntryIndex entries = new EntryIndex();
    private final Map<String, SeqList> bySubject = new HashMap<>();
    private long bytes;

    @Override
    public long count() {
        return entries.count();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public long firstSeq() {
        return entries.firstSeq();
    }

    @Override
    public long firstTimestamp() {
        return entries.get(entries.firstSeq()).timestamp;
    }

    @Override
    public long lastPresent() {
        return entries.count() > 0 ? entries.lastPresent() : -1;
    }

    @Override
    public IndexedStore.Entry get(long seq) {
        return entries.get(seq);
    }

    @Override
    public long nextPresent(long from) {
        return entries.count() > 0 ? entries.nextPresent(from) : -1;
    }

    @Override
    public void put(long seq, IndexedStore.Entry e) {
        entries.put(seq, e);
        bySubject.computeIfAbsent(e.subject, k -> new SeqList()).add(seq);
        bytes += e.size;
    }

    /** The subject string already held for this subject (one String per subject, not one per message). */
    String canonical(String subject) {
        SeqList s = bySubject.get(subject);
        return s == null ? subject : entries.get(s.first()).subject;
    }

    @Override
    public IndexedStore.Entry remove(long seq) {
        IndexedStore.Entry e = entries.remove(seq);
        if (e == null) {
            return null;
        }
        SeqList s = bySubject.get(e.subject);
        s.remove(seq);
        if (s.size() == 0) {
            bySubject.remove(e.subject);
        }
        bytes -= e.size;
        return e;
    }

    @Override
    public long removeBelow(long below) {
        long n = 0;
        while (entries.count() > 0 && entries.firstSeq() < below) {
            remove(entries.firstSeq());
            n++;
        }
        return n;
    }

    @Override
    public long countFrom(long from) {
        long count = entries.count();
        if (count == 0) {
            return 0;
        }
        long first = entries.firstSeq();
        if (from <= first) {
            return count;
        }
        long last = entries.lastPresent();
        if (last - first + 1 == count) {
            // No gaps: count by arithmetic instead of walking the index.
            return Math.max(0, last - from + 1);
        }
        long n = 0;
        for (long seq = entries.nextPresent(from); seq >= 0; seq = entries.nextPresent(seq + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public long subjectCount(String subject) {
        SeqList s = bySubject.get(subject);
        return s == null ? 0 : s.size();
    }

    @Override
    public long subjectNext(String subject, long from) {
        SeqList s = bySubject.get(subject);
        if (s == null) {
            return -1;
        }
        int i = s.ceilingIndex(from);
        return i < s.size() ? s.get(i) : -1;
    }

    @Override
    public long subjectLast(String subject) {
        SeqList s = bySubject.get(subject);
        return s == null ? -1 : s.last();
    }

    @Override
    public long subjectCountFrom(String subject, long from) {
        SeqList s = bySubject.get(subject);
        return s == null ? 0 : s.size() - s.ceilingIndex(from);
    }

    @Override
    public Collection<String> subjects() {
        return Collections.unmodifiableSet(bySubject.keySet());
    }

    @Override
    public int numSubjects() {
        return bySubject.size();
    }
}
