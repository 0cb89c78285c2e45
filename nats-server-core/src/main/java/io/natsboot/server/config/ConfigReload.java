package io.natsboot.server.config;

import io.natsboot.server.goformat.GoFormat;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a configuration reload changes, in nats-server 2.9.10's terms (observed with the binary).
 *
 * <p>Options are compared in the order of nats-server's Options struct. The first one that cannot change at
 * run time refuses the whole reload with {@code config reload not supported for <Field>: old=<v>, new=<v>},
 * and nothing is applied. Otherwise every change is one {@code Reloaded: ...} line, and nats-server always
 * adds {@code Reloaded: authorization users} and {@code Reloaded: accounts} (it rebuilds both on every
 * reload).
 */
public final class ConfigReload {

    /** A reload that must not happen; the message is nats-server's. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The changes to apply: the log lines (without level) in order, and which parts changed. */
    public record Plan(List<String> lines, boolean authChanged, boolean logChanged, boolean pidFileChanged,
                       boolean portsFileDirChanged) {
    }

    private ConfigReload() {
    }

    /**
     * Compares the running options with the reloaded ones. {@code boundPort} is the client port in use (for
     * the message when a random port was configured).
     */
    public static Plan diff(ServerOptions old, ServerOptions next, int boundPort) throws Refused {
        refuse("ServerName", nz(old.serverName()), nz(next.serverName()));
        refuse("Host", old.host(), next.host());
        if (old.port() != next.port()) {
            throw refused("Port", old.port() == 0 ? boundPort : old.port(), next.port());
        }
        List<String> lines = new ArrayList<>();
        if (!Objects.equals(nz(old.clientAdvertise()), nz(next.clientAdvertise()))) {
            lines.add("Reload: client_advertise = " + nz(next.clientAdvertise())); // sic, nats-server's text
        }
        if (old.trace() != next.trace()) {
            lines.add("Reloaded: trace = " + next.trace());
        }
        if (old.debug() != next.debug()) {
            lines.add("Reloaded: debug = " + next.debug());
        }
        refuse("NoHeaderSupport", old.noHeaderSupport(), next.noHeaderSupport());
        refuse("AllowNonTLS", old.allowNonTls(), next.allowNonTls());
        if (old.logTime() != next.logTime()) {
            lines.add("Reloaded: logtime = " + next.logTime());
        }
        if (old.maxConnections() != next.maxConnections()) {
            lines.add("Reloaded: max_connections = " + next.maxConnections());
        }
        refuse("MaxSubs", old.maxSubscriptions(), next.maxSubscriptions());
        // NATS Boot builds the TLS context at start: a changed tls block is refused rather than ignored.
        refuse("TLSConfig", old.tls(), next.tls());
        // nats-server restarts its OCSP monitors with the new mode; here they and the stapling contexts are built
        // at start (as the TLS contexts): a changed ocsp setting is refused rather than ignored.
        refuse("OCSPConfig", old.ocsp(), next.ocsp());
        lines.add("Reloaded: authorization users");
        lines.add("Reloaded: accounts");
        boolean auth = false;
        if (!Objects.equals(old.username(), next.username())) {
            lines.add("Reloaded: authorization username");
            auth = true;
        }
        if (!Objects.equals(old.password(), next.password())) {
            lines.add("Reloaded: authorization password");
            auth = true;
        }
        if (!Objects.equals(old.authToken(), next.authToken())) {
            lines.add("Reloaded: authorization token");
            auth = true;
        }
        if (!Objects.equals(old.users(), next.users()) || !Objects.equals(old.noAuthUser(), next.noAuthUser())) {
            auth = true; // users and permissions are re-checked on every connected client
        }
        if (!old.pingInterval().equals(next.pingInterval())) {
            lines.add("Reloaded: ping_interval = " + GoFormat.duration(next.pingInterval()));
        }
        if (old.pingMax() != next.pingMax()) {
            lines.add("Reloaded: ping_max = " + next.pingMax());
        }
        refuse("HTTPHost", nz(old.httpHost()), nz(next.httpHost()));
        refuse("HTTPPort", old.httpPort(), next.httpPort());
        refuse("HTTPSPort", old.httpsPort(), next.httpsPort());
        if (!old.authTimeout().equals(next.authTimeout())) {
            lines.add("Reloaded: authorization timeout = " + goFloatSeconds(next.authTimeout()));
        }
        if (old.maxControlLine() != next.maxControlLine()) {
            lines.add("Reloaded: max_control_line = " + next.maxControlLine());
        }
        if (old.maxPayload() != next.maxPayload()) {
            lines.add("Reloaded: max_payload = " + next.maxPayload());
        }
        if (old.maxPending() != next.maxPending()) {
            throw refused("MaxPending", old.maxPending(), next.maxPending());
        }
        boolean pid = !Objects.equals(nz(old.pidFile()), nz(next.pidFile()));
        if (pid) {
            lines.add("Reloaded: pid_file = " + nz(next.pidFile()));
        }
        boolean ports = !Objects.equals(nz(old.portsFileDir()), nz(next.portsFileDir()));
        if (ports) {
            lines.add("Reloaded: ports_file_dir = " + nz(next.portsFileDir()));
        }
        boolean logFile = !Objects.equals(nz(old.logFile()), nz(next.logFile()));
        if (logFile) {
            lines.add("Reloaded: log_file = " + nz(next.logFile()));
        }
        if (old.logSizeLimit() != next.logSizeLimit()) {
            throw refused("LogSizeLimit", old.logSizeLimit(), next.logSizeLimit());
        }
        boolean syslog = old.syslog() != next.syslog();
        if (syslog) {
            lines.add("Reloaded: syslog = " + next.syslog());
        }
        boolean remoteSyslog = !Objects.equals(nz(old.remoteSyslog()), nz(next.remoteSyslog()));
        if (remoteSyslog) {
            lines.add("Reloaded: remote_syslog = " + nz(next.remoteSyslog()));
        }
        if (!old.writeDeadline().equals(next.writeDeadline())) {
            lines.add("Reloaded: write_deadline = " + GoFormat.duration(next.writeDeadline()));
        }
        if (!old.lameDuckDuration().equals(next.lameDuckDuration())) {
            throw refused("LameDuckDuration", GoFormat.duration(old.lameDuckDuration()),
                    GoFormat.duration(next.lameDuckDuration()));
        }
        if (!old.lameDuckGracePeriod().equals(next.lameDuckGracePeriod())) {
            throw refused("LameDuckGracePeriod", GoFormat.duration(old.lameDuckGracePeriod()),
                    GoFormat.duration(next.lameDuckGracePeriod()));
        }
        // Accounts and routes are wired at start in NATS Boot (nats-server reloads some of it): refuse, naming them.
        refuse("Accounts", accountNames(old), accountNames(next));
        if (!old.accounts().equals(next.accounts())) {
            throw new Refused("config reload not supported for Accounts: imports, exports or account users changed");
        }
        // Accounts' JetStream (enabled, limits) is applied on reload, as nats-server 2.9.10 does.
        JetStreamOptions oj = old.jetstream();
        JetStreamOptions nj = next.jetstream();
        if (oj != null && nj != null && (!oj.accounts().equals(nj.accounts())
                || !oj.accountLimits().equals(nj.accountLimits()))) {
            lines.add("Reloaded: accounts");
        }
        if (old.trust() != null || next.trust() != null) {
            operatorMode(old, next, lines);
        } else {
            // The system account is wired at start, in nats-server too (same texts).
            refuse("SystemAccount", nz(old.systemAccountName()), nz(next.systemAccountName()));
        }
        refuse("NoSystemAccount", old.noSystemAccount(), next.noSystemAccount());
        // By value (Permissions compares by identity; its text is its content).
        refuse("Cluster", old.cluster() == null ? null : old.cluster().toString(),
                next.cluster() == null ? null : next.cluster().toString());
        // nats-server 2.9.10 refuses any change of the websocket block
        refuse("Websocket", goText(old.websocket()), goText(next.websocket()));
        // and of the gateway block
        refuse("Gateway", goText(old.gateway()), goText(next.gateway()));
        // and any change of the leafnodes block
        refuse("LeafNode", LeafNodeOptions.goText(old.leafnodes()), LeafNodeOptions.goText(next.leafnodes()));
        if (old.maxTracedMsgLen() != next.maxTracedMsgLen()) {
            lines.add("Reloaded: max_traced_msg_len = " + next.maxTracedMsgLen());
        }
        // nats-server 2.9.10 (probed): these four are refused, the next three reloaded
        refuse("MaxSubTokens", old.maxSubTokens(), next.maxSubTokens());
        refuse("HTTPBasePath", old.httpBasePath(), next.httpBasePath());
        refuse("NoSublistCache", old.disableSublistCache(), next.disableSublistCache());
        refuse("ProfPort", old.profPort(), next.profPort());
        if (!old.serverTags().equals(next.serverTags())) {
            lines.add("Reloaded: tags");
        }
        if (old.connectErrorReports() != next.connectErrorReports()) {
            lines.add("Reloaded: connect_error_reports = " + next.connectErrorReports());
        }
        if (old.reconnectErrorReports() != next.reconnectErrorReports()) {
            lines.add("Reloaded: reconnect_error_reports = " + next.reconnectErrorReports());
        }
        if (next.maxPayload() > next.maxPending()) {
            throw new Refused("max_payload (" + next.maxPayload() + ") cannot be higher than max_pending ("
                    + next.maxPending() + ")");
        }
        return new Plan(List.copyOf(lines), auth,
                logFile || syslog || remoteSyslog || old.logTime() != next.logTime(), pid, ports);
    }

    /** The websocket block as Go prints nats-server's WebsocketOpts struct with %v (TLS only as present). */
    public static String goText(WebSocketOptions w) {
        if (w == null) {
            return "{ 0       0 false <nil> false map[] false [] false 0s}";
        }
        double auth = w.authTimeout() == null ? 0 : w.authTimeout().toNanos() / 1e9;
        String authText = auth == Math.rint(auth) ? String.valueOf((long) auth) : String.valueOf(auth);
        return "{" + w.host() + " " + w.port() + " " + nz(w.advertise()) + " " + nz(w.noAuthUser()) + " "
                + nz(w.jwtCookie()) + " " + nz(w.username()) + " " + nz(w.password()) + " " + nz(w.token()) + " "
                + authText + " " + w.noTls() + " " + (w.tls() == null ? "<nil>" : "&{...}") + " "
                + (w.tls() != null && w.tls().map()) + " " + goPinnedCerts(w.tls()) + " " + w.sameOrigin() + " ["
                + String.join(" ", w.allowedOrigins()) + "] " + w.compression() + " "
                + (w.handshakeTimeout().isZero() ? "0s" : GoFormat.duration(w.handshakeTimeout())) + "}";
    }

    /**
     * A PinnedCertSet (a Go map of hash to empty struct) as %v prints it: {@code map[<hash>:{} ...]}, keys sorted.
     * In the websocket text it makes a changed {@code pinned_certs} a refused reload, as in 2.9.10 (probed: the
     * reload fails and connected websocket clients stay; nothing is re-checked).
     */
    private static String goPinnedCerts(TlsOptions tls) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(tls == null ? List.of() : tls.pinnedCerts());
        StringBuilder b = new StringBuilder("map[");
        for (String k : keys) {
            if (b.length() > 4) {
                b.append(' ');
            }
            b.append(k).append(":{}");
        }
        return b.append(']').toString();
    }

    /**
     * The gateway block as Go prints nats-server's GatewayOpts struct with %v (remote gateways by name, where Go
     * prints their pointers).
     */
    public static String goText(GatewayOptions g) {
        if (g == null) {
            return "{ 0   0 <nil> 0 false false map[]  0 [] false <nil> 0 <nil>}";
        }
        double auth = g.authTimeout() == null ? 0 : g.authTimeout().toNanos() / 1e9;
        String authText = auth == Math.rint(auth) ? String.valueOf((long) auth) : String.valueOf(auth);
        double tls = g.tls() == null ? 2 : g.tls().timeout().toNanos() / 1e9;
        String tlsText = tls == Math.rint(tls) ? String.valueOf((long) tls) : String.valueOf(tls);
        List<String> remotes = g.remotes().stream().map(r -> "&{" + r.name() + " " + r.urls() + "}").toList();
        return "{" + g.name() + " " + g.host() + " " + g.port() + " " + nz(g.user()) + " " + nz(g.password()) + " "
                + authText + " " + (g.tls() == null ? "<nil>" : "&{...}") + " " + tlsText + " "
                + (g.tls() != null && g.tls().map()) + " false map[] " + nz(g.advertise()) + " " + g.connectRetries()
                + " [" + String.join(" ", remotes) + "] " + g.rejectUnknown() + " <nil> 0 <nil>}";
    }

    private static List<String> accountNames(ServerOptions o) {
        return o.accounts().stream().map(AccountOptions::name).toList();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * Operator mode, as nats-server 2.9.10 reloads it (observed with the binary): the system account as
     * configured ({@code system_account}, else the operator JWT's; "" when none), the operators (their claims
     * printed as the jwt library's JSON) and the trusted keys cannot change; the resolver's settings, preloads
     * and pinned accounts can, silently (the preloads and pinned accounts apply, the running resolver stays).
     * With a system account nats-server says {@code Reloaded: accounts} once more.
     */
    private static void operatorMode(ServerOptions old, ServerOptions next, List<String> lines) throws Refused {
        refuse("SystemAccount", configuredSystemAccount(old), configuredSystemAccount(next));
        List<String> oldOps = operatorTokens(old);
        List<String> newOps = operatorTokens(next);
        if (!oldOps.equals(newOps)) {
            throw refused("TrustedOperators", io.natsboot.server.auth.jwt.ClaimsJson.operatorsText(oldOps),
                    io.natsboot.server.auth.jwt.ClaimsJson.operatorsText(newOps));
        }
        List<String> oldKeys = trustedKeys(old);
        List<String> newKeys = trustedKeys(next);
        if (!oldKeys.equals(newKeys)) {
            throw refused("TrustedKeys", "[" + String.join(" ", oldKeys) + "]", "[" + String.join(" ", newKeys) + "]");
        }
        if (!configuredSystemAccount(next).isEmpty()) {
            lines.add("Reloaded: accounts");
        }
    }

    private static String configuredSystemAccount(ServerOptions o) {
        if (o.systemAccount() != null && !o.systemAccount().isEmpty()) {
            return o.systemAccount();
        }
        return o.trust() != null && o.trust().systemAccount() != null ? o.trust().systemAccount() : "";
    }

    private static List<String> operatorTokens(ServerOptions o) {
        List<String> out = new ArrayList<>();
        if (o.trust() != null) {
            for (io.natsboot.server.auth.jwt.OperatorClaims op : o.trust().operators()) {
                out.add(op.jwt().token());
            }
        }
        return out;
    }

    private static List<String> trustedKeys(ServerOptions o) {
        List<String> keys = new ArrayList<>(o.trust() == null ? List.of() : o.trust().trustedKeys());
        keys.sort(null);
        return keys;
    }

    private static void refuse(String field, Object old, Object next) throws Refused {
        if (!Objects.equals(old, next)) {
            throw refused(field, old, next);
        }
    }

    private static Refused refused(String field, Object old, Object next) {
        return new Refused("config reload not supported for " + field + ": old=" + old + ", new=" + next);
    }


    /** A float64 of seconds as Go's %v prints it: 2, 1.5. */
    static String goFloatSeconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
        s = s.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    }
}
