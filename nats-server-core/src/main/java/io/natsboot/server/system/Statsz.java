package io.natsboot.server.system;

import io.natsboot.server.cluster.Cluster;
import io.natsboot.server.cluster.RouteConnection;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Varz;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code statsz} object (nats-server's ServerStats) of STATSZ events and PING answers, built from the /varz
 * snapshot (one data source), plus the routes and how many servers this one knows of.
 */
record Statsz(Instant start, long mem, int cores, double cpu, int connections, long totalConnections,
              int activeAccounts, long subscriptions, long sentMsgs, long sentBytes, long receivedMsgs,
              long receivedBytes, long slowConsumers, List<RouteStat> routes, int activeServers)
        implements JsonWriter.Writable {

    record RouteStat(long rid, String name, long sentMsgs, long sentBytes, long receivedMsgs, long receivedBytes,
                     long pending) {
    }

    static Statsz of(ServerContext context, Cluster cluster, Varz v) {
        List<RouteStat> routes = new ArrayList<>();
        if (cluster != null) {
            for (RouteConnection r : cluster.registered()) {
                routes.add(new RouteStat(r.rid(), r.remoteName(), r.outMsgs(), r.outBytes(), r.inMsgs(), r.inBytes(),
                        r.pendingBytes()));
            }
        }
        return new Statsz(v.start(), v.mem(), v.cores(), v.cpu(), v.connections(), v.totalConnections(),
                activeAccounts(context), v.subscriptions(), v.outMsgs(), v.outBytes(), v.inMsgs(), v.inBytes(),
                v.slowConsumers(), routes, 1 + routes.size());
    }

    /** Accounts with a client connection here, and the system account (its internal client is always there). */
    private static int activeAccounts(ServerContext context) {
        Set<Account> active = new HashSet<>();
        if (context.systemAccount() != null) {
            active.add(context.systemAccount());
        }
        for (ClientConnection c : context.clients()) {
            active.add(c.account());
        }
        return active.size();
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .field("start", start)
                .field("mem", mem)
                .field("cores", cores)
                .field("cpu", cpu)
                .field("connections", connections)
                .field("total_connections", totalConnections)
                .field("active_accounts", activeAccounts)
                .field("subscriptions", subscriptions);
        SystemJson.dataStats(w.name("sent"), sentMsgs, sentBytes);
        SystemJson.dataStats(w.name("received"), receivedMsgs, receivedBytes);
        w.field("slow_consumers", slowConsumers);
        if (!routes.isEmpty()) {
            w.name("routes").beginArray();
            for (RouteStat r : routes) {
                w.beginObject().field("rid", r.rid()).fieldOmitEmpty("name", r.name());
                SystemJson.dataStats(w.name("sent"), r.sentMsgs(), r.sentBytes());
                SystemJson.dataStats(w.name("received"), r.receivedMsgs(), r.receivedBytes());
                w.field("pending", r.pending()).endObject();
            }
            w.endArray();
        }
        w.fieldOmitEmpty("active_servers", activeServers);
        w.endObject();
    }
}
