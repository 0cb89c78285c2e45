package io.natsboot.server.jetstream.store;

import io.natsboot.server.log.ServerLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Messages in block files under one directory (see docs/jetstream.md for the layout):
 * <ul>
 *   <li>{@code N.blk}: records appended one after the other; a new block starts when one passes the block size.
 *   Record: u32 length, u64 seq, u64 time, u16 subject length, subject, u32 header length, headers, payload,
 *   u32 CRC-32C of everything before it.</li>
 *   <li>{@code N.del}: sequences deleted from block N, 8 bytes each, appended.</li>
 *   <li>{@code N.idx}: written when block N is full (and for the last block on close): each record's sequence,
 *   offset, time, size and subject, so reading the block's entries need not scan it; rebuilt from the block
 *   when missing, stale or damaged.</li>
 *   <li>{@code N.sum}: block N's summary (counts, first/last sequence and time, per-subject counts) and the
 *   lengths of the files it describes: a start reads only these (see {@link BlockIndex}).</li>
 *   <li>{@code first.seq}: after a purge or compaction, the lowest sequence that may still exist.</li>
 * </ul>
 * Recovery: a torn or damaged record at the end of the last block is cut off with a warning; a damaged record
 * in an earlier block is reported and the rest of that block skipped, at start or when a block known from its
 * summary is first read. Neither stops the start.
 */
public final class FileStore extends IndexedStore {
    private static final int HEADER = 4 + 8 + 8 + 2;
    private static final int MIN_RECORD = HEADER + 4 + 4;
    /** "NBIY": index files with the block's highest sequence (the "NBIX" ones before are rebuilt). */
    private static final int IDX_MAGIC = 0x4e424959;
    private static final int OLD_IDX_MAGIC = 0x4e424958;
    private static final int SUM_MAGIC = 0x4e42534d;
    private static final ScheduledExecutorService SYNCER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "js-store-sync");
        t.setDaemon(true);
        return t;
    });

    /**
     * Entries kept loaded at most (about 64 bytes each): beyond it the least recently used blocks' entries are
     * dropped (their summaries stay). A stream of up to a million messages stays wholly loaded once read.
     */
    static final long MAX_LOADED_ENTRIES = 1 << 20;

    private final Path dir;
    private final StoreCipher cipher;
    private final FileStoreOptions options;
    private final ServerLog log;
    /** Every block file by id (BlockIndex has those that hold messages by sequence). */
    private final TreeMap<Long, Block> blocks = new TreeMap<>();
    private final BlockIndex blockIndex;
    private Block active;
    private ByteBuffer writeBuf = ByteBuffer.allocate(4096);
    private final CRC32C crc = new CRC32C();
    private ScheduledFuture<?> syncTask;
    private volatile boolean dirty;

    public FileStore(Path dir, FileStoreOptions options, StoreLimits limits, ServerLog log) throws IOException {
        this(dir, options, limits, log, null);
    }

    /**
     * A store whose records and index files are sealed with {@code cipher} (a stream's data key; null: plain).
     * A sealed record keeps its length, sequence and time in clear (recovery and compaction need them, they are
     * authenticated as associated data) and seals subject, headers and payload.
     */
    public FileStore(Path dir, FileStoreOptions options, StoreLimits limits, ServerLog log, StoreCipher cipher)
            throws IOException {
        super(new BlockIndex(MAX_LOADED_ENTRIES));
        this.blockIndex = (BlockIndex) index;
        this.cipher = cipher;
        this.dir = dir;
        this.options = options;
        this.log = log;
        this.limits = limits;
        blockIndex.setLoader(new BlockIndex.Loader() {
            @Override
            public FullIndex load(Block b) {
                return loadBlock(b);
            }

            @Override
            public void mismatch(Block b, long summaryMsgs, long loadedMsgs) {
                log.error("JetStream file store " + dir + ": block " + b + " holds " + loadedMsgs
                        + " messages, its summary said " + summaryMsgs + "; stream state corrected");
            }
        });
        Files.createDirectories(dir);
        recover();
        if (!options.syncAlways() && options.syncInterval() != null && !options.syncInterval().isZero()) {
            long ms = Math.max(1, options.syncInterval().toMillis());
            syncTask = SYNCER.scheduleWithFixedDelay(this::syncIfDirty, ms, ms, TimeUnit.MILLISECONDS);
        }
        enforceLimits();
    }

    /** nats-server's file store accounting: record header 22, subject, headers (+4), payload, 8 for the hash. */
    @Override
    int sizeOf(String subject, byte[] headers, byte[] data) {
        int subj = subject.getBytes(StandardCharsets.UTF_8).length;
        return 22 + subj + (headers.length > 0 ? 4 + headers.length : 0) + data.length + 8;
    }

    // ---- writing -------------------------------------------------------------------------------------------

    /*
     * Write coalescing. A record goes to the file with one write system call, at once, unless the thread that
     * appends has called holdWrites(): then its records collect in `pending` (the active block's tail) until
     * flushWrites(), which the stream calls at the end of the client's read, before it queues the PubAcks of
     * those records. So a PubAck never leaves before its record is in the kernel (kill -9 safe, as nats-server's
     * flush in place), and a read of 100 publishes costs one write instead of 100. Any other use of the files
     * (a read, a delete, a seal, a sync, close, another thread's append) flushes what is pending first.
     */
    private static final int PENDING_MAX = 64 * 1024;
    private ByteBuffer pending = ByteBuffer.allocateDirect(PENDING_MAX);
    private Thread heldBy;

    /**
     * Until {@link #releaseWrites}, records appended by the calling thread may stay in memory until
     * {@link #flushWrites}; the caller must call it before it acknowledges them.
     */
    public synchronized void holdWrites() {
        heldBy = Thread.currentThread();
    }

    /** Ends {@link #holdWrites}; what is pending stays so until {@link #flushWrites} (or any other use). */
    public synchronized void releaseWrites() {
        if (heldBy == Thread.currentThread()) {
            heldBy = null;
        }
    }

    /** Writes the records appended under {@link #holdWrites} (no-op when there are none). */
    public synchronized void flushWrites() throws StoreException {
        try {
            flushPending();
        } catch (IOException ex) {
            throw new StoreException("error writing message: " + ex.getMessage(), ex);
        }
    }

    /** Pending records to the active block; on an error they stay pending (the next flush tries again). */
    private void flushPending() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        ByteBuffer p = pending.flip();
        try {
            // Pending records are always the active block's tail.
            long pos = active.size - p.remaining();
            while (p.hasRemaining()) {
                pos += active.ch.write(p, pos);
            }
        } finally {
            if (p.hasRemaining()) {
                p.compact(); // keep the unwritten rest pending
            } else {
                p.clear();
            }
        }
        if (options.syncAlways()) {
            active.ch.force(false);
        } else {
            dirty = true;
        }
    }

    private void flushQuietly() {
        try {
            flushPending();
        } catch (IOException ex) {
            log.error("JetStream file store " + dir + ": error writing messages: " + ex.getMessage());
        }
    }

    @Override
    Entry write(long seq, long timestamp, String subject, byte[] headers, byte[] data) throws StoreException {
        byte[] subj = subject.getBytes(StandardCharsets.UTF_8);
        int len = HEADER + subj.length + 4 + headers.length + data.length + 4;
        if (writeBuf.capacity() < len) {
            writeBuf = ByteBuffer.allocate(Math.max(len, writeBuf.capacity() * 2));
        }
        ByteBuffer b = writeBuf.clear();
        b.putInt(len).putLong(seq).putLong(timestamp).putShort((short) subj.length).put(subj)
                .putInt(headers.length).put(headers).put(data);
        if (cipher != null) {
            byte[] sealed = cipher.seal(b.array(), 20, len - 24, StoreCipher.recordNonce(seq, timestamp),
                    Arrays.copyOfRange(b.array(), 4, 20));
            len = 20 + sealed.length + 4;
            if (writeBuf.capacity() < len) {
                byte[] head = Arrays.copyOf(b.array(), 20);
                writeBuf = ByteBuffer.allocate(Math.max(len, writeBuf.capacity() * 2));
                writeBuf.put(head);
            }
            b = writeBuf;
            b.clear().putInt(len).position(20);
            b.put(sealed);
        }
        crc.reset();
        crc.update(b.array(), 0, len - 4);
        b.putInt((int) crc.getValue());
        b.flip();
        try {
            if (active.size > 0 && active.size + len > options.blockSize()) {
                flushPending();
                seal(active);
                active = newBlock(active.id + 1);
            }
            long offset = active.size;
            if (pending.remaining() < len) {
                flushPending();
                if (pending.capacity() < len) {
                    pending = ByteBuffer.allocateDirect(len);
                }
            }
            pending.put(b);
            active.size = offset + len;
            if (heldBy != Thread.currentThread() || pending.position() >= PENDING_MAX / 2) {
                flushPending();
            }
            return new Block.Record(subject, timestamp, sizeOf(subject, headers, data), active, offset, len);
        } catch (IOException ex) {
            throw new StoreException("error writing message: " + ex.getMessage(), ex);
        }
    }

    @Override
    void beforeAppend() {
        if (active.detail == null) {
            blockIndex.setActive(active); // recovered from its summary: its entries are read before it grows
        }
    }

    /** Opens (creating) the block file {@code id}; its summary and entries are not known yet. */
    private Block openBlock(long id) throws IOException {
        Block b = new Block(dir, id);
        b.ch = FileChannel.open(b.blk, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        b.size = b.ch.size();
        blocks.put(id, b);
        return b;
    }

    /** A new, empty block that appends go to from now on. */
    private Block newBlock(long id) throws IOException {
        Block b = openBlock(id);
        b.detail = new FullIndex();
        blockIndex.setActive(b);
        return b;
    }

    /** A full block: forced to the device, its index and summary written. */
    private void seal(Block b) throws IOException {
        b.ch.force(false);
        b.sealed = true;
        writeIndex(b);
        writeSummary(b);
    }

    @Override
    void erase(long seq, Entry e) {
        flushQuietly();
        Block b = ((Block.Record) e).block; // the index already took it off the block's summary
        try {
            if (b.msgs == 0 && b != active) {
                dropBlock(b);
                return;
            }
            if (b.delCh == null) {
                b.delCh = FileChannel.open(b.del, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            ByteBuffer d = ByteBuffer.allocate(8).putLong(0, seq);
            while (d.hasRemaining()) {
                b.delCh.write(d);
            }
            if (options.syncAlways()) {
                b.delCh.force(false);
            } else {
                dirty = true;
            }
            if (b.sealed && b.size > 64 * 1024 && b.liveBytes < b.size / 2) {
                compactBlock(b);
            }
        } catch (IOException ex) {
            log.error("JetStream file store " + dir + ": error recording delete of " + seq + ": " + ex.getMessage());
        }
    }

    /** The sequence in first.seq: records below it are gone even where their bytes are still in a block. */
    private long floorMarker;

    @Override
    void eraseBelow(long seq) {
        flushQuietly();
        if (seq <= floorMarker && !hasEmptyBlock()) {
            return;
        }
        // Never lower the marker: records between a lower value and the current one may still sit in blocks.
        seq = Math.max(seq, floorMarker);
        floorMarker = seq;
        try {
            ByteBuffer m = ByteBuffer.allocate(12).putLong(seq);
            crc.reset();
            crc.update(m.array(), 0, 8);
            m.putInt((int) crc.getValue());
            Path tmp = dir.resolve("first.seq.tmp");
            Files.write(tmp, m.array());
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, dir.resolve("first.seq"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            for (Block b : new ArrayList<>(blocks.values())) {
                if (b.msgs == 0) {
                    dropBlock(b);
                }
            }
            if (!blocks.containsValue(active)) {
                active = newBlock(active.id + 1);
            }
        } catch (IOException ex) {
            log.error("JetStream file store " + dir + ": error recording purge below " + seq + ": " + ex.getMessage());
        }
    }

    private boolean hasEmptyBlock() {
        for (Block b : blocks.values()) {
            if (b.msgs == 0 && b != active) {
                return true;
            }
        }
        return false;
    }

    private void dropBlock(Block b) throws IOException {
        forgetWindow(b);
        blocks.remove(b.id);
        blockIndex.dropBlock(b);
        closeQuietly(b);
        Files.deleteIfExists(b.sum);
        Files.deleteIfExists(b.idx);
        Files.deleteIfExists(b.del);
        Files.deleteIfExists(b.blk);
    }

    private static void closeQuietly(Block b) {
        try {
            if (b.ch != null) {
                b.ch.close();
            }
            if (b.delCh != null) {
                b.delCh.close();
            }
        } catch (IOException ignored) {
            // closing a file we are done with
        }
    }

    /** Rewrites a sealed block with its live records only; entries get their new offsets. */
    private void compactBlock(Block b) throws IOException {
        Path tmp = dir.resolve(b.id + ".blk.tmp");
        List<Block.Record> moved = new ArrayList<>();
        long pos = 0;
        FullIndex d = blockIndex.detail(b);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long seq = d.nextPresent(0); seq >= 0; seq = d.nextPresent(seq + 1)) {
                Block.Record f = (Block.Record) d.get(seq);
                ByteBuffer r = readRecord(b, f.offset, f.length);
                while (r.hasRemaining()) {
                    pos += out.write(r, pos);
                }
                moved.add(f);
            }
            out.force(false);
        }
        long[] newOffsets = new long[moved.size()];
        long off = 0;
        for (int i = 0; i < moved.size(); i++) {
            newOffsets[i] = off;
            off += moved.get(i).length;
        }
        forgetWindow(b);
        b.ch.close();
        if (b.delCh != null) {
            b.delCh.close();
            b.delCh = null;
        }
        Files.move(tmp, b.blk, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(b.del);
        b.ch = FileChannel.open(b.blk, StandardOpenOption.READ, StandardOpenOption.WRITE);
        b.size = pos;
        b.liveBytes = pos;
        for (int i = 0; i < moved.size(); i++) {
            moved.get(i).offset = newOffsets[i];
        }
        writeIndex(b);
        writeSummary(b);
    }

    // ---- reading ------------------------------------------------------------------------------------------

    private static ByteBuffer readRecord(Block b, long offset, int length) throws IOException {
        ByteBuffer r = ByteBuffer.allocate(length);
        long pos = offset;
        while (r.hasRemaining()) {
            int n = b.ch.read(r, pos);
            if (n < 0) {
                throw new IOException("short read in " + b.blk);
            }
            pos += n;
        }
        return r.flip();
    }

    /*
     * Read-ahead for sequential loads (consumers, replays, mirrors walk the stream in order): when a load starts
     * at or just after where the previous one ended in the same block, READ_AHEAD bytes are read at once and the
     * following loads are parsed from that window, one pread per window instead of one per message. A load that
     * does not follow the previous one (KV get, direct get) reads only its record. Blocks only grow by appends;
     * a compaction or drop of the window's block discards the window (offsets change).
     */
    private static final int READ_AHEAD = 64 * 1024;
    private byte[] window = new byte[0];
    private Block windowBlock;
    private long windowStart;
    private int windowLength;
    private Block lastReadBlock;
    private long lastReadEnd = -1;

    private void forgetWindow(Block b) {
        if (windowBlock == b) {
            windowBlock = null;
        }
        if (lastReadBlock == b) {
            lastReadBlock = null;
        }
    }

    /** Fills the window with up to READ_AHEAD bytes of {@code b} from {@code offset} (at least {@code need}). */
    private void fillWindow(Block b, long offset, int need) throws IOException {
        int want = (int) Math.max(need, Math.min(READ_AHEAD, b.size - offset));
        if (window.length < want) {
            window = new byte[Math.max(want, READ_AHEAD)];
        }
        windowBlock = null;
        ByteBuffer r = ByteBuffer.wrap(window, 0, want);
        long pos = offset;
        while (r.hasRemaining()) {
            int n = b.ch.read(r, pos);
            if (n < 0) {
                throw new IOException("short read in " + b.blk);
            }
            pos += n;
        }
        windowBlock = b;
        windowStart = offset;
        windowLength = want;
    }

    @Override
    StoredMessage read(long seq, Entry e) {
        Block.Record f = (Block.Record) e;
        try {
            if (f.block == active && pending.position() > 0) {
                flushPending();
            }
            byte[] a;
            int off;
            if (f.block == windowBlock && f.offset >= windowStart
                    && f.offset + f.length <= windowStart + windowLength) {
                a = window;
                off = (int) (f.offset - windowStart);
            } else if (f.block == lastReadBlock && f.offset >= lastReadEnd && f.offset - lastReadEnd < READ_AHEAD) {
                fillWindow(f.block, f.offset, f.length);
                a = window;
                off = 0;
            } else {
                a = readRecord(f.block, f.offset, f.length).array();
                off = 0;
            }
            lastReadBlock = f.block;
            lastReadEnd = f.offset + f.length;
            Parsed p = parse(a, off, f.length, crc, cipher);
            if (p == null || p.seq != seq) {
                log.warn("JetStream file store " + dir + ": damaged record for sequence " + seq + " in " + f.block.blk);
                return null;
            }
            return new StoredMessage(p.subject, p.headers, p.data, seq, p.timestamp);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private record Parsed(long seq, long timestamp, String subject, byte[] headers, byte[] data, int hdrLen) {
    }

    /** Decodes one record of {@code len} bytes, or null when its length fields or checksum do not hold. */
    private static Parsed parse(byte[] a, int off, int len, CRC32C crc, StoreCipher cipher) {
        if (len < MIN_RECORD) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(a, off, len);
        if (b.getInt() != len) {
            return null;
        }
        crc.reset();
        crc.update(a, off, len - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(a, off + len - 4, 4).getInt()) {
            return null;
        }
        long seq = b.getLong();
        long ts = b.getLong();
        if (cipher != null) {
            // Sealed: open subject, headers and payload, then read them as a plain record's rest.
            byte[] inner;
            try {
                inner = cipher.open(a, off + 20, len - 24, StoreCipher.recordNonce(seq, ts),
                        Arrays.copyOfRange(a, off + 4, off + 20));
            } catch (StoreCipher.AuthenticationFailed e) {
                return null;
            }
            byte[] plain = new byte[20 + inner.length + 4];
            ByteBuffer.wrap(plain).putInt(plain.length).putLong(seq).putLong(ts).put(inner);
            a = plain;
            off = 0;
            len = plain.length;
            b = ByteBuffer.wrap(a, 20, len - 20);
        }
        int subjLen = b.getShort() & 0xffff;
        if (HEADER + subjLen + 4 + 4 > len) {
            return null;
        }
        String subject = new String(a, b.position(), subjLen, StandardCharsets.UTF_8);
        b.position(b.position() + subjLen);
        int hdrLen = b.getInt();
        int dataLen = len - HEADER - subjLen - 4 - hdrLen - 4;
        if (hdrLen < 0 || dataLen < 0) {
            return null;
        }
        byte[] hdr = new byte[hdrLen];
        b.get(hdr);
        byte[] data = new byte[dataLen];
        b.get(data);
        return new Parsed(seq, ts, subject, hdr, data, hdrLen);
    }

    // ---- recovery ----------------------------------------------------------------------------------------

    /**
     * Opens every block. A block whose summary file still describes it (same block, delete log and index sizes,
     * nothing of it below first.seq) is known from that summary alone; any other block's entries are read now
     * (from its index, or by scanning it) and its summary rewritten. Entries of summarised blocks are read on
     * first use.
     */
    private void recover() throws IOException {
        long floor = readFirstSeqMarker();
        floorMarker = floor;
        List<Long> ids = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                String n = p.getFileName().toString();
                names.add(n);
                if (n.endsWith(".tmp")) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a leftover of an interrupted rewrite; the original is intact
                    }
                } else if (n.endsWith(".blk")) {
                    try {
                        ids.add(Long.parseLong(n.substring(0, n.length() - 4)));
                    } catch (NumberFormatException ignored) {
                        // not ours
                    }
                }
            });
        }
        ids.sort(null);
        listedAtStart = names; // absent delete logs and indexes known without a failing stat each
        long prevMax = 0;
        for (int i = 0; i < ids.size(); i++) {
            boolean last = i == ids.size() - 1;
            Block b = openBlock(ids.get(i));
            boolean summarised = readSummary(b, floor);
            boolean rebuilt = false;
            if (!summarised) {
                Loaded l = readEntries(b, floor, prevMax, last);
                b.detail = l.entries;
                b.summarise(l.entries);
                rebuilt = !l.fromIndex;
            }
            b.sealed = !last || b.size >= options.blockSize();
            blockIndex.addBlock(b);
            if (!summarised) {
                if (b.sealed) {
                    if (rebuilt) {
                        writeIndex(b);
                    }
                    writeSummary(b);
                } else {
                    b.summaryDirty = true;
                }
            }
            if (b.maxSeq > lastSeq) {
                lastSeq = b.maxSeq;
                lastTimestamp = b.maxTs;
            }
            prevMax = Math.max(prevMax, b.maxSeq);
        }
        if (floor - 1 > lastSeq) {
            lastSeq = floor - 1;
        }
        firstSeq = index.count() > 0 ? index.firstSeq() : lastSeq + 1;
        for (Block b : new ArrayList<>(blocks.values())) {
            if (b.msgs == 0 && !b.equals(blocks.lastEntry().getValue())) {
                dropBlock(b);
            }
        }
        if (blocks.isEmpty()) {
            active = newBlock(1);
        } else {
            Block last = blocks.lastEntry().getValue();
            // A summarised last block is loaded before the first append goes to it (beforeAppend).
            active = last.sealed ? newBlock(last.id + 1) : last;
            if (active.detail != null) {
                blockIndex.setActive(active);
            }
        }
        blockIndex.trim(); // blocks read now (a start after a kill) count against the loaded-blocks bound too
        listedAtStart = null;
    }

    /** The directory's file names while recovering (files are only added by recovery itself then). */
    private Set<String> listedAtStart;

    private record Loaded(FullIndex entries, boolean fromIndex) {
    }

    /** A block's entries on first use: from its index file, or by scanning it (a damaged tail is reported). */
    private FullIndex loadBlock(Block b) {
        flushQuietly(); // the file must hold every record the block has, the pending ones too
        forgetWindow(b); // loading may cut a torn tail off the block
        try {
            Block prev = null;
            for (Block p : blocks.headMap(b.id, false).descendingMap().values()) {
                prev = p;
                break;
            }
            Loaded l = readEntries(b, floorMarker, prev == null ? 0 : Math.max(0, prev.maxSeq), b == active && !b.sealed);
            if (!l.fromIndex && b.sealed) {
                writeIndex(b, l.entries);
            }
            return l.entries;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Reads a block's entries (those not deleted and not below {@code floor}); sets its size and highest
     * sequence. {@code last}: a damaged tail is a torn write and cut off; otherwise the rest is skipped.
     */
    private Loaded readEntries(Block b, long floor, long prevMax, boolean last) throws IOException {
        Set<Long> deleted = readDeleted(b);
        FullIndex d = new FullIndex();
        if (loadIndex(b, d, deleted, floor, prevMax, last)) {
            return new Loaded(d, true);
        }
        d = new FullIndex();
        scan(b, d, deleted, floor, prevMax, last);
        return new Loaded(d, false);
    }

    private long readFirstSeqMarker() throws IOException {
        Path p = dir.resolve("first.seq");
        if (!Files.exists(p)) {
            return 0;
        }
        byte[] m = Files.readAllBytes(p);
        if (m.length == 12) {
            crc.reset();
            crc.update(m, 0, 8);
            if ((int) crc.getValue() == ByteBuffer.wrap(m, 8, 4).getInt()) {
                return ByteBuffer.wrap(m).getLong();
            }
        }
        log.warn("JetStream file store " + dir + ": damaged first.seq marker ignored");
        return 0;
    }

    private Set<Long> readDeleted(Block b) throws IOException {
        Set<Long> out = new HashSet<>();
        if (absent(b.del) || !Files.exists(b.del)) {
            return out;
        }
        byte[] d = Files.readAllBytes(b.del);
        int whole = d.length / 8 * 8;
        if (whole != d.length) {
            log.warn("JetStream file store " + dir + ": torn delete record in " + b.del.getFileName() + " truncated");
            try (FileChannel c = FileChannel.open(b.del, StandardOpenOption.WRITE)) {
                c.truncate(whole);
            }
        }
        ByteBuffer bb = ByteBuffer.wrap(d, 0, whole);
        while (bb.hasRemaining()) {
            out.add(bb.getLong());
        }
        return out;
    }

    /** Reads every record of a block into {@code d}; the tail of the last block may be cut off. */
    private void scan(Block b, FullIndex d, Set<Long> deleted, long floor, long prevMax, boolean last)
            throws IOException {
        long size = b.ch.size();
        // The whole block in one read (a block is about blockSize, or one larger record): two reads and an
        // allocation per record made a scan of the last block most of a restart's JetStream recovery.
        byte[] all = readRecord(b, 0, (int) Math.min(size, Integer.MAX_VALUE - 8)).array();
        long pos = 0;
        while (pos < size) {
            String problem = null;
            int len = 0;
            if (size - pos < 4) {
                problem = "torn record";
            } else {
                len = ByteBuffer.wrap(all, (int) pos, 4).getInt();
                if (len < MIN_RECORD || len > size - pos) {
                    problem = len > size - pos && len >= MIN_RECORD ? "torn record" : "damaged record";
                }
            }
            Parsed p = null;
            if (problem == null) {
                p = parse(all, (int) pos, len, crc, cipher);
                if (p == null) {
                    problem = "damaged record";
                }
            }
            if (problem != null) {
                if (last) {
                    log.warn("JetStream file store " + dir + ": " + problem + " at offset " + pos + " of "
                            + b.blk.getFileName() + " (last block), truncated " + (size - pos) + " bytes");
                    b.ch.truncate(pos);
                    b.ch.force(true);
                } else {
                    log.error("JetStream file store " + dir + ": " + problem + " at offset " + pos + " of "
                            + b.blk.getFileName() + ", skipping the rest of the block (" + (size - pos) + " bytes)");
                }
                break;
            }
            addRecovered(b, d, p.seq, p.timestamp, p.subject, 22 + p.subject.getBytes(StandardCharsets.UTF_8).length
                    + (p.hdrLen > 0 ? 4 + p.hdrLen : 0) + p.data.length + 8, pos, len, deleted, floor, prevMax);
            pos += len;
        }
        b.size = pos;
    }

    private static void addRecovered(Block b, FullIndex d, long seq, long ts, String subject, int size, long offset,
                                     int len, Set<Long> deleted, long floor, long prevMax) {
        if (seq > b.maxSeq) {
            b.maxSeq = seq;
            b.maxTs = ts;
        }
        if (seq < floor || deleted.contains(seq) || seq <= prevMax) {
            return; // gone, or out of order (should not happen): the first copy counts
        }
        long end = d.count() > 0 ? d.lastPresent() : -1;
        if (seq <= end) {
            return;
        }
        if (b.base < 0) {
            b.base = seq; // recovery: the block's key is its first present sequence
        }
        d.put(seq, new Block.Record(d.canonical(subject), ts, size, b, offset, len));
    }

    private void writeIndex(Block b) throws IOException {
        writeIndex(b, blockIndex.detail(b));
    }

    /**
     * N.idx: magic, block size, highest sequence and its time, count, then per entry sequence, offset, record
     * length, time, accounted size, subject; CRC-32C. Sealed as a whole with the stream's cipher.
     */
    private void writeIndex(Block b, FullIndex d) throws IOException {
        List<Block.Record> entries = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (long seq = d.nextPresent(0); seq >= 0; seq = d.nextPresent(seq + 1)) {
            entries.add((Block.Record) d.get(seq));
            seqs.add(seq);
        }
        int cap = 4 + 8 + 8 + 8 + 4 + 4;
        List<byte[]> subjects = new ArrayList<>();
        for (Block.Record f : entries) {
            byte[] s = f.subject.getBytes(StandardCharsets.UTF_8);
            subjects.add(s);
            cap += 8 + 8 + 4 + 8 + 4 + 2 + s.length;
        }
        ByteBuffer out = ByteBuffer.allocate(cap);
        out.putInt(IDX_MAGIC).putLong(b.ch.size()).putLong(b.maxSeq).putLong(b.maxTs).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Block.Record f = entries.get(i);
            out.putLong(seqs.get(i)).putLong(f.offset).putInt(f.length).putLong(f.timestamp).putInt(f.size)
                    .putShort((short) subjects.get(i).length).put(subjects.get(i));
        }
        crc.reset();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        replace(b.idx, cipher == null ? out.array() : cipher.sealFile(out.array()));
    }

    /** Writes a small file whole: a temporary file renamed over the old one. */
    private void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (listedAtStart != null) {
            listedAtStart.add(target.getFileName().toString());
        }
    }

    private boolean absent(Path p) {
        return listedAtStart != null && !listedAtStart.contains(p.getFileName().toString());
    }

    /** Loads a block's entries from its index file; false (nothing loaded) when the index is missing or stale. */
    private boolean loadIndex(Block b, FullIndex d, Set<Long> deleted, long floor, long prevMax, boolean last)
            throws IOException {
        if (absent(b.idx)) {
            return false;
        }
        byte[] a;
        try {
            a = Files.readAllBytes(b.idx);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        if (cipher != null) {
            try {
                a = cipher.openFile(a);
            } catch (StoreCipher.AuthenticationFailed e) {
                a = new byte[0]; // reported as damaged below, and rebuilt from the block
            }
        }
        if (a.length < 40) {
            log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " damaged, rebuilding");
            return false;
        }
        crc.reset();
        crc.update(a, 0, a.length - 4);
        ByteBuffer in = ByteBuffer.wrap(a);
        boolean intact = (int) crc.getValue() == in.getInt(a.length - 4);
        int magic = in.getInt();
        if (intact && magic == OLD_IDX_MAGIC) {
            return false; // written before block summaries: rebuilt (with its summary) without a warning
        }
        if (!intact || magic != IDX_MAGIC) {
            log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " damaged, rebuilding");
            return false;
        }
        long blkSize = in.getLong();
        if (blkSize != b.ch.size()) {
            if (!last) { // the last block's index (written on close) is expected to be behind after a kill
                log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " stale, rebuilding");
            }
            return false;
        }
        long maxSeq = in.getLong();
        long maxTs = in.getLong();
        if (maxSeq > b.maxSeq) {
            b.maxSeq = maxSeq;
            b.maxTs = maxTs;
        }
        int n = in.getInt();
        String subject = null;
        int subjectAt = 0;
        int subjectLen = -1;
        for (int i = 0; i < n; i++) {
            long seq = in.getLong();
            long off = in.getLong();
            int len = in.getInt();
            long ts = in.getLong();
            int size = in.getInt();
            int sl = in.getShort() & 0xffff;
            int at = in.position();
            // Runs of one subject are the common case: one String for the run, not one per message.
            if (sl != subjectLen || !Arrays.equals(a, at, at + sl, a, subjectAt, subjectAt + sl)) {
                subject = new String(a, at, sl, StandardCharsets.UTF_8);
                subjectAt = at;
                subjectLen = sl;
            }
            in.position(at + sl);
            addRecovered(b, d, seq, ts, subject, size, off, len, deleted, floor, prevMax);
        }
        b.size = blkSize;
        return true;
    }

    // ---- block summaries ---------------------------------------------------------------------------------

    private long sizeOrMissing(Path p) throws IOException {
        if (absent(p)) {
            return -1;
        }
        try {
            return Files.size(p);
        } catch (java.nio.file.NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * N.sum: magic, the sizes of N.blk, N.del and N.idx it was written for, then the summary (first sequence
     * ever, highest sequence and time, messages, bytes, first present sequence and time, last present
     * sequence, per-subject counts); CRC-32C; sealed as a whole with the stream's cipher. Written when a block
     * is sealed or rewritten and, for blocks that changed, on close.
     */
    private void writeSummary(Block b) throws IOException {
        List<byte[]> names = new ArrayList<>(b.subjects.size());
        int cap = 4 + 3 * 8 + 8 * 8 + 4 + 4;
        for (String s : b.subjects.keySet()) {
            byte[] n = s.getBytes(StandardCharsets.UTF_8);
            names.add(n);
            cap += 2 + n.length + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(cap);
        out.putInt(SUM_MAGIC).putLong(b.ch.size()).putLong(sizeOrMissing(b.del)).putLong(sizeOrMissing(b.idx));
        out.putLong(b.base).putLong(b.maxSeq).putLong(b.maxTs).putLong(b.msgs).putLong(b.bytes)
                .putLong(b.firstSeq).putLong(b.firstTs).putLong(b.lastSeq).putInt(names.size());
        int i = 0;
        for (long count : b.subjects.values()) {
            byte[] n = names.get(i++);
            out.putShort((short) n.length).put(n).putLong(count);
        }
        crc.reset();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        replace(b.sum, cipher == null ? out.array() : cipher.sealFile(out.array()));
        b.summaryDirty = false;
    }

    /** Takes a block's summary from N.sum when it still describes the block; false: the entries must be read. */
    private boolean readSummary(Block b, long floor) throws IOException {
        if (absent(b.sum)) {
            return false;
        }
        byte[] a;
        try {
            a = Files.readAllBytes(b.sum);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        if (cipher != null) {
            try {
                a = cipher.openFile(a);
            } catch (StoreCipher.AuthenticationFailed e) {
                return false;
            }
        }
        if (a.length < 4 + 3 * 8 + 8 * 8 + 4 + 4) {
            return false;
        }
        crc.reset();
        crc.update(a, 0, a.length - 4);
        ByteBuffer in = ByteBuffer.wrap(a, 0, a.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(a).getInt(a.length - 4) || in.getInt() != SUM_MAGIC) {
            return false;
        }
        long blkSize = in.getLong();
        if (blkSize != b.ch.size() || in.getLong() != sizeOrMissing(b.del) || in.getLong() != sizeOrMissing(b.idx)) {
            return false; // written before the block, its delete log or its index last changed
        }
        long base = in.getLong();
        long maxSeq = in.getLong();
        long maxTs = in.getLong();
        long msgs = in.getLong();
        long bytes = in.getLong();
        long first = in.getLong();
        long firstTs = in.getLong();
        long lastPresent = in.getLong();
        if (msgs > 0 && floor > first) {
            return false; // a purge or compaction reached into this block after the summary
        }
        int n = in.getInt();
        java.util.Map<String, Long> subjects = new java.util.HashMap<>(Math.max(4, n * 2));
        try {
            for (int i = 0; i < n; i++) {
                int sl = in.getShort() & 0xffff;
                String subject = new String(a, in.position(), sl, StandardCharsets.UTF_8);
                in.position(in.position() + sl);
                subjects.put(subject, in.getLong());
            }
        } catch (RuntimeException e) {
            return false;
        }
        b.size = blkSize;
        b.base = base;
        b.maxSeq = maxSeq;
        b.maxTs = maxTs;
        b.msgs = msgs;
        b.bytes = bytes;
        b.firstSeq = first;
        b.firstTs = firstTs;
        b.lastSeq = lastPresent;
        b.subjects = subjects;
        return true;
    }

    // ---- lifecycle --------------------------------------------------------------------------------------

    private void syncIfDirty() {
        if (dirty) {
            sync();
        }
    }

    @Override
    public synchronized void sync() {
        if (closed) {
            return;
        }
        flushQuietly();
        dirty = false;
        for (Block b : blocks.values()) {
            try {
                b.ch.force(false);
                if (b.delCh != null) {
                    b.delCh.force(false);
                }
            } catch (IOException ex) {
                log.error("JetStream file store " + dir + ": sync failed: " + ex.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        sync();
        closed = true;
        if (syncTask != null) {
            syncTask.cancel(false);
        }
        writeChangedSummaries();
        for (Block b : blocks.values()) {
            closeQuietly(b);
        }
    }

    /**
     * On close: the summaries of blocks that changed since theirs was written (deletes, the block appends went
     * to, with its index), so the next start reads neither index nor block of them. A store killed before
     * this is recovered from the blocks those summaries no longer match.
     */
    private void writeChangedSummaries() {
        if (destroying) {
            return;
        }
        for (Block b : blocks.values()) {
            if (!b.summaryDirty) {
                continue;
            }
            try {
                if (!b.sealed) {
                    if (b.detail == null || b.size == 0) {
                        continue;
                    }
                    writeIndex(b, b.detail);
                }
                writeSummary(b);
            } catch (IOException ex) {
                log.warn("JetStream file store " + dir + ": could not write the summary of " + b + ": "
                        + ex.getMessage());
            }
        }
    }

    private boolean destroying;

    @Override
    public synchronized void destroy() {
        destroying = true;
        close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ex) {
            log.error("JetStream file store " + dir + ": could not delete: " + ex.getMessage());
        }
    }

    // ---- snapshots ----------------------------------------------------------------------------------------

    /**
     * A point-in-time copy of the store's files for a snapshot, taken under the store's lock: every file is
     * hard-linked into {@code into} (copied where the file system has no links) and its length at this moment
     * recorded. Blocks and delete logs only grow in place and are otherwise replaced by rename or deleted, so
     * the linked file keeps the recorded bytes while the store goes on; the snapshot reads only those bytes.
     * Returns file name -> length, in name order.
     */
    public synchronized java.util.SortedMap<String, Long> linkFiles(Path into) throws IOException {
        flushPending();
        Files.createDirectories(into);
        java.util.SortedMap<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp") || !Files.isRegularFile(p)) {
                    continue;
                }
                Path target = into.resolve(name);
                try {
                    Files.createLink(target, p);
                } catch (UnsupportedOperationException | IOException e) {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
                out.put(name, Files.size(p));
            }
        }
        return out;
    }

    /** Reads every stored record and checks its checksum and sequence: how many are damaged. */
    public synchronized long damagedRecords() {
        flushQuietly();
        long damaged = 0;
        for (long seq = index.nextPresent(0); seq >= 0; seq = index.nextPresent(seq + 1)) {
            Block.Record f = (Block.Record) index.get(seq);
            try {
                ByteBuffer r = readRecord(f.block, f.offset, f.length);
                Parsed p = parse(r.array(), 0, f.length, crc, cipher);
                if (p == null || p.seq != seq) {
                    damaged++;
                }
            } catch (IOException ex) {
                damaged++;
            }
        }
        return damaged;
    }

    /** Blocks whose entries are loaded now (tests: the others are known from their summaries). */
    public synchronized int loadedBlocks() {
        return blockIndex.loadedBlocks();
    }

    /** Tests: a smaller bound on loaded entries than {@link #MAX_LOADED_ENTRIES}. */
    synchronized void setLoadedEntryBound(long entries) {
        blockIndex.setMaxEntries(entries);
        blockIndex.trim();
    }

    /** Number of block files (tests and monitoring). */
    public synchronized int blockCount() {
        return blocks.size();
    }
}
