package io.natsboot.server.autoconfigure;

import static io.natsboot.server.autoconfigure.NatsActuatorDefaultSecurityTests.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.config.Customizer.withDefaults;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The SecurityFilterChain of docs/server-starter.md: the NATS endpoints need the NATS_MONITOR role,
 * health is open. Runs in the with-spring-security test execution.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1", "natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
        // the client starter is on this module's test classpath (optional dependency); no client of its own here
        "spring.autoconfigure.exclude=io.natsboot.client.autoconfigure.NatsClientAutoConfiguration",
        "management.endpoints.web.exposure.include=health,varz,connz,routez,subsz"})
class NatsActuatorRoleSecurityTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
            http.securityMatcher(EndpointRequest.toAnyEndpoint())
                    .authorizeHttpRequests(requests -> requests
                            .requestMatchers(EndpointRequest.to("health")).permitAll()
                            .requestMatchers(EndpointRequest.to("varz", "connz", "routez", "subsz"))
                            .hasRole("NATS_MONITOR")
                            .anyRequest().hasRole("ACTUATOR"))
                    .httpBasic(withDefaults());
            return http.build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("monitor").password("{noop}monitor-pass-1").roles("NATS_MONITOR").build(),
                    User.withUsername("app").password("{noop}app-pass-1").roles("USER").build());
        }
    }

    @LocalServerPort
    int webPort;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void natsEndpointsNeedTheMonitorRole() throws Exception {
        Map<String, String> fieldByPath = Map.of("/actuator/varz", "\"server_id\": ",
                "/actuator/connz", "\"num_connections\": ", "/actuator/routez", "\"num_routes\": ",
                "/actuator/subsz", "\"num_subscriptions\": ");
        for (Map.Entry<String, String> e : fieldByPath.entrySet()) {
            String path = e.getKey();
            assertThat(get(http, webPort, path, null, null).statusCode()).as(path).isEqualTo(401);
            assertThat(get(http, webPort, path, "app", "app-pass-1").statusCode()).as(path).isEqualTo(403);
            HttpResponse<String> allowed = get(http, webPort, path, "monitor", "monitor-pass-1");
            assertThat(allowed.statusCode()).as(path).isEqualTo(200);
            assertThat(allowed.body()).as(path).contains(e.getValue());
        }
    }

    @Test
    void healthIsOpen() throws Exception {
        HttpResponse<String> health = get(http, webPort, "/actuator/health", null, null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }
}
