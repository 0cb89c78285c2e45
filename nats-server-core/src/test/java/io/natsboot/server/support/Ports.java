package io.natsboot.server.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Ports for servers started as processes (the reference nats-server): a free one, and waiting for a listener. */
public final class Ports {
    private Ports() {
    }

    /** Ports {@link #free()} returned in this JVM: never returned twice. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A free port for a server that binds it later (often a process): below the kernel's ephemeral range
     * (ip_local_port_range starts at 32768), so the outbound connections of servers and clients started
     * meanwhile cannot take it, and never the same port twice in this JVM (a port handed out earlier may not
     * be bound yet). A port from the ephemeral range (new ServerSocket(0)) could be both.
     */
    public static int free() throws IOException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 200; i++) {
            int p = 20000 + r.nextInt(12000);
            if (!HANDED_OUT.add(p)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
                return p;
            } catch (IOException busy) {
                // in use: try another
            }
        }
        throw new IOException("no free port in 20000-32000");
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
