package io.natsboot.server.system;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.InternalClient;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.ServerId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nats-server's system imports: every account but the system one can ask about itself.
 * {@code $SYS.REQ.ACCOUNT.PING.CONNZ} and {@code $SYS.REQ.SERVER.PING.CONNZ} published in account A become
 * {@code $SYS.REQ.ACCOUNT.A.CONNZ} in the system account, {@code $SYS.REQ.ACCOUNT.PING.STATZ} becomes
 * {@code $SYS.REQ.ACCOUNT.A.STATZ}; every server of the cluster answers, and each answer goes back to the
 * requester's reply subject in A.
 *
 * <p>As in nats-server the three subscriptions live in the importing account (they show in its /subsz) and stay
 * on this server (routes are not told). Answers come back on {@code $SYS._INBOX.<id>.<n>} in the system
 * account, advertised to routes so remote servers' answers arrive too; a mapping lives for the response
 * threshold (2 minutes), so all servers' answers to one request get through.
 */
final class SystemImports {
    static final long RESPONSE_THRESHOLD_NANOS = TimeUnit.MINUTES.toNanos(2);

    private record Pending(InternalClient importer, String reply, long createdNanos) {
    }

    private final ServerContext context;
    private final InternalClient system;
    private final String inboxPrefix = "$SYS._INBOX." + ServerId.nuid().substring(0, 8) + ".";
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<Account, InternalClient> importers = new ConcurrentHashMap<>();

    SystemImports(ServerContext context, InternalClient system) {
        this.context = context;
        this.system = system;
    }

    /** Imports into every account but the system account; answers are taken on the system account's inbox. */
    void start() {
        system.subscribe(inboxPrefix + "*", (subject, reply, headers, payload) -> {
            Pending p = pending.get(subject);
            if (p != null) {
                p.importer().publish(p.reply(), null, headers, payload);
            }
        });
        for (Account a : context.accounts()) {
            add(a);
        }
    }

    /** Gives {@code a} the system imports (an account created later, e.g. by a resolver, calls this). */
    void add(Account a) {
        if (a == context.systemAccount() || importers.containsKey(a)) {
            return;
        }
        InternalClient ic = context.internalClient(a.name(), "system-imports");
        if (importers.putIfAbsent(a, ic) != null) {
            return;
        }
        String connz = "$SYS.REQ.ACCOUNT." + a.name() + ".CONNZ";
        // nats-server's order, which gives the sids 1, 2, 3 its /subsz shows
        ic.subscribeLocal("$SYS.REQ.ACCOUNT.PING.CONNZ", forwarder(ic, connz));
        ic.subscribeLocal("$SYS.REQ.SERVER.PING.CONNZ", forwarder(ic, connz));
        ic.subscribeLocal("$SYS.REQ.ACCOUNT.PING.STATZ",
                forwarder(ic, "$SYS.REQ.ACCOUNT." + a.name() + ".STATZ"));
    }

    private InternalClient.MessageHandler forwarder(InternalClient importer, String target) {
        return (subject, reply, headers, payload) -> {
            String mapped = null;
            if (reply != null) {
                long now = System.nanoTime();
                long id = ids.incrementAndGet();
                mapped = inboxPrefix + id;
                pending.put(mapped, new Pending(importer, reply, now));
                if ((id & 255) == 0) {
                    pending.values().removeIf(p -> now - p.createdNanos() > RESPONSE_THRESHOLD_NANOS);
                }
            }
            system.publish(target, mapped, headers, payload);
        };
    }

    void close() {
        importers.values().forEach(InternalClient::close);
        importers.clear();
        pending.clear();
    }
}
