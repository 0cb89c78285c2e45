package io.natsboot.server;

import io.natsboot.server.config.JetStreamOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.jetstream.InternalClientTransport;
import io.natsboot.server.jetstream.JetStream;
import io.natsboot.server.log.ServerLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Starts JetStream for {@link NatsServer} when it is enabled: resolves the store directory and the server-wide
 * limits as nats-server 2.9.10 does (75% of the machine's memory, 75% of the disk space available at the store
 * directory), prints its start-up lines, wires the engine to the internal clients and enables the accounts
 * nats-server enables (the global one without an accounts block, else those with {@code jetstream: enabled}).
 */
final class JetStreamStart {
    private static final String[] BANNER = {
        "    _ ___ _____ ___ _____ ___ ___   _   __  __",
        " _ | | __|_   _/ __|_   _| _ \\ __| /_\\ |  \\/  |",
        "| || | _|  | | \\__ \\ | | |   / _| / _ \\| |\\/| |",
        " \\__/|___| |_| |___/ |_| |_|_\\___/_/ \\_\\_|  |_|",
        "",
        "         https://docs.nats.io/jetstream",
        "",
    };

    /** A running JetStream and its transport (closed together). */
    record Running(JetStream jetStream, InternalClientTransport transport, JetStream.Options options) {
        /** What /varz and /jsz show. */
        io.natsboot.server.monitor.JetStreamView view() {
            JetStream.Stats st = jetStream.stats();
            return new io.natsboot.server.monitor.JetStreamView(options.maxMemory(), options.maxStore(),
                    options.storeDir().resolve("jetstream").toString(), st.memory(), st.storage(), st.accounts(),
                    st.apiTotal(), st.apiErrors(), st.streams(), st.consumers(), st.messages(), st.bytes(),
                    st.reservedMemory(), st.reservedStorage());
        }

        /** /jsz's account details. */
        io.natsboot.server.monitor.JetStreamView.Details details(String serverName) {
            return o -> jetStream.jszAccounts(o.account(), o.accounts(), o.streams(), o.consumers(), o.config(), o.offset(),
                    o.limit(), serverName);
        }

        /**
         * A configuration reload: the configured accounts get JetStream, new limits, or lose it, as the reloaded
         * options say (nats-server 2.9.10 applies these on reload); operator mode's accounts follow their JWTs.
         */
        void reloadAccounts(ServerOptions next, ServerContext context, ServerLog log) {
            JetStreamOptions js = next.jetstream();
            if (js == null || next.trust() != null) {
                return;
            }
            List<String> enabled = enabledAccounts(next);
            Account system = context.systemAccount();
            for (Account a : context.accounts()) {
                String name = a.name();
                try {
                    if (enabled.contains(name)) {
                        jetStream.enableAccount(name, limits(js.limitsOf(name)));
                    } else if (jetStream.enabled(name)) {
                        jetStream.disableAccount(name);
                    } else {
                        jetStream.accountWithoutJetStream(name, a == system);
                    }
                } catch (IOException e) {
                    log.error("Error enabling JetStream for account " + name + ": " + e.getMessage());
                }
            }
        }

        void stop(ServerLog log) {
            log.info("Initiating JetStream Shutdown...");
            jetStream.close(); // consumer state and stores flushed
            transport.close();
            log.info("JetStream Shutdown");
        }
    }

    private JetStreamStart() {
    }

    /** Null when JetStream is off. */
    static Running start(ServerOptions options, ServerContext context, ServerLog log) {
        JetStreamOptions js = options.jetstream();
        if (js == null || !js.enabled()) {
            return null;
        }
        log.info("Starting JetStream");
        Path root = Path.of(js.storeDir() != null && !js.storeDir().isEmpty() ? js.storeDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "nats").toString());
        Path dir = root.resolve("jetstream");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("Can't start JetStream: could not create storage directory - "
                    + goMkdirError(e), e);
        }
        long maxMem = js.maxMemory() >= 0 ? js.maxMemory() : totalMemory() / 4 * 3;
        long maxStore = js.maxStore() >= 0 ? js.maxStore() : dir.toFile().getUsableSpace() / 4 * 3;
        for (String line : BANNER) {
            log.info(line);
        }
        log.info("---------------- JETSTREAM ----------------");
        log.info("  Max Memory:      " + friendlyBytes(maxMem));
        log.info("  Max Storage:     " + friendlyBytes(maxStore));
        log.info("  Store Directory: \"" + dir + "\"");
        if (js.domain() != null && !js.domain().isEmpty()) {
            log.info("  Domain:          " + js.domain());
        }
        io.natsboot.server.jetstream.store.StoreCipher kek = null;
        if (js.key() != null && !js.key().isEmpty()) {
            // encryption at rest: "chacha" (default) or "aes", as nats-server's cipher key
            kek = io.natsboot.server.jetstream.store.StoreCipher.forServerKey(js.key(), "aes".equals(js.cipher())
                    ? io.natsboot.server.jetstream.store.StoreCipher.Kind.AES
                    : io.natsboot.server.jetstream.store.StoreCipher.Kind.CHACHA);
            log.info("  Encryption:      " + kek.kind().displayName);
        }
        log.info("-------------------------------------------");
        JetStream.Options jo = new JetStream.Options(root, maxMem, maxStore, js.domain(), null, kek);
        InternalClientTransport transport =
                new InternalClientTransport(account -> context.internalClient(account, "jetstream"));
        JetStream engine = new JetStream(jo, transport, log);
        engine.serverName(context.serverName());
        // nats-server 2.9.10: without an accounts block (and not in operator mode) the global account has
        // JetStream; otherwise only the accounts whose configuration enables it, with their limits. The others
        // answer $JS.API requests with "JetStream not enabled for account".
        List<String> accounts = enabledAccounts(options);
        try {
            for (String a : accounts) {
                engine.enableAccount(a, limits(js.limitsOf(a)));
            }
        } catch (IOException e) {
            engine.close();
            transport.close();
            throw new IllegalStateException("Can't start JetStream: " + e.getMessage(), e);
        }
        Account system = context.systemAccount();
        for (Account a : context.accounts()) {
            engine.accountWithoutJetStream(a.name(), a == system);
        }
        if (context.operatorAccounts() != null) {
            // operator mode: an account JWT's JetStream limits enable it (when made here, and on every update)
            context.operatorAccounts().onAccountClaims(claims -> applyClaims(engine, claims, log,
                    system != null && system.name().equals(claims.subject())));
            // the first login to an account with JetStream recovers its streams from disk: on a thread of its own
            // while that CONNECT waits, not on the event loop the client shares with others (the login's
            // applyClaims then finds the account as it will stay and returns without the engine's lock)
            java.util.Map<String, java.util.concurrent.CompletableFuture<Void>> preparing =
                    new java.util.concurrent.ConcurrentHashMap<>();
            context.operatorAccounts().onAccountFirstLogin(claims -> {
                String account = claims.subject();
                if (system != null && system.name().equals(account)) {
                    return null;
                }
                java.util.concurrent.CompletableFuture<Void> running = preparing.get(account);
                if (running != null) {
                    return running; // a second login to the account waits for the same recovery
                }
                if (enablesJetStream(claims) ? engine.enabled(account) : engine.knows(account)) {
                    return preparing.get(account); // done, or (started just now) still running
                }
                java.util.concurrent.CompletableFuture<Void> work = new java.util.concurrent.CompletableFuture<>();
                running = preparing.putIfAbsent(account, work);
                if (running != null) {
                    return running;
                }
                context.accountOrCreate(account); // JetStream's internal client lives in it
                // also an account without JetStream: its not-enabled answers are set up under the engine's lock,
                // which another account's recovery may hold
                accountRecoveryThread(() -> {
                    try {
                        applyClaims(engine, claims, log, false);
                    } finally {
                        preparing.remove(account);
                        work.complete(null);
                    }
                });
                return work;
            });
        }
        return new Running(engine, transport, jo);
    }

    /** The accounts with JetStream by the configuration: $G alone without an accounts block, else those enabling it. */
    private static List<String> enabledAccounts(ServerOptions options) {
        List<String> accounts = new ArrayList<>();
        if (options.accounts().isEmpty() && options.trust() == null) {
            accounts.add(Account.GLOBAL);
        }
        for (String a : options.jetstream().accounts()) {
            if (!accounts.contains(a)) {
                accounts.add(a);
            }
        }
        return accounts;
    }

    /** Runs an account's first-login recovery on a daemon thread of its own (first logins are rare). */
    private static void accountRecoveryThread(Runnable work) {
        Thread t = new Thread(work, "jetstream-account-recovery");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the claims give the account JetStream: storage in its limits, or a tier with storage. */
    private static boolean enablesJetStream(io.natsboot.server.auth.jwt.AccountClaims claims) {
        return claims.jetStreamLimits().enabled()
                || claims.tieredJetStreamLimits().values().stream().anyMatch(t -> t.enabled());
    }

    /**
     * nats-server 2.9.10's reading of an account JWT: memory or disk storage not 0 enables JetStream with the
     * claims' limits (-1 unlimited; per-stream bytes and max ack pending of 0 mean unlimited too); else tiered
     * limits ({@code tiered_limits}, per replica count) with a tier that has storage enable it with those tiers;
     * otherwise the account has none (and loses it on an update that takes the limits away). The system account
     * never has it.
     */
    private static void applyClaims(JetStream engine, io.natsboot.server.auth.jwt.AccountClaims claims, ServerLog log,
            boolean system) {
        io.natsboot.server.auth.jwt.AccountClaims.JetStreamLimits l = claims.jetStreamLimits();
        java.util.Map<String, io.natsboot.server.jetstream.AccountLimits> tiers = new java.util.LinkedHashMap<>();
        if (!l.enabled()) {
            claims.tieredJetStreamLimits().forEach((tier, t) -> {
                if (t.enabled()) {
                    tiers.put(tier, limits(t));
                }
            });
        }
        String account = claims.subject();
        if ((!l.enabled() && tiers.isEmpty()) || system) {
            if (engine.enabled(account)) {
                engine.disableAccount(account);
            } else {
                engine.accountWithoutJetStream(account, system);
            }
            return;
        }
        try {
            engine.enableAccount(account, limits(l), tiers);
        } catch (IOException e) {
            log.error("Error enabling JetStream for account " + account + ": " + e.getMessage());
        }
    }

    private static io.natsboot.server.jetstream.AccountLimits limits(
            io.natsboot.server.auth.jwt.AccountClaims.JetStreamLimits l) {
        return new io.natsboot.server.jetstream.AccountLimits(l.memStorage(), l.diskStorage(), l.streams(),
                l.consumer(), unlimitedIfNotPositive(l.maxAckPending()), unlimitedIfNotPositive(l.memMaxStreamBytes()),
                unlimitedIfNotPositive(l.diskMaxStreamBytes()), l.maxBytesRequired());
    }

    private static long unlimitedIfNotPositive(long v) {
        return v > 0 ? v : -1;
    }

    static io.natsboot.server.jetstream.AccountLimits limits(io.natsboot.server.config.JetStreamAccountLimits l) {
        return new io.natsboot.server.jetstream.AccountLimits(l.maxMemory(), l.maxStore(), l.maxStreams(),
                l.maxConsumers(), l.maxAckPending(), l.memoryMaxStreamBytes(), l.storeMaxStreamBytes(),
                l.maxBytesRequired());
    }

    /** Go's text for a failed MkdirAll: {@code mkdir <path>: <reason>}. */
    private static String goMkdirError(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            String reason = f instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : f instanceof java.nio.file.FileAlreadyExistsException ? "not a directory"
                    : f.getReason() != null ? f.getReason().toLowerCase(Locale.ROOT) : "error";
            return "mkdir " + f.getFile() + ": " + reason;
        }
        return e.getMessage();
    }

    private static long totalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** nats-server's friendlyBytes: 1024-based units, two decimals, "B" below 1 KiB. */
    static String friendlyBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"K", "M", "G", "T", "P", "E"};
        double v = bytes;
        int exp = (int) (Math.log(v) / Math.log(1024));
        return String.format(Locale.ROOT, "%.2f %sB", v / Math.pow(1024, exp), units[exp - 1]);
    }
}
