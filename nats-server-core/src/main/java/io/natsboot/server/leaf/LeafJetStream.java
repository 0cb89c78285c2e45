package io.natsboot.server.leaf;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.jetstream.JetStreamDomains;
import java.util.Map;

/**
 * JetStream across one leaf connection, as nats-server 2.9.10 sets it up when the connection registers
 * (addLeafNodeConnection): the plain API ({@code $JS.API.>}, {@code $KV.>}, {@code $OBJ.>}) stays on each side
 * (see {@link LeafNodes#jetStreamDenied}); with a domain, the account gets the domain's mappings
 * ({@link JetStreamDomains}), whose sources go to the remote as interest, so the remote's clients reach our
 * JetStream as {@code $JS.<domain>.API}; when the two sides' domains differ, our own domain's API never leaves
 * through this connection (a guard against a hub and a leaf with the same domain name).
 */
final class LeafJetStream {
    private LeafJetStream() {
    }

    static boolean enabled(ServerContext server) {
        return server.options().jetstream() != null && server.options().jetstream().enabled();
    }

    /** Our JetStream domain, "" without one. */
    static String domain(ServerContext server) {
        String d = server.options().jetstream() == null ? null : server.options().jetstream().domain();
        return d == null ? "" : d;
    }

    /**
     * The connection of {@code c}, bound to its account, is about to register; {@code remoteDomain} is the domain
     * the remote announced (its INFO or CONNECT), "" without one. Logs what nats-server logs, adds the domain
     * mappings, and returns the subject prefix that must not leave through the connection (null: none).
     */
    static String connected(LeafConnection c, String remoteDomain) {
        ServerContext server = c.server();
        Account acc = c.account();
        Account system = server.systemAccount();
        String ours = domain(server);
        String remote = remoteDomain == null ? "" : remoteDomain;
        boolean js = enabled(server);
        boolean notExtended = !ours.equals(remote) || (!js && ours.isEmpty()) || system == null || acc == null;
        String accName = acc == null ? "" : acc.name();
        if (acc != null && acc != system && "".equals(server.options().jsAccDefaultDomain().get(accName))) {
            // default_js_domain maps the account to the empty domain: the plain API crosses (old setups)
            c.logInfo("Skipping deny \"$JS.API.>\" for account \"" + accName + "\" due to default domain");
            c.jetStreamDeny(false);
            return null;
        }
        if (acc != null && acc == system) {
            // The system account: nats-server extends JetStream only with the same domain (not supported here).
            c.logInfo("JetStream Not Extended, adding deny [$JS.API.> $KV.> $OBJ.>] for account \"" + accName + "\"");
            return null;
        }
        if (notExtended) {
            c.logInfo("JetStream Not Extended, adding deny [$JS.API.> $KV.> $OBJ.>] for account \"" + accName + "\"");
        } else {
            c.logInfo("Adding deny [$JS.API.> $KV.> $OBJ.>] for account \"" + accName + "\"");
        }
        if (ours.isEmpty() || !js || acc == null) {
            return null;
        }
        for (Map.Entry<String, String> m : JetStreamDomains.table(ours).entrySet()) {
            if (JetStreamDomains.addMapping(acc, m.getKey(), m.getValue())) {
                c.logInfo("Adding JetStream Domain Mapping \"" + m.getKey() + "\" -> " + m.getValue()
                        + " to account \"" + accName + "\"");
            }
        }
        if (!notExtended) {
            return null;
        }
        String deny = JetStreamDomains.apiPrefix(ours) + ".>";
        c.logInfo("Adding deny \"" + deny + "\" for outgoing messages to account \"" + accName + "\"");
        return JetStreamDomains.apiPrefix(ours) + ".";
    }
}
