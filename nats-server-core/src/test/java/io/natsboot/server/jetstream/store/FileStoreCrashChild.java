package io.natsboot.server.jetstream.store;

import io.natsboot.server.support.CapturingLog;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child JVM of {@link FileStoreCrashRecoveryTest}: appends (and now and then deletes) until killed, printing
 * "A seq" after each append returned and "D seq" after each delete returned.
 */
public final class FileStoreCrashChild {
    static final FileStoreOptions OPTIONS = new FileStoreOptions(16 * 1024, false, Duration.ofMinutes(2));

    static byte[] payload(long seq) {
        return ("crash-" + seq + "-" + "z".repeat((int) (seq % 97))).getBytes(StandardCharsets.UTF_8);
    }

    static String subject(long seq) {
        return "crash." + (seq % 5);
    }

    public static void main(String[] args) throws Exception {
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        try (FileStore s = new FileStore(Path.of(args[0]), OPTIONS, StoreLimits.NONE, new CapturingLog())) {
            out.write("READY " + s.state().lastSeq() + "\n");
            out.flush();
            while (true) {
                long seq = s.state().lastSeq() + 1;
                StoredMessage m = s.append(subject(seq), seq % 2 == 0 ? "NATS/1.0\r\nK: v\r\n\r\n".getBytes() : null,
                        payload(seq), 0);
                out.write("A " + m.seq() + "\n");
                if (m.seq() % 10 == 0 && s.remove(m.seq() - 5)) {
                    out.write("D " + (m.seq() - 5) + "\n");
                }
                out.flush();
            }
        }
    }
}
