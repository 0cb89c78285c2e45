package io.natsboot.server.system;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ClientLifecycleListener;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.monitor.JsonWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The events of client connections, as nats-server 2.9.10 sends them (observed, see docs/security.md):
 * <ul>
 *   <li>At accept a client counts in the global account: {@code $G}'s connection count goes out.</li>
 *   <li>When its CONNECT is accepted it moves to its account (silently leaving $G): that account's count goes
 *       out, then, unless the account is $G, {@code $SYS.ACCOUNT.<acc>.CONNECT}.</li>
 *   <li>At close, unless the account is $G: the account's count, then {@code $SYS.ACCOUNT.<acc>.DISCONNECT} with
 *       the traffic and the reason (the /connz closed reason). A refused login sends
 *       {@code $SYS.SERVER.<id>.CLIENT.AUTH.ERR} instead.</li>
 * </ul>
 * A count goes out on {@code $SYS.SERVER.ACCOUNT.<acc>.CONNS} and {@code $SYS.ACCOUNT.<acc>.SERVER.CONNS}: one
 * event (same id) with two server objects. Counts are kept here (taken when the hook runs); messages are built
 * on the system thread, and only when someone listens.
 */
final class ClientEvents implements ClientLifecycleListener, io.natsboot.server.connection.LeafLifecycleListener {
    /** nats-server's close reason of a refused login: the one that makes an auth error event. */
    static final String AUTHENTICATION_FAILURE = "Authentication Failure";

    private final SystemAccount sys;
    private final ServerContext context;
    /** The account each live client is counted in. */
    private final Map<ClientConnection, Account> countedIn = new ConcurrentHashMap<>();
    private final Map<Account, AtomicInteger> conns = new ConcurrentHashMap<>();
    /** Leaf connections per account: the {@code leafnodes} of the account connections event. */
    private final Map<Account, AtomicInteger> leafs = new ConcurrentHashMap<>();
    /** The live clients counted in each account: an account's traffic is summed over its own clients only. */
    private final Map<Account, Set<ClientConnection>> members = new ConcurrentHashMap<>();

    ClientEvents(SystemAccount sys, ServerContext context) {
        this.sys = sys;
        this.context = context;
    }

    private Set<ClientConnection> members(Account a) {
        return members.computeIfAbsent(a, k -> ConcurrentHashMap.newKeySet());
    }

    private AccountTraffic traffic(Account a) {
        return AccountTraffic.of(a, members(a));
    }

    private AtomicInteger leafCount(Account a) {
        return leafs.computeIfAbsent(a, k -> new AtomicInteger());
    }

    /**
     * A leaf registered with its account (nats-server's registerWithAccount): the account's count, then, when we are
     * the hub on it and gateways run, {@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT} (nats-server's sendLeafNodeConnect).
     * No CONNECT event: 2.9.10 sends none for leafs.
     */
    @Override
    public void leafRegistered(Account a, boolean announce) {
        leafCount(a).incrementAndGet();
        AccountConns conns = accountConns(a, count(a).get());
        boolean toLeafConnect = announce && context.gatewayUrl() != null && sys.hasInterest(leafNodeConnectSubject(a));
        if (conns == null && !toLeafConnect) {
            return;
        }
        sys.execute(() -> {
            if (conns != null) {
                conns.send();
            }
            if (toLeafConnect) {
                sendLeafNodeConnect(a);
            }
        });
    }

    private static String leafNodeConnectSubject(Account a) {
        return "$SYS.ACCOUNT." + a.name() + ".LEAFNODE.CONNECT";
    }

    /** {@code {"server":{...},"acc":"<acc>"}} on the account's LEAFNODE.CONNECT subject (on the system thread). */
    private void sendLeafNodeConnect(Account a) {
        sys.sendEvent(leafNodeConnectSubject(a), server -> w -> w.beginObject().name("server").value(server)
                .field("acc", a.name()).endObject());
    }

    /**
     * {@code $SYS.ACCOUNT.<acc>.LEAFNODE.CONNECT} again for every account with leafs here (nats-server's
     * ensureGWsInterestOnlyForLeafNodes), so a cluster that joined the supercluster after them switches those accounts
     * to interest-only too.
     */
    void announceLeafAccounts() {
        if (context.gatewayUrl() == null) {
            return;
        }
        for (Map.Entry<Account, AtomicInteger> e : leafs.entrySet()) {
            if (e.getValue().get() > 0) {
                Account a = e.getKey();
                sys.execute(() -> sendLeafNodeConnect(a));
            }
        }
    }

    /** A leaf closed: the account's count, then (unless $G) a DISCONNECT event of kind Leafnode. */
    @Override
    public void leafClosed(Account a, Closed closed) {
        leafCount(a).decrementAndGet();
        AccountConns conns = accountConns(a, count(a).get());
        String subject = "$SYS.ACCOUNT." + a.name() + ".DISCONNECT";
        boolean toDisconnect = !a.isGlobal() && sys.hasInterest(subject);
        if (conns == null && !toDisconnect) {
            return;
        }
        ClientSnapshot leaf = ClientSnapshot.ofLeaf(a.name(), closed);
        sys.execute(() -> {
            if (conns != null) {
                conns.send();
            }
            if (toDisconnect) {
                disconnect(subject, leaf);
            }
        });
    }

    private AtomicInteger count(Account a) {
        return conns.computeIfAbsent(a, k -> new AtomicInteger());
    }

    /** This server's client connections in {@code a} (from the hooks). */
    int connections(Account a) {
        AtomicInteger n = conns.get(a);
        return n == null ? 0 : n.get();
    }

    /**
     * The answer to {@code $SYS.REQ.ACCOUNT.<acc>.CONNS}: the account connections event, only when the account has
     * connections here (null otherwise: no answer, as nats-server).
     */
    ApiResponse connsAnswer(Account a) {
        int n = connections(a);
        if (n + leafCount(a).get() <= 0) {
            return null;
        }
        String id = SystemJson.eventId();
        Instant now = Instant.now();
        AccountTraffic t = traffic(a);
        int l = leafCount(a).get();
        return ApiResponse.event(server -> accountConnsJson(id, now, server, a, n, l, t));
    }

    @Override
    public void accepted(ClientConnection c) {
        Account global = context.globalAccount();
        countedIn.put(c, global);
        members(global).add(c);
        int n = count(global).incrementAndGet();
        AccountConns conns = accountConns(global, n);
        if (conns != null) {
            sys.execute(conns::send);
        }
    }

    @Override
    public void connected(ClientConnection c) {
        Account a = c.account();
        Account before = countedIn.put(c, a);
        int n;
        if (before == a) {
            n = count(a).get();
        } else {
            if (before != null) {
                count(before).decrementAndGet();
                members(before).remove(c);
            }
            members(a).add(c);
            n = count(a).incrementAndGet();
        }
        ClientSnapshot client = ClientSnapshot.of(c);
        AccountConns conns = accountConns(a, n);
        // who listens is decided now: a client subscribing right after its CONNECT does not see its own event
        boolean toConnect = !a.isGlobal() && sys.hasInterest(connectSubject(a));
        if (conns == null && !toConnect) {
            return;
        }
        sys.execute(() -> {
            if (conns != null) {
                conns.send();
            }
            if (toConnect) {
                connect(client);
            }
        });
    }

    @Override
    public void closed(ClientConnection c) {
        Account a = countedIn.remove(c);
        if (a == null) {
            return;
        }
        int n = count(a).decrementAndGet();
        members(a).remove(c);
        ClientSnapshot client = ClientSnapshot.of(c);
        if (AUTHENTICATION_FAILURE.equals(client.reason())) {
            String subject = "$SYS.SERVER." + context.serverId() + ".CLIENT.AUTH.ERR";
            if (sys.hasInterest(subject)) {
                sys.execute(() -> disconnect(subject, client));
            }
        } else if (!a.isGlobal()) {
            AccountConns conns = accountConns(a, n);
            String subject = "$SYS.ACCOUNT." + a.name() + ".DISCONNECT";
            boolean toDisconnect = sys.hasInterest(subject);
            sys.execute(() -> {
                if (conns != null) {
                    conns.send();
                }
                if (toDisconnect) {
                    disconnect(subject, client);
                }
            });
        }
    }

    /**
     * The account's connection count for both CONNS subjects, or null when nobody listens. The traffic is taken
     * now, on the hook's thread (as nats-server reads its counters when the event is made), walking the live
     * clients: only done when someone listens (here, behind a route or leaf, in another cluster).
     */
    private AccountConns accountConns(Account a, int n) {
        String old = "$SYS.SERVER.ACCOUNT." + a.name() + ".CONNS";
        String current = "$SYS.ACCOUNT." + a.name() + ".SERVER.CONNS";
        boolean toOld = sys.hasInterest(old);
        boolean toCurrent = sys.hasInterest(current);
        if (!toOld && !toCurrent) {
            return null;
        }
        return new AccountConns(toOld ? old : null, toCurrent ? current : null, SystemJson.eventId(), Instant.now(),
                a, n, leafCount(a).get(), traffic(a));
    }

    /** One account connections event, sent on the old subject first, then the current one (same id). */
    private final class AccountConns {
        private final String old;
        private final String current;
        private final String id;
        private final Instant now;
        private final Account account;
        private final int n;
        private final int leafNodes;
        private final AccountTraffic traffic;

        AccountConns(String old, String current, String id, Instant now, Account account, int n, int leafNodes,
                AccountTraffic traffic) {
            this.old = old;
            this.current = current;
            this.id = id;
            this.now = now;
            this.account = account;
            this.n = n;
            this.leafNodes = leafNodes;
            this.traffic = traffic;
        }

        void send() {
            if (old != null) {
                sys.sendEvent(old, server -> accountConnsJson(id, now, server, account, n, leafNodes, traffic));
            }
            if (current != null) {
                sys.sendEvent(current, server -> accountConnsJson(id, now, server, account, n, leafNodes, traffic));
            }
        }
    }

    private static JsonWriter.Writable accountConnsJson(String id, Instant now, ServerInfo server, Account a, int n,
            int leafNodes, AccountTraffic t) {
        return w -> {
            SystemJson.typedEvent(w.beginObject(), SystemJson.ACCOUNT_CONNS_TYPE, id, now)
                    .name("server").value(server)
                    .field("acc", a.name())
                    .field("conns", n)
                    .field("leafnodes", leafNodes)
                    .field("total_conns", n + leafNodes);
            t.writeJson(w);
            w.endObject();
        };
    }

    private static String connectSubject(Account a) {
        return "$SYS.ACCOUNT." + a.name() + ".CONNECT";
    }

    private void connect(ClientSnapshot c) {
        String subject = "$SYS.ACCOUNT." + c.account() + ".CONNECT";
        String id = SystemJson.eventId();
        Instant now = Instant.now();
        sys.sendEvent(subject, server -> w -> {
            SystemJson.typedEvent(w.beginObject(), SystemJson.CONNECT_TYPE, id, now).name("server").value(server);
            c.writeJson(w.name("client"), false);
            w.endObject();
        });
    }

    /** DISCONNECT and AUTH.ERR share nats-server's DisconnectEventMsg; the timestamp is the client's stop. */
    private void disconnect(String subject, ClientSnapshot c) {
        String id = SystemJson.eventId();
        Instant at = c.stop() != null ? c.stop() : Instant.now();
        sys.sendEvent(subject, server -> w -> {
            SystemJson.typedEvent(w.beginObject(), SystemJson.DISCONNECT_TYPE, id, at).name("server").value(server);
            c.writeJson(w.name("client"), true);
            c.writeTraffic(w);
            w.field("reason", c.reason() == null ? "Client Closed" : c.reason());
            w.endObject();
        });
    }
}
