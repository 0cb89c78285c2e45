package io.natsboot.server.autoconfigure;

import io.natsboot.server.monitor.Monitor;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator endpoints {@code varz}, {@code connz}, {@code routez}, {@code subsz}, {@code jsz}, {@code gatewayz}
 * and {@code leafz}, views of the
 * embedded server's {@link Monitor} snapshots. Each is created when available (enabled and exposed, e.g.
 * {@code management.endpoints.web.exposure.include=health,varz,connz,routez,subsz,jsz,gatewayz,leafz}); over HTTP they answer
 * with the JSON of the 8222 monitoring port.
 */
@AutoConfiguration(after = NatsServerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(Monitor.class)
public final class NatsServerEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    VarzEndpoint varzEndpoint(Monitor monitor) {
        return new VarzEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    ConnzEndpoint connzEndpoint(Monitor monitor) {
        return new ConnzEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    RoutezEndpoint routezEndpoint(Monitor monitor) {
        return new RoutezEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    SubszEndpoint subszEndpoint(Monitor monitor) {
        return new SubszEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    JszEndpoint jszEndpoint(Monitor monitor) {
        return new JszEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    GatewayzEndpoint gatewayzEndpoint(Monitor monitor) {
        return new GatewayzEndpoint(monitor);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    LeafzEndpoint leafzEndpoint(Monitor monitor) {
        return new LeafzEndpoint(monitor);
    }

    // nats-server's JSON over HTTP (see NatsWebEndpointExtensions).

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = GatewayzEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Gatewayz gatewayzWebExtension(GatewayzEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Gatewayz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = LeafzEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Leafz leafzWebExtension(LeafzEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Leafz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = JszEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Jsz jszWebExtension(JszEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Jsz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = VarzEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Varz varzWebExtension(VarzEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Varz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = ConnzEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Connz connzWebExtension(ConnzEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Connz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = RoutezEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Routez routezWebExtension(RoutezEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Routez(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = SubszEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Subsz subszWebExtension(SubszEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Subsz(endpoint);
    }
}
