package io.natsboot.server.system;

import java.util.concurrent.TimeUnit;

/**
 * The periodic {@code $SYS.SERVER.<id>.STATSZ} event on nats-server 2.9.10's cadence (observed): 250 ms after
 * start, then doubling (0.5 s, 1 s, 2 s ... 16 s) up to every 30 s. It is only built when someone listens
 * (a local subscriber or a route).
 */
final class StatszSender {
    static final long FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final SystemAccount sys;
    private final String subject;
    private long interval = FIRST_NANOS;

    StatszSender(SystemAccount sys) {
        this.sys = sys;
        this.subject = "$SYS.SERVER." + sys.context().serverId() + ".STATSZ";
    }

    void start() {
        sys.schedule(this::tick, interval);
    }

    private void tick() {
        interval = Math.min(interval * 2, MAX_NANOS);
        sys.schedule(this::tick, interval);
        if (sys.hasInterest(subject)) {
            sys.send(subject, ApiResponse.statsz(sys.statsz()));
        }
    }
}
