package io.natsboot.rider;

import java.util.Arrays;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
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
        app.addListeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) event -> {
            ConfigurableEnvironment env = event.getEnvironment();
            String roles = env.getProperty("rider.roles", "api,manager,agent");
            boolean api = Arrays.stream(roles.split(",")).anyMatch(r -> r.trim().equalsIgnoreCase("api"));
            if (!api && !env.containsProperty("spring.main.web-application-type")) {
                env.getPropertySources().addFirst(new MapPropertySource("rider-roles",
                        Map.of("spring.main.web-application-type", "none")));
            }
        });
        app.run(args);
    }
}
