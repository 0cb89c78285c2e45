package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.ConnState;
import io.natsboot.server.monitor.ConnzOptions;
import io.natsboot.server.monitor.Connz;
import io.natsboot.server.monitor.Monitor;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/connz}: the client connections, as nats-server's /connz, with its main query parameters
 * ({@code sort, auth, subs=1|detail, offset, limit, cid, state=open|closed|all, user, acc}); and
 * {@code /actuator/connz/{cid}} for one connection, open or recently closed, with its subscriptions.
 */
@Endpoint(id = "connz")
public class ConnzEndpoint {
    private final Monitor monitor;

    public ConnzEndpoint(Monitor monitor) {
        this.monitor = monitor;
    }

    @ReadOperation
    public Connz connz(@Nullable String sort, @Nullable Boolean auth, @Nullable String subs, @Nullable Long offset,
            @Nullable Long limit, @Nullable Long cid, @Nullable String state, @Nullable String user,
            @Nullable String acc) {
        ConnzOptions o = NatsEndpoints.connzOptions(sort, auth, subs, offset, limit, cid, state, user, acc);
        monitor.countRequest("/connz");
        return NatsEndpoints.snapshot(() -> monitor.connz(o));
    }

    @ReadOperation
    public Connz connection(@Selector long cid) {
        monitor.countRequest("/connz");
        // Open first, then the ring of closed ones (nats-server's state=all with a cid searches only the
        // closed ring).
        Connz open = NatsEndpoints.snapshot(() -> monitor.connz(byCid(cid, ConnState.OPEN)));
        if (!open.connections().isEmpty()) {
            return open;
        }
        return NatsEndpoints.snapshot(() -> monitor.connz(byCid(cid, ConnState.CLOSED)));
    }

    private static ConnzOptions byCid(long cid, ConnState state) {
        return new ConnzOptions("", true, false, true, 0, 0, cid, state, "", "", "", "");
    }
}
