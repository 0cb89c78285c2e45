package io.natsboot.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * nats-server 2.9's {@code leafnodes {}} block: a listener accepting leaf connections (this server is their hub)
 * and remotes this server dials (it is their leaf, the spoke). See docs/clustering.md, "Leaf nodes".
 *
 * @param host        listen host ("" = {@code 0.0.0.0})
 * @param port        listen port; -1 = no listener (only remotes), 0 = random (the file's -1)
 * @param advertise   {@code host:port} put in the leaf INFO instead of the listen address; null = none
 * @param noAdvertise {@code no_advertise}: this server's leaf URL is not gossiped to leafs
 * @param tls         the listener's TLS; null = none
 * @param username    {@code authorization.user}: the one user leafs must present
 * @param password    {@code authorization.password}
 * @param authTimeout {@code authorization.timeout}
 * @param users       {@code authorization.users}: user, password and the account the leaf is bound to
 * @param account     {@code authorization.account}: the account of leafs with the single user or none
 * @param reconnect   {@code reconnect}: the wait between dials of a remote (nats-server: 1 s)
 * @param remotes     the remotes dialled
 */
public record LeafNodeOptions(String host, int port, String advertise, boolean noAdvertise, TlsOptions tls,
                              String username, String password, Duration authTimeout, List<LeafUser> users,
                              String account, Duration reconnect, List<Remote> remotes) {

    /** nats-server's default wait between two dials of a remote. */
    public static final Duration DEFAULT_RECONNECT = Duration.ofSeconds(1);

    public LeafNodeOptions {
        host = host == null || host.isEmpty() ? ServerOptions.DEFAULT_HOST : host;
        users = users == null ? List.of() : List.copyOf(users);
        remotes = remotes == null ? List.of() : List.copyOf(remotes);
        reconnect = reconnect == null || reconnect.isZero() ? DEFAULT_RECONNECT : reconnect;
        authTimeout = authTimeout == null || authTimeout.isZero() ? Duration.ofSeconds(2) : authTimeout;
    }

    /** True when this server accepts leaf connections. */
    public boolean listening() {
        return port >= 0;
    }

    /** A listener on {@code host:port} (0 = random) without authorization, and no remotes. */
    public static LeafNodeOptions listen(String host, int port) {
        return new LeafNodeOptions(host, port, null, false, null, null, null, null, List.of(), null, null, List.of());
    }

    /** Remotes only, no listener. */
    public static LeafNodeOptions remotes(List<Remote> remotes) {
        return new LeafNodeOptions(null, -1, null, false, null, null, null, null, List.of(), null, null, remotes);
    }

    /** This copy with {@code remotes} instead. */
    public LeafNodeOptions withRemotes(List<Remote> r) {
        return new LeafNodeOptions(host, port, advertise, noAdvertise, tls, username, password, authTimeout, users,
                account, reconnect, r);
    }

    /** This copy with the single user instead. */
    public LeafNodeOptions withUser(String user, String pass) {
        return new LeafNodeOptions(host, port, advertise, noAdvertise, tls, user, pass, authTimeout, users, account,
                reconnect, remotes);
    }

    /** This copy with a users list instead. */
    public LeafNodeOptions withUsers(List<LeafUser> u) {
        return new LeafNodeOptions(host, port, advertise, noAdvertise, tls, username, password, authTimeout, u,
                account, reconnect, remotes);
    }

    /** This copy with another reconnect wait. */
    public LeafNodeOptions withReconnect(Duration d) {
        return new LeafNodeOptions(host, port, advertise, noAdvertise, tls, username, password, authTimeout, users,
                account, d, remotes);
    }

    /** True when an accepted leaf must present a user. */
    public boolean authRequired() {
        return (username != null && !username.isEmpty()) || !users.isEmpty();
    }

    /**
     * nats-server's validateLeafNode checks made when the server starts ({@code -t} passes them): accounts named
     * by the block must exist (outside operator mode), remotes may not mix WebSocket and TCP URLs. Null when fine.
     */
    public String problem(ServerOptions o) {
        for (Remote r : remotes) {
            boolean ws = r.webSocket();
            for (URI u : r.urls()) {
                String s = u.getScheme();
                if (ws != (s != null && (s.equalsIgnoreCase("ws") || s.equalsIgnoreCase("wss")))) {
                    StringBuilder q = new StringBuilder("[");
                    for (int i = 0; i < r.urls().size(); i++) {
                        q.append(i == 0 ? "" : " ").append(io.natsboot.server.goformat.GoFormat.quote(r.urls().get(i).toString()));
                    }
                    return "remote leaf node configuration cannot have a mix of websocket and non-websocket urls: "
                            + q.append(']');
                }
            }
        }
        if (o.trust() != null) {
            return null;
        }
        java.util.Set<String> known = new java.util.HashSet<>();
        o.accounts().forEach(a -> known.add(a.name()));
        known.add("$G");
        known.add("");
        if ((o.systemAccount() == null || o.systemAccount().isEmpty()) && !o.noSystemAccount()) {
            known.add(ServerOptions.DEFAULT_SYSTEM_ACCOUNT);
        }
        if (account != null && !known.contains(account)) {
            return "cannot find local account \"" + account + "\" specified in leafnode authorization";
        }
        for (LeafUser u : users) {
            if (u.account() != null && !known.contains(u.account())) {
                return "cannot find local account \"" + u.account() + "\" specified in leafnode authorization";
            }
        }
        for (Remote r : remotes) {
            if (!known.contains(r.account())) {
                return "cannot find local account \"" + r.account() + "\" specified in leafnode remote";
            }
        }
        return null;
    }

    /**
     * The block as Go prints nats-server's LeafNodeOpts with %v, for the reload refusal (2.9.10 refuses any
     * change of it); {@code null} is the zero struct. Users and remotes are pointers in Go: shown as their count.
     */
    public static String goText(LeafNodeOptions l) {
        if (l == null) {
            return "{ 0    [] 0 <nil> 0 false map[]  false 1s []  <nil> 0 0 <nil>}";
        }
        double auth = l.authTimeout().toNanos() / 1e9;
        String authText = auth == Math.rint(auth) ? String.valueOf((long) auth) : String.valueOf(auth);
        long tlsTimeout = l.tls() == null ? 2 : l.tls().timeout().toSeconds();
        return "{" + l.host() + " " + Math.max(l.port(), 0) + " " + nz(l.username()) + " " + nz(l.password()) + " "
                + nz(l.account()) + " " + pointers(l.users().size()) + " " + authText + " "
                + (l.tls() == null ? "<nil>" : "&{...}") + " " + tlsTimeout + " " + (l.tls() != null && l.tls().map())
                + " map[] " + nz(l.advertise()) + " " + l.noAdvertise() + " "
                + io.natsboot.server.goformat.GoFormat.duration(l.reconnect()) + " " + pointers(l.remotes().size())
                + "  <nil> 0 0 <nil>}";
    }

    private static String pointers(int n) {
        return n == 0 ? "[]" : "[" + String.join(" ", java.util.Collections.nCopies(n, "0x...")) + "]";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** One entry of {@code authorization.users}; account null = the global account. */
    public record LeafUser(String user, String password, String account) {
    }

    /**
     * One remote: its URLs ({@code nats-leaf://}, {@code nats://}, {@code tls://}, {@code ws://}, {@code wss://};
     * user info in a URL is the user to present), a {@code .creds} file (user JWT and seed), the local account the
     * connection is bound to ({@code $G} when null), TLS.
     */
    public record Remote(List<URI> urls, String credentials, String account, TlsOptions tls, boolean hub,
                         List<String> denyImports, List<String> denyExports) {
        public Remote {
            urls = List.copyOf(urls);
            account = account == null || account.isEmpty() ? "$G" : account;
            denyImports = denyImports == null ? List.of() : List.copyOf(denyImports);
            denyExports = denyExports == null ? List.of() : List.copyOf(denyExports);
        }

        /** A remote at {@code url} bound to {@code account} (null = $G). */
        public static Remote of(URI url, String account) {
            return new Remote(List.of(url), null, account, null, false, null, null);
        }

        /** This copy presenting the {@code .creds} file. */
        public Remote withCredentials(String file) {
            return new Remote(urls, file, account, tls, hub, denyImports, denyExports);
        }

        /** True when the URLs are WebSocket ones ({@code ws://}, {@code wss://}). */
        public boolean webSocket() {
            String s = urls.isEmpty() ? null : urls.get(0).getScheme();
            return s != null && (s.equalsIgnoreCase("ws") || s.equalsIgnoreCase("wss"));
        }
    }
}
