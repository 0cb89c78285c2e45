package io.natsboot.server.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Background work at a fixed rate (traffic a page shows, a probe that samples a figure), on one daemon thread,
 * until closed. A task that throws ends the repetition, as a closed connection ends a traffic loop.
 */
public final class Repeating implements AutoCloseable {
    /** Something done each period that may fail. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private final ScheduledExecutorService scheduler;

    private Repeating(String name, Duration period, Task task) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (Exception e) {
                throw new IllegalStateException(e); // ends the repetition
            }
        }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    public static Repeating every(Duration period, String name, Task task) {
        return new Repeating(name, period, task);
    }

    /** Stops the repetition and waits for a run in progress to end. */
    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
}
