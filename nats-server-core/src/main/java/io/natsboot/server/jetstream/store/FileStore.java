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
 *   <li>{@code N.idx}: written when block N is full: each record's sequence, offset, time, size and subject, so
 *   start-up need not read the block; rebuilt from the block when missing, stale or damaged.</li>
 *   <li>{@code first.seq}: after a purge or compaction, the lowest sequence that may still exist.</li>
 * </ul>
 * Recovery: a torn or damaged record at the end of the last block is cut off with a warning; a damaged record
 * in an earlier block is reported and the rest of that block skipped. Neither stops the start.
 */
public final class FileStore extends IndexedStore {
    private static final int HEADER = 4 + 8 + 8 + 2;
    private static final int MIN_RECORD = HEADER + 4 + 4;
    private static final int IDX_MAGIC = 0x4e424958;
    private static final ScheduledExecutorService SYNCER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "js-store-sync");
        t.setDaemon(true);
        return t;
    });

    private final Path dir;
    private final StoreCipher cipher;
    private final FileStoreOptions options;
    private final ServerLog log;
    private final TreeMap<Long, Block> blocks = new TreeMap<>();
    private Block active;
    private ByteBuffer writeBuf = ByteBuffer.allocate(4096);
    private final CRC32C crc = new CRC32C();
    private ScheduledFuture<?> syncTask;
    private volatile boolean dirty;

    /** One block file and what the index knows about it. */
    private static final class Block {
        final long id;
        final Path blk;
        final Path del;
        final Path idx;
        FileChannel ch;
        FileChannel delCh;
        /** Bytes of records, the active block's pending ones (see flushPending) included. */
        long size;
        int live;
        long liveBytes;
        long firstSeq = -1;
        long lastSeq = -1;
        boolean sealed;

        Block(Path dir, long id) {
            this.id = id;
            this.blk = dir.resolve(id + ".blk");
            this.del = dir.resolve(id + ".del");
            this.idx = dir.resolve(id + ".idx");
        }
    }

    private static final class FileEntry extends Entry {
        final Block block;
        long offset;
        final int length;

        FileEntry(String subject, long timestamp, int size, Block block, long offset, int length) {
            super(subject, timestamp, size);
            this.block = block;
            this.offset = offset;
            this.length = length;
        }
    }

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
        this.cipher = cipher;
        this.dir = dir;
        this.options = options;
        this.log = log;
        this.limits = limits;
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
            FileEntry e = new FileEntry(subject, timestamp, sizeOf(subject, headers, data), active, offset, len);
            track(active, seq, e);
            return e;
        } catch (IOException ex) {
            throw new StoreException("error writing message: " + ex.getMessage(), ex);
        }
    }

    private static void track(Block b, long seq, FileEntry e) {
        b.live++;
        b.liveBytes += e.length;
        if (b.firstSeq < 0) {
            b.firstSeq = seq;
        }
        b.lastSeq = seq;
    }

    private Block newBlock(long id) throws IOException {
        Block b = new Block(dir, id);
        b.ch = FileChannel.open(b.blk, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        b.size = b.ch.size();
        blocks.put(id, b);
        return b;
    }

    /** A full block: forced to the device and its index written. */
    private void seal(Block b) throws IOException {
        b.ch.force(false);
        b.sealed = true;
        writeIndex(b);
    }

    @Override
    void erase(long seq, Entry e) {
        flushQuietly();
        FileEntry f = (FileEntry) e;
        Block b = f.block;
        b.live--;
        b.liveBytes -= f.length;
        try {
            if (b.live == 0 && b != active) {
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
    void eraseBelow(long seq, List<Entry> removed) {
        flushQuietly();
        if (seq <= floorMarker && removed.isEmpty()) {
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
            Set<Block> touched = new HashSet<>();
            for (Entry e : removed) {
                FileEntry f = (FileEntry) e;
                f.block.live--;
                f.block.liveBytes -= f.length;
                touched.add(f.block);
            }
            for (Block b : new ArrayList<>(blocks.values())) {
                if (b.live == 0) {
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

    private void dropBlock(Block b) throws IOException {
        forgetWindow(b);
        blocks.remove(b.id);
        closeQuietly(b);
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
        List<FileEntry> moved = new ArrayList<>();
        long pos = 0;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long seq = index.nextPresent(b.firstSeq); seq >= 0 && seq <= b.lastSeq; seq = index.nextPresent(seq + 1)) {
                FileEntry f = (FileEntry) index.get(seq);
                if (f.block != b) {
                    continue;
                }
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
        FileEntry f = (FileEntry) e;
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

    private void recover() throws IOException {
        long floor = readFirstSeqMarker();
        floorMarker = floor;
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                String n = p.getFileName().toString();
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
        for (int i = 0; i < ids.size(); i++) {
            boolean last = i == ids.size() - 1;
            Block b = newBlock(ids.get(i));
            Set<Long> deleted = readDeleted(b);
            if (!last || loadIndexOk(b)) {
                if (!loadIndex(b, deleted, floor)) {
                    scan(b, deleted, floor, last);
                    if (!last) {
                        writeIndex(b);
                    }
                }
                b.sealed = !last || b.size >= options.blockSize();
            } else {
                scan(b, deleted, floor, true);
            }
        }
        if (floor - 1 > lastSeq) {
            lastSeq = floor - 1;
        }
        if (index.count() == 0) {
            firstSeq = lastSeq + 1;
        }
        for (Block b : new ArrayList<>(blocks.values())) {
            if (b.live == 0 && !b.equals(blocks.lastEntry().getValue())) {
                dropBlock(b);
            }
        }
        if (blocks.isEmpty()) {
            active = newBlock(1);
        } else {
            Block last = blocks.lastEntry().getValue();
            active = last.sealed ? newBlock(last.id + 1) : last;
        }
    }

    private boolean loadIndexOk(Block b) {
        return Files.exists(b.idx);
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
        if (!Files.exists(b.del)) {
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

    /** Reads every record of a block into the index; the tail of the last block may be cut off. */
    private void scan(Block b, Set<Long> deleted, long floor, boolean last) throws IOException {
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
            addRecovered(b, p.seq, p.timestamp, p.subject, 22 + p.subject.getBytes(StandardCharsets.UTF_8).length
                    + (p.hdrLen > 0 ? 4 + p.hdrLen : 0) + p.data.length + 8, pos, len, deleted, floor);
            pos += len;
        }
        b.size = pos;
    }

    private void addRecovered(Block b, long seq, long ts, String subject, int size, long offset, int len,
                              Set<Long> deleted, long floor) {
        if (seq < floor || deleted.contains(seq) || seq <= lastSeq && index.get(seq) != null) {
            if (seq > lastSeq) {
                lastSeq = seq;
                lastTimestamp = ts;
            }
            return;
        }
        if (seq <= lastSeq) {
            // Out of order (should not happen): keep the first copy.
            return;
        }
        SeqList existing = bySubject.get(subject);
        String subj = existing != null ? index.get(existing.first()).subject : subject;
        FileEntry e = new FileEntry(subj, ts, size, b, offset, len);
        track(b, seq, e);
        indexEntry(seq, e);
    }

    private void writeIndex(Block b) throws IOException {
        List<FileEntry> entries = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        if (b.firstSeq >= 0) {
            for (long seq = index.nextPresent(b.firstSeq); seq >= 0 && seq <= b.lastSeq; seq = index.nextPresent(seq + 1)) {
                FileEntry f = (FileEntry) index.get(seq);
                if (f.block == b) {
                    entries.add(f);
                    seqs.add(seq);
                }
            }
        }
        int cap = 4 + 8 + 4 + 4;
        List<byte[]> subjects = new ArrayList<>();
        for (FileEntry f : entries) {
            byte[] s = f.subject.getBytes(StandardCharsets.UTF_8);
            subjects.add(s);
            cap += 8 + 8 + 4 + 8 + 4 + 2 + s.length;
        }
        ByteBuffer out = ByteBuffer.allocate(cap);
        out.putInt(IDX_MAGIC).putLong(b.size).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            FileEntry f = entries.get(i);
            out.putLong(seqs.get(i)).putLong(f.offset).putInt(f.length).putLong(f.timestamp).putInt(f.size)
                    .putShort((short) subjects.get(i).length).put(subjects.get(i));
        }
        crc.reset();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        Path tmp = dir.resolve(b.id + ".idx.tmp");
        Files.write(tmp, cipher == null ? out.array() : cipher.sealFile(out.array()));
        Files.move(tmp, b.idx, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Loads a block's entries from its index file; false (nothing loaded) when the index is missing or stale. */
    private boolean loadIndex(Block b, Set<Long> deleted, long floor) throws IOException {
        if (!Files.exists(b.idx)) {
            return false;
        }
        byte[] a = Files.readAllBytes(b.idx);
        if (cipher != null) {
            try {
                a = cipher.openFile(a);
            } catch (StoreCipher.AuthenticationFailed e) {
                a = new byte[0]; // reported as damaged below, and rebuilt from the block
            }
        }
        if (a.length < 24) {
            log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " damaged, rebuilding");
            return false;
        }
        crc.reset();
        crc.update(a, 0, a.length - 4);
        ByteBuffer in = ByteBuffer.wrap(a);
        if ((int) crc.getValue() != in.getInt(a.length - 4) || in.getInt() != IDX_MAGIC) {
            log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " damaged, rebuilding");
            return false;
        }
        long blkSize = in.getLong();
        if (blkSize != b.ch.size()) {
            log.warn("JetStream file store " + dir + ": index " + b.idx.getFileName() + " stale, rebuilding");
            return false;
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
            addRecovered(b, seq, ts, subject, size, off, len, deleted, floor);
        }
        b.size = blkSize;
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
        for (Block b : blocks.values()) {
            closeQuietly(b);
        }
    }

    @Override
    public synchronized void destroy() {
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
            FileEntry f = (FileEntry) index.get(seq);
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

    /** Number of block files (tests and monitoring). */
    public synchronized int blockCount() {
        return blocks.size();
    }
}
