package io.natsboot.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@link io.netty.util.concurrent.FastThreadLocalThread}s, like the
 * server's event loop threads. It matters for allocation: Netty 4.2 gives thread-local buffer caches
 * ({@code PooledByteBufAllocator}'s {@code useCacheForAllThreads=false}) and object recycling only to such
 * threads, so on JMH's plain threads every pooled buffer and every outbound-buffer entry would be allocated
 * afresh, which the server's event loops do not do.
 *
 * <p>Selected with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.natsboot.benchmarks.EventLoopThreadExecutor}
 * (JMH's hook for custom executors: a constructor taking the thread count and a name prefix).
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    public EventLoopThreadExecutor(int threads, String prefix) {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
