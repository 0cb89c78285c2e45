package io.natsboot.server.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Ports for servers started as processes (the reference nats-server): a free one, and waiting for a listener. */
public final class Ports {
    private Ports() {
    }

    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits up to 10 s until something accepts connections on 127.0.0.1:port. */
    public static void awaitListening(int port) {
        Waits.upTo("a listener on 127.0.0.1:" + port, Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> accepts(port));
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
