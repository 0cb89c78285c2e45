package io.natsboot.server.jetstream.store;

import java.util.Collection;

/**
 * What {@link IndexedStore} needs to know about the messages present: sequence -> entry, per-subject sequences and
 * the totals. {@link FullIndex} keeps all of it on the heap (the memory store, and one loaded file block);
 * {@link BlockIndex} answers from per-block summaries and loads a block's entries only when one is needed.
 */
interface SeqIndex {

    /** Messages present. */
    long count();

    /** Sum of the present entries' accounted sizes. */
    long bytes();

    /** Sequence of the first present message (only meaningful when count > 0). */
    long firstSeq();

    /** Timestamp of the first present message (only meaningful when count > 0). */
    long firstTimestamp();

    /** The last present sequence, or -1. */
    long lastPresent();

    IndexedStore.Entry get(long seq);

    /** The first present sequence >= {@code from}, or -1. */
    long nextPresent(long from);

    /** Adds at {@code seq}, which is above every sequence present. */
    void put(long seq, IndexedStore.Entry e);

    IndexedStore.Entry remove(long seq);

    /** Removes every entry below {@code below}; returns how many. */
    long removeBelow(long below);

    /** Present messages with sequence >= {@code from}. */
    long countFrom(long from);

    /** Present messages on this (literal) subject. */
    long subjectCount(String subject);

    /** The first sequence >= {@code from} on this (literal) subject, or -1. */
    long subjectNext(String subject, long from);

    /** The last sequence on this (literal) subject, or -1. */
    long subjectLast(String subject);

    /** Messages on this (literal) subject with sequence >= {@code from}. */
    long subjectCountFrom(String subject, long from);

    /** The subjects with at least one message (a read-only view: copy before removing while iterating). */
    Collection<String> subjects();

    int numSubjects();
}
