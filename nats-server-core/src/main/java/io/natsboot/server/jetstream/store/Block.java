package io.natsboot.server.jetstream.store;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One block of a {@link FileStore}: its files, its summary (always in memory: enough for the stream's state and
 * to know which blocks hold a subject) and, once a message of it was needed, its entries ({@link #detail}).
 */
final class Block {
    final long id;
    final Path blk;
    final Path del;
    final Path idx;
    final Path sum;
    FileChannel ch;
    FileChannel delCh;
    /** Bytes of records in the block file. */
    long size;
    /** No more appends go here. */
    boolean sealed;

    // ---- summary: kept right on every change, persisted in N.sum ----
    /** The first sequence ever stored in this block (its key in the store's block map), -1 before any. */
    long base = -1;
    /** The highest sequence stored here, present or not, and its time: the stream's last sequence after a restart. */
    long maxSeq = -1;
    long maxTs;
    /** Messages present, their accounted bytes, the first one's sequence and time, the last one's sequence. */
    long msgs;
    long bytes;
    long firstSeq;
    long firstTs;
    long lastSeq;
    /** Present messages per subject. */
    Map<String, Long> subjects = new HashMap<>();
    /** The summary changed since N.sum was written. */
    boolean summaryDirty;

    // ---- loaded on demand ----
    /** The block's entries; null until a message of this block is needed (and again after eviction). */
    FullIndex detail;
    /** Record bytes of the present messages (only right while loaded): when to rewrite the block. */
    long liveBytes;

    Block(Path dir, long id) {
        this.id = id;
        this.blk = dir.resolve(id + ".blk");
        this.del = dir.resolve(id + ".del");
        this.idx = dir.resolve(id + ".idx");
        this.sum = dir.resolve(id + ".sum");
    }

    /** Sets the summary from the loaded entries. */
    void summarise(FullIndex d) {
        msgs = d.count();
        bytes = d.bytes();
        Map<String, Long> s = new HashMap<>();
        for (String subject : d.subjects()) {
            s.put(subject, d.subjectCount(subject));
        }
        subjects = s;
        if (msgs > 0) {
            firstSeq = d.firstSeq();
            firstTs = d.firstTimestamp();
            lastSeq = d.lastPresent();
        }
        long lb = 0;
        for (long seq = d.nextPresent(0); seq >= 0; seq = d.nextPresent(seq + 1)) {
            lb += ((Record) d.get(seq)).length;
        }
        liveBytes = lb;
    }

    @Override
    public String toString() {
        return blk.getFileName().toString();
    }

    /** Where one message's record is. */
    static final class Record extends IndexedStore.Entry {
        final Block block;
        long offset;
        final int length;

        Record(String subject, long timestamp, int size, Block block, long offset, int length) {
            super(subject, timestamp, size);
            this.block = block;
            this.offset = offset;
            this.length = length;
        }
    }
}
