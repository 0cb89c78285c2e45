package io.natsboot.server.jetstream.store;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The file store's index: totals and per-subject totals from the blocks' summaries, a block's entries loaded
 * when one of its messages is needed (a read, a delete, a per-subject lookup inside it) and dropped again when
 * the loaded blocks hold more than {@code maxEntries} entries (least recently used first; never the block appends
 * go to, and at least two blocks stay).
 * As nats-server 2.9's file store, a subject's entry knows its total and a range of blocks that may hold it.
 */
final class BlockIndex implements SeqIndex {

    /** Reads a block's entries from disk; reports a block whose entries disagree with its summary. */
    interface Loader {
        FullIndex load(Block b);

        void mismatch(Block b, long summaryMsgs, long loadedMsgs);
    }

    /** One subject: how many messages, and the base sequences of the first and last block that may hold it. */
    private static final class Psi {
        long total;
        long firstBase;
        long lastBase;

        Psi(long total, long base) {
            this.total = total;
            this.firstBase = base;
            this.lastBase = base;
        }
    }

    private final TreeMap<Long, Block> bySeq = new TreeMap<>();
    private final Map<String, Psi> psim = new HashMap<>();
    private final LinkedHashMap<Block, Boolean> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private long maxEntries;
    private Loader loader;
    private Block lastTouched;
    /** The block appends go to: always loaded. */
    private Block active;
    private long count;
    private long bytes;

    BlockIndex(long maxEntries) {
        this.maxEntries = maxEntries;
    }

    void setMaxEntries(long maxEntries) {
        this.maxEntries = maxEntries;
    }

    void setLoader(Loader loader) {
        this.loader = loader;
    }

    /** The block appends go to from now on (loaded: a new block, or loaded by {@link #detail} first). */
    void setActive(Block b) {
        if (active == b && b.detail != null) {
            return;
        }
        if (b.detail == null) {
            detail(b);
        }
        active = b;
        loaded.put(b, Boolean.TRUE);
    }

    /** Adds a recovered block: from its summary alone (detail null) or with its entries already loaded. */
    void addBlock(Block b) {
        if (b.base >= 0) {
            bySeq.put(b.base, b);
        }
        count += b.msgs;
        bytes += b.bytes;
        for (Map.Entry<String, Long> s : b.subjects.entrySet()) {
            addSubject(s.getKey(), s.getValue(), b.base);
        }
        if (b.detail != null) {
            loaded.put(b, Boolean.TRUE);
        }
    }

    /** Forgets a block that holds no message any more (its files are being deleted). */
    void dropBlock(Block b) {
        if (b.base >= 0 && bySeq.get(b.base) == b) {
            bySeq.remove(b.base);
        }
        loaded.remove(b);
        if (lastTouched == b) {
            lastTouched = null;
        }
    }

    /** Blocks in sequence order (those that ever held a message). */
    Collection<Block> blocks() {
        return bySeq.values();
    }

    int loadedBlocks() {
        return loaded.size();
    }

    private void addSubject(String subject, long n, long base) {
        Psi p = psim.get(subject);
        if (p == null) {
            psim.put(subject, new Psi(n, base));
        } else {
            p.total += n;
            p.firstBase = Math.min(p.firstBase, base);
            p.lastBase = Math.max(p.lastBase, base);
        }
    }

    private void subtractSubject(String subject, long n) {
        Psi p = psim.get(subject);
        if (p != null) {
            p.total -= n;
            if (p.total <= 0) {
                psim.remove(subject);
            }
        }
    }

    /** The block's entries, loaded (and checked against its summary) on first use. */
    FullIndex detail(Block b) {
        FullIndex d = b.detail;
        if (d == null) {
            d = loader.load(b);
            b.detail = d;
            reconcile(b, d);
            loaded.put(b, Boolean.TRUE);
            lastTouched = b;
            evict(b);
        } else if (lastTouched != b) {
            loaded.get(b); // access order: most recently used last
            lastTouched = b;
        }
        return d;
    }

    /** Brings the summary (and the totals) in line with what the block really holds: normally a no-op. */
    private void reconcile(Block b, FullIndex d) {
        long oldMsgs = b.msgs;
        long oldBytes = b.bytes;
        Map<String, Long> oldSubjects = b.subjects;
        b.summarise(d);
        if (b.msgs == oldMsgs && b.bytes == oldBytes && b.subjects.equals(oldSubjects)) {
            return;
        }
        loader.mismatch(b, oldMsgs, b.msgs);
        count += b.msgs - oldMsgs;
        bytes += b.bytes - oldBytes;
        Set<String> all = new HashSet<>(oldSubjects.keySet());
        all.addAll(b.subjects.keySet());
        for (String s : all) {
            long delta = b.subjects.getOrDefault(s, 0L) - oldSubjects.getOrDefault(s, 0L);
            if (delta > 0) {
                addSubject(s, delta, b.base);
            } else if (delta < 0) {
                subtractSubject(s, -delta);
            }
        }
        b.summaryDirty = true;
    }

    /** Drops loaded entries beyond the bound. */
    void trim() {
        evict(null);
    }

    private void evict(Block keep) {
        long total = 0;
        for (Block b : loaded.keySet()) {
            total += b.detail == null ? 0 : b.detail.count();
        }
        Iterator<Block> it = loaded.keySet().iterator();
        while (total > maxEntries && loaded.size() > 2 && it.hasNext()) {
            Block b = it.next();
            if (b != keep && b != active) {
                // Its entries can be read again: the index file (or the block) plus the delete log and first.seq.
                total -= b.detail == null ? 0 : b.detail.count();
                b.detail = null;
                it.remove();
            }
        }
    }

    private Block blockOf(long seq) {
        Block t = lastTouched;
        if (t != null && t.msgs > 0 && seq >= t.firstSeq && seq <= t.lastSeq) {
            return t; // reads and deliveries mostly stay in one block: no map lookup
        }
        Map.Entry<Long, Block> e = bySeq.floorEntry(seq);
        if (e == null) {
            return null;
        }
        Block b = e.getValue();
        return b.msgs == 0 || seq < b.firstSeq || seq > b.lastSeq ? null : b;
    }

    /** Blocks from the one that may hold {@code seq} on, in sequence order. */
    private Collection<Block> from(long seq) {
        Long k = bySeq.floorKey(seq);
        return k == null ? bySeq.values() : bySeq.tailMap(k, true).values();
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    private Block firstBlock() {
        for (Block b : bySeq.values()) {
            if (b.msgs > 0) {
                return b;
            }
        }
        return null;
    }

    @Override
    public long firstSeq() {
        Block b = firstBlock();
        return b == null ? -1 : b.firstSeq;
    }

    @Override
    public long firstTimestamp() {
        Block b = firstBlock();
        return b == null ? 0 : b.firstTs;
    }

    @Override
    public long lastPresent() {
        for (Block b : bySeq.descendingMap().values()) {
            if (b.msgs > 0) {
                return b.lastSeq;
            }
        }
        return -1;
    }

    @Override
    public IndexedStore.Entry get(long seq) {
        Block b = blockOf(seq);
        return b == null ? null : detail(b).get(seq);
    }

    @Override
    public long nextPresent(long from) {
        Block t = lastTouched;
        if (t != null && t.msgs > 0 && from > t.firstSeq && from <= t.lastSeq && t.detail != null) {
            long seq = t.detail.nextPresent(from); // within the block read last: found there (from <= lastSeq)
            if (seq >= 0) {
                return seq;
            }
        }
        for (Block b : from(from)) {
            if (b.msgs == 0 || b.lastSeq < from) {
                continue;
            }
            if (from <= b.firstSeq) {
                return b.firstSeq;
            }
            long seq = detail(b).nextPresent(from);
            if (seq >= 0) {
                return seq;
            }
        }
        return -1;
    }

    @Override
    public void put(long seq, IndexedStore.Entry e) {
        Block.Record r = (Block.Record) e;
        Block b = r.block;
        FullIndex d = detail(b);
        if (b.base < 0) {
            b.base = seq;
            bySeq.put(seq, b);
        }
        d.put(seq, e);
        if (b.msgs == 0) {
            b.firstSeq = seq;
            b.firstTs = e.timestamp;
        }
        b.msgs++;
        b.bytes += e.size;
        b.liveBytes += r.length;
        b.lastSeq = seq;
        if (seq > b.maxSeq) {
            b.maxSeq = seq;
            b.maxTs = e.timestamp;
        }
        b.subjects.merge(e.subject, 1L, Long::sum);
        b.summaryDirty = true;
        addSubject(e.subject, 1, b.base);
        count++;
        bytes += e.size;
    }

    @Override
    public IndexedStore.Entry remove(long seq) {
        Block b = blockOf(seq);
        if (b == null) {
            return null;
        }
        FullIndex d = detail(b);
        IndexedStore.Entry e = d.remove(seq);
        if (e == null) {
            return null;
        }
        b.msgs--;
        b.bytes -= e.size;
        b.liveBytes -= ((Block.Record) e).length;
        if (b.msgs > 0) {
            b.firstSeq = d.firstSeq();
            b.firstTs = d.firstTimestamp();
            b.lastSeq = d.lastPresent();
        }
        Long n = b.subjects.get(e.subject);
        if (n != null && n > 1) {
            b.subjects.put(e.subject, n - 1);
        } else {
            b.subjects.remove(e.subject);
        }
        b.summaryDirty = true;
        subtractSubject(e.subject, 1);
        count--;
        bytes -= e.size;
        return e;
    }

    @Override
    public long removeBelow(long below) {
        long n = 0;
        for (Block b : bySeq.values()) {
            if (b.msgs == 0) {
                continue;
            }
            if (b.firstSeq >= below) {
                break;
            }
            if (b.lastSeq < below) {
                // The whole block: from its summary, without reading it.
                n += b.msgs;
                count -= b.msgs;
                bytes -= b.bytes;
                for (Map.Entry<String, Long> s : b.subjects.entrySet()) {
                    subtractSubject(s.getKey(), s.getValue());
                }
                b.msgs = 0;
                b.bytes = 0;
                b.liveBytes = 0;
                b.subjects = new HashMap<>();
                b.summaryDirty = true;
                if (b.detail != null) {
                    b.detail.removeBelow(below);
                }
                continue;
            }
            FullIndex d = detail(b);
            while (b.msgs > 0 && d.firstSeq() < below) {
                remove(d.firstSeq());
                n++;
            }
            break;
        }
        return n;
    }

    @Override
    public long countFrom(long from) {
        long n = 0;
        for (Block b : from(from)) {
            if (b.msgs == 0 || b.lastSeq < from) {
                continue;
            }
            n += from <= b.firstSeq ? b.msgs : detail(b).countFrom(from);
        }
        return n;
    }

    @Override
    public long subjectCount(String subject) {
        Psi p = psim.get(subject);
        return p == null ? 0 : p.total;
    }

    /** The blocks that may hold {@code subject} at or after {@code from}. */
    private Collection<Block> subjectBlocks(Psi p, long from) {
        Long k = bySeq.floorKey(from);
        long start = k == null ? p.firstBase : Math.max(k, p.firstBase);
        return start > p.lastBase ? Collections.emptyList() : bySeq.subMap(start, true, p.lastBase, true).values();
    }

    @Override
    public long subjectNext(String subject, long from) {
        Psi p = psim.get(subject);
        if (p == null) {
            return -1;
        }
        boolean fromFirst = from <= p.firstBase;
        for (Block b : subjectBlocks(p, from)) {
            if (!b.subjects.containsKey(subject)) {
                continue;
            }
            if (fromFirst) {
                p.firstBase = b.base; // no block before this one holds the subject
                fromFirst = false;
            }
            if (b.lastSeq < from) {
                continue;
            }
            long seq = detail(b).subjectNext(subject, from);
            if (seq >= 0) {
                return seq;
            }
        }
        return -1;
    }

    @Override
    public long subjectLast(String subject) {
        Psi p = psim.get(subject);
        if (p == null) {
            return -1;
        }
        for (Block b : bySeq.headMap(p.lastBase, true).descendingMap().values()) {
            if (!b.subjects.containsKey(subject)) {
                continue;
            }
            p.lastBase = b.base;
            long seq = detail(b).subjectLast(subject);
            if (seq >= 0) {
                return seq;
            }
        }
        return -1;
    }

    @Override
    public long subjectCountFrom(String subject, long from) {
        Psi p = psim.get(subject);
        if (p == null) {
            return 0;
        }
        if (from <= 0) {
            return p.total;
        }
        long n = 0;
        for (Block b : subjectBlocks(p, from)) {
            Long inBlock = b.subjects.get(subject);
            if (inBlock == null || b.lastSeq < from) {
                continue;
            }
            n += from <= b.firstSeq ? inBlock : detail(b).subjectCountFrom(subject, from);
        }
        return n;
    }

    @Override
    public Collection<String> subjects() {
        return Collections.unmodifiableSet(psim.keySet());
    }

    @Override
    public int numSubjects() {
        return psim.size();
    }
}
