package io.natsboot.server.monitor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process memory and CPU for /varz, as nats-server's pse package reports them: {@code mem} is the
 * resident set size in bytes, {@code cpu} the percentage of one core used since the previous
 * sample (one decimal; can exceed 100 on several cores). Each instance keeps its own CPU sample,
 * so the starter's {@code gnatsd_varz_cpu} gauge does not disturb /varz.
 */
public final class ProcessStats {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE_SIZE = 4096;

    private long lastCpuNanos = -1;
    private long lastWallNanos;
    private double lastPercent;

    /** Resident set size in bytes; the JVM heap in use where /proc is not available. */
    public long residentBytes() {
        try {
            String[] f = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }
    }

    /** CPU percent since the previous call (at least 1 s apart, else the previous figure). */
    public synchronized double cpuPercent() {
        long cpu = processCpuNanos();
        long wall = System.nanoTime();
        if (cpu < 0) {
            return 0;
        }
        if (lastCpuNanos < 0) {
            // First sample: average since the JVM started.
            long uptimeNanos = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
            lastPercent = uptimeNanos > 0 ? round1(100.0 * cpu / uptimeNanos) : 0;
            lastCpuNanos = cpu;
            lastWallNanos = wall;
            return lastPercent;
        }
        long dw = wall - lastWallNanos;
        if (dw >= 1_000_000_000L) {
            lastPercent = round1(100.0 * (cpu - lastCpuNanos) / dw);
            lastCpuNanos = cpu;
            lastWallNanos = wall;
        }
        return lastPercent;
    }

    private static double round1(double v) {
        return Math.max(0, Math.round(v * 10) / 10.0);
    }

    private static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
