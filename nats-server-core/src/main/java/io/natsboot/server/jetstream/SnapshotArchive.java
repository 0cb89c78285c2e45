package io.natsboot.server.jetstream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.snappy.FramedSnappyCompressorInputStream;
import org.apache.commons.compress.compressors.snappy.FramedSnappyCompressorOutputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The archive a stream snapshot travels in: a tar of the stream's files ({@code meta.json}, {@code msgs/...},
 * {@code obs/<consumer>/...}) in Snappy framing. nats-server sends an S2-compressed tar of its own store files;
 * S2's reader also reads Snappy framing, but the files inside are NATS Boot's store format, so an archive is
 * restorable only by NATS Boot (see docs/jetstream.md). Both directions stream: the writer holds one Snappy
 * block and one tar record, the reader extracts entry by entry.
 */
final class SnapshotArchive {
    /** S2's stream identifier chunk: the archive was made by nats-server. */
    private static final byte[] S2_MAGIC = {(byte) 0xff, 6, 0, 0, 'S', '2', 's', 'T', 'w', 'O'};

    private SnapshotArchive() {
    }

    /** Writes entries to {@code out} (which receives the compressed bytes); close finishes the archive. */
    static final class Writer implements AutoCloseable {
        private final TarArchiveOutputStream tar;

        Writer(OutputStream out) throws IOException {
            tar = new TarArchiveOutputStream(new FramedSnappyCompressorOutputStream(out), StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        /** Adds the first {@code length} bytes of {@code file} as {@code name}. */
        void add(String name, Path file, long length) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(length);
            e.setMode(0600);
            tar.putArchiveEntry(e);
            byte[] buf = new byte[64 * 1024];
            long left = length;
            try (InputStream in = Files.newInputStream(file)) {
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("file " + file + " is shorter than " + length + " bytes");
                    }
                    tar.write(buf, 0, n);
                    left -= n;
                }
            }
            tar.closeArchiveEntry();
        }

        void add(String name, byte[] content) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            e.setMode(0600);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            tar.finish();
            tar.close();
        }
    }

    /** Why an archive cannot be read: the text goes into nats-server's "restore failed: ..." answer. */
    static final class BadArchive extends IOException {
        BadArchive(String message) {
            super(message);
        }
    }

    /**
     * Extracts {@code archive} into {@code dir}. Entry names must stay inside {@code dir}. A file that is not
     * Snappy framing is "s2: corrupt input" (nats-server's text for an archive it cannot decode); an archive
     * made by nats-server (S2) is refused by name.
     */
    static void extract(Path archive, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            raw.mark(S2_MAGIC.length);
            byte[] head = raw.readNBytes(S2_MAGIC.length);
            raw.reset();
            if (Arrays.equals(head, S2_MAGIC)) {
                throw new BadArchive("snapshot made by nats-server (S2 archive of its file store),"
                        + " NATS Boot restores only its own snapshots");
            }
            InputStream snappy;
            try {
                snappy = new FramedSnappyCompressorInputStream(raw);
            } catch (IOException e) {
                throw new BadArchive("s2: corrupt input");
            }
            TarArchiveInputStream tar = new TarArchiveInputStream(snappy, StandardCharsets.UTF_8.name());
            Path root = dir.toAbsolutePath().normalize();
            try {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    if (!e.isFile()) {
                        continue;
                    }
                    Path target = root.resolve(e.getName()).normalize();
                    if (!target.startsWith(root) || target.equals(root)) {
                        throw new BadArchive("invalid file name in snapshot: " + e.getName());
                    }
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        tar.transferTo(out);
                    }
                }
            } catch (BadArchive b) {
                throw b;
            } catch (java.io.EOFException e) {
                throw new BadArchive("unexpected EOF");
            } catch (IOException | IllegalArgumentException e) {
                throw new BadArchive(e.getMessage() != null && e.getMessage().contains("Truncated")
                        ? "unexpected EOF" : "s2: corrupt input");
            }
        }
    }
}
