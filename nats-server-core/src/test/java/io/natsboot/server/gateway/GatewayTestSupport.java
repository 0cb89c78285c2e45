package io.natsboot.server.gateway;

import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.Waits;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Our nodes with a gateway block, and waiting for gateway connections. */
final class GatewayTestSupport {
    private GatewayTestSupport() {
    }

    /** Our node of gateway {@code gateway} on {@code gatewayPort}, dialling {@code remotes} ("NAME=url[,url]"). */
    static RunningServer node(String serverName, String gateway, int gatewayPort, String... remotes) {
        return node(serverName, gateway, gatewayPort, null, remotes);
    }

    /** As {@link #node}, in a cluster listening on {@code clusterPort} with {@code routes} when not null. */
    static RunningServer node(String serverName, String gateway, int gatewayPort, int[] cluster, String... remotes) {
        List<GatewayOptions.Remote> rs = new ArrayList<>();
        for (String r : remotes) {
            int eq = r.indexOf('=');
            List<URI> urls = new ArrayList<>();
            for (String u : r.substring(eq + 1).split(",")) {
                urls.add(URI.create(u));
            }
            rs.add(new GatewayOptions.Remote(r.substring(0, eq), urls, null));
        }
        GatewayOptions g = new GatewayOptions(gateway, "127.0.0.1", gatewayPort, null, rs, null, null, null, null,
                0, false);
        return RunningServer.start(b -> {
            b.serverName(serverName).gateway(g, gatewayPort == 0 ? -1 : gatewayPort);
            if (cluster != null) {
                b.clusterListen("127.0.0.1:" + cluster[0]).clusterName(gateway);
                List<String> routes = new ArrayList<>();
                for (int i = 1; i < cluster.length; i++) {
                    routes.add("nats://127.0.0.1:" + cluster[i]);
                }
                b.routes(routes);
            }
            return b;
        });
    }

    /** A free port below the ephemeral range, never the same twice (support/Ports.free). */
    static int port() {
        try {
            return io.natsboot.server.support.Ports.free();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Gateways gateways(RunningServer s) {
        return s.server().gateways();
    }

    static String gatewayUrl(RunningServer s) {
        return "nats://127.0.0.1:" + gateways(s).port();
    }

    static void await(String what, BooleanSupplier condition) {
        Waits.upTo(what, Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    /**
     * Our node has a registered outbound connection to each named cluster (every node dials every remote cluster;
     * which node of ours a remote node dials is its choice, so inbound ones are checked by {@link #awaitInbound}).
     */
    static void awaitConnected(RunningServer s, String... clusters) {
        for (String c : clusters) {
            await(s.server().context().serverName() + " outbound to " + c,
                    () -> gateways(s).outboundViews().containsKey(c));
        }
    }

    /** Our node has an inbound connection from each named cluster. */
    static void awaitInbound(RunningServer s, String... clusters) {
        for (String c : clusters) {
            await(s.server().context().serverName() + " inbound from " + c,
                    () -> gateways(s).inboundViews().containsKey(c));
        }
    }

    /** A nats-server node's /gatewayz lists an outbound connection to each named cluster. */
    static void awaitConnected(GoGatewayNode n, String... clusters) {
        awaitGatewayz(n, "outbound_gateways", "inbound_gateways", clusters);
    }

    /** A nats-server node's /gatewayz lists an inbound connection from each named cluster. */
    static void awaitInbound(GoGatewayNode n, String... clusters) {
        awaitGatewayz(n, "inbound_gateways", null, clusters);
    }

    private static void awaitGatewayz(GoGatewayNode n, String section, String next, String... clusters) {
        try {
            awaitGatewayzOrFail(n, section, next, clusters);
        } catch (RuntimeException e) {
            String log;
            try {
                log = n.log();
            } catch (java.io.IOException io) {
                log = io.toString();
            }
            throw new AssertionError(e.getMessage() + "\n" + n.name + "'s log:\n" + log, e);
        }
    }

    private static void awaitGatewayzOrFail(GoGatewayNode n, String section, String next, String... clusters) {
        for (String c : clusters) {
            await(n.name + " " + section + " has " + c, () -> {
                try {
                    String gz = n.monitor("/gatewayz");
                    int from = gz.indexOf("\"" + section + "\"");
                    int to = next == null ? gz.length() : gz.indexOf("\"" + next + "\"");
                    return from >= 0 && to > from && gz.substring(from, to).contains("\"" + c + "\"");
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(2))
                .noReconnect().build());
    }
}
