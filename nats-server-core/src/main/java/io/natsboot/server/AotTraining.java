package io.natsboot.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The workload of the build's ahead-of-time training run (JDK 25+, {@code -XX:AOTCacheOutput}, see
 * bin/nats-server): what a client harness does right after spawning the server. Two raw clients connect,
 * subscribe, publish with and without headers, request/reply and PING; the classes, linkage and method
 * profiles of that path land in the cache, so a real start loads them mapped and compiles them early.
 * Raw sockets, not a client library: the cache must hold the server's classes only.
 */
final class AotTraining {
    /** System property that turns a standalone run into a training run. */
    static final String PROPERTY = "natsboot.aot.training";

    private AotTraining() {
    }

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Runs the workload against the server on {@code port} on a daemon thread, then calls {@code stop}. */
    static void start(int port, Runnable stop) {
        Thread t = new Thread(() -> {
            try {
                workload(port);
                fileStore();
            } catch (IOException | RuntimeException | io.natsboot.server.jetstream.store.StoreException e) {
                System.err.println("nats-server: AOT training workload failed: " + e);
            } finally {
                stop.run();
            }
        }, "natsboot-aot-training");
        t.setDaemon(true);
        t.start();
    }

    private static void workload(int port) throws IOException {
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (Socket sub = new Socket(); Socket pub = new Socket()) {
            sub.connect(addr, 5000);
            pub.connect(addr, 5000);
            sub.setSoTimeout(5000);
            pub.setSoTimeout(5000);
            OutputStream so = sub.getOutputStream();
            OutputStream po = pub.getOutputStream();
            InputStream si = sub.getInputStream();
            InputStream pi = pub.getInputStream();
            send(so, "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,"
                    + "\"protocol\":1,\"name\":\"aot-sub\",\"lang\":\"java\",\"version\":\"0\"}\r\n"
                    + "SUB train.> 1\r\nSUB train.q svc 2\r\nSUB svc.echo 3\r\nPING\r\n");
            awaitPong(si);
            send(po, "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,"
                    + "\"protocol\":1,\"name\":\"aot-pub\",\"lang\":\"java\",\"version\":\"0\"}\r\n"
                    + "SUB _INBOX.train.* 9\r\nPING\r\n");
            awaitPong(pi);
            StringBuilder batch = new StringBuilder();
            for (int round = 0; round < 200; round++) {
                batch.setLength(0);
                for (int i = 0; i < 20; i++) {
                    batch.append("PUB train.a.").append(i).append(" 5\r\nhello\r\n");
                    batch.append("HPUB train.h 18 23\r\nNATS/1.0\r\nk: v\r\n\r\nhello\r\n");
                    batch.append("PUB train.q 2\r\nhi\r\n");
                }
                batch.append("PUB svc.echo _INBOX.train.").append(round).append(" 4\r\nping\r\n");
                batch.append("PING\r\n");
                send(po, batch.toString());
                awaitPong(pi);
                // the subscriber answers the request, as a service would
                send(so, "PUB _INBOX.train." + round + " 4\r\npong\r\nPING\r\n");
                awaitPong(si);
            }
            send(po, "UNSUB 9\r\nPING\r\n");
            awaitPong(pi);
        }
    }

    /**
     * A JetStream file store written, closed and opened again from its block summaries, then read: what a start
     * on stored streams runs first (its classes and profiles were the cold part of such a start).
     */
    private static void fileStore() throws IOException, io.natsboot.server.jetstream.store.StoreException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("natsboot-aot-store");
        io.natsboot.server.log.ServerLog quiet = new io.natsboot.server.log.ServerLog() {
            public void info(String msg) { }
            public void warn(String msg) { }
            public void error(String msg) { }
            public void fatal(String msg) { }
            public void debug(String msg) { }
            public void trace(String msg) { }
            public boolean isDebug() { return false; }
            public boolean isTrace() { return false; }
        };
        var options = new io.natsboot.server.jetstream.store.FileStoreOptions(64 * 1024, false,
                java.time.Duration.ofMinutes(2));
        var limits = io.natsboot.server.jetstream.store.StoreLimits.NONE;
        byte[] payload = new byte[100];
        try {
            try (var s = new io.natsboot.server.jetstream.store.FileStore(dir, options, limits, quiet)) {
                for (int i = 0; i < 3000; i++) {
                    s.append("train." + (i % 8), null, payload, 0);
                }
                s.remove(5);
            }
            try (var s = new io.natsboot.server.jetstream.store.FileStore(dir, options, limits, quiet)) {
                s.state();
                s.subjectCounts(">");
                s.load(10);
                s.loadLast("train.3");
                s.loadNext("train.4", 100);
                s.append("train.0", null, payload, 0);
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until a PONG line, skipping INFO, MSG and their payloads (the text is not checked). */
    private static void awaitPong(InputStream in) throws IOException {
        int state = 0; // matched characters of "PONG\r\n" at a line start
        boolean lineStart = true;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("server closed the training connection");
            }
            if (lineStart || state > 0) {
                if (c == "PONG\r\n".charAt(state)) {
                    state++;
                    if (state == 6) {
                        return;
                    }
                    lineStart = false;
                    continue;
                }
                state = 0;
            }
            lineStart = c == '\n';
        }
    }
}
