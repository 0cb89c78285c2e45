package io.natsboot.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The gateway (supercluster) part of the options: nats-server's {@code gateway {}} block.
 *
 * @param name           this cluster's gateway name (the cluster name too)
 * @param host           the gateway listen host
 * @param port           the gateway listen port; 0 = a random port ({@code -1} in the file)
 * @param advertise      {@code host:port} other clusters should dial instead of the listen address; null = none
 * @param remotes        the configured (explicit) remote gateways
 * @param user           authorization user remote gateways must send in CONNECT; null = none
 * @param password       authorization password
 * @param authTimeout    how long an accepted gateway has to send CONNECT when authorization is set
 * @param tls            gateway TLS (both directions); null = plain TCP
 * @param connectRetries dial attempts after the first for implicit (gossiped) gateways
 * @param rejectUnknown  {@code reject_unknown_cluster}: refuse gateways that are not configured
 */
public record GatewayOptions(String name, String host, int port, String advertise, List<Remote> remotes,
                             String user, String password, Duration authTimeout, TlsOptions tls,
                             int connectRetries, boolean rejectUnknown) {

    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(2);

    /** One entry of {@code gateways: [...]}: a remote cluster by name and its URLs. */
    public record Remote(String name, List<URI> urls, TlsOptions tls) {
        public Remote {
            urls = List.copyOf(urls);
        }
    }

    public GatewayOptions {
        remotes = List.copyOf(remotes);
        authTimeout = authTimeout == null ? DEFAULT_AUTH_TIMEOUT : authTimeout;
    }

    public boolean authRequired() {
        return user != null && !user.isEmpty();
    }

    /**
     * nats-server's start-up check of the block (validateGatewayOptions): the first problem as its text, or null.
     * {@code port} is the configured value before a random one is chosen ({@code -1}), 0 when none was given.
     */
    static String validate(String name, int configuredPort, List<Remote> remotes) {
        if ((name == null || name.isEmpty()) && configuredPort == 0) {
            return null;
        }
        if (name == null || name.isEmpty()) {
            return "gateway has no name";
        }
        if (configuredPort == 0) {
            return "gateway \"" + name + "\" has no port specified (select -1 for random port)";
        }
        for (int i = 0; i < remotes.size(); i++) {
            Remote r = remotes.get(i);
            if (r.name() == null || r.name().isEmpty()) {
                return "gateway in the list " + i + " has no name";
            }
            if (r.urls().isEmpty()) {
                return "gateway \"" + r.name() + "\" has no URL";
            }
        }
        return null;
    }
}
