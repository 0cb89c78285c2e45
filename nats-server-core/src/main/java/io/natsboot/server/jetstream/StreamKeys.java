package io.natsboot.server.jetstream;

import io.natsboot.server.jetstream.store.StoreCipher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Encryption at rest per stream: each stream of an encrypted server has a random data key in {@code key.enc},
 * sealed under the server's key-encryption key (from {@code jetstream { key }}), marked with the cipher that
 * seals its files. The data key seals the message records, block indexes, {@code meta.json} and the
 * consumers' {@code meta.json}/{@code state.json}. A stream whose key cannot be opened is not loaded, with
 * nats-server 2.9.10's warnings.
 */
final class StreamKeys {
    static final String FILE = "key.enc";

    private StreamKeys() {
    }

    /** A stream's files cannot be opened with this server's key (or the server has none). */
    static final class KeyError extends IOException {
        KeyError(String why) {
            super("Error decrypting our stream metafile: " + why);
        }
    }

    /**
     * The data cipher of the stream in {@code dir}: its sealed key opened with {@code kek}; a new key when the
     * server encrypts and the stream is new (no {@code meta.json} yet); null for a plain stream. A stream
     * written before encryption was enabled stays plain.
     */
    static StoreCipher forStream(Path dir, StoreCipher kek) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            if (kek == null) {
                throw new KeyError("encryption not enabled");
            }
            try {
                return kek.openDataKey(Files.readAllBytes(file));
            } catch (StoreCipher.AuthenticationFailed e) {
                throw new KeyError(e.getMessage());
            }
        }
        if (kek == null || Files.exists(dir.resolve("meta.json"))) {
            return null;
        }
        Files.createDirectories(dir);
        Object[] k = kek.newDataKey(kek.kind());
        write(file, (byte[]) k[0], null);
        return (StoreCipher) k[1];
    }

    /** A metadata file's content, opened with {@code cipher} when the stream is encrypted. */
    static byte[] read(Path p, StoreCipher cipher) throws IOException {
        byte[] b = Files.readAllBytes(p);
        if (cipher == null) {
            return b;
        }
        try {
            return cipher.openFile(b);
        } catch (StoreCipher.AuthenticationFailed e) {
            throw new KeyError(e.getMessage());
        }
    }

    /** Writes a metadata file atomically (temporary file, rename), sealed when the stream is encrypted. */
    static void write(Path p, byte[] content, StoreCipher cipher) throws IOException {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.write(tmp, cipher == null ? content : cipher.sealFile(content));
        Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
