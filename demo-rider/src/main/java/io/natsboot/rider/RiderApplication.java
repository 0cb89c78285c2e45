package io.natsboot.rider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * NATS Rider: the api-server, rides-managers and driver-agents of the book's ride-hailing demo in one
 * Spring Boot application. {@code --rider.roles=api,manager,agent} chooses which run (default: all,
 * next to the embedded NATS server).
 */
@SpringBootApplication
@EnableConfigurationProperties(RiderProperties.class)
public class RiderApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(RiderApplication.class);
        // Without the api role there is no HTTP side: no web server, so several role processes can run
        // on one host. Set before spring.main.* is bound to the application.
        app.addListeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) event ->
                applyRoleDefaults(event.getEnvironment()));
        app.run(args);
    }

    /**
     * Defaults that follow from the command line, set before {@code spring.main.*} is bound:
     * <ul>
     * <li>{@code NATS_URI} (the task demo's variable) is the client's server list;</li>
     * <li>a server list given (by that or {@code natsboot.client.servers}) turns the embedded server off,
     * so a role runs on its own against another server with just that flag;</li>
     * <li>without an HTTP role ({@code api}, {@code tasks-api}) there is no web server, so several role
     * processes can run on one host.</li>
     * </ul>
     * Explicit settings always win.
     */
    static void applyRoleDefaults(ConfigurableEnvironment env) {
        Map<String, Object> defaults = new HashMap<>();
        String natsUri = env.getProperty("NATS_URI");
        if (natsUri != null && !natsUri.isBlank() && !env.containsProperty("natsboot.client.servers")) {
            defaults.put("natsboot.client.servers", natsUri);
        }
        boolean servers = defaults.containsKey("natsboot.client.servers") || env.containsProperty("natsboot.client.servers")
                || env.containsProperty("natsboot.client.servers[0]");
        if (servers && !env.containsProperty("natsboot.server.enabled")) {
            defaults.put("natsboot.server.enabled", "false");
        }
        List<String> roles = Binder.get(env).bind("rider.roles", Bindable.listOf(String.class))
                .orElse(RiderProperties.DEFAULT_ROLES);
        boolean http = RiderProperties.hasRole(roles, "api") || RiderProperties.hasRole(roles, "tasks-api");
        if (!http && !env.containsProperty("spring.main.web-application-type")) {
            defaults.put("spring.main.web-application-type", "none");
        }
        if (!defaults.isEmpty()) {
            env.getPropertySources().addFirst(new MapPropertySource("rider-roles", defaults));
        }
    }
}
