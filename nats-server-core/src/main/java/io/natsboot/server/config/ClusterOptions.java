package io.natsboot.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The cluster (route) part of the options: nats-server's {@code cluster {}} block and the
 * {@code --cluster}, {@code --routes}, {@code --cluster_name} ... flags.
 *
 * @param name           the cluster name; null = generated at start (a "dynamic" name)
 * @param host           the route listen host
 * @param port           the route listen port; 0 = a random port
 * @param advertise      {@code host:port} peers should dial instead of the listen address; null = none
 * @param routes         configured (explicit) routes, {@code nats://[user:pass@]host:port}
 * @param user           route authorization user (peers must send it in CONNECT); null = none
 * @param password       route authorization password
 * @param authTimeout    how long an accepted route has to send CONNECT when authorization is set
 * @param noAdvertise    do not tell clients about the other servers' client URLs
 * @param connectRetries dial attempts after the first for implicit (gossiped) routes
 * @param tls            route TLS ({@code cluster.tls}); always mutual, as nats-server; null = plain TCP
 * @param permissions    cluster {@code permissions}: import as the publish side (what we ask routes for),
 *                       export as the subscribe side (what routes may ask us for); null = everything
 */
public record ClusterOptions(String name, String host, int port, String advertise, List<URI> routes,
                             String user, String password, Duration authTimeout, boolean noAdvertise,
                             int connectRetries, TlsOptions tls,
                             io.natsboot.server.auth.Permissions permissions) {

    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(2);

    public ClusterOptions {
        routes = List.copyOf(routes);
        authTimeout = authTimeout == null ? DEFAULT_AUTH_TIMEOUT : authTimeout;
    }

    public boolean authRequired() {
        return user != null && !user.isEmpty();
    }
}
