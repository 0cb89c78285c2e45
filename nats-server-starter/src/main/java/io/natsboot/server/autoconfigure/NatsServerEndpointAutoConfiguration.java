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
 * Actuator endpoints {@code varz}, {@code connz}, {@code routez}, {@code subsz} and {@code gatewayz}, views of the embedded
 * server's {@link Monitor} snapshots. Each is created when available (enabled and exposed, e.g.
 * {@code management.endpoints.web.exposure.include=health,varz,connz,routez,subsz}); over HTTP they answer
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
    GatewayzEndpoint gatewayzEndpoint(Monitor monitor) {
        return new GatewayzEndpoint(monitor);
    }

    // nats-server's JSON over HTTP (see NatsWebEndpointExtensions).

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
    @ConditionalOnAvailableEndpoint(endpoint = GatewayzEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Gatewayz gatewayzWebExtension(GatewayzEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Gatewayz(endpoint);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = SubszEndpoint.class, exposure = EndpointExposure.WEB)
    NatsWebEndpointExtensions.Subsz subszWebExtension(SubszEndpoint endpoint) {
        return new NatsWebEndpointExtensions.Subsz(endpoint);
    }
}
