package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.CapturingLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Connections are accepted on several event loops at once: max_connections must hold when they register at the
 * same moment (a connection flood), not only one after the other.
 */
class MaxConnectionsRaceTest {

    @Test
    void concurrentRegistrationsNeverPassTheLimit() throws Exception {
        int limit = 8;
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int attempt = 0; attempt < 200; attempt++) {
                ServerContext ctx = new ServerContext(ServerOptions.builder().maxConnections(limit).build(),
                        new CapturingLog(), "TEST");
                CyclicBarrier start = new CyclicBarrier(threads);
                AtomicInteger admitted = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        List<ClientConnection> mine = new ArrayList<>();
                        for (int i = 0; i < 4; i++) {
                            mine.add(new ClientConnection(ctx));
                        }
                        start.await(10, TimeUnit.SECONDS);
                        for (ClientConnection c : mine) {
                            if (ctx.register(c)) {
                                admitted.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(10, TimeUnit.SECONDS);
                }
                assertThat(ctx.clientCount()).as("attempt %d", attempt).isEqualTo(limit);
                assertThat(admitted.get()).as("attempt %d", attempt).isEqualTo(limit);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
