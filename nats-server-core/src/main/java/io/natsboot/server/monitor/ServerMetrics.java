package io.natsboot.server.monitor;

import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.cluster.RouteConnection;
import java.util.function.Supplier;

/**
 * The server's counters and gauges as a read-only API, cheap enough to read on every meter scrape: /varz, the
 * Actuator endpoints and the Micrometer meters of the starter all read them here, so a figure has one source.
 * Counters are monotonic (route traffic keeps what closed routes carried). Any thread.
 */
public final class ServerMetrics {
    /** Messages and bytes in both directions. */
    public record Traffic(long inMsgs, long inBytes, long outMsgs, long outBytes) {
        static final Traffic NONE = new Traffic(0, 0, 0, 0);
    }

    private final io.natsboot.server.connection.ServerContext context;
    private final Supplier<Cluster> cluster;

    public ServerMetrics(io.natsboot.server.connection.ServerContext context, Supplier<Cluster> cluster) {
        this.context = context;
        this.cluster = cluster;
    }

    public String serverId() {
        return context.serverId();
    }

    /** Open client connections. */
    public int connections() {
        return context.clientCount();
    }

    /** Client connections accepted since start. */
    public long totalConnections() {
        return context.totalConnections.get();
    }

    /** Subscriptions in every account's subject space (as /varz and STATSZ count them). */
    public long subscriptions() {
        long n = 0;
        for (io.natsboot.server.connection.Account a : context.accounts()) {
            n += a.trie().count();
        }
        return n;
    }

    public long inMsgs() {
        return context.inMsgs.sum();
    }

    public long outMsgs() {
        return context.outMsgs.sum();
    }

    public long inBytes() {
        return context.inBytes.sum();
    }

    public long outBytes() {
        return context.outBytes.sum();
    }

    public long slowConsumers() {
        return context.slowConsumers.sum();
    }

    public long authFailures() {
        return context.authFailures.sum();
    }

    /** Bytes queued to clients and not yet written. */
    public long pendingBytes() {
        long sum = 0;
        for (io.natsboot.server.connection.ClientConnection c : context.clients()) {
            sum += c.pendingBytes();
        }
        return sum;
    }

    public boolean lameDuck() {
        return context.lameDuck();
    }

    /** The port clients are told in INFO. */
    public int clientPort() {
        return context.infoPort();
    }

    /** Whether a cluster block is configured (route figures exist once the server started). */
    public boolean clustered() {
        return context.options().cluster() != null;
    }

    /** The bound route port, or -1 when not clustered or not started. */
    public int clusterPort() {
        Cluster c = cluster.get();
        return c == null ? -1 : c.port();
    }

    /** Registered routes (one per peer server). */
    public int routes() {
        Cluster c = cluster.get();
        return c == null ? 0 : c.registered().size();
    }

    /** Traffic through routes since start, closed routes included. */
    public Traffic routeTraffic() {
        Cluster c = cluster.get();
        if (c == null) {
            return Traffic.NONE;
        }
        long[] t = c.routeTraffic();
        return new Traffic(t[0], t[1], t[2], t[3]);
    }

    /** Routes closed as slow consumers. */
    public long routeSlowConsumers() {
        Cluster c = cluster.get();
        return c == null ? 0 : c.slowConsumerRoutes.sum();
    }

    /** Times a route paused reading because a local receiver was behind. */
    public long routePauses() {
        Cluster c = cluster.get();
        return c == null ? 0 : c.routePressurePauses.sum();
    }

    /** Bytes queued to routes and not yet written. */
    public long routePendingBytes() {
        Cluster c = cluster.get();
        long sum = 0;
        if (c != null) {
            for (RouteConnection r : c.registered()) {
                sum += r.pendingBytes();
            }
        }
        return sum;
    }
}
