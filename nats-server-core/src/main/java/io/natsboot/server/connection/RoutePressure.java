package io.natsboot.server.connection;

/**
 * A local receiver was over its stall threshold while a route delivered to it. Deliveries from a route run on
 * the route's event loop, so a per-thread flag tells the route after its read without a lock per message;
 * the route then stops reading for a moment (see RouteConnection), so a burst through the route slows down at
 * the TCP level instead of filling the receiver to max_pending and losing it as a slow consumer. nats-server
 * never stalls routes; the pause here is bounded so one slow receiver cannot hold the route for long.
 */
public final class RoutePressure {
    private static final ThreadLocal<boolean[]> NOTED = ThreadLocal.withInitial(() -> new boolean[1]);

    private RoutePressure() {
    }

    static void note() {
        NOTED.get()[0] = true;
    }

    /** Whether a receiver was backed up since the last call on this thread; clears the flag. */
    public static boolean takeNoted() {
        boolean[] f = NOTED.get();
        boolean was = f[0];
        f[0] = false;
        return was;
    }
}
