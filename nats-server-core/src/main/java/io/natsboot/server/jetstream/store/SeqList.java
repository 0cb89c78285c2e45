package io.natsboot.server.jetstream.store;

import java.util.Arrays;

/** The ascending sequences of one subject: appends at the end, removals mostly at the front. */
final class SeqList {
    private long[] a = new long[4];
    private int head;
    private int tail;

    int size() {
        return tail - head;
    }

    long first() {
        return a[head];
    }

    long last() {
        return a[tail - 1];
    }

    void add(long seq) {
        if (tail == a.length) {
            int len = tail - head;
            if (head > len) {
                System.arraycopy(a, head, a, 0, len);
            } else {
                a = Arrays.copyOfRange(a, head, head + Math.max(8, len * 2));
            }
            head = 0;
            tail = len;
        }
        a[tail++] = seq;
    }

    boolean remove(long seq) {
        int i = Arrays.binarySearch(a, head, tail, seq);
        if (i < 0) {
            return false;
        }
        if (i == head) {
            head++;
        } else {
            System.arraycopy(a, i + 1, a, i, tail - i - 1);
            tail--;
        }
        return true;
    }

    /** Index (from 0) of the first sequence >= {@code seq}; size() when none. */
    int ceilingIndex(long seq) {
        int i = Arrays.binarySearch(a, head, tail, seq);
        return (i >= 0 ? i : -i - 1) - head;
    }

    long get(int index) {
        return a[head + index];
    }
}
