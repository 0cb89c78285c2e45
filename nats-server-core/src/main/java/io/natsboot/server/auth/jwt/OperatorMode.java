package io.natsboot.server.auth.jwt;

import io.natsboot.server.auth.NKeys;
import io.natsboot.server.auth.Permissions;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Operator (decentralized JWT) mode of one server: the trusted operator keys, the account resolver and the
 * verified account claims, and the authentication of clients presenting a user JWT (nats-server's
 * processClientOrLeafAuthentication for JWT users, with its checks in its order and its debug lines).
 */
public final class OperatorMode {
    private final TrustOptions trust;
    private final Set<String> trustedKeys;
    /** Replaced when a reload changes the resolver's settings (nats-server uses the new one too). */
    private volatile AccountResolver resolver;
    private volatile TrustOptions.Resolver resolverOptions;
    /** nats-server's server-level debug lines ("Updating account claims: ..."). */
    private final Consumer<String> debugLog;
    /** Warnings found at start (no system account, preloaded accounts with validation issues). */
    private final List<String> startWarnings = new ArrayList<>();
    /** Verified account claims by account key; filled on lookups, replaced by updates. */
    private final Map<String, AccountClaims> accounts = new ConcurrentHashMap<>();
    /** Called with the new claims when an account JWT is updated (limits, revocations). */
    private volatile Consumer<AccountClaims> updateListener = a -> {
    };

    /**
     * Sets operator mode up: the resolver gets the preloads; the system account must resolve. Throws
     * {@link IllegalStateException} with nats-server's start-up message on failure. The checks of the rest of the
     * configuration (users, accounts) are config/OperatorConfig's.
     */
    public OperatorMode(TrustOptions trust, Consumer<String> debugLog) {
        this.trust = trust;
        this.debugLog = debugLog;
        Set<String> keys = new LinkedHashSet<>();
        for (OperatorClaims op : trust.operators()) {
            keys.addAll(op.trustedKeys());
        }
        keys.addAll(trust.trustedKeys());
        this.trustedKeys = Set.copyOf(keys);
        // trusted keys without a resolver: nothing to find accounts in ("account missing"), as nats-server
        this.resolverOptions = trust.resolver();
        this.resolver = AccountResolver.of(trust.resolver() == null ? TrustOptions.Resolver.memory() : trust.resolver(),
                trust.resolverTls());
        try {
            if (resolver instanceof UrlResolver url) {
                url.check();
            }
            if (trust.systemAccount() == null && !trust.operators().isEmpty()) {
                startWarnings.add("Trusted Operators should utilize a System Account");
            }
            for (Map.Entry<String, String> p : trust.preload().entrySet()) {
                resolver.store(p.getKey(), p.getValue());
                try {
                    List<String> issues = AccountClaims.decode(p.getValue()).validationIssues();
                    if (!issues.isEmpty()) {
                        startWarnings.add("Account [" + p.getKey() + "] has validation issues:");
                        issues.forEach(i -> startWarnings.add("  - " + i));
                    }
                } catch (JwtException e) {
                    // checked when the file was read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (trust.systemAccount() != null) {
            try {
                lookup(trust.systemAccount());
            } catch (IOException e) {
                throw new IllegalStateException("error resolving system account: " + e.getMessage());
            }
        }
    }

    /** The lines nats-server logs at start in operator mode (after "Using configuration file"). */
    public List<String> startLines() {
        List<String> out = new ArrayList<>();
        if (!trust.operators().isEmpty()) { // trusted_keys alone: no banner, as nats-server
            out.add("Trusted Operators");
        }
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        for (OperatorClaims op : trust.operators()) {
            out.add("  System  : \"" + (op.systemAccount() == null ? "" : op.systemAccount()) + "\"");
            out.add("  Operator: \"" + (op.jwt().name() == null ? "" : op.jwt().name()) + "\"");
            out.add("  Issued  : " + f.format(Instant.ofEpochSecond(op.jwt().issuedAt()).atOffset(ZoneOffset.UTC))
                    + " +0000 UTC");
            out.add("  Expires : " + (op.jwt().expires() == 0 ? "Never"
                    : f.format(Instant.ofEpochSecond(op.jwt().expires()).atOffset(ZoneOffset.UTC)) + " +0000 UTC"));
        }
        String line = resolver.startLine();
        if (line != null) {
            out.add(line);
        }
        return out;
    }

    /** The warnings nats-server logs at start in operator mode, after {@link #startLines()}. */
    public List<String> startWarnings() {
        return List.copyOf(startWarnings);
    }

    public String systemAccount() {
        return trust.systemAccount();
    }

    public AccountResolver resolver() {
        return resolver;
    }

    /** {@code resolver_pinned_accounts}, replaced by a reload. */
    private volatile Set<String> pinnedAccounts;

    /**
     * A configuration reload nats-server accepts in operator mode (same operators, keys and system account): the
     * preloads are stored in the running resolver and the pinned accounts replaced. The resolver itself stays the
     * one started (nats-server keeps it too).
     */
    public void reload(TrustOptions next) {
        pinnedAccounts = next.pinnedAccounts();
        if (!java.util.Objects.equals(resolverOptions, next.resolver())) {
            // a new resolver: accounts are looked up there from now on (connected clients keep theirs)
            resolverOptions = next.resolver();
            AccountResolver fresh = AccountResolver.of(next.resolver() == null ? TrustOptions.Resolver.memory()
                    : next.resolver(), next.resolverTls());
            if (!(fresh instanceof DirResolver)) {
                remoteFetch = null;
            }
            resolver = fresh;
            accounts.clear();
        }
        for (Map.Entry<String, String> p : next.preload().entrySet()) {
            try {
                if (!p.getValue().equals(resolver.fetch(p.getKey()))) {
                    resolver.store(p.getKey(), p.getValue());
                }
            } catch (IOException e) {
                try {
                    resolver.store(p.getKey(), p.getValue());
                } catch (IOException e2) {
                    debugLog.accept("Account preload not stored: " + e2.getMessage());
                }
            }
        }
    }

    /** Whether {@code key} may sign accounts (an operator's identity or signing key). */
    public boolean isTrustedIssuer(String key) {
        return trustedKeys.contains(key);
    }

    /** Decoded and verified user JWTs, so repeated logins with the same JWT skip both. */
    private final VerifiedUserJwts userJwts = new VerifiedUserJwts();

    /** How many verified user JWTs are kept (tests). */
    int cachedUserJwts() {
        return userJwts.size();
    }

    /** Receives every account update after it was verified and stored. */
    public void onAccountUpdate(Consumer<AccountClaims> listener) {
        updateListener = listener;
    }

    /**
     * The verified claims of {@code account}: cached, else fetched from the resolver and checked (decodes, names
     * this account, signed by a trusted key, not expired). Throws with the reason.
     */
    public AccountClaims lookup(String account) throws IOException {
        AccountClaims cached = accounts.get(account);
        if (cached != null) {
            return cached;
        }
        AccountClaims claims = verify(resolver.fetch(account), account);
        AccountClaims prev = accounts.putIfAbsent(account, claims);
        if (prev != null) {
            return prev;
        }
        debugLog.accept("Updating account claims: " + account + "/" + (claims.jwt().name() == null ? ""
                : claims.jwt().name()));
        return claims;
    }

    /** nats-server's verifyAccountClaims: decoded, trusted issuer, not expired (and the expected subject). */
    AccountClaims verify(String jwt, String expectedAccount) throws IOException {
        AccountClaims claims;
        try {
            claims = AccountClaims.decode(jwt);
        } catch (JwtException e) {
            throw new IOException(e.getMessage());
        }
        if (!isTrustedIssuer(claims.jwt().issuer())) {
            throw new IOException("account validation failed");
        }
        if (claims.jwt().timeProblem(now()) != null) {
            throw new IOException("account validation failed");
        }
        if (expectedAccount != null && !expectedAccount.equals(claims.subject())) {
            throw new IOException("account validation failed");
        }
        if (!claims.validationIssues().isEmpty()) {
            throw new IOException("account validation failed");
        }
        return claims;
    }

    /**
     * Takes a new account JWT (an update pushed over {@code $SYS}, or by the embedding application): verified,
     * stored in the resolver, and applied to the account's connected clients through the update listener.
     */
    public AccountClaims update(String jwt) throws IOException {
        AccountClaims claims = verify(jwt, null);
        AccountClaims current = accounts.get(claims.subject());
        if (current != null && current.jwt().issuedAt() > claims.jwt().issuedAt()) {
            throw new IOException("jwt is older than the one held");
        }
        resolver.store(claims.subject(), jwt);
        accounts.put(claims.subject(), claims);
        debugLog.accept("Updating account claims: " + claims.subject() + "/" + (claims.jwt().name() == null ? ""
                : claims.jwt().name()));
        updateListener.accept(claims);
        return claims;
    }

    /**
     * Asks the other servers of the cluster for an account JWT ({@code $SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP}): the
     * first JWT answered, or a failure ("fetching jwt timed out"). Installed by the system account once it runs.
     */
    @FunctionalInterface
    public interface RemoteFetch {
        java.util.concurrent.CompletableFuture<String> fetch(String account);
    }

    private volatile RemoteFetch remoteFetch;

    /** Lets the directory resolvers look up accounts they do not hold from other servers (nats-server's fetch). */
    public void remoteFetch(RemoteFetch fetch) {
        this.remoteFetch = resolver instanceof DirResolver ? fetch : null;
    }

    /**
     * Whether logging in to {@code account} needs the other servers: a directory resolver that holds neither the
     * account nor the exporters of its imports (nats-server looks both up when it registers the account), and a
     * way to ask them. Only before the account is in use here: its imports are wired once, at its first login.
     * The client logging in then waits for {@link #fetchRemote}.
     */
    public boolean needsRemoteFetch(String account) {
        if (remoteFetch == null || account == null || accounts.containsKey(account)) {
            return false;
        }
        AccountClaims held = held(account);
        return held == null || !missingExporters(held).isEmpty();
    }

    /** The verified claims of a stored account JWT (not cached as in use), or null when none is held. */
    private AccountClaims held(String account) {
        AccountClaims inUse = accounts.get(account);
        if (inUse != null) {
            return inUse;
        }
        try {
            return verify(resolver.fetch(account), account);
        } catch (IOException e) {
            return null;
        }
    }

    private List<String> missingExporters(AccountClaims claims) {
        List<String> out = new ArrayList<>();
        for (AccountClaims.Import imp : claims.imports()) {
            if (imp.account() != null && !out.contains(imp.account()) && held(imp.account()) == null) {
                out.add(imp.account());
            }
        }
        return out;
    }

    /**
     * Fetches {@code account} from the other servers if not held, then the exporters of its imports not held,
     * stores them as nats-server does (only when newer) and completes when done; a failure is left for the
     * login's lookup (or the import's wiring) to report. Never fails itself.
     */
    public java.util.concurrent.CompletableFuture<Void> fetchRemote(String account) {
        java.util.concurrent.CompletableFuture<Void> first = held(account) != null
                ? java.util.concurrent.CompletableFuture.completedFuture(null) : fetchOne(account);
        return first.thenCompose(v -> {
            AccountClaims claims = held(account);
            if (claims == null) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
            return java.util.concurrent.CompletableFuture.allOf(missingExporters(claims).stream()
                    .map(this::fetchOne).toArray(java.util.concurrent.CompletableFuture[]::new));
        });
    }

    private java.util.concurrent.CompletableFuture<Void> fetchOne(String account) {
        RemoteFetch fetch = remoteFetch;
        if (fetch == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        return fetch.fetch(account).handle((jwt, failure) -> {
            if (failure != null) {
                debugLog.accept("Account JWT lookup error: " + failure.getMessage());
                return null;
            }
            try {
                AccountClaims claims = verify(jwt, account);
                ((DirResolver) resolver).storeIfNewer(account, claims.jwt());
            } catch (IOException | RuntimeException e) {
                debugLog.accept("Account JWT lookup error: " + e.getMessage());
            }
            return null;
        });
    }

    /**
     * Takes one pack message of another server's full resolver ({@code <key>|<jwt>} lines): each JWT that
     * verifies and is newer than the one held is stored, and applied to the account if it is in use here.
     * Returns the number of accounts changed; throws with nats-server's reason for a malformed line.
     */
    public int merge(String pack) throws IOException {
        if (!(resolver instanceof DirResolver dir)) {
            return 0;
        }
        int changed = 0;
        for (String line : pack.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\|", -1);
            if (parts.length != 2) {
                throw new IOException("line in package didn't contain 2 entries: " + io.natsboot.server.goformat.GoFormat.quote(line));
            }
            if (!io.natsboot.server.auth.NKeys.isValidPublicKey(parts[0], io.nats.client.NKey.Type.ACCOUNT)) {
                throw new IOException("key to merge is not a valid public account key");
            }
            AccountClaims claims = verify(parts[1], parts[0]);
            if (dir.storeIfNewer(parts[0], claims.jwt())) {
                changed++;
                if (accounts.containsKey(parts[0])) {
                    accounts.put(parts[0], claims);
                    debugLog.accept("Updating account claims: " + parts[0] + "/" + (claims.jwt().name() == null ? ""
                            : claims.jwt().name()));
                    updateListener.accept(claims);
                }
            }
        }
        return changed;
    }

    /** The account of a user JWT (decoded and verified, kept for the login), or null when it does not decode. */
    public String accountOf(String userJwt) {
        if (userJwt == null || userJwt.isEmpty()) {
            return null;
        }
        try {
            return userJwts.decode(userJwt).account();
        } catch (JwtException e) {
            return null;
        }
    }

    /** Whether {@code account}'s claims are in use on this server (a cache resolver takes updates only for them). */
    public boolean inUse(String account) {
        return accounts.containsKey(account);
    }

    /** Deletes accounts from the resolver and forgets their claims (new logins to them fail). */
    public void delete(List<String> keys) throws IOException {
        for (String k : keys) {
            resolver.delete(k);
            accounts.remove(k);
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** Where the client connects from and what it says, for {@link #authenticate}. */
    public record Connect(String jwt, String sig, String nonce, String host, String connectionType) {
    }

    /**
     * The outcome of a JWT login. On success {@code failure} is null and the rest says what the client gets:
     * its account, permissions (null = all), subscription and payload limits (-1 = unlimited), and when its
     * credentials expire (0 = never).
     */
    public record Login(String failure, boolean accountConnectionsExceeded, String account, AccountClaims accountClaims,
            UserClaims user, UserLimits limits, Permissions permissions, long maxSubs, long maxPayload,
            long expiresInNanos) {
        static Login fail(String why) {
            return new Login(why, false, null, null, null, null, null, -1, -1, 0);
        }

        /** The account's verified claims at login. */
        public AccountClaims accountClaims() {
            return accountClaims;
        }

        /** The same login under the account's new claims: limits taken anew (nats-server's applyAccountLimits). */
        public Login withAccount(AccountClaims acc, ServerLimits options) {
            return new Login(failure, accountConnectionsExceeded, account, acc, user, limits, permissions,
                    subsLimit(limits, acc, options), payloadLimit(limits, acc, options), expiresInNanos);
        }

        public boolean ok() {
            return failure == null && !accountConnectionsExceeded;
        }
    }

    /** Known connection types of nats-server 2.9 ({@code allowed_connection_types}). */
    private static final Set<String> CONNECTION_TYPES = Set.of("STANDARD", "WEBSOCKET", "LEAFNODE",
            "LEAFNODE_WS", "MQTT", "MQTT_WS");

    /**
     * Authenticates a client presenting a user JWT. {@code reserveConnection} takes one of the account's
     * connection slots (account key, limit; -1 = none) and says whether one was free: on success the client
     * holds it and gives it back when it closes. {@code debug} and {@code error} take the client's log lines
     * (nats-server's texts).
     */
    public Login authenticate(Connect c, java.util.function.BiPredicate<String, Long> reserveConnection,
            ServerLimits server, Consumer<String> debug, Consumer<String> error) {
        if (c.jwt() == null || c.jwt().isEmpty()) {
            debug.accept("Authentication requires a user JWT");
            return Login.fail("no jwt");
        }
        UserClaims user;
        try {
            user = userJwts.decode(c.jwt());
        } catch (JwtException e) {
            debug.accept("User JWT not valid: " + e.getMessage());
            return Login.fail("user jwt not valid");
        }
        String time = user.jwt().timeProblem(now());
        if (time != null) {
            debug.accept("User JWT no longer valid: " + time);
            return Login.fail(time);
        }
        UserLimits limits = user.limits();
        if (!limits.allowedConnectionTypes().isEmpty()) {
            Set<String> known = new LinkedHashSet<>();
            for (String t : limits.allowedConnectionTypes()) {
                if (CONNECTION_TYPES.contains(t.toUpperCase(java.util.Locale.ROOT))) {
                    known.add(t.toUpperCase(java.util.Locale.ROOT));
                } else {
                    debug.accept("unknown connection type \"" + t + "\"");
                }
            }
            if (known.isEmpty() || !known.contains(c.connectionType())) {
                debug.accept("Connection type not allowed");
                return Login.fail("connection type");
            }
        }
        String issuer = user.account();
        Set<String> pinned = pinnedAccounts == null ? trust.pinnedAccounts() : pinnedAccounts;
        if (!pinned.isEmpty() && !pinned.contains(issuer)
                && !issuer.equals(trust.systemAccount())) { // the system account is always pinned too
            debug.accept("Account " + issuer + " not listed as operator pinned account");
            return Login.fail("not pinned");
        }
        AccountClaims acc;
        try {
            acc = lookup(issuer);
        } catch (IOException e) {
            debug.accept("Account JWT lookup error: " + e.getMessage());
            return Login.fail("account lookup");
        }
        if (!acc.hasIssuer(user.jwt().issuer())) {
            debug.accept("User JWT issuer is not known");
            return Login.fail("issuer unknown");
        }
        UserLimits scope = acc.signingKeys().get(user.jwt().issuer());
        if (scope != null) {
            if (!limits.isEmpty()) {
                debug.accept("User JWT is not valid: scoped users require no permissions or limits set");
                return Login.fail("scoped user with limits");
            }
            try {
                limits = PermissionTemplates.apply(scope, user, acc);
            } catch (JwtException e) {
                debug.accept("User JWT generated invalid permissions");
                return Login.fail("permission template");
            }
        }
        if (acc.jwt().timeProblem(now()) != null) {
            debug.accept("Account JWT has expired");
            return Login.fail("account expired");
        }
        if (!limits.bearerToken()) {
            if (c.sig() == null || c.sig().isEmpty()) {
                debug.accept("Signature missing");
                return Login.fail("signature missing");
            }
            byte[] sig;
            try {
                sig = Base64.getUrlDecoder().decode(c.sig());
            } catch (IllegalArgumentException e) {
                try {
                    sig = Base64.getDecoder().decode(c.sig());
                } catch (IllegalArgumentException e2) {
                    debug.accept("Signature not valid base64");
                    return Login.fail("signature base64");
                }
            }
            if (c.nonce() == null || !NKeys.verifySignature(user.subject(),
                    c.nonce().getBytes(java.nio.charset.StandardCharsets.US_ASCII), sig)) {
                debug.accept("Signature not verified");
                return Login.fail("signature");
            }
        }
        if (acc.userRevoked(user.subject(), user.jwt().issuedAt())) {
            debug.accept("User authentication revoked");
            return Login.fail("revoked");
        }
        if (!SourceNetworks.allows(limits.src(), c.host())) {
            error.accept("Bad src Ip " + c.host());
            return Login.fail("src");
        }
        ConnectTimes.Window window = ConnectTimes.check(limits.times(), limits.locale());
        if (!window.allowed()) {
            error.accept("Outside connect times");
            return Login.fail("times");
        }
        if (!reserveConnection.test(acc.subject(), acc.limits().conn())) {
            return new Login(null, true, acc.subject(), acc, user, limits, null, -1, -1, 0);
        }
        Permissions perms = limits.permissions();
        if (perms == null) {
            perms = acc.defaultPermissions();
        }
        long maxPayload = payloadLimit(limits, acc, server);
        long maxSubs = subsLimit(limits, acc, server);
        long expires = expiresInNanos(user.jwt().expires(), window.validForNanos());
        debug.accept("Authenticated JWT: Client \"" + user.subject() + "\" (claim-name: \"" + nz(user.jwt().name())
                + "\", claim-tags: " + tags(user.tags()) + ") signed with \"" + user.jwt().issuer() + "\" by Account \""
                + acc.subject() + "\" (claim-name: \"" + nz(acc.jwt().name()) + "\", claim-tags: [])"
                + " signed with \"" + acc.jwt().issuer() + "\" has mappings " + !acc.mappings().isEmpty()
                + " accused 0x" + Integer.toHexString(System.identityHashCode(acc)));
        return new Login(null, false, acc.subject(), acc, user, limits, perms, maxSubs, maxPayload, expires);
    }

    /** The server's own max_payload and max_subscriptions (0 = unlimited), which cap the JWTs' limits. */
    public record ServerLimits(long maxPayload, long maxSubscriptions) {
    }

    static long payloadLimit(UserLimits user, AccountClaims acc, ServerLimits server) {
        return minLimit(minLimit(user.payload(), acc.limits().payload()),
                server.maxPayload() == 0 ? -1 : server.maxPayload());
    }

    static long subsLimit(UserLimits user, AccountClaims acc, ServerLimits server) {
        return minLimit(minLimit(user.subs(), acc.limits().subs()),
                server.maxSubscriptions() == 0 ? -1 : server.maxSubscriptions());
    }

    /** nats-server's minLimit: the smaller of two limits where -1 means none. */
    static long minLimit(long value, long limit) {
        if (value != -1) {
            return limit != -1 && limit < value ? limit : value;
        }
        return limit;
    }

    /**
     * nats-server's setExpiration: the JWT's {@code exp} (whole seconds from now) or the end of the connect-time
     * window, whichever comes first; 0 = no expiry.
     */
    static long expiresInNanos(long exp, long validForNanos) {
        if (exp == 0) {
            return validForNanos;
        }
        long now = now();
        long expiresAt = exp > now ? (exp - now) * 1_000_000_000L : 0;
        if (validForNanos != 0 && validForNanos < expiresAt) {
            return validForNanos;
        }
        return Math.max(expiresAt, 1); // already due: expire at once
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String tags(List<String> tags) {
        return "[" + String.join(" ", tags) + "]";
    }
}
