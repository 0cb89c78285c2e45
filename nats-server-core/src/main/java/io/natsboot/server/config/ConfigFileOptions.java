package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import io.natsboot.server.config.ConfParser.ConfException;
import io.natsboot.server.config.ConfParser.ConfMap;
import io.natsboot.server.config.ConfParser.Entry;
import io.natsboot.server.auth.Permissions;
import io.natsboot.server.auth.NKeys;
import io.natsboot.server.auth.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed configuration file onto {@link ServerOptions}, with nats-server 2.9.10's checks and messages.
 *
 * <ul>
 *   <li>Keys are matched in any case. A key nats-server does not know is {@code <file>:<line>:<col>: unknown
 *       field "x"}, unless the file uses it as a {@code $variable}.</li>
 *   <li>A value of the wrong type is Go's {@code interface conversion: interface {} is string, not int64}.</li>
 *   <li>{@code ping_interval} and {@code write_deadline} take a duration string, or seconds with a warning
 *       ({@code invalid use of field ...: ... should be converted to a duration}).</li>
 *   <li>Keys nats-server knows and NATS Boot does not implement yet (tls, cluster, accounts, jetstream, users
 *       lists...) are errors naming them: nothing is silently ignored. Turning one off ({@code false}) is
 *       accepted.</li>
 * </ul>
 *
 * All problems of a file are reported together, warnings first, one per line, as nats-server does.
 */
public final class ConfigFileOptions {

    /** Keys of nats-server 2.9 that NATS Boot does not implement yet. */
    static final Set<String> NOT_YET = Set.of("mqtt");

    /** What the file held: problems are in {@link #warnings()} and {@link #errors()}. */
    public record Outcome(List<String> warnings, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /** nats-server's text for them: warnings then errors, one a line, each line ending in a new line. */
        public String message() {
            StringBuilder sb = new StringBuilder();
            for (String w : warnings) {
                sb.append(w).append('\n');
            }
            for (String e : errors) {
                sb.append(e).append('\n');
            }
            return sb.toString();
        }
    }

    private final ServerOptions.Builder b;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    private final OperatorConfig operatorConfig = new OperatorConfig(errors);
    private final MappingsConfig mappingsConfig = new MappingsConfig(errors);

    private ConfigFileOptions(ServerOptions.Builder b) {
        this.b = b;
    }

    /** Parses {@code file} and applies it to {@code b}; a file that does not parse throws. */
    public static Outcome load(String file, ServerOptions.Builder b) throws ConfException {
        return apply(ConfParser.parseFile(file), b);
    }

    /** Applies a parsed file to {@code b}. */
    public static Outcome apply(ConfMap conf, ServerOptions.Builder b) {
        ConfigFileOptions c = new ConfigFileOptions(b);
        for (Entry e : conf.entries()) {
            try {
                c.top(e);
            } catch (Bad bad) {
                c.errors.add(e.pos() + ": " + bad.getMessage());
            }
        }
        c.finishUsers();
        if (c.errors.isEmpty()) { // nats-server validates the websocket options only once the file parsed
            c.finishWebSocket();
        }
        c.b.mappings(c.mappingsConfig.build());
        c.duplicateStoreDir(conf);
        io.natsboot.server.auth.jwt.TrustOptions trust = c.operatorConfig.build();
        if (trust != null) { // else keep what the builder had (the Spring Boot starter's properties)
            c.b.trust(trust);
        }
        return new Outcome(List.copyOf(c.warnings), List.copyOf(c.errors));
    }

    private static final class Bad extends Exception {
        /** Where nats-server reports it when that is not the entry being parsed; "" for no position. */
        final Object at;

        Bad(String m) {
            this(m, null);
        }

        Bad(String m, Object at) {
            super(m, null, false, false);
            this.at = at;
        }

        /** The same problem at {@code where}, unless it already has its own place. */
        Bad at(Object where) {
            return at != null ? this : new Bad(getMessage(), where);
        }

        String line() {
            return at.toString().isEmpty() ? getMessage() : at + ": " + getMessage();
        }
    }

    private void top(Entry e) throws Bad {
        String key = e.key().toLowerCase(Locale.ROOT);
        switch (key) {
            case "listen": {
                HostPort hp = hostPort(e);
                if (hp.host != null) {
                    b.host(hp.host);
                }
                b.port(listenPort(hp.port));
                break;
            }
            case "host": case "net": b.host(string(e)); break;
            case "port": b.port(listenPort(intValue(e))); break;
            case "server_name": b.serverName(string(e)); break;
            case "client_advertise": b.clientAdvertise(string(e)); break;
            case "http": case "monitor": {
                HostPort hp = hostPort(e);
                if (hp.host != null) {
                    b.httpHost(hp.host);
                }
                b.httpPort(hp.port);
                break;
            }
            case "http_port": case "monitor_port": b.httpPort(intValue(e)); break;
            case "https": {
                HostPort hp = hostPort(e);
                if (hp.host != null) {
                    b.httpHost(hp.host);
                }
                b.httpsPort(hp.port);
                break;
            }
            case "https_port": b.httpsPort(intValue(e)); break;
            case "max_payload": b.maxPayload(int32(e)); break;
            case "max_pending": b.maxPending(int64(e)); break;
            case "max_control_line": b.maxControlLine(int32(e)); break;
            case "max_connections": case "max_conn": b.maxConnections(intValue(e)); break;
            case "max_subscriptions": case "max_subs": b.maxSubscriptions(intValue(e)); break;
            case "ping_interval": b.pingInterval(durationOrSeconds(e, "ping_interval")); break;
            case "ping_max": b.pingMax(intValue(e)); break;
            case "write_deadline": b.writeDeadline(durationOrSeconds(e, "write_deadline")); break;
            case "lame_duck_duration": b.lameDuckDuration(duration(e, "lame_duck_duration")); break;
            case "lame_duck_grace_period": b.lameDuckGracePeriod(duration(e, "lame_duck_grace_period")); break;
            case "debug": b.debug(bool(e)); break;
            case "trace": b.trace(bool(e)); break;
            case "logtime": b.logTime(bool(e)); break;
            case "log_file": case "logfile": b.logFile(string(e)); break;
            case "logfile_size_limit": case "log_size_limit": b.logSizeLimit(int64(e)); break;
            case "syslog": b.syslog(bool(e)); break;
            case "remote_syslog": case "rsyslog": b.remoteSyslog(string(e)); break;
            case "pid_file": case "pidfile": b.pidFile(string(e)); break;
            case "ports_file_dir": b.portsFileDir(string(e)); break;
            case "max_traced_msg_len": b.maxTracedMsgLen(intValue(e)); break;
            case "no_header_support": b.noHeaderSupport(bool(e)); break;
            case "allow_non_tls": b.allowNonTls(bool(e)); break;
            // nats-server: trace_verbose also sets trace; its extra (system account traffic) has nothing to show here
            case "trace_verbose": b.trace(bool(e)); break;
            case "authorization": authorization(e); break;
            case "tls": tls(e); break;
            case "cluster": cluster(e); break;
            case "gateway": gateway(e); break;
            case "accounts": accounts(e); break;
            case "no_auth_user": noAuthUser = string(e); b.noAuthUser(noAuthUser); break;
            case "websocket": case "ws": websocket(e); break;
            case "jetstream": jetstream(e); break;
            case "mappings": case "maps": mappingsConfig.parse("$G", e); break;
            case "disable_sublist_cache": case "no_sublist_cache": b.disableSublistCache(bool(e)); break;
            case "http_base_path": b.httpBasePath(string(e)); break;
            case "prof_port": b.profPort(intValue(e)); break;
            case "max_sub_tokens": case "max_subscription_tokens": b.maxSubTokens(maxSubTokens(e)); break;
            case "connect_error_reports": b.connectErrorReports(intValue(e)); break;
            case "reconnect_error_reports": b.reconnectErrorReports(intValue(e)); break;
            case "server_tags": b.serverTags(serverTags(e)); break;
            case "default_js_domain": b.jsAccDefaultDomain(defaultJsDomain(e)); break;
            // JetStream's directory at the top level (nats-server: only one of this and jetstream.store_dir)
            case "store_dir": case "storedir": b.jetstream(b.jetstream().withStoreDir(string(e))); break;
            case "leafnodes": case "leaf": leafnodes(e); break;
            case "system_account": case "system":
                b.systemAccount(systemAccount(e));
                operatorConfig.systemAccount(e);
                break;
            case "no_system_account": case "no_system": case "no_sys_acc": b.noSystemAccount(bool(e)); break;
            // operator (JWT) mode, in OperatorConfig
            case "operator": case "operators": case "root_operators": case "trusted_operators":
            case "roots": case "root": case "root_operator": // 2.9.10's other spellings of operator
                operatorConfig.operator(e);
                break;
            case "resolver": case "account_resolver": case "accounts_resolver": operatorConfig.resolver(e); break;
            case "resolver_preload": operatorConfig.preload(e); break;
            case "resolver_pinned_accounts": operatorConfig.pinnedAccounts(e); break;
            case "trusted": case "trusted_keys": operatorConfig.trustedKeys(e); break;
            case "resolver_tls": operatorConfig.resolverTls(tlsBlock(e, "resolver tls")); break;
            case "ocsp": ocsp(e); break;
            default:
                if (NOT_YET.contains(key)) {
                    notYet(e, key);
                } else if (!e.usedAsVariable()) {
                    throw new Bad("unknown field \"" + e.key() + "\"");
                }
        }
    }

    /**
     * nats-server refuses a store_dir at the top level and in the jetstream block both, at the one it reads
     * second: {@code Duplicate 'store_dir' configuration}.
     */
    private void duplicateStoreDir(ConfMap conf) {
        Entry top = null;
        Entry inBlock = null;
        boolean blockFirst = false;
        for (Entry e : conf.entries()) {
            String k = e.key().toLowerCase(Locale.ROOT);
            if ((k.equals("store_dir") || k.equals("storedir")) && e.value() instanceof String) {
                top = e;
            } else if (k.equals("jetstream") && e.value() instanceof ConfMap m) {
                for (Entry f : m.entries()) {
                    String fk = f.key().toLowerCase(Locale.ROOT);
                    if (fk.equals("store_dir") || fk.equals("storedir") || fk.equals("store")) {
                        inBlock = f;
                        blockFirst = top == null;
                    }
                }
            }
        }
        if (top != null && inBlock != null) {
            errors.add((blockFirst ? top : inBlock).pos() + ": Duplicate 'store_dir' configuration");
        }
    }

    /** default_js_domain: a map of account name to domain (strings), as nats-server 2.9.10 reads it. */
    private static java.util.Map<String, String> defaultJsDomain(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            throw new Bad("error default_js_domain config: unsupported type " + goType(e.value()));
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Entry d : m.entries()) {
            if (!(d.value() instanceof String domain)) {
                throw new Bad("interface conversion: interface {} is " + goType(d.value()) + ", not string");
            }
            out.put(d.key(), domain);
        }
        return out;
    }

    /** max_sub_tokens: 1..255, nats-server's texts otherwise. */
    private static int maxSubTokens(Entry e) throws Bad {
        long n = int64(e);
        if (n > 255) {
            throw new Bad("max_sub_tokens value is too big");
        }
        if (n <= 0) {
            throw new Bad("max_sub_tokens value can not be negative");
        }
        return (int) n;
    }

    /** server_tags: a string or a list of strings, lower-cased, trimmed and without repeats (jwt's TagList). */
    private static List<String> serverTags(Entry e) throws Bad {
        List<Object> values = new ArrayList<>();
        if (e.value() instanceof List<?> list) {
            for (Object o : list) {
                values.add(o instanceof Entry item ? item.value() : o);
            }
        } else {
            values.add(e.value());
        }
        List<String> tags = new ArrayList<>();
        for (Object v : values) {
            if (!(v instanceof String s)) {
                // nats-server's text names the type of the list item's token
                throw new Bad("error parsing tags: unsupported type "
                        + (e.value() instanceof List<?> ? "*conf.token where string is expected" : goType(v)));
            }
            String t = s.toLowerCase(Locale.ROOT).strip();
            if (!tags.contains(t)) {
                tags.add(t);
            }
        }
        return tags;
    }

    /** {@code system_account}: nats-server's own message for a value that is not a string. */
    private static String systemAccount(Entry e) throws Bad {
        if (!(e.value() instanceof String name)) {
            throw new Bad("system account name must be a string");
        }
        return name;
    }

    /**
     * nats-server 2.9.10's ocsp: {@code true} (auto), {@code false} (never) or a block with mode (any case),
     * url. Its keys are matched exactly; an unknown one drops the whole setting. {@code urls} is a panic in
     * 2.9.10 (it expects a Go {@code []string}, which the parser never makes), reported here with that text.
     */
    private void ocsp(Entry e) throws Bad {
        Object v = e.value();
        if (v instanceof Boolean on) {
            b.ocsp(on ? OcspOptions.AUTO : new OcspOptions(OcspOptions.Mode.NEVER, List.of()));
            return;
        }
        if (!(v instanceof ConfMap m)) {
            throw new Bad("error parsing ocsp config: unsupported type " + goType(v));
        }
        OcspOptions.Mode mode = OcspOptions.Mode.AUTO;
        List<String> urls = List.of();
        for (Entry f : m.entries()) {
            switch (f.key()) {
                case "mode": {
                    String name = string(f);
                    try {
                        mode = OcspOptions.Mode.valueOf(name.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException unknown) {
                        errors.add(f.pos() + ": error parsing ocsp config: unsupported ocsp mode string");
                    }
                    break;
                }
                case "url": urls = List.of(string(f)); break;
                case "urls": throw new Bad("interface conversion: interface {} is " + goType(f.value())
                        + ", not []string");
                default:
                    errors.add(f.pos() + ": error parsing ocsp config: unsupported field string");
                    return;
            }
        }
        b.ocsp(new OcspOptions(mode, urls));
    }

    private void notYet(Entry e, String what) throws Bad {
        Object v = e.value();
        if (Boolean.FALSE.equals(v) || "disabled".equals(v) || "disable".equals(v)) {
            return; // off is what NATS Boot does anyway
        }
        throw new Bad(what + " is not supported by NATS Boot yet");
    }

    /**
     * nats-server 2.9.10's jetstream value: a boolean, "enabled"/"disabled", or a block (then enabled unless it
     * says {@code enabled: false}) with store_dir, max_memory_store, max_file_store (bytes or "1G"-style sizes),
     * domain. Keys of the block NATS Boot does not implement (encryption, tags...) are refused by name.
     */
    private void jetstream(Entry e) throws Bad {
        Object v = e.value();
        JetStreamOptions js = b.jetstream();
        if (v instanceof Boolean on) {
            b.jetstream(js.withEnabled(on));
            return;
        }
        if (v instanceof String str) {
            switch (str.toLowerCase(Locale.ROOT)) {
                case "enabled": case "enable": case "true": b.jetstream(js.withEnabled(true)); return;
                case "disabled": case "disable": case "false": b.jetstream(js.withEnabled(false)); return;
                default: throw new Bad("Expected 'enabled' or 'disabled' for string value, got '" + str + "'");
            }
        }
        if (!(v instanceof ConfMap m)) {
            throw conversion(e, "map[string]interface {}");
        }
        boolean enabled = true;
        String storeDir = js.storeDir();
        long maxMem = js.maxMemory();
        long maxStore = js.maxStore();
        String domain = js.domain();
        String key = js.key();
        String cipher = js.cipher();
        Bad typePanic = null;
        for (Entry f : m.entries()) {
            try {
                switch (f.key().toLowerCase(Locale.ROOT)) {
                    case "enabled": enabled = bool(f); break;
                    case "store": case "store_dir": case "storedir": storeDir = string(f); break;
                    case "max_memory_store": case "max_mem_store": case "max_mem": maxMem = storageSize(f); break;
                    case "max_file_store": case "max_file": maxStore = storageSize(f); break;
                    case "domain": domain = string(f); break;
                    case "key": case "ek": case "encryption_key": key = string(f); break;
                    case "cipher":
                        cipher = string(f).toLowerCase(Locale.ROOT);
                        if (!cipher.equals("chacha") && !cipher.equals("chachapoly") && !cipher.equals("aes")) {
                            throw new Bad("Unknown cipher type: " + GoFormat.quote(string(f)));
                        }
                        break;
                    // Placement hints and replica catch-up of clustered JetStream: nothing to place or catch up
                    // on one server, so accepted (with nats-server's type checks) and unused.
                    case "extension_hint": case "unique_tag":
                        if (!(f.value() instanceof String)) {
                            typePanic = conversion(f, "string"); // reported at the jetstream key (below)
                        }
                        break;
                    case "max_outstanding_catchup": goStorageSize(f, "max_outstanding_catchup"); break;
                    case "limits":
                        notYet(f, "jetstream " + f.key());
                        break;
                    default:
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                errors.add(f.pos() + ": " + bad.getMessage());
            }
            if (typePanic != null) {
                // nats-server's type assertion panics; its recovery reports it at the jetstream key
                throw typePanic;
            }
        }
        b.jetstream(new JetStreamOptions(enabled, storeDir, maxMem, maxStore, domain, js.accounts(), js.accountLimits(),
                key, cipher));
    }

    /**
     * An account's {@code jetstream}, as nats-server 2.9.10's parseJetStreamForAccount: enabled/disabled (or a
     * boolean) turns JetStream on in that account without limits; a block sets limits (each an integer, sizes
     * with the conf file's suffixes; absent = -1, unlimited) and turns it on.
     */
    private void accountJetStream(String account, Entry f) throws Bad {
        Object v = f.value();
        if (v instanceof Boolean bv) {
            if (bv) {
                b.jetstream(b.jetstream().withAccount(account));
            }
            return;
        }
        if (v instanceof String str) {
            switch (str.toLowerCase(Locale.ROOT)) {
                case "enabled": case "enable": b.jetstream(b.jetstream().withAccount(account)); return;
                case "disabled": case "disable": return;
                default: throw new Bad("Expected 'enabled' or 'disabled' for string value, got '" + str + "'");
            }
        }
        if (!(v instanceof ConfMap m)) {
            throw new Bad("Expected map, bool or string to define JetStream, got " + goType(v));
        }
        long mem = -1, store = -1, streams = -1, consumers = -1, ackPending = -1, memStream = -1, storeStream = -1;
        boolean bytesRequired = false;
        for (Entry e : m.entries()) {
          String k = e.key().toLowerCase(Locale.ROOT);
          try {
            switch (k) {
                case "max_memory": case "max_mem": case "mem": case "memory": mem = limitValue(e); break;
                case "max_store": case "max_file": case "max_disk": case "store": case "disk":
                    store = limitValue(e);
                    break;
                case "max_streams": case "streams": streams = limitValue(e); break;
                case "max_consumers": case "consumers": consumers = limitValue(e); break;
                case "max_bytes_required": case "max_stream_bytes": case "max_bytes":
                    if (!(e.value() instanceof Boolean bb)) {
                        throw new Bad("Expected a parseable bool for " + GoFormat.quote(e.key()) + ", got " + e.value());
                    }
                    bytesRequired = bb;
                    break;
                case "mem_max_stream_bytes": case "memory_max_stream_bytes": memStream = limitValue(e); break;
                case "disk_max_stream_bytes": case "store_max_stream_bytes": storeStream = limitValue(e); break;
                case "max_ack_pending": ackPending = limitValue(e); break;
                default:
                    if (!e.usedAsVariable()) {
                        errors.add(e.pos() + ": unknown field \"" + e.key() + "\"");
                    }
            }
          } catch (Bad bad) {
            errors.add(e.pos() + ": " + bad.getMessage());
          }
        }
        b.jetstream(b.jetstream().withAccount(account, new JetStreamAccountLimits(mem, store, streams, consumers,
                ackPending, memStream, storeStream, bytesRequired)));
    }

    /** An account JetStream limit: an integer (the conf parser has applied size suffixes), else nats-server's text. */
    private static long limitValue(Entry e) throws Bad {
        if (e.value() instanceof Long n) {
            return n;
        }
        throw new Bad("Expected a parseable size for " + GoFormat.quote(e.key()) + ", got " + e.value());
    }

    /** nats-server's getStorageSize: an integer, or a string with a K/M/G/T suffix (powers of 1024). */
    /**
     * nats-server's getStorageSize: an integer, or a string of digits and one of K, M, G, T (sizes the conf
     * lexer did not already turn into a number); errors as Go's, prefixed with the field name.
     */
    private static long goStorageSize(Entry e, String field) throws Bad {
        Object v = e.value();
        if (v instanceof Long n) {
            return n;
        }
        if (!(v instanceof String s)) {
            throw new Bad(field + " must be int64 or string");
        }
        if (s.isEmpty()) {
            return 0;
        }
        String prefix = s.substring(0, s.length() - 1);
        long num;
        try {
            num = Long.parseLong(prefix);
        } catch (NumberFormatException x) {
            boolean digits = !prefix.isEmpty();
            for (int i = 0; i < prefix.length(); i++) {
                char c = prefix.charAt(i);
                digits &= (c >= '0' && c <= '9') || (i == 0 && (c == '+' || c == '-') && prefix.length() > 1);
            }
            throw new Bad(field + " strconv.ParseInt: parsing " + GoFormat.quote(prefix) + ": "
                    + (digits ? "value out of range" : "invalid syntax"));
        }
        int shift = switch (s.charAt(s.length() - 1)) { case 'K' -> 10; case 'M' -> 20; case 'G' -> 30; case 'T' -> 40;
            default -> -1; };
        if (shift < 0) {
            throw new Bad(field + " sizes defined as strings must end in K, M, G, T");
        }
        return num << shift;
    }

    private static long storageSize(Entry e) throws Bad {
        if (e.value() instanceof Long n) {
            return n;
        }
        if (!(e.value() instanceof String str) || str.isEmpty()) {
            throw conversion(e, "int64");
        }
        char suffix = Character.toUpperCase(str.charAt(str.length() - 1));
        int shift = switch (suffix) { case 'K' -> 10; case 'M' -> 20; case 'G' -> 30; case 'T' -> 40; default -> -1; };
        try {
            return shift < 0 ? Long.parseLong(str) : Long.parseLong(str.substring(0, str.length() - 1)) << shift;
        } catch (NumberFormatException x) {
            throw new Bad("invalid storage size \"" + str + "\"");
        }
    }

    /** The tls block of the client port. */
    private void tls(Entry e) throws Bad {
        TlsOptions t = tlsBlock(e, "tls");
        if (t != null) {
            b.tls(t);
        }
    }

    /**
     * A tls block (client port or cluster), nats-server 2.9's parseTLS: cert_file, key_file, ca_file, verify,
     * verify_and_map, timeout, cipher_suites, curve_preferences, pinned_certs, insecure; the rest is refused
     * by name. Null if a key had an error (already reported).
     */
    private TlsOptions tlsBlock(Entry e, String what) throws Bad {
        ConfMap m = map(e);
        String cert = null;
        String key = null;
        String ca = null;
        boolean verify = false;
        boolean tlsMap = false;
        boolean insecure = false;
        Duration timeout = null;
        List<String> ciphers = List.of();
        List<String> curves = List.of();
        List<String> pinned = List.of();
        String minVersion = "1.2";
        boolean first = false;
        Duration fallback = null;
        long rateLimit = 0;
        int before = errors.size();
        for (Entry a : m.entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "cert_file": cert = string(a); break;
                    case "key_file": key = string(a); break;
                    case "ca_file": ca = string(a); break;
                    case "verify": verify = tlsBool(a, "verify"); break;
                    // as nats-server: both flags follow the value, a later verify can still switch verification off
                    case "verify_and_map": verify = tlsMap = tlsBool(a, "verify_and_map"); break;
                    case "insecure": insecure = tlsBool(a, "insecure"); break;
                    case "timeout": timeout = seconds(a); break;
                    case "cipher_suites": ciphers = goNames(a, TlsOptions.GO_CIPHER_SUITES, "unrecognized cipher "); break;
                    case "curve_preferences":
                        curves = goNames(a, List.copyOf(TlsOptions.GO_CURVES.keySet()), "unrecognized curve preference ");
                        break;
                    case "pinned_certs": pinned = pinnedCerts(a); break;
                    // nats-server 2.10's keys, named in our TLS issue: a superset of 2.9.10 (which refuses them)
                    case "min_version": minVersion = tlsMinVersion(a); break;
                    case "handshake_first": case "first": case "immediate": {
                        Object v = a.value();
                        String text = v instanceof String str ? str.toLowerCase(Locale.ROOT) : null;
                        if (v instanceof Boolean on) {
                            first = on;
                            fallback = null;
                        } else if ("true".equals(text) || "on".equals(text) || "false".equals(text) || "off".equals(text)) {
                            first = text.equals("true") || text.equals("on");
                            fallback = null;
                        } else if ("auto".equals(text) || "auto_fallback".equals(text)) {
                            first = true;
                            fallback = TlsOptions.DEFAULT_HANDSHAKE_FIRST_FALLBACK;
                        } else if (text != null) {
                            try {
                                fallback = CommandLine.parseGoDuration((String) v);
                                first = true;
                            } catch (CommandLine.BadValue bad) {
                                throw new Bad("field " + GoFormat.quote(a.key()) + " value "
                                        + GoFormat.quote((String) v) + " is invalid");
                            }
                        } else {
                            throw new Bad("field " + GoFormat.quote(a.key()) + " should be a boolean or string, got "
                                    + goType(v));
                        }
                        break;
                    }
                    // cert_store, ocsp_peer... came after 2.9.10: unknown fields
                    case "connection_rate_limit":
                        if (!(a.value() instanceof Long n)) {
                            throw new Bad("error parsing tls config, 'connection_rate_limit' wrong type");
                        }
                        rateLimit = n; // counts on the client port only (accepted, unused, in cluster.tls)
                        break;
                    case "verify_cert_and_check_known_urls":
                        // nats-server: for routes and gateways only (certificates checked against known URLs)
                        if (!what.startsWith("cluster") && !what.startsWith("gateway")) {
                            throw new Bad("verify_cert_and_check_known_urls not supported in this context");
                        }
                        notYet(a, what + " " + k);
                        break;
                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("error parsing tls config, unknown field [\"" + a.key() + "\"]");
                        }
                }
            } catch (Bad bad) {
                errors.add(a.pos() + ": " + bad.getMessage());
            }
        }
        if (errors.size() > before) {
            return null;
        }
        if (cert == null || cert.isEmpty()) {
            throw new Bad("error parsing tls config, missing 'cert_file' option");
        }
        if (key == null || key.isEmpty()) {
            throw new Bad("error parsing tls config, missing 'key_file' option");
        }
        return new TlsOptions(cert, key, ca, verify, timeout == null || timeout.isZero()
                ? TlsOptions.DEFAULT_TIMEOUT : timeout, ciphers, curves, tlsMap, pinned, insecure, minVersion, first,
                fallback, null, rateLimit);
    }

    /** nats-server 2.10's min_version: "1.2" or "1.3"; older versions are refused. */
    private static String tlsMinVersion(Entry e) throws Bad {
        if (!(e.value() instanceof String v)) {
            throw new Bad("error parsing tls config: 'min_version' wrong type: " + e.value());
        }
        switch (v) {
            case "1.2": case "1.3": return v;
            case "1.0": case "1.1": throw new Bad("error parsing tls config: unsupported TLS version: TLS " + v);
            default: throw new Bad("error parsing tls config: unknown version: " + v);
        }
    }

    private static boolean tlsBool(Entry e, String name) throws Bad {
        if (e.value() instanceof Boolean v) {
            return v;
        }
        throw new Bad("error parsing tls config, expected '" + name + "' to be a boolean");
    }

    /**
     * nats-server's parseCipher / parseCurvePreferences over an array of Go names; the error names the first
     * unknown one, at its own position.
     */
    private List<String> goNames(Entry e, List<String> known, String unknownText) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("interface conversion: interface {} is " + goType(e.value()) + ", not []interface {}");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            Entry c = (Entry) o;
            String name = c.value() instanceof String s ? s : String.valueOf(c.value());
            if (!known.contains(name)) {
                errors.add(c.pos() + ": " + unknownText + name); // at the element, as nats-server
                return List.of();
            }
            out.add(name);
        }
        return out;
    }

    /** pinned_certs: a list of hex SHA-256 hashes of SubjectPublicKeyInfo, kept lower case. */
    private List<String> pinnedCerts(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 "
                    + "of DER encoded SubjectPublicKeyInfo");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            Entry c = (Entry) o;
            Object v = c.value();
            String h = (v instanceof String s ? s : String.valueOf(v)).toLowerCase(Locale.ROOT);
            if (!h.matches("[0-9a-f]{64}")) {
                errors.add(c.pos() + ": error parsing tls config, 'pinned_certs' key " + h // at the element
                        + " does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
                return List.of();
            }
            out.add(h);
        }
        return out;
    }

    /**
     * The cluster block: name, listen (or host and port), advertise, routes, authorization (one user),
     * no_advertise, connect_retries. Route TLS and cluster permissions are refused by name.
     */
    private void cluster(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            notYet(e, "cluster");
            return;
        }
        String host = null;
        Integer port = null;
        for (Entry a : m.entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "name": b.clusterName(string(a)); break;
                    case "listen": {
                        HostPort hp = hostPort(a);
                        host = hp.host != null ? hp.host : host;
                        port = hp.port;
                        break;
                    }
                    case "host": case "net": host = string(a); break;
                    case "port": port = intValue(a); break;
                    case "advertise": case "cluster_advertise": b.clusterAdvertise(string(a)); break;
                    case "no_advertise": b.noAdvertise(bool(a)); break;
                    case "connect_retries": b.connectRetries(intValue(a)); break;
                    case "routes": b.routes(stringList(a)); break;
                    case "authorization": clusterAuthorization(a); break;
                    case "tls": {
                        TlsOptions t = tlsBlock(a, "cluster tls");
                        if (t != null) {
                            // nats-server: routes always verify the peer (both ends are client and server)
                            b.clusterTls(new TlsOptions(t.certFile(), t.keyFile(), t.caFile(), true, t.timeout(),
                                    t.cipherSuites(), t.curvePreferences(), false, t.pinnedCerts(), t.insecure(),
                                    t.minVersion(), false, null, null, 0));
                        }
                        break;
                    }
                    case "permissions": b.clusterPermissions(permissions(a)); break;

                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("unknown field \"" + a.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                errors.add(a.pos() + ": " + bad.getMessage());
            }
        }
        if (port != null) {
            b.clusterListen((host == null ? "" : host) + ":" + port);
        }
    }

    // ---- gateway -----------------------------------------------------------------------------------------

    /**
     * nats-server 2.9's gateway block: name, listen (or host and port), advertise, gateways (name, url or urls,
     * tls), authorization (one user, no tokens), tls, connect_retries, reject_unknown(_cluster). The start-up
     * checks (no name, no port...) are {@link GatewayOptions#validate}'s, at build.
     */
    private void gateway(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            throw new Bad("Expected gateway to be a map, got " + goType(e.value()));
        }
        String name = null;
        String host = null;
        int port = 0;
        String advertise = null;
        List<GatewayOptions.Remote> remotes = new ArrayList<>();
        String[] auth = new String[2];
        Duration[] authTimeout = new Duration[1];
        TlsOptions tls = null;
        int retries = 0;
        boolean rejectUnknown = false;
        for (Entry a : m.entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "name": name = string(a); break;
                    case "listen": {
                        HostPort hp = hostPort(a);
                        host = hp.host != null ? hp.host : host;
                        port = hp.port;
                        break;
                    }
                    case "host": case "net": host = string(a); break;
                    case "port": port = intValue(a); break;
                    case "advertise": case "gateway_advertise": advertise = string(a); break;
                    case "connect_retries": retries = intValue(a); break;
                    case "reject_unknown": case "reject_unknown_cluster": rejectUnknown = bool(a); break;
                    case "authorization": gatewayAuthorization(a, auth, authTimeout); break;
                    case "tls": tls = gatewayTls(tlsBlock(a, "gateway tls")); break;
                    case "gateways": remotes.addAll(remoteGateways(a)); break;
                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("unknown field \"" + a.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                // nats-server reports the array type error without a position
                errors.add(bad.getMessage().startsWith("Expected gateways") ? bad.getMessage()
                        : a.pos() + ": " + bad.getMessage());
            }
        }
        b.gateway(new GatewayOptions(name, host == null ? ServerOptions.DEFAULT_HOST : host, port < 0 ? 0 : port,
                advertise == null || advertise.isEmpty() ? null : advertise, remotes, auth[0], auth[1],
                authTimeout[0], tls, retries, rejectUnknown), port);
    }

    /** Gateways verify their peer in both directions, as routes do. */
    private static TlsOptions gatewayTls(TlsOptions t) {
        if (t == null) {
            return null;
        }
        return new TlsOptions(t.certFile(), t.keyFile(), t.caFile(), true, t.timeout(), t.cipherSuites(),
                t.curvePreferences(), false, t.pinnedCerts(), t.insecure(), t.minVersion(), false, null, null, 0);
    }

    private void gatewayAuthorization(Entry e, String[] auth, Duration[] timeout) throws Bad {
        for (Entry a : map(e).entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            switch (k) {
                case "user": case "username": auth[0] = string(a); break;
                case "pass": case "password": auth[1] = string(a); break;
                case "timeout": timeout[0] = seconds(a); break;
                case "token": throw new Bad("Gateway authorization does not support tokens");
                case "users": case "nkeys": throw new Bad("Gateway authorization does not allow multiple users");
                default:
                    if (!a.usedAsVariable()) {
                        throw new Bad("unknown field \"" + a.key() + "\"");
                    }
            }
        }
    }

    private List<GatewayOptions.Remote> remoteGateways(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("Expected gateways field to be an array, got " + goType(e.value()));
        }
        List<GatewayOptions.Remote> out = new ArrayList<>();
        for (Object o : list) {
            Entry item = o instanceof Entry en ? en : null;
            if (item == null || !(item.value() instanceof ConfMap gm)) {
                throw new Bad("Expected gateway entry to be a map, got " + goType(item == null ? o : item.value()));
            }
            String name = null;
            List<java.net.URI> urls = new ArrayList<>();
            TlsOptions tls = null;
            for (Entry a : gm.entries()) {
                String k = a.key().toLowerCase(Locale.ROOT);
                try {
                    switch (k) {
                        case "name": name = string(a); break;
                        case "url": urls.add(gatewayUrl(a, string(a))); break;
                        case "urls":
                            for (String u : stringList(a)) {
                                urls.add(gatewayUrl(a, u));
                            }
                            break;
                        case "tls": tls = gatewayTls(tlsBlock(a, "gateway tls")); break;
                        default:
                            if (!a.usedAsVariable()) {
                                throw new Bad("unknown field \"" + a.key() + "\"");
                            }
                    }
                } catch (Bad bad) {
                    errors.add(a.pos() + ": " + bad.getMessage());
                }
            }
            out.add(new GatewayOptions.Remote(name, urls, tls));
        }
        return out;
    }

    private static java.net.URI gatewayUrl(Entry e, String u) throws Bad {
        try {
            return new java.net.URI(u.contains("://") ? u : "nats://" + u);
        } catch (java.net.URISyntaxException x) {
            throw new Bad("error parsing gateway url " + GoFormat.quote(u) + ": " + x.getReason());
        }
    }

    private void clusterAuthorization(Entry e) throws Bad {
        for (Entry a : map(e).entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            switch (k) {
                case "user": case "username": b.clusterUser(string(a)); break;
                case "pass": case "password": b.clusterPassword(string(a)); break;
                case "timeout": b.clusterAuthTimeout(seconds(a)); break;
                case "users": case "token": case "nkeys":
                    // nats-server allows a single user on routes and no tokens
                    throw new Bad("Cluster authorization does not allow multiple users or tokens");
                default:
                    if (!a.usedAsVariable()) {
                        throw new Bad("unknown field \"" + a.key() + "\"");
                    }
            }
        }
    }

    /** A list of strings, or one string. */
    private static List<String> stringList(Entry e) throws Bad {
        if (e.value() instanceof String one) {
            return List.of(one);
        }
        if (!(e.value() instanceof List<?> list)) {
            throw conversion(e, "[]interface {}");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            Object v = o instanceof Entry item ? item.value() : o;
            if (!(v instanceof String str)) {
                throw new Bad("interface conversion: interface {} is " + goType(v) + ", not string");
            }
            out.add(str);
        }
        return out;
    }

    private final List<User> accountUsers = new ArrayList<>();
    /** Where each of {@link #accountUsers} was declared (its users key), for nats-server's duplicate error. */
    private final List<Object> accountUserPositions = new ArrayList<>();
    private final List<AccountOptions> accounts = new ArrayList<>();

    /** The accounts block: per account its users, exports and imports. */
    private void accounts(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            return; // nats-server 2.9.10 takes anything else without a word (-t passes)
        }
        for (Entry acc : m.entries()) {
            String name = acc.key();
            if (name.equals("$G")) {
                errors.add(acc.pos() + ": \"$G\" is a Reserved Account");
                continue;
            }
            List<String> names = new ArrayList<>();
            List<AccountOptions.Export> exports = new ArrayList<>();
            List<AccountOptions.Import> imports = new ArrayList<>();
            int usersBefore = accountUsers.size();
            AccountOptions.Limits limits = AccountOptions.Limits.NONE;
            Permissions accountDefaults = null;
            if (acc.value() instanceof ConfMap body) {
                for (Entry f : body.entries()) {
                    String k = f.key().toLowerCase(Locale.ROOT);
                    try {
                        switch (k) {
                            case "users":
                                if (!(f.value() instanceof List<?>)) { // nats-server names no position here
                                    errors.add("Expected users field to be an array, got " + goValue(f.value()));
                                    break;
                                }
                                for (User u : users(f)) {
                                    accountUsers.add(u);
                                    accountUserPositions.add(f.pos());
                                    names.add(u.isNkey() ? u.nkey() : u.username()); // nkey users by key
                                }
                                break;
                            case "exports": exports.addAll(exports(f)); break;
                            case "imports": imports.addAll(imports(f)); break;
                            case "jetstream": accountJetStream(name, f); break;
                            case "mappings": case "maps": mappingsConfig.parse(name, f); break;
                            case "nkey": accountNkey(f); break;
                            case "limits": limits = accountLimits(f); break;
                            case "default_permissions": accountDefaults = accountDefaultPermissions(f); break;
                            default:
                                if (!f.usedAsVariable()) {
                                    throw new Bad("unknown field \"" + f.key() + "\"");
                                }
                        }
                    } catch (Bad bad) {
                        errors.add(f.pos() + ": " + bad.getMessage());
                    }
                }
            } else {
                errors.add(acc.pos() + ": Expected map entries for accounts");
                continue;
            }
            if (accountDefaults != null) { // nats-server: the permissions of this account's users without their own
                for (int i = usersBefore; i < accountUsers.size(); i++) {
                    User u = accountUsers.get(i);
                    if (u.permissions() == null) {
                        accountUsers.set(i, u.withPermissions(accountDefaults));
                    }
                }
            }
            accounts.add(new AccountOptions(name, names, exports, imports, limits));
        }
        checkImports(e);
    }

    /**
     * nats-server's configuration check of the imports (at the accounts key): the exporting account must be
     * defined and export the subject (same kind, the import's subject within the export's, the importer allowed);
     * stream imports are checked before service imports, as nats-server does.
     */
    private void checkImports(Entry e) {
        for (boolean service : new boolean[] {false, true}) {
            String kind = service ? "service" : "stream";
            for (AccountOptions importer : accounts) {
                for (AccountOptions.Import imp : importer.imports()) {
                    if (imp.service() != service) {
                        continue;
                    }
                    AccountOptions exporter = accounts.stream().filter(a -> a.name().equals(imp.account()))
                            .findFirst().orElse(null);
                    if (exporter == null) {
                        errors.add(e.pos() + ": " + GoFormat.quote(imp.account()) + " account not defined for " + kind
                                + " import");
                        continue;
                    }
                    boolean allowed = exporter.exports().stream().anyMatch(x -> x.service() == service
                            && io.natsboot.server.subject.Subjects.subsetOf(imp.subject(), x.subject())
                            && (x.accounts().isEmpty() || x.accounts().contains(importer.name())));
                    if (!allowed) {
                        errors.add(e.pos() + ": Error adding " + kind + " import " + GoFormat.quote(imp.subject())
                                + ": " + kind + " import not authorized");
                    }
                }
            }
        }
    }

    /** An account's nkey: an account public key ({@code A...}). */
    private void accountNkey(Entry f) {
        Object v = f.value();
        if (!(v instanceof String key) || !NKeys.isValidPublicKey(key, io.nats.client.NKey.Type.ACCOUNT)) {
            errors.add(f.pos() + ": Not a valid public nkey for an account: "
                    + goQ(v));
        }
    }

    /** Go's {@code %q} of a parsed value: a string quoted, an integer as a quoted rune, others %!q(type=v). */
    private static String goQ(Object v) {
        if (v instanceof String str) {
            return GoFormat.quote(str);
        }
        if (v instanceof Long l) {
            int cp = l < 0 || l > Character.MAX_CODE_POINT || (l >= 0xD800 && l <= 0xDFFF) ? 0xFFFD : (int) (long) l;
            String inner = GoFormat.quote(new String(Character.toChars(cp)));
            inner = inner.substring(1, inner.length() - 1);
            if (cp == '"') {
                inner = "\"";
            } else if (cp == '\'') {
                inner = "\\'";
            }
            return "'" + inner + "'";
        }
        if (v instanceof Double d) {
            String text = d == Math.rint(d) && Math.abs(d) < 1e21
                    ? new java.math.BigDecimal(d).toPlainString() : Double.toString(d);
            return "%!q(float64=" + text + ")";
        }
        return "%!q(" + goType(v) + "=" + v + ")";
    }

    /** An account's limits block: max connections, subscriptions, payload and leaf nodes (-1: none). */
    private AccountOptions.Limits accountLimits(Entry e) {
        if (!(e.value() instanceof ConfMap m)) {
            errors.add(e.pos() + ": Expected account limits to be a map/struct, got " + goValue(e.value()));
            return AccountOptions.Limits.NONE;
        }
        long conns = -1;
        long subs = -1;
        long payload = -1;
        long leafs = -1;
        for (Entry f : m.entries()) {
            try {
                switch (f.key().toLowerCase(Locale.ROOT)) {
                    case "max_connections": case "max_conn": conns = int64(f); break;
                    case "max_subscriptions": case "max_subs": subs = int64(f); break;
                    case "max_payload": case "max_pay": payload = int64(f); break;
                    case "max_leafnodes": case "max_leafs": leafs = int64(f); break;
                    default:
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": Unknown field \"" + f.key() + "\" parsing account limits");
                        }
                }
            } catch (Bad bad) {
                errors.add(f.pos() + ": " + bad.getMessage());
                return AccountOptions.Limits.NONE; // nats-server stops at the first
            }
        }
        return new AccountOptions.Limits(conns, subs, payload, leafs);
    }

    private Permissions accountDefaultPermissions(Entry f) throws Bad {
        if (!(f.value() instanceof ConfMap)) {
            throw new Bad("Expected permissions to be a map/struct, got " + goValue(f.value()));
        }
        return permissions(f);
    }

    /** Go's %v of a parsed value, for messages that print it. */
    private static String goValue(Object v) {
        return v instanceof List<?> || v instanceof ConfMap ? goType(v) : String.valueOf(v);
    }

    private List<AccountOptions.Export> exports(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("Exports should be an array, got " + goType(e.value()));
        }
        List<AccountOptions.Export> out = new ArrayList<>();
        exportItems:
        for (Object o : list) {
            Entry item = (Entry) o;
            if (!(item.value() instanceof ConfMap)) {
                errors.add(item.pos() + ": Export Items should be a map with type entry, got " + goType(item.value()));
                continue;
            }
            String subject = null;
            boolean service = false;
            List<String> to = List.of();
            String responseType = null;
            Duration threshold = null;
            Entry responseDirective = null;
            for (Entry f : map(item).entries()) {
                switch (f.key().toLowerCase(Locale.ROOT)) {
                    case "stream": subject = string(f); break;
                    case "service": subject = string(f); service = true; break;
                    case "accounts":
                        try {
                            to = stringList(f);
                        } catch (Bad bad) {
                            errors.add(f.pos() + ": " + bad.getMessage());
                            continue exportItems;
                        }
                        break;
                    case "response": case "response_type":
                        responseDirective = f;
                        responseType = responseType(f);
                        break;
                    case "threshold": case "response_threshold": case "response_max_time": case "response_time":
                        responseDirective = f;
                        threshold = responseThreshold(f);
                        break;
                    default:
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                            continue exportItems;
                        }
                }
            }
            if (subject == null) {
                throw new Bad("Expected a stream or service export");
            }
            if (responseDirective != null && !service) {
                errors.add(responseDirective.pos() + ": Detected response directive on non-service");
                continue;
            }
            out.add(new AccountOptions.Export(subject, service, to, responseType, threshold));
        }
        return out;
    }

    /** nats-server's response types, by the names /accountz shows; a bad one is an error at its key. */
    private String responseType(Entry f) {
        if (!(f.value() instanceof String rt)) {
            errors.add(f.pos() + ": Expected response type to be string, got " + goType(f.value()));
            return null;
        }
        switch (rt.toLowerCase(Locale.ROOT)) {
            case "single": case "singleton": return "Singleton";
            case "stream": return "Streamed";
            case "chunk": case "chunked": return "Chunked";
            default:
                errors.add(f.pos() + ": Unknown response type: " + GoFormat.quote(rt));
                return null;
        }
    }

    /** How long a service export's answers may come (a Go duration string). */
    private Duration responseThreshold(Entry f) {
        if (f.value() instanceof String str) {
            try {
                return CommandLine.parseGoDuration(str);
            } catch (CommandLine.BadValue bad) {
                errors.add(f.pos() + ": Expected response threshold to be a parseable time duration, got "
                        + GoFormat.quote(str));
                return null;
            }
        }
        errors.add(f.pos() + ": Expected response threshold to be a parseable time duration, got "
                + goType(f.value()));
        return null;
    }

    private List<AccountOptions.Import> imports(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("Imports should be an array, got " + goType(e.value()));
        }
        List<AccountOptions.Import> out = new ArrayList<>();
        importItems:
        for (Object o : list) {
            Entry item = (Entry) o;
            String account = null;
            String subject = null;
            Boolean service = null;
            Entry kind = null;
            String to = null;
            for (Entry f : map(item).entries()) {
                String k = f.key().toLowerCase(Locale.ROOT);
                switch (k) {
                    case "stream": case "service": {
                        service = k.equals("service");
                        kind = f;
                        for (Entry g : map(f).entries()) {
                            switch (g.key().toLowerCase(Locale.ROOT)) {
                                case "account": account = string(g); break;
                                case "subject": subject = string(g); break;
                                default:
                                    if (!g.usedAsVariable()) {
                                        errors.add(g.pos() + ": unknown field \"" + g.key() + "\"");
                                        continue importItems;
                                    }
                            }
                        }
                        break;
                    }
                    case "prefix": case "to": to = string(f); break;
                    default:
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                            continue importItems;
                        }
                }
            }
            if (kind != null && (account == null || subject == null)) {
                errors.add(kind.pos() + ": Expect an account name and a subject");
                continue;
            }
            if (service == null || account == null || subject == null) {
                throw new Bad("Expected an import with an account and a subject");
            }
            out.add(new AccountOptions.Import(account, subject, service, to));
        }
        return out;
    }

    private List<User> users;
    private Permissions defaultPermissions;
    private String noAuthUser;

    private void authorization(Entry e) throws Bad {
        ConfMap m = map(e);
        for (Entry a : m.entries()) {
            String key = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (key) {
                    case "user": case "username": b.username(string(a)); break;
                    case "pass": case "password": b.password(string(a)); break;
                    case "token": b.authToken(string(a)); break;
                    case "timeout": b.authTimeout(seconds(a)); break;
                    case "users":
                        try {
                            users = users(a);
                        } catch (Bad bad) { // nats-server places a duplicate at the authorization block
                            throw bad.getMessage().startsWith("Duplicate ") ? bad.at(e.pos()) : bad;
                        }
                        break;
                    // nats-server takes both as the permissions of users that have none
                    case "permissions": case "default_permissions":
                        if (!(a.value() instanceof ConfMap)) {
                            throw new Bad("Expected permissions to be a map/struct, got " + goValue(a.value()));
                        }
                        defaultPermissions = permissions(a);
                        break;
                    case "nkeys": case "auth_callout": case "accounts":
                        notYet(a, "authorization " + key);
                        break;
                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("unknown field \"" + a.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                errors.add(bad.at != null ? bad.line() : a.pos() + ": " + bad.getMessage());
            }
        }
    }

    private void finishUsers() {
        List<User> all = new ArrayList<>();
        if (users != null) {
            for (User u : users) {
                all.add(u.permissions() == null && defaultPermissions != null
                        ? u.withPermissions(defaultPermissions) : u);
            }
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (User u : all) {
            names.add(u.isNkey() ? "nkey:" + u.nkey() : u.username());
        }
        for (int i = 0; i < accountUsers.size(); i++) {
            User u = accountUsers.get(i);
            if (u.isNkey() ? !names.add("nkey:" + u.nkey()) : !names.add(u.username())) {
                errors.add(accountUserPositions.get(i) + ": Duplicate " + (u.isNkey() ? "nkey " + GoFormat.quote(u.nkey())
                        : "user " + GoFormat.quote(u.username())) + " detected");
            }
            all.add(u);
        }
        if (users != null || !accountUsers.isEmpty()) {
            b.users(all);
        }
        if (!accounts.isEmpty()) {
            b.accounts(accounts);
        }
        // nats-server's validateOptions messages: they name no position.
        if (noAuthUser != null && users == null && accountUsers.isEmpty()) {
            errors.add("no_auth_user: " + GoFormat.quote(noAuthUser) + " present, but users are not defined");
        } else if (noAuthUser != null && all.stream().noneMatch(u -> u.username().equals(noAuthUser))) {
            errors.add("no_auth_user: " + GoFormat.quote(noAuthUser)
                    + " not present as user in authorization block or account configuration");
        }
    }

    private List<User> users(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw new Bad("Expected users field to be an array, got " + goValue(e.value()));
        }
        List<User> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Object o : list) {
            Entry u = (Entry) o;
            if (!(u.value() instanceof ConfMap m)) {
                errors.add(u.pos() + ": Expected user entry to be a map/struct, got " + goValue(u.value()));
                continue;
            }
            String name = null;
            String pass = null;
            String nkey = null;
            Entry badNkey = null;
            Entry last = u;
            Permissions perms = null;
            Set<String> types = Set.of();
            for (Entry f : m.entries()) {
                String key = f.key().toLowerCase(Locale.ROOT);
                last = f;
                switch (key) {
                    case "user": case "username": name = string(f); break;
                    case "pass": case "password": pass = string(f); break;
                    case "permission": case "permissions": case "authorization":
                        if (!(f.value() instanceof ConfMap)) {
                            errors.add(f.pos() + ": Expected permissions to be a map/struct, got "
                                    + goValue(f.value()));
                            break;
                        }
                        perms = permissions(f);
                        break;
                    case "nkey":
                        nkey = string(f);
                        if (!NKeys.isValidPublicUserKey(nkey)) {
                            badNkey = f;
                        }
                        break;
                    case "allowed_connection_types": case "connection_types": case "clients":
                        types = allowedConnectionTypes(f);
                        break;
                    default: // nats-server takes no "account" here either: the accounts block says it
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                        }
                }
            }
            if (badNkey != null) {
                errors.add(badNkey.pos() + ": Not a valid public nkey for a user");
                continue;
            }
            if (nkey != null) {
                if (name != null || pass != null) {
                    errors.add(last.pos() + ": Nkey users do not take usernames or passwords");
                    continue;
                }
                if (!names.add("nkey:" + nkey)) {
                    throw new Bad("Duplicate nkey \"" + nkey + "\" detected");
                }
                out.add(User.ofNkey(nkey, perms).withAllowedConnectionTypes(types));
                continue;
            }
            if (name == null) {
                name = "";
            }
            if (!names.add(name)) {
                throw new Bad("Duplicate user \"" + name + "\" detected");
            }
            out.add(new User(name, pass == null ? "" : pass, perms, null, types));
        }
        return out;
    }

    /** Connection types nats-server 2.9.10 knows for {@code allowed_connection_types}. */
    private static final List<String> CONNECTION_TYPES = List.of("STANDARD", "WEBSOCKET", "LEAFNODE",
            "LEAFNODE_WS", "MQTT", "MQTT_WS");

    /**
     * A user's allowed_connection_types: a string or a list of strings, matched in any case; names nats-server
     * does not know are one error listing them, at the key.
     */
    private Set<String> allowedConnectionTypes(Entry f) {
        List<String> names = new ArrayList<>();
        Object v = f.value();
        if (v instanceof String str) {
            names.add(str);
        } else if (v instanceof List<?> list) {
            for (Object o : list) {
                Entry item = (Entry) o;
                if (item.value() instanceof String str) {
                    names.add(str);
                } else {
                    errors.add(item.pos() + ": error parsing allowed connection types: unsupported type in array "
                            + goType(item.value()));
                }
            }
        } else {
            errors.add(f.pos() + ": error parsing allowed connection types: unsupported type " + goType(v));
            return Set.of();
        }
        java.util.LinkedHashSet<String> known = new java.util.LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String n : names) {
            String upper = n.toUpperCase(Locale.ROOT);
            if (CONNECTION_TYPES.contains(upper)) {
                known.add(upper);
            } else {
                unknown.add(GoFormat.quote(upper));
            }
        }
        if (!unknown.isEmpty()) {
            errors.add(f.pos() + ": invalid connection types [" + String.join(" ", unknown) + "]");
        }
        return known;
    }

    private Permissions permissions(Entry e) throws Bad {
        ConfMap m = map(e);
        Permissions.SubjectPermission pub = null;
        Permissions.SubjectPermission sub = null;
        Permissions.ResponsePermission resp = null;
        for (Entry f : m.entries()) {
            String key = f.key().toLowerCase(Locale.ROOT);
            try {
                switch (key) {
                    case "pub": case "publish": case "import": pub = subjectPermission(f); break;
                    case "sub": case "subscribe": case "export": sub = subjectPermission(f); break;
                    case "allow_responses": case "allow_response": resp = allowResponses(f); break;
                    default: // nats-server names the field's own position
                        if (!f.usedAsVariable()) {
                            errors.add(f.pos() + ": Unknown field \"" + f.key() + "\" parsing permissions");
                        }
                }
            } catch (Bad bad) {
                if (bad.at == null) {
                    throw bad;
                }
                errors.add(bad.line());
            }
        }
        return new Permissions(pub, sub, resp);
    }

    /** A string or array is the allow list; a map has {@code allow} and {@code deny}. */
    private Permissions.SubjectPermission subjectPermission(Entry e) throws Bad {
        Object v = e.value();
        if (v instanceof ConfMap m) {
            List<String> allow = null;
            List<String> deny = null;
            for (Entry f : m.entries()) {
                String key = f.key().toLowerCase(Locale.ROOT);
                try {
                    switch (key) {
                        case "allow": allow = subjects(f); break;
                        case "deny": deny = subjects(f); break;
                        default:
                            if (!f.usedAsVariable()) {
                                throw new Bad("Unknown field name \"" + f.key() + "\" parsing subject permissions, "
                                        + "only 'allow' or 'deny' are permitted");
                            }
                    }
                } catch (Bad bad) {
                    throw bad.at(f.pos());
                }
            }
            return new Permissions.SubjectPermission(allow, deny);
        }
        try {
            return new Permissions.SubjectPermission(subjects(e), null);
        } catch (Bad bad) {
            throw bad.at(""); // nats-server names no position for a plain value of the wrong type
        }
    }

    private static List<String> subjects(Entry e) throws Bad {
        List<String> out = new ArrayList<>();
        Object v = e.value();
        if (v instanceof String s) {
            out.add(s);
        } else if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(string((Entry) o));
            }
        } else {
            throw new Bad("Expected subject permissions to be a subject, or array of subjects, got "
                    + goType(v));
        }
        for (String s : out) {
            String[] parts = s.strip().split(" +"); // "subject queue" at most
            if (parts.length > 2 || !io.natsboot.server.subject.Subjects.isValidSubscribeSubject(parts[0])) {
                throw new Bad("subject \"" + s + "\" is not a valid subject", ""); // nats-server: no position
            }
        }
        return out;
    }

    private static Permissions.ResponsePermission allowResponses(Entry e) throws Bad {
        Object v = e.value();
        if (v instanceof Boolean on) {
            return on ? Permissions.ResponsePermission.DEFAULT : null;
        }
        ConfMap m = map(e);
        int max = Permissions.ResponsePermission.DEFAULT.maxMsgs();
        Duration expires = Permissions.ResponsePermission.DEFAULT.expires();
        for (Entry f : m.entries()) {
            String key = f.key().toLowerCase(Locale.ROOT);
            switch (key) {
                case "max": case "max_msgs": case "max_messages": case "max_responses": max = int32(f); break;
                case "expires": case "expiration": case "ttl": expires = duration(f, key); break;
                default:
                    if (!f.usedAsVariable()) {
                        throw new Bad("Unknown field \"" + f.key() + "\" parsing permissions", f.pos());
                    }
            }
        }
        return new Permissions.ResponsePermission(max, expires);
    }

    // ---------------------------------------------------------------------------------------------------
    // Values

    /** Go's names for the parsed types, as in its "interface conversion" panics. */
    static String goType(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Long) {
            return "int64";
        }
        if (v instanceof Double) {
            return "float64";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof ConfMap) {
            return "map[string]interface {}";
        }
        return "[]interface {}";
    }

    private static Bad conversion(Entry e, String want) {
        return new Bad("interface conversion: interface {} is " + goType(e.value()) + ", not " + want);
    }

    private static String string(Entry e) throws Bad {
        if (e.value() instanceof String s) {
            return s;
        }
        throw conversion(e, "string");
    }

    private static boolean bool(Entry e) throws Bad {
        if (e.value() instanceof Boolean v) {
            return v;
        }
        throw conversion(e, "bool");
    }

    private static long int64(Entry e) throws Bad {
        if (e.value() instanceof Long v) {
            return v;
        }
        throw conversion(e, "int64");
    }

    private static int int32(Entry e) throws Bad {
        long v = int64(e);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new Bad("value " + v + " out of range for " + e.key());
        }
        return (int) v;
    }

    private static int intValue(Entry e) throws Bad {
        return int32(e);
    }

    private static ConfMap map(Entry e) throws Bad {
        if (e.value() instanceof ConfMap m) {
            return m;
        }
        throw conversion(e, "map[string]interface {}");
    }

    private static Duration seconds(Entry e) throws Bad {
        Object v = e.value();
        if (v instanceof Long l) {
            return Duration.ofSeconds(l);
        }
        if (v instanceof Double d) {
            return Duration.ofNanos((long) (d * 1e9));
        }
        throw conversion(e, "float64");
    }

    private static Duration duration(Entry e, String name) throws Bad {
        String s = string(e);
        try {
            return CommandLine.parseGoDuration(s);
        } catch (CommandLine.BadValue bad) {
            throw new Bad("error parsing " + name + ": time: invalid duration " + GoFormat.quote(s));
        }
    }

    private Duration durationOrSeconds(Entry e, String name) throws Bad {
        if (e.value() instanceof Long l) {
            warnings.add(e.pos() + ": invalid use of field \"" + name + "\": " + name
                    + " should be converted to a duration");
            return Duration.ofSeconds(l);
        }
        return duration(e, name);
    }

    /** nats-server: port 0 is the default port, -1 a random one (our 0). */
    static int listenPort(int v) {
        return v == 0 ? ServerOptions.DEFAULT_PORT : v < 0 ? 0 : v;
    }

    private record HostPort(String host, int port) {
    }

    /** {@code listen}/{@code http}: {@code "host:port"} or a port number. */
    private static HostPort hostPort(Entry e) throws Bad {
        Object v = e.value();
        if (v instanceof Long) {
            return new HostPort(null, int32(e));
        }
        if (!(v instanceof String s)) {
            throw new Bad("could not parse address string " + GoFormat.quote(String.valueOf(v)));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new Bad("could not parse address string " + GoFormat.quote(s));
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException ex) {
            throw new Bad("could not parse port " + GoFormat.quote(s.substring(colon + 1)));
        }
    }

    // ---- websocket ---------------------------------------------------------------------------------------

    /** The parsed websocket block, validated by {@link #finishWebSocket()} once the users are known. */
    private WebSocketOptions websocket;

    /**
     * nats-server 2.9's websocket block: listen/host/port, advertise, tls, no_tls, same_origin, allowed_origins,
     * compression, handshake_timeout, authorization (user, password, token, timeout), no_auth_user, jwt_cookie.
     */
    private void websocket(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            notYet(e, "websocket");
            return;
        }
        String host = null;
        int port = 0;
        String advertise = null;
        TlsOptions tls = null;
        boolean noTls = false;
        boolean sameOrigin = false;
        List<String> origins = List.of();
        boolean compression = false;
        String user = null;
        String pass = null;
        String token = null;
        Duration authTimeout = null;
        String noAuth = null;
        String cookie = null;
        Duration handshake = null;
        for (Entry a : m.entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "listen": {
                        HostPort hp = hostPort(a);
                        host = hp.host != null ? hp.host : host;
                        port = hp.port;
                        break;
                    }
                    case "host": case "net": host = string(a); break;
                    case "port": port = intValue(a); break;
                    case "advertise": advertise = string(a); break;
                    case "no_tls": noTls = bool(a); break;
                    case "tls": tls = tlsBlock(a, "websocket tls"); break;
                    case "same_origin": sameOrigin = bool(a); break;
                    case "allowed_origins": case "allowed_origin": case "allow_origins": case "allow_origin":
                    case "origins": case "origin":
                        origins = stringList(a);
                        break;
                    case "handshake_timeout":
                        // a number is seconds here, without the warning ping_interval gets
                        handshake = a.value() instanceof Long l ? Duration.ofSeconds(l) : duration(a, k);
                        break;
                    case "compress": case "compression": compression = bool(a); break;
                    case "authorization": case "authentication":
                        for (Entry f : map(a).entries()) {
                            switch (f.key().toLowerCase(Locale.ROOT)) {
                                case "user": case "username": user = string(f); break;
                                case "pass": case "password": pass = string(f); break;
                                case "token": token = string(f); break;
                                case "timeout": authTimeout = seconds(f); break;
                                default:
                                    if (!f.usedAsVariable()) {
                                        errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                                    }
                            }
                        }
                        break;
                    case "no_auth_user": noAuth = string(a); break;
                    case "jwt_cookie": cookie = string(a); break;
                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("unknown field \"" + a.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                errors.add(a.pos() + ": " + bad.getMessage());
            }
        }
        if (port == 0) {
            return; // nats-server: no port, no listener, and the other keys are not checked
        }
        websocket = new WebSocketOptions(host, port < 0 ? 0 : port, advertise, tls, noTls, sameOrigin, origins,
                compression, user, pass, token, authTimeout, noAuth, cookie, handshake);
    }

    /** nats-server's validateWebsocketOptions, after the users are known; messages name no position. */
    private void finishWebSocket() {
        WebSocketOptions w = websocket;
        if (w == null) {
            return;
        }
        if (w.tls() == null && !w.noTls()) {
            errors.add("websocket requires TLS configuration");
            return;
        }
        for (String o : w.allowedOrigins()) {
            try {
                new java.net.URI(o);
            } catch (java.net.URISyntaxException ex) {
                errors.add("unable to parse allowed origin: parse " + GoFormat.quote(o) + ": " + ex.getReason());
                return;
            }
        }
        boolean hasUsers = users != null || !accountUsers.isEmpty();
        if (w.noAuthUser() != null && !w.noAuthUser().isEmpty()) {
            if (!hasUsers) {
                errors.add("no_auth_user: " + GoFormat.quote(w.noAuthUser()) + " present, but users are not defined");
                return;
            }
            boolean found = (users != null && users.stream().anyMatch(u -> w.noAuthUser().equals(u.username())))
                    || accountUsers.stream().anyMatch(u -> w.noAuthUser().equals(u.username()));
            if (!found) {
                errors.add("no_auth_user: " + GoFormat.quote(w.noAuthUser())
                        + " not present as user in authorization block or account configuration");
                return;
            }
        }
        if (hasUsers && w.username() != null && !w.username().isEmpty()) {
            errors.add("websocket authentication username not compatible with presence of users/nkeys");
            return;
        }
        if (hasUsers && w.token() != null && !w.token().isEmpty()) {
            errors.add("websocket authentication token not compatible with presence of users/nkeys");
            return;
        }
        b.websocket(w); // jwt_cookie without operator mode: a start-up error (WebSocketOptions.problem), as nats-server
    }

    // ---- leafnodes ---------------------------------------------------------------------------------------

    /**
     * nats-server 2.9.10's leafnodes block: listen/host/port, advertise, no_advertise, reconnect (seconds, an
     * integer), authorization (user/password, users with account, account, timeout), tls, remotes. Keys of it
     * NATS Boot does not implement (compression, min_version...) are refused by name; unknown ones as Go does.
     */
    private void leafnodes(Entry e) throws Bad {
        if (!(e.value() instanceof ConfMap m)) {
            notYet(e, "leafnodes");
            return;
        }
        String host = null;
        int port = 0;
        boolean portSet = false;
        String advertise = null;
        boolean noAdvertise = false;
        TlsOptions tls = null;
        String user = null;
        String pass = null;
        Duration authTimeout = null;
        List<LeafNodeOptions.LeafUser> users = new ArrayList<>();
        String account = null;
        Duration reconnect = null;
        List<LeafNodeOptions.Remote> remotes = new ArrayList<>();
        for (Entry a : m.entries()) {
            String k = a.key().toLowerCase(Locale.ROOT);
            try {
                switch (k) {
                    case "listen": {
                        HostPort hp = hostPort(a);
                        host = hp.host != null ? hp.host : host;
                        port = hp.port;
                        portSet = true;
                        break;
                    }
                    case "host": case "net": host = string(a); break;
                    case "port": port = intValue(a); portSet = true; break;
                    case "advertise": advertise = string(a); break;
                    case "no_advertise": noAdvertise = bool(a); break;
                    case "reconnect": case "reconnect_delay": case "reconnect_interval":
                        if (!(a.value() instanceof Long secs)) {
                            throw conversion(a, "int64");
                        }
                        reconnect = Duration.ofSeconds(secs);
                        break;
                    case "tls": tls = tlsBlock(a, "leafnode tls"); break;
                    case "authorization": {
                        ConfMap auth = map(a);
                        boolean single = false;
                        for (Entry f : auth.entries()) {
                            switch (f.key().toLowerCase(Locale.ROOT)) {
                                case "user": case "username": user = string(f); single = true; break;
                                case "pass": case "password": pass = string(f); break;
                                case "timeout": authTimeout = seconds(f); break;
                                case "account": account = string(f); break;
                                case "users": users.addAll(leafUsers(f)); break;
                                default:
                                    if (!f.usedAsVariable()) {
                                        errors.add(f.pos() + ": unknown field \"" + f.key() + "\"");
                                    }
                            }
                        }
                        if (single && !users.isEmpty()) {
                            throw new Bad("can not have a single user/pass and a users array");
                        }
                        java.util.Set<String> seen = new java.util.HashSet<>();
                        for (LeafNodeOptions.LeafUser u : users) {
                            if (!seen.add(u.user())) {
                                throw new Bad("duplicate user " + GoFormat.quote(u.user())
                                        + " detected in leafnode authorization");
                            }
                        }
                        break;
                    }
                    case "remotes": remotes.addAll(leafRemotes(a)); break;
                    case "compression": case "min_version": case "tls_handshake_first":
                        throw new Bad("leafnodes " + k + " is not supported by NATS Boot yet");
                    default:
                        if (!a.usedAsVariable()) {
                            throw new Bad("unknown field \"" + a.key() + "\"");
                        }
                }
            } catch (Bad bad) {
                errors.add(a.pos() + ": " + bad.getMessage());
            }
        }
        b.leafnodes(new LeafNodeOptions(host, !portSet || port == 0 ? -1 : port < 0 ? 0 : port, advertise,
                noAdvertise, tls, user, pass, authTimeout, users, account, reconnect, remotes));
    }

    private List<LeafNodeOptions.LeafUser> leafUsers(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw conversion(e, "[]interface {}");
        }
        List<LeafNodeOptions.LeafUser> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Entry item) || !(item.value() instanceof ConfMap um)) {
                throw new Bad("interface conversion: interface {} is " + goType(o instanceof Entry i ? i.value() : o)
                        + ", not map[string]interface {}");
            }
            String user = null;
            String pass = null;
            String account = null;
            for (Entry f : um.entries()) {
                switch (f.key().toLowerCase(Locale.ROOT)) {
                    case "user": case "username": user = string(f); break;
                    case "pass": case "password": pass = string(f); break;
                    case "account": account = string(f); break;
                    default:
                        if (!f.usedAsVariable()) {
                            throw new Bad("unknown field \"" + f.key() + "\"");
                        }
                }
            }
            out.add(new LeafNodeOptions.LeafUser(user == null ? "" : user, pass, account));
        }
        return out;
    }

    private List<LeafNodeOptions.Remote> leafRemotes(Entry e) throws Bad {
        if (!(e.value() instanceof List<?> list)) {
            throw conversion(e, "[]interface {}");
        }
        List<LeafNodeOptions.Remote> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Entry item) || !(item.value() instanceof ConfMap rm)) {
                throw new Bad("interface conversion: interface {} is " + goType(o instanceof Entry i ? i.value() : o)
                        + ", not map[string]interface {}");
            }
            List<java.net.URI> urls = new ArrayList<>();
            String creds = null;
            String account = null;
            TlsOptions tls = null;
            boolean hub = false;
            List<String> denyImports = List.of();
            List<String> denyExports = List.of();
            for (Entry f : rm.entries()) {
                String k = f.key().toLowerCase(Locale.ROOT);
                try {
                    switch (k) {
                        case "url": case "urls":
                            for (String u : stringList(f)) {
                                urls.add(leafUrl(u));
                            }
                            break;
                        case "credentials": case "creds": creds = string(f); break;
                        case "account": case "local": account = string(f); break;
                        case "tls": tls = tlsBlock(f, "leafnode remote tls"); break;
                        case "hub": hub = bool(f); break;
                        case "deny_imports": case "deny_import": denyImports = stringList(f); break;
                        case "deny_exports": case "deny_export": denyExports = stringList(f); break;
                        case "no_randomize": case "dont_randomize": bool(f); break;
                        case "ws_compression": case "websocket_compression": case "ws_no_masking":
                        case "websocket_no_masking": case "compression": case "first_info_timeout":
                        case "jetstream_cluster_migrate": case "tls_handshake_first":
                            throw new Bad("leafnode remote " + k + " is not supported by NATS Boot yet");
                        default:
                            if (!f.usedAsVariable()) {
                                throw new Bad("unknown field \"" + f.key() + "\"");
                            }
                    }
                } catch (Bad bad) {
                    errors.add(f.pos() + ": " + bad.getMessage());
                }
            }
            LeafNodeOptions.Remote r = new LeafNodeOptions.Remote(urls, creds, account, tls, hub, denyImports,
                    denyExports);
            out.add(r);
        }
        return out;
    }

    /** A remote's URL as Go's url.Parse takes it; a bad one is nats-server's parse error. */
    private static java.net.URI leafUrl(String u) throws Bad {
        try {
            java.net.URI uri = new java.net.URI(u.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new java.net.URISyntaxException(u, "no host");
            }
            return uri;
        } catch (java.net.URISyntaxException ex) {
            throw new Bad("error parsing leafnode url [" + GoFormat.quote(u) + "]");
        }
    }
}
