package io.natsboot.server.jetstream.store;

/**
 * Sequence -> entry, as an array window over [baseSeq, baseSeq + length): sequences are dense apart from
 * deletions, so a slot per sequence is smaller and faster than a tree. Removing the first entry moves the
 * window; the array is compacted or grown when the end reaches its capacity.
 */
final class EntryIndex {
    private IndexedStore.Entry[] slots = new IndexedStore.Entry[256];
    private int head;
    private int tail;
    private long baseSeq = 1;
    private long count;

    long count() {
        return count;
    }

    /** Sequence of the first present entry (only meaningful when count > 0). */
    long firstSeq() {
        return baseSeq;
    }

    IndexedStore.Entry get(long seq) {
        if (seq < baseSeq || seq >= baseSeq + (tail - head)) {
            return null;
        }
        return slots[head + (int) (seq - baseSeq)];
    }

    /** Adds at {@code seq}, which is above every sequence present. */
    void put(long seq, IndexedStore.Entry e) {
        if (count == 0) {
            head = 0;
            tail = 0;
            baseSeq = seq;
        }
        long end = baseSeq + (tail - head);
        if (seq < end) {
            throw new IllegalArgumentException("sequence " + seq + " below the index end " + end);
        }
        long need = seq - end + 1;
        if (need > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("sequence gap too large: " + need);
        }
        ensure((int) need);
        tail += (int) need - 1;
        slots[tail++] = e;
        count++;
    }

    IndexedStore.Entry remove(long seq) {
        IndexedStore.Entry e = get(seq);
        if (e == null) {
            return null;
        }
        slots[head + (int) (seq - baseSeq)] = null;
        count--;
        if (count == 0) {
            head = 0;
            tail = 0;
            baseSeq = seq + 1;
        } else if (seq == baseSeq) {
            while (slots[head] == null) {
                head++;
                baseSeq++;
            }
        }
        return e;
    }

    /** The first sequence >= {@code from} holding an entry, or -1. */
    long nextPresent(long from) {
        long s = Math.max(from, baseSeq);
        long end = baseSeq + (tail - head);
        for (; s < end; s++) {
            if (slots[head + (int) (s - baseSeq)] != null) {
                return s;
            }
        }
        return -1;
    }

    /** The last sequence holding an entry, or -1. */
    long lastPresent() {
        for (int i = tail - 1; i >= head; i--) {
            if (slots[i] != null) {
                return baseSeq + (i - head);
            }
        }
        return -1;
    }

    private void ensure(int need) {
        int len = tail - head;
        if (tail + need <= slots.length) {
            return;
        }
        if (len + need <= slots.length / 2) {
            System.arraycopy(slots, head, slots, 0, len);
            java.util.Arrays.fill(slots, len, tail, null);
        } else {
            IndexedStore.Entry[] n = new IndexedStore.Entry[Math.max(slots.length * 2, len + need + 16)];
            System.arraycopy(slots, head, n, 0, len);
            slots = n;
        }
        head = 0;
        tail = len;
    }
}
