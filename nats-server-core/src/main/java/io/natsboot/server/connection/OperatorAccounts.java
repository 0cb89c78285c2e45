package io.natsboot.server.connection;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.auth.jwt.AccountClaims;
import io.natsboot.server.auth.jwt.ClaimsRequests;
import io.natsboot.server.auth.jwt.ImportCheck;
import io.natsboot.server.auth.jwt.OperatorMode;
import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.OperatorConfig;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.log.ServerLog;
import io.natsboot.server.protocol.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Operator (JWT) mode on the engine's side: accounts made from account JWTs at their first login with their
 * imports wired to the exporters, the accounts' connection slots (taken atomically at login, given back at
 * close), account updates passed to connected clients, and the full resolver's $SYS claims requests with
 * nats-server's {@code "server"} object. The JWT rules themselves are auth/jwt's ({@link OperatorMode}).
 */
public final class OperatorAccounts {
    private final ServerContext server;
    private final ServerOptions options;
    private final ServerLog log;
    private final OperatorMode mode;
    /** JWT accounts whose imports are wired (once, at their first login). */
    private final Set<String> wired = ConcurrentHashMap.newKeySet();
    /** JWT clients per account, against the account's connection limit. */
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final ClaimsRequests claimsRequests;

    /** Throws {@link IllegalStateException} with nats-server's start-up message when the setup is refused. */
    OperatorAccounts(ServerContext server, ServerOptions options, ServerLog log) {
        String problem = OperatorConfig.startProblem(options);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        this.server = server;
        this.options = options;
        this.log = log;
        this.mode = new OperatorMode(options.trust(), log::debug);
        mode.onAccountUpdate(claims -> {
            Account updated = server.account(claims.subject());
            if (updated != null && wired.contains(claims.subject())) {
                updated.mappings(mappings(claims));
            }
            rewireImports(claims);
            applyToClients(claims);
            if (wired.contains(claims.subject())) {
                claimsListener.accept(claims);
            }
        });
        this.claimsRequests = new ClaimsRequests(mode, log::debug, log::error, this::sysServerJson)
                .timing(options.trust().resolver());
    }

    /** Told of an account's claims when the account is made here (first login) and when its JWT is updated. */
    private volatile java.util.function.Consumer<AccountClaims> claimsListener = c -> {
    };

    /** JetStream enables, limits or disables an account by its claims' JetStream limits. */
    public void onAccountClaims(java.util.function.Consumer<AccountClaims> listener) {
        this.claimsListener = listener;
    }

    public OperatorMode mode() {
        return mode;
    }

    /**
     * Work an account's first login needs before the account is made here and that must not run on an event loop
     * (JetStream recovering the account's streams from disk): given the claims, it returns a future for that work,
     * or null when there is none.
     */
    private volatile java.util.function.Function<AccountClaims, java.util.concurrent.CompletableFuture<Void>>
            firstLoginWork;

    public void onAccountFirstLogin(
            java.util.function.Function<AccountClaims, java.util.concurrent.CompletableFuture<Void>> work) {
        this.firstLoginWork = work;
    }

    /**
     * The work to wait for before {@code account} (not made here yet) is taken by a login, off the event loop, or
     * null when there is none (the account is in use already, or its claims do not resolve: the login reports that).
     */
    public java.util.concurrent.CompletableFuture<Void> firstLoginWork(String account) {
        // Without such work (no JetStream) nothing is looked up here: the login's own lookup is the only one.
        java.util.function.Function<AccountClaims, java.util.concurrent.CompletableFuture<Void>> work = firstLoginWork;
        if (work == null || account == null || wired.contains(account)) {
            return null;
        }
        AccountClaims claims;
        try {
            claims = mode.lookup(account);
        } catch (java.io.IOException e) {
            return null;
        }
        return work.apply(claims);
    }

    /**
     * The account of a JWT login, made on first use with its imports wired to the exporters' accounts (an import
     * the exporter does not grant is left out, logged at debug level).
     */
    public synchronized Account account(AccountClaims claims) {
        Account importer = server.accountOrCreate(claims.subject());
        if (!wired.add(claims.subject())) {
            return importer;
        }
        importer.mappings(mappings(claims));
        claimsListener.accept(claims);
        wireImports(importer, claims);
        return importer;
    }

    /**
     * nats-server's updateAccountClaims for the connected clients of the account: when the connection limit is
     * reached, the clients sorted newest first, those past the limit (the oldest) are closed with
     * {@code maximum account active connections exceeded}; the others take the new claims (limits, revocations).
     */
    private void applyToClients(AccountClaims claims) {
        List<JwtBound> of = new ArrayList<>();
        for (ClientConnection c : server.clients()) {
            if (claims.subject().equals(c.jwtAccount())) {
                of.add(new JwtBound() {
                    public String jwtAccount() {
                        return c.jwtAccount();
                    }

                    public long startedNanos() {
                        return c.startedNanos();
                    }

                    public void accountClaimsUpdated(AccountClaims updated) {
                        c.accountClaimsUpdated(updated);
                    }

                    public void closeForAccountConnections() {
                        c.closeForAccountConnections();
                    }
                });
            }
        }
        // leaf connections of the account count against its connection limit too (nats-server's account clients)
        for (JwtBound l : jwtLeafs) {
            if (claims.subject().equals(l.jwtAccount())) {
                of.add(l);
            }
        }
        long limit = claims.limits().conn();
        if (limit != -1 && of.size() >= limit) {
            of.sort(java.util.Comparator.comparingLong(JwtBound::startedNanos).reversed());
        }
        for (int i = 0; i < of.size(); i++) {
            if (limit != -1 && i >= limit) {
                of.get(i).closeForAccountConnections();
            } else {
                of.get(i).accountClaimsUpdated(claims);
            }
        }
    }

    /**
     * A connection logged in with a user JWT of an account (a client, or a leaf connection accepted in operator
     * mode), as an account update reaches it: it takes the new claims (closing itself when its user is revoked or
     * its signing key is gone), or is closed because the account's connection limit went below its connections.
     */
    public interface JwtBound {
        String jwtAccount();

        long startedNanos();

        void accountClaimsUpdated(AccountClaims claims);

        void closeForAccountConnections();
    }

    /** Leaf connections accepted with a user JWT, for account updates and the accounts' leaf limits. */
    private final Set<JwtBound> jwtLeafs = ConcurrentHashMap.newKeySet();

    /**
     * A leaf connection logged in with a user JWT of {@code account}: taken if the account has fewer than
     * {@code leafLimit} (-1 = no limit) leaf connections here (nats-server's MaxTotalLeafNodesReached), else false.
     */
    public synchronized boolean leafLoggedIn(JwtBound leaf, long leafLimit) {
        if (leafLimit != -1) {
            long n = jwtLeafs.stream().filter(l -> leaf.jwtAccount().equals(l.jwtAccount())).count();
            if (n >= leafLimit) {
                return false;
            }
        }
        jwtLeafs.add(leaf);
        return true;
    }

    /** A leaf connection taken by {@link #leafLoggedIn} closed. */
    public synchronized void leafClosed(JwtBound leaf) {
        jwtLeafs.remove(leaf);
    }

    /** The imports a JWT account got from its claims, to take them back when its claims change. */
    private record WiredImports(List<Account.ServiceImport> services, List<Map.Entry<Account, Account.StreamImport>> streams) {
    }

    private final Map<String, WiredImports> wiredImports = new ConcurrentHashMap<>();

    /**
     * An account JWT changed: the account's own imports are wired anew (added, removed, changed), and so are those
     * of every account in use that imports from it (its exports may have changed), as nats-server re-checks them.
     */
    private synchronized void rewireImports(AccountClaims changed) {
        for (String name : List.copyOf(wired)) {
            AccountClaims claims;
            if (name.equals(changed.subject())) {
                claims = changed;
            } else {
                try {
                    claims = mode.lookup(name);
                } catch (IOException e) {
                    continue;
                }
                if (claims.imports().stream().noneMatch(i -> changed.subject().equals(i.account()))) {
                    continue;
                }
            }
            Account a = server.account(name);
            if (a != null) {
                wireImports(a, claims);
            }
        }
    }

    /** Takes back the imports {@code importer} got from its earlier claims and wires those of {@code claims}. */
    private void wireImports(Account importer, AccountClaims claims) {
        WiredImports before = wiredImports.remove(claims.subject());
        List<Account.ServiceImport> services = new ArrayList<>(importer.serviceImports());
        if (before != null) {
            services.removeIf(si -> before.services().stream().anyMatch(b -> b == si));
            for (Map.Entry<Account, Account.StreamImport> e : before.streams()) {
                List<Account.StreamImport> left = new ArrayList<>(e.getKey().streamImporters());
                left.removeIf(si -> si == e.getValue());
                e.getKey().streamImporters(left);
            }
        }
        List<Account.ServiceImport> addedServices = new ArrayList<>();
        List<Map.Entry<Account, Account.StreamImport>> addedStreams = new ArrayList<>();
        for (AccountClaims.Import imp : claims.imports()) {
            String why;
            AccountClaims exporterClaims = null;
            try {
                exporterClaims = mode.lookup(imp.account());
                why = ImportCheck.check(claims, imp, exporterClaims);
            } catch (IOException e) {
                why = e.getMessage();
            }
            if (why == null && !imp.service() && imp.localSubject() != null && !imp.localSubject().isEmpty()) {
                why = "stream imports with local_subject are not supported yet";
            }
            if (why != null) {
                log.debug("Error adding " + (imp.service() ? "service" : "stream") + " import "
                        + GoFormat.quote(imp.subject()) + " from account " + GoFormat.quote(imp.account())
                        + " to account " + GoFormat.quote(claims.subject()) + ": " + why);
                continue;
            }
            Account exporter = server.accountOrCreate(exporterClaims.subject());
            if (imp.service()) {
                exporter.servesImports(true);
                Account.ServiceImport si = new Account.ServiceImport(exporter, imp.subject(), imp.local());
                services.add(si);
                addedServices.add(si);
            } else {
                List<Account.StreamImport> streams = new ArrayList<>(exporter.streamImporters());
                Account.StreamImport si = new Account.StreamImport(importer, imp.subject(), imp.to());
                streams.add(si);
                exporter.streamImporters(streams);
                addedStreams.add(Map.entry(exporter, si));
            }
        }
        importer.serviceImports(services);
        wiredImports.put(claims.subject(), new WiredImports(addedServices, addedStreams));
        List<String> gone = new ArrayList<>();
        if (before != null) {
            before.services().forEach(si -> gone.add(si.localSubject()));
        }
        List<String> come = new ArrayList<>();
        addedServices.forEach(si -> come.add(si.localSubject()));
        if (!gone.equals(come)) {
            serviceImportsListener.changed(importer, gone, come);
        }
    }

    /** Told when a JWT account's service imports are wired anew (their local subjects before and after). */
    @FunctionalInterface
    public interface ServiceImportsListener {
        void changed(Account importer, List<String> removed, List<String> added);
    }

    private volatile ServiceImportsListener serviceImportsListener = (a, r, n) -> {
    };

    /**
     * The leaf connections advertise an account's service imports as its interest (nats-server's import
     * subscriptions): they are told when a JWT update changes them.
     */
    public void onServiceImportsChanged(ServiceImportsListener listener) {
        this.serviceImportsListener = listener;
    }

    /**
     * The account JWT's {@code mappings} as nats-server adds them (a weight of 0 counts as 100, as jwt's
     * GetWeight); a mapping it cannot add is logged with nats-server's text and left out.
     */
    private io.natsboot.server.subject.SubjectMappings mappings(AccountClaims claims) {
        io.natsboot.server.subject.SubjectMappings m = io.natsboot.server.subject.SubjectMappings.NONE;
        for (Map.Entry<String, List<AccountClaims.Mapping>> e : claims.mappings().entrySet()) {
            List<io.natsboot.server.subject.SubjectMappings.Destination> dests = new ArrayList<>();
            for (AccountClaims.Mapping d : e.getValue()) {
                dests.add(new io.natsboot.server.subject.SubjectMappings.Destination(d.subject() == null ? "" : d.subject(),
                        d.weight() == 0 ? 100 : d.weight(), d.cluster()));
            }
            try {
                m = m.with(e.getKey(), dests);
            } catch (io.natsboot.server.subject.SubjectTransform.MappingException ex) {
                log.error("Error adding mapping: " + ex.getMessage());
            }
        }
        return m;
    }

    /** The accounts' client counts on the other servers (server id -> count), from their CONNS events. */
    private final Map<String, Map<String, Integer>> remote = new ConcurrentHashMap<>();

    private int remoteCount(String account) {
        Map<String, Integer> m = remote.get(account);
        int sum = 0;
        if (m != null) {
            for (int v : m.values()) {
                sum += v;
            }
        }
        return sum;
    }

    /**
     * Another server counts {@code conns} clients of {@code account} (nats-server's updateRemoteServer): kept for
     * the connection limit; when the account is over it now, this server's newest clients past it are closed
     * with {@code maximum account active connections exceeded}, as nats-server does.
     */
    public void remoteConnections(String account, String serverId, int conns) {
        remote.computeIfAbsent(account, k -> new ConcurrentHashMap<>()).put(serverId, conns);
        if (!wired.contains(account)) {
            return;
        }
        long limit;
        try {
            limit = mode.lookup(account).limits().conn();
        } catch (IOException e) {
            return;
        }
        if (limit == -1) {
            return;
        }
        List<ClientConnection> local = new ArrayList<>();
        for (ClientConnection c : server.clients()) {
            if (account.equals(c.jwtAccount())) {
                local.add(c);
            }
        }
        long over = local.size() + remoteCount(account) - limit;
        if (over <= 0) {
            return;
        }
        local.sort(java.util.Comparator.comparingLong(ClientConnection::startedNanos).reversed());
        for (int i = 0; i < over && i < local.size(); i++) {
            local.get(i).closeForAccountConnections();
        }
    }

    /** A server shut down: its counts no longer apply. */
    public void remoteServerGone(String serverId) {
        for (Map<String, Integer> m : remote.values()) {
            m.remove(serverId);
        }
    }

    /**
     * Takes one of {@code account}'s connection slots if fewer than {@code limit} (-1 = no limit) are taken, here
     * and (as far as their events said) on the other servers of the cluster.
     */
    public boolean reserveConnection(String account, long limit) {
        AtomicInteger n = connections.computeIfAbsent(account, k -> new AtomicInteger());
        while (true) {
            int taken = n.get();
            if (limit != -1 && taken + remoteCount(account) >= limit) {
                return false;
            }
            if (n.compareAndSet(taken, taken + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #reserveConnection}. */
    public void releaseConnection(String account) {
        AtomicInteger n = connections.get(account);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    /**
     * The full resolver's $SYS claims requests (subjects to subscribe to, bytes in, bytes out) for the system
     * account's internal client.
     */
    public ClaimsRequests claimsRequests() {
        return claimsRequests;
    }

    /**
     * The {@code "server"} object of nats-server's $SYS answers and events (its ServerInfo as 2.9 writes it):
     * name, host, id, cluster (when clustered), ver, seq (the server's one $SYS sequence), jetstream, time; the same
     * fields as the system account's events (system/ServerInfo).
     */
    public String sysServerJson() {
        StringBuilder b = new StringBuilder("{\"name\":");
        Json.quote(b, server.serverName());
        b.append(",\"host\":");
        Json.quote(b, server.infoHost());
        b.append(",\"id\":");
        Json.quote(b, server.serverId());
        String cluster = server.clusterName();
        if (cluster != null && !cluster.isEmpty()) {
            b.append(",\"cluster\":");
            Json.quote(b, cluster);
        }
        b.append(",\"ver\":");
        Json.quote(b, options.compatVersion());
        b.append(",\"seq\":").append(server.nextSystemSequence()).append(",\"jetstream\":")
                .append(options.jetstream() != null && options.jetstream().enabled()).append(",\"time\":\"")
                .append(io.natsboot.server.goformat.GoFormat.rfc3339Nano(java.time.Instant.now())).append("\"}");
        return b.toString();
    }
}
