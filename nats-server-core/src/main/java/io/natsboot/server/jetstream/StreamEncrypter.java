package io.natsboot.server.jetstream;

import io.natsboot.server.jetstream.store.FileStore;
import io.natsboot.server.jetstream.store.StoreCipher;
import io.natsboot.server.jetstream.store.StoreException;
import io.natsboot.server.jetstream.store.StoreLimits;
import io.natsboot.server.jetstream.store.StoreState;
import io.natsboot.server.jetstream.store.StoredMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain stream found by a server with an encryption key is encrypted at start, as nats-server 2.9.10 does
 * ({@code Encrypting stream '$G > E'}): a sealed copy of the whole stream directory (messages re-appended at
 * their sequences and times, metadata and consumer files sealed, a new {@code key.enc}) is built next to it as
 * {@code <name>.encrypting} and then swapped in by renames ({@code <name>.plain} for the moment between). Stream
 * names cannot contain dots, so these directories are never taken for streams; {@link #tidy} finishes or undoes
 * an interrupted swap at the next start. The plain copy is deleted at the end.
 */
final class StreamEncrypter {
    private static final String BUILDING = ".encrypting";
    private static final String OLD = ".plain";

    private StreamEncrypter() {
    }

    /** Before listing streams: an unfinished copy is dropped; a swap cut between its two renames is completed. */
    static void tidy(JetStream js, Path streams) throws IOException {
        List<Path> dirs;
        try (Stream<Path> l = Files.list(streams)) {
            dirs = l.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            String n = d.getFileName().toString();
            if (n.endsWith(OLD)) {
                Path stream = d.resolveSibling(n.substring(0, n.length() - OLD.length()));
                Path built = d.resolveSibling(stream.getFileName() + BUILDING);
                if (Files.exists(stream)) {
                    js.deleteTree(d);
                } else if (Files.exists(built)) {
                    Files.move(built, stream, StandardCopyOption.ATOMIC_MOVE);
                    js.deleteTree(d);
                } else {
                    Files.move(d, stream, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        for (Path d : dirs) {
            if (d.getFileName().toString().endsWith(BUILDING) && Files.exists(d)) {
                js.deleteTree(d);
            }
        }
    }

    /** Encrypts the plain stream in {@code d} with a new data key under {@code kek}. */
    static void encrypt(JetStream js, String account, Path d, StoreCipher kek) throws IOException {
        byte[] meta = Files.readAllBytes(d.resolve("meta.json"));
        String name = d.getFileName().toString();
        js.log().info("  Encrypting stream '" + account + " > " + name + "'");
        Path built = d.resolveSibling(name + BUILDING);
        js.deleteTree(built);
        Files.createDirectories(built);
        StoreCipher cipher = StreamKeys.forStream(built, kek); // no meta.json there yet: a new key
        StreamKeys.write(built.resolve("meta.json"), meta, cipher);
        copyMessages(js, d.resolve("msgs"), built.resolve("msgs"), cipher);
        Path obs = d.resolve("obs");
        if (Files.isDirectory(obs)) {
            try (Stream<Path> consumers = Files.list(obs)) {
                for (Path c : consumers.filter(Files::isDirectory).toList()) {
                    Path to = built.resolve("obs").resolve(c.getFileName().toString());
                    Files.createDirectories(to);
                    for (String f : new String[] {"meta.json", "state.json"}) {
                        if (Files.exists(c.resolve(f))) {
                            StreamKeys.write(to.resolve(f), Files.readAllBytes(c.resolve(f)), cipher);
                        }
                    }
                }
            }
        }
        Path old = d.resolveSibling(name + OLD);
        Files.move(d, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(built, d, StandardCopyOption.ATOMIC_MOVE);
        js.deleteTree(old);
    }

    /** Every message at its sequence and time, the first sequence and the next one to assign kept. */
    private static void copyMessages(JetStream js, Path from, Path to, StoreCipher cipher) throws IOException {
        try (FileStore plain = new FileStore(from, js.options().fileStore(), StoreLimits.NONE, js.log());
             FileStore sealed = new FileStore(to, js.options().fileStore(), StoreLimits.NONE, js.log(), cipher)) {
            StoreState st = plain.state();
            for (StoredMessage m = plain.loadNext(null, 0); m != null; m = plain.loadNext(null, m.seq() + 1)) {
                sealed.appendAt(m.seq(), m.subject(), m.headers(), m.data(), m.timestamp());
            }
            long next = st.msgs() == 0 ? st.lastSeq() + 1 : st.firstSeq();
            if (next > 1) {
                sealed.compact(next);
            }
            sealed.sync();
        } catch (StoreException e) {
            throw new IOException("could not encrypt: " + e.getMessage(), e);
        }
    }
}
