package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.auth.jwt.TrustOptions;
import io.natsboot.server.auth.jwt.AccountClaims;
import io.natsboot.server.auth.jwt.JwtException;
import io.natsboot.server.auth.jwt.OperatorClaims;
import io.natsboot.server.config.ConfParser.ConfMap;
import io.natsboot.server.config.ConfParser.Entry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator-mode keys of a configuration file ({@code operator}, {@code system_account}, {@code resolver},
 * {@code resolver_preload}) with nats-server 2.9.10's checks and messages; {@link #build()} makes the
 * {@link TrustOptions}. Errors go to the file's error list with their positions, as nats-server reports them.
 */
public final class OperatorConfig {
    private static final Pattern MEMORY = Pattern.compile("(?i)(MEM|MEMORY)\\s*");
    private static final Pattern URL = Pattern.compile("(?i)(?:URL)(?:\\(\\s*\"?([^\\s\"]*)\"?\\s*\\))?\\s*");

    private final List<String> errors;
    private final List<OperatorClaims> operators = new ArrayList<>();
    private boolean operatorSeen;
    private String systemAccount;
    private TrustOptions.Resolver resolver;
    private boolean resolverSeen;
    private final Map<String, String> preload = new LinkedHashMap<>();

    OperatorConfig(List<String> errors) {
        this.errors = errors;
    }

    /** {@code operator}: a JWT file (nsc-decorated or not) or the JWT inline, or a list of them. */
    void operator(Entry e) {
        operatorSeen = true;
        List<String> items = new ArrayList<>();
        String where = e.pos().file() + ":" + e.pos().line() + ":0"; // nats-server reports column 0 here
        if (e.value() instanceof String s) {
            items.add(s);
        } else if (e.value() instanceof List<?> list) {
            for (Object o : list) {
                Object v = o instanceof Entry item ? item.value() : o;
                if (v instanceof String s) {
                    items.add(s);
                }
            }
        } else {
            errors.add(where + ": error parsing operators: unsupported type " + goType(e.value()));
            return;
        }
        for (String item : items) {
            try {
                operators.add(OperatorClaims.decode(readOperatorJwt(item)));
            } catch (JwtException ex) {
                errors.add(where + ": error parsing operator JWT: " + goJwtError(ex.getMessage()));
            } catch (IOException ex) {
                errors.add(where + ": error parsing operator JWT: " + ex.getMessage());
            }
        }
    }

    /** The JWT in {@code fileOrJwt}: a file's (decorated) content, or the text itself when it is a JWT. */
    static String readOperatorJwt(String fileOrJwt) throws IOException {
        String contents;
        try {
            contents = Files.readString(Path.of(fileOrJwt));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            if (!fileOrJwt.startsWith("eyJ")) {
                throw new IOException("open " + fileOrJwt + ": " + goFileError(e));
            }
            contents = fileOrJwt;
        }
        return io.natsboot.server.auth.jwt.Jwt.undecorate(contents);
    }

    private static String goFileError(Exception e) {
        if (e instanceof NoSuchFileException || e instanceof java.nio.file.InvalidPathException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    /** Some of Go's texts for what our decoder says differently. */
    private static String goJwtError(String ours) {
        if (ours.startsWith("not an operator claim")) {
            return "not operator claim";
        }
        if (ours.startsWith("invalid ") && ours.contains("json") || ours.startsWith("expected 3 chunks")
                || ours.startsWith("illegal base64")) {
            return "unexpected end of JSON input";
        }
        return ours;
    }

    void systemAccount(Entry e) {
        if (e.value() instanceof String s) {
            systemAccount = s;
        } else {
            errors.add(e.pos() + ": interface conversion: interface {} is " + goType(e.value()) + ", not string");
        }
    }

    /** {@code resolver}: MEMORY, URL(url), or a map {type: full|cache, dir, allow_delete, interval, limit, ttl}. */
    void resolver(Entry e) {
        resolverSeen = true;
        resolver = null;
        if (e.value() instanceof String v) {
            Matcher url = URL.matcher(v);
            if (MEMORY.matcher(v).find()) {
                resolver = TrustOptions.Resolver.memory();
            } else if (url.find() && url.group(1) != null) {
                String u = url.group(1);
                try {
                    new java.net.URI(u);
                } catch (java.net.URISyntaxException ex) {
                    errors.add(e.pos() + ": error parsing account resolver url " + GoFormat.quote(u) + ": "
                            + ex.getReason());
                    return;
                }
                resolver = TrustOptions.Resolver.url(u.endsWith("/") ? u : u + "/");
            }
        } else if (e.value() instanceof ConfMap m) {
            resolver = dirResolver(e, m);
            if (resolver == BAD) {
                resolver = null;
                return;
            }
        } else {
            errors.add(e.pos() + ": error parsing operator resolver, wrong type " + goType(e.value()));
            return;
        }
        if (resolver == null) {
            errors.add(e.pos() + ": error parsing account resolver, should be MEM or  URL(\"url\") or a map "
                    + "containing dir and type state=[FULL|CACHE])");
        }
    }

    private static final TrustOptions.Resolver BAD = TrustOptions.Resolver.memory();

    private TrustOptions.Resolver dirResolver(Entry e, ConfMap m) {
        String dir = "";
        String type = "";
        boolean allowDelete = false;
        long limit = 0;
        Duration ttl = Duration.ZERO;
        Duration interval = Duration.ZERO;
        Duration timeout = null;
        try {
            for (Entry f : m.entries()) {
                switch (f.key().toLowerCase(Locale.ROOT)) {
                    case "dir": dir = (String) f.value(); break;
                    case "type": type = (String) f.value(); break;
                    case "allow_delete": allowDelete = (Boolean) f.value(); break;
                    case "limit": limit = (Long) f.value(); break;
                    case "ttl": ttl = goDuration((String) f.value()); break;
                    case "interval": interval = goDuration((String) f.value()); break;
                    case "timeout": timeout = goDuration((String) f.value()); break;
                    default: break; // nats-server ignores other keys here
                }
            }
        } catch (ClassCastException ex) {
            errors.add(e.pos() + ": interface conversion: wrong type in resolver");
            return BAD;
        } catch (IllegalArgumentException ex) {
            errors.add(e.pos() + ": " + ex.getMessage());
            return BAD;
        }
        int before = errors.size();
        String t = type.toUpperCase(Locale.ROOT);
        switch (t) {
            case "CACHE":
                checkDir(e, dir);
                if (!interval.isZero()) {
                    errors.add(e.pos() + ": CACHE does not accept sync");
                }
                if (allowDelete) {
                    errors.add(e.pos() + ": CACHE does not accept allow_delete");
                }
                if (limit == 0) {
                    limit = 1000;
                }
                break;
            case "FULL":
                checkDir(e, dir);
                if (!ttl.isZero()) {
                    errors.add(e.pos() + ": FULL does not accept ttl");
                }
                if (limit == 0) {
                    limit = Long.MAX_VALUE;
                }
                if (interval.isZero()) {
                    interval = Duration.ofMinutes(1);
                }
                break;
            case "MEM": case "MEMORY":
                return TrustOptions.Resolver.memory();
            default:
                return null;
        }
        if (errors.size() > before) {
            return BAD;
        }
        Path p = Path.of(dir);
        try {
            Files.createDirectories(p); // nats-server makes the store's directory when it reads the file
        } catch (IOException ex) {
            errors.add(e.pos() + ": " + ex.getMessage());
            return BAD;
        }
        return new TrustOptions.Resolver(t.equals("FULL") ? TrustOptions.ResolverType.FULL
                : TrustOptions.ResolverType.CACHE, null, p.toAbsolutePath().toString(), allowDelete, interval, limit,
                ttl, timeout);
    }

    /** Go's time.ParseDuration, failing with Go's text. */
    private static Duration goDuration(String v) {
        try {
            return CommandLine.parseGoDuration(v);
        } catch (CommandLine.BadValue ex) {
            throw new IllegalArgumentException("time: invalid duration " + GoFormat.quote(v));
        }
    }

    private void checkDir(Entry e, String dir) {
        if (dir.isEmpty()) {
            errors.add(e.pos() + ": dir has no value and needs to point to a directory");
            return;
        }
        Path p = Path.of(dir);
        if (Files.exists(p) && (!Files.isDirectory(p) || !Files.isReadable(p))) {
            errors.add(e.pos() + ": dir needs to point to an accessible directory");
        }
    }

    private java.util.Set<String> pinnedAccounts = java.util.Set.of();

    /** {@code resolver_pinned_accounts}: one account key or a list of them (checked at start, in operator mode). */
    void pinnedAccounts(Entry e) {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        if (e.value() instanceof String one) {
            keys.add(one);
        } else if (e.value() instanceof java.util.List<?> list) {
            for (Object o : list) {
                Object v = o instanceof Entry item ? item.value() : o;
                if (v instanceof String key) {
                    keys.add(key);
                } else {
                    errors.add((o instanceof Entry item ? item.pos() : e.pos())
                            + ": error parsing resolver_pinned_accounts: unsupported type in array *conf.token");
                }
            }
        } else {
            errors.add(e.pos() + ": error parsing resolver_pinned_accounts: unsupported type " + goType(e.value()));
            return;
        }
        pinnedAccounts = keys;
    }

    private List<String> trustedKeys;
    private TrustOptions.ResolverTls resolverTls;

    /** {@code resolver_tls}: the URL resolver's TLS (the tls block's files and {@code insecure}). */
    void resolverTls(TlsOptions t) {
        if (t != null) {
            resolverTls = new TrustOptions.ResolverTls(t.certFile(), t.keyFile(), t.caFile(), t.insecure());
        }
    }

    /**
     * {@code trusted}/{@code trusted_keys}: one operator public key or a list of them, trusted without an operator
     * JWT; each must be an operator nkey (nats-server's config check and text).
     */
    void trustedKeys(Entry e) {
        List<String> keys = new ArrayList<>();
        List<ConfParser.Pos> where = new ArrayList<>();
        if (e.value() instanceof String one) {
            keys.add(one);
            where.add(e.pos());
        } else if (e.value() instanceof List<?> list) {
            for (Object o : list) {
                Object v = o instanceof Entry item ? item.value() : o;
                ConfParser.Pos at = o instanceof Entry item ? item.pos() : e.pos();
                if (v instanceof String key) {
                    keys.add(key);
                    where.add(at);
                } else {
                    errors.add(at + ": error parsing trusted: unsupported type in array " + goType(v));
                }
            }
        } else {
            errors.add(e.pos().file() + ":" + e.pos().line() + ":0: error parsing trusted: unsupported type "
                    + goType(e.value()));
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            if (!io.natsboot.server.auth.NKeys.isValidPublicKey(keys.get(i), io.nats.client.NKey.Type.OPERATOR)) {
                errors.add(where.get(i) + ": trust key " + GoFormat.quote(keys.get(i))
                        + " required to be a valid public operator nkey");
            }
        }
        trustedKeys = keys;
    }

    /** {@code resolver_preload}: account public key -> account JWT. */
    void preload(Entry e) {
        if (!(e.value() instanceof ConfMap m)) {
            errors.add(e.pos() + ": preload should be a map of account_public_key:account_jwt");
            return;
        }
        for (Entry f : m.entries()) {
            if (!(f.value() instanceof String jwt)) {
                errors.add(f.pos() + ": preload map value should be a string JWT");
                continue;
            }
            try {
                AccountClaims.decode(jwt);
            } catch (JwtException ex) {
                errors.add(f.pos() + ": invalid account JWT");
                continue;
            }
            preload.put(f.key(), jwt);
        }
    }

    /**
     * nats-server's start-up checks of an operator configuration (validateTrustedOperators and what the resolver
     * needs), as the message it dies with; null when fine or not in operator mode.
     */
    public static String startProblem(ServerOptions o) {
        TrustOptions t = o.trust();
        if (t == null || t.operators().isEmpty()) {
            return null; // trusted_keys alone: no operator checks (nats-server's validateTrustedOperators)
        }
        if (!t.trustedKeys().isEmpty()) {
            return "conflicting options for 'TrustedKeys' and 'TrustedOperators'";
        }
        if (t.resolver() == null) {
            return "operators require an account resolver to be configured";
        }
        if (!o.accounts().isEmpty()) {
            return "operators do not allow Accounts to be configured directly";
        }
        if (!o.users().isEmpty()) {
            return "operators do not allow users to be configured directly";
        }
        TrustOptions.ResolverType type = t.resolver().type();
        if ((type == TrustOptions.ResolverType.FULL || type == TrustOptions.ResolverType.CACHE)
                && t.systemAccount() == null) {
            return "using nats based account resolver - the system account needs to be specified in configuration "
                    + "or the operator jwt";
        }
        for (String key : t.pinnedAccounts()) {
            if (!io.natsboot.server.auth.NKeys.isValidPublicKey(key, io.nats.client.NKey.Type.ACCOUNT)) {
                return "pinned account key \"" + key + "\" is not a valid public account nkey";
            }
        }
        return null;
    }

    /** The operator-mode options, or null when the file named no operator. */
    TrustOptions build() {
        if (!operatorSeen && trustedKeys != null) {
            // trusted operator keys without an operator JWT: JWT logins, accounts from the resolver (if any)
            return new TrustOptions(List.of(), systemAccount == null || systemAccount.isEmpty() ? null : systemAccount,
                    resolver, preload, pinnedAccounts, trustedKeys, resolverTls);
        }
        if (!operatorSeen) {
            // without an operator, system_account names an account of the accounts block (ServerOptions)
            return null; // a resolver without operator has nothing to resolve for, as in nats-server
        }
        TrustOptions.Resolver r = resolver;
        String sys = systemAccount;
        if (operators.size() == 1) {
            OperatorClaims op = operators.get(0);
            if (r == null && !resolverSeen) {
                // nats-server: the operator's account server, with "/accounts" appended as nsc push does
                String base = op.accountServerUrl() == null ? "" : op.accountServerUrl();
                r = TrustOptions.Resolver.url(base + "/accounts/");
            }
            if (sys == null || sys.isEmpty()) {
                sys = op.systemAccount();
            }
        }
        return new TrustOptions(operators, sys == null || sys.isEmpty() ? null : sys, r, preload, pinnedAccounts,
                trustedKeys, resolverTls);
    }

    private static String goType(Object v) {
        return ConfigFileOptions.goType(v);
    }
}
