package io.natsboot.server.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * Over HTTP the nats endpoints answer with exactly the JSON of the monitoring port (nats-server's field
 * names, RFC 3339 times, Go durations), written by the core's JsonWriter from the same snapshot, so tools
 * written for nats-server can read {@code /actuator/varz} too. JMX gets the snapshot records.
 */
public final class NatsWebEndpointExtensions {

    private NatsWebEndpointExtensions() {
    }

    @EndpointWebExtension(endpoint = VarzEndpoint.class)
    public static class Varz {
        private final VarzEndpoint delegate;

        public Varz(VarzEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> varz() {
            return NatsEndpoints.json(delegate.varz());
        }
    }

    @EndpointWebExtension(endpoint = ConnzEndpoint.class)
    public static class Connz {
        private final ConnzEndpoint delegate;

        public Connz(ConnzEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> connz(@Nullable String sort, @Nullable Boolean auth, @Nullable String subs,
                @Nullable Long offset, @Nullable Long limit, @Nullable Long cid, @Nullable String state,
                @Nullable String user, @Nullable String acc) {
            return NatsEndpoints.json(delegate.connz(sort, auth, subs, offset, limit, cid, state, user, acc));
        }

        @ReadOperation
        public WebEndpointResponse<String> connection(@Selector long cid) {
            return NatsEndpoints.json(delegate.connection(cid));
        }
    }

    @EndpointWebExtension(endpoint = RoutezEndpoint.class)
    public static class Routez {
        private final RoutezEndpoint delegate;

        public Routez(RoutezEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> routez(@Nullable String subs) {
            return NatsEndpoints.json(delegate.routez(subs));
        }
    }

    @EndpointWebExtension(endpoint = GatewayzEndpoint.class)
    public static class Gatewayz {
        private final GatewayzEndpoint delegate;

        public Gatewayz(GatewayzEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> gatewayz(@Nullable Boolean accs, @Nullable String gw_name,
                @Nullable String acc_name) {
            return NatsEndpoints.json(delegate.gatewayz(accs, gw_name, acc_name));
        }
    }

    @EndpointWebExtension(endpoint = SubszEndpoint.class)
    public static class Subsz {
        private final SubszEndpoint delegate;

        public Subsz(SubszEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> subsz(@Nullable Boolean subs, @Nullable Long offset, @Nullable Long limit,
                @Nullable String acc, @Nullable String test) {
            return NatsEndpoints.json(delegate.subsz(subs, offset, limit, acc, test));
        }
    }

    @EndpointWebExtension(endpoint = JszEndpoint.class)
    public static class Jsz {
        private final JszEndpoint delegate;

        public Jsz(JszEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> jsz(@Nullable Boolean accounts, @Nullable Boolean streams,
                @Nullable Boolean consumers, @Nullable Boolean config, @Nullable String acc, @Nullable Integer offset,
                @Nullable Integer limit, @Nullable Boolean leaderOnly) {
            return NatsEndpoints.json(delegate.jsz(accounts, streams, consumers, config, acc, offset, limit,
                    leaderOnly));
        }
    }

    @EndpointWebExtension(endpoint = LeafzEndpoint.class)
    public static class Leafz {
        private final LeafzEndpoint delegate;

        public Leafz(LeafzEndpoint delegate) {
            this.delegate = delegate;
        }

        @ReadOperation
        public WebEndpointResponse<String> leafz(@Nullable Boolean subs) {
            return NatsEndpoints.json(delegate.leafz(subs));
        }
    }
}
