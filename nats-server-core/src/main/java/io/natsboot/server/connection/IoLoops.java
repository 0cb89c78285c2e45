package io.natsboot.server.connection;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * The server's event loops: one group of {@code workers} threads ({@code <prefix>-epoll-<n>}, or {@code -nio-} where
 * epoll is not available) that accept, serve and dial, shaped as Reactor Netty's {@link LoopResources} so its HTTP
 * server (monitoring, WebSocket) runs on them too.
 *
 * <p>Why not {@link LoopResources#create}: Reactor's native-transport detection probes for io_uring and kqueue with
 * {@code Class.forName}, and a class that is not on the class path makes the application class loader open every
 * jar on it and read its manifest (28 jars, 20-40 ms at start, before the first client gets INFO). Here epoll is
 * the only native transport asked for, from the classes that are there.
 */
public final class IoLoops implements LoopResources {
    private final String prefix;
    private final int workers;
    private final boolean daemon;
    private volatile EventLoopGroup nativeLoops;
    private volatile EventLoopGroup nioLoops;
    private volatile EventLoopGroup colocatedNative;
    private volatile EventLoopGroup colocatedNio;

    public IoLoops(String prefix, int workers, boolean daemon) {
        this.prefix = prefix;
        this.workers = Math.max(1, workers);
        this.daemon = daemon;
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return useNative && Epoll.isAvailable() ? nativeLoops() : nioLoops();
    }

    /** The same loops accept: a separate acceptor thread hands each new connection over as a queued task. */
    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        return onServer(useNative);
    }

    /** Dials run on the server loops; one started from a loop thread stays on that loop (Reactor's colocation). */
    @Override
    public synchronized EventLoopGroup onClient(boolean useNative) {
        if (useNative && Epoll.isAvailable()) {
            if (colocatedNative == null) {
                colocatedNative = LoopResources.colocate(nativeLoops());
            }
            return colocatedNative;
        }
        if (colocatedNio == null) {
            colocatedNio = LoopResources.colocate(nioLoops());
        }
        return colocatedNio;
    }

    @Override
    public <C extends Channel> Class<? extends C> onChannelClass(Class<C> type, EventLoopGroup group) {
        boolean epoll = isEpoll(group);
        Class<?> c;
        if (type == ServerSocketChannel.class) {
            c = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        } else if (type == SocketChannel.class) {
            c = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        } else if (type == DatagramChannel.class) {
            c = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        } else {
            throw new IllegalArgumentException("Unsupported channel type: " + type.getSimpleName());
        }
        return c.asSubclass(type);
    }

    @Override
    public <C extends Channel> C onChannel(Class<C> type, EventLoopGroup group) {
        boolean epoll = isEpoll(group);
        Channel c;
        if (type == ServerSocketChannel.class) {
            c = epoll ? new EpollServerSocketChannel() : new NioServerSocketChannel();
        } else if (type == SocketChannel.class) {
            c = epoll ? new EpollSocketChannel() : new NioSocketChannel();
        } else if (type == DatagramChannel.class) {
            c = epoll ? new EpollDatagramChannel() : new NioDatagramChannel();
        } else {
            throw new IllegalArgumentException("Unsupported channel type: " + type.getSimpleName());
        }
        return type.cast(c);
    }

    @Override
    public boolean daemon() {
        return daemon;
    }

    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.defer(() -> Mono.when(shutdown(nativeLoops, quietPeriod, timeout),
                shutdown(nioLoops, quietPeriod, timeout)));
    }

    /**
     * Stops the loops at once (no quiet period) and waits for them, at most {@code timeout} for each group: without
     * Reactor's blocking machinery, which would load and initialise its schedulers for this one wait.
     */
    public void shutdown(Duration timeout) {
        for (EventLoopGroup g : new EventLoopGroup[] {nativeLoops, nioLoops}) {
            if (g != null) {
                g.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .awaitUninterruptibly(timeout.toMillis() + 1000);
            }
        }
    }

    @Override
    public boolean isDisposed() {
        EventLoopGroup n = nativeLoops;
        EventLoopGroup o = nioLoops;
        return (n == null || n.isShuttingDown()) && (o == null || o.isShuttingDown()) && (n != null || o != null);
    }

    private static Mono<Void> shutdown(EventLoopGroup g, Duration quietPeriod, Duration timeout) {
        if (g == null) {
            return Mono.empty();
        }
        io.netty.util.concurrent.Future<?> f = g.isShuttingDown() ? g.terminationFuture()
                : g.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return Mono.create(sink -> f.addListener(done -> {
            if (done.isSuccess()) {
                sink.success();
            } else {
                sink.error(done.cause());
            }
        }));
    }

    /** Reactor's colocated wrapper is not an {@link IoEventLoopGroup}; its loops are. */
    private boolean isEpoll(EventLoopGroup group) {
        if (group == colocatedNative) {
            return true;
        }
        EventLoopGroup g = group instanceof IoEventLoopGroup ? group : group.next();
        return g instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }

    private synchronized EventLoopGroup nativeLoops() {
        if (nativeLoops == null) {
            nativeLoops = newGroup("epoll", EpollIoHandler.newFactory());
        }
        return nativeLoops;
    }

    private synchronized EventLoopGroup nioLoops() {
        if (nioLoops == null) {
            nioLoops = newGroup("nio", NioIoHandler.newFactory());
        }
        return nioLoops;
    }

    private EventLoopGroup newGroup(String kind, IoHandlerFactory handlers) {
        return new MultiThreadIoEventLoopGroup(workers, threads(prefix + "-" + kind + "-"), handlers);
    }

    /** Netty's fast thread-locals (the pooled allocator's per-thread caches) need {@link FastThreadLocalThread}s. */
    private ThreadFactory threads(String namePrefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new FastThreadLocalThread(r, namePrefix + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }
}
