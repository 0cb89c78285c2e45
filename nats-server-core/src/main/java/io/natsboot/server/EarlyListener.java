package io.natsboot.server;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * The client port, listening from the first milliseconds of the standalone process (engineering guide §2b):
 * bound with the JDK's own socket channel before Netty, Reactor and the engine's classes load, then handed to
 * Netty's epoll transport as a file descriptor ({@link NatsServer#adopt}). Tools that spawn nats-server
 * connect and wait for INFO (jnats-server-runner gives about 0.3 s before its first connect fails): from here
 * on the kernel completes their handshakes and queues them, and each gets INFO once the server accepts.
 *
 * <p>Linux with the epoll transport only; elsewhere, or when anything here fails, the server binds as before
 * and this object is closed. The descriptor comes from {@code sun.nio.ch.SelChImpl.getFDVal()}, exported to
 * the class path by the jar manifest's {@code Add-Exports: java.base/sun.nio.ch}.
 */
public final class EarlyListener {
    private final ServerSocketChannel channel; // kept reachable: Netty owns the descriptor once adopted
    private final int fd;
    private final int port;
    private volatile boolean adopted;

    private EarlyListener(ServerSocketChannel channel, int fd, int port) {
        this.channel = channel;
        this.fd = fd;
        this.port = port;
    }

    /**
     * Binds {@code host:port} (port 0 or -1: a random one) with address reuse and nats-server's backlog, or
     * returns null (not Linux, descriptor not reachable, bind failed: the normal start reports that).
     */
    static EarlyListener bind(String host, int port, int backlog) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
            return null;
        }
        ServerSocketChannel ch = null;
        try {
            Method getFd = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            ch = platformProvider().openServerSocketChannel();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(host == null || host.isEmpty() ? "0.0.0.0" : host, Math.max(0, port)),
                    backlog);
            int fd = (Integer) getFd.invoke(ch);
            return new EarlyListener(ch, fd, ((InetSocketAddress) ch.getLocalAddress()).getPort());
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the normal bind reports the problem
                }
            }
            return null;
        }
    }

    /**
     * The JDK's built-in selector provider. {@code ServerSocketChannel.open()} would first look for a provider
     * through {@code ServiceLoader}, which opens every jar of the class path and reads its manifest: about
     * 20 ms of a 120 ms start on a quiet machine, several times that on a loaded one (docs/architecture.md,
     * "Start-up"). Nothing on our class path provides one, so the answer is always the built-in provider.
     */
    static SelectorProvider platformProvider() {
        return PlatformProvider.INSTANCE;
    }

    /** Looked up once (reflectively: the package is not exported at compile time), for main and for the bind. */
    private static final class PlatformProvider {
        static final SelectorProvider INSTANCE = lookUp();

        private static SelectorProvider lookUp() {
            try {
                return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get")
                        .invoke(null);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return SelectorProvider.provider();
            }
        }
    }

    int fd() {
        return fd;
    }

    public int port() {
        return port;
    }

    /** Netty took the descriptor over: from now on closing its channel closes the socket. */
    void adopted() {
        adopted = true;
    }

    /** Closes the socket unless Netty owns it. */
    void closeUnlessAdopted() {
        if (!adopted) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing listens any more either way
            }
        }
    }
}
