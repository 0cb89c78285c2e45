package io.natsboot.server.monitor;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds /connz entries from live connections, as nats-server's {@code ConnInfo.fill} does. */
final class ConnViews {
    static final String GLOBAL_ACCOUNT = "$G";
    static final String SYSTEM_ACCOUNT = "$SYS";

    private ConnViews() {
    }

    /** The entry of an open connection at {@code now}, without subscription lists or auth fields. */
    static ConnInfo info(ClientConnection c, Instant now) {
        Instant start = c.started();
        Instant last = c.lastActivity();
        return new ConnInfo(c.cid(), "Client", c.type(), c.host(), c.remotePort(), start, last, null, null,
                GoFormat.rtt(c.rttForMonitor()), GoFormat.uptime(Duration.between(start, now)),
                GoFormat.uptime(Duration.between(last, now)), c.pendingBytes(), c.inMsgs(), c.outMsgs(),
                c.inBytes(), c.outBytes(), c.subscriptions().size(), c.name(), c.lang(), c.version(), null, null,
                null, null);
    }

    /** Snapshot of a closing connection for the closed ring: times relative to its stop. */
    static ClosedConnections.Entry closedEntry(ClientConnection c) {
        Instant stop = c.stopped() != null ? c.stopped() : Instant.now();
        ConnInfo open = info(c, stop);
        ConnInfo closed = new ConnInfo(open.cid(), open.kind(), open.type(), open.ip(), open.port(), open.start(),
                open.lastActivity(), stop, c.closeReason() == null ? "Client Closed" : c.closeReason(), open.rtt(),
                open.uptime(), open.idle(), open.pendingBytes(), open.inMsgs(), open.outMsgs(), open.inBytes(),
                open.outBytes(), open.subscriptions(), open.name(), open.lang(), open.version(), null, null, null,
                null);
        // nats-server keeps the subscriptions of a closed client with their account (shown by subs=detail).
        String account = c.account().name();
        return new ClosedConnections.Entry(closed, details(c, account), c.user(), account);
    }

    /** The subjects of a connection's subscriptions ({@code subscriptions_list}). */
    static List<String> subjects(ClientConnection c) {
        List<String> out = new ArrayList<>();
        for (Subscription s : c.subscriptions()) {
            out.add(s.subject());
        }
        return out;
    }

    /** A connection's subscriptions in detail, with {@code account} set or null. */
    static List<SubDetail> details(ClientConnection c, String account) {
        List<SubDetail> out = new ArrayList<>();
        for (Subscription s : c.subscriptions()) {
            out.add(detail(s, account));
        }
        return out;
    }

    static SubDetail detail(Subscription s, String account) {
        // an internal client (the system account's handlers) has no connection id
        long cid = s.client() == null ? 0 : s.client().cid();
        return new SubDetail(account, s.subject(), s.queue(), s.sid(), s.delivered(), s.max(), cid);
    }
}
