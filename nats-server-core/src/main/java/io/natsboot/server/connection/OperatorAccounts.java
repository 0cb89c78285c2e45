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
            for (ClientConnection c : server.clients()) {
                c.accountClaimsUpdated(claims);
            }
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
        List<Account.ServiceImport> services = new ArrayList<>(importer.serviceImports());
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
                services.add(new Account.ServiceImport(exporter, imp.subject(), imp.local()));
            } else {
                List<Account.StreamImport> streams = new ArrayList<>(exporter.streamImporters());
                streams.add(new Account.StreamImport(importer, imp.subject(), imp.to()));
                exporter.streamImporters(streams);
            }
        }
        importer.serviceImports(services);
        return importer;
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

    /** Takes one of {@code account}'s connection slots if fewer than {@code limit} (-1 = no limit) are taken. */
    public boolean reserveConnection(String account, long limit) {
        AtomicInteger n = connections.computeIfAbsent(account, k -> new AtomicInteger());
        while (true) {
            int taken = n.get();
            if (limit != -1 && taken >= limit) {
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
