package io.natsboot.rider;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** What the command line implies before the application starts. */
class RoleDefaultsTests {

    private static StandardEnvironment env(Map<String, Object> props) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", props));
        RiderApplication.applyRoleDefaults(env);
        return env;
    }

    @Test
    void defaultsRunEverythingWithTheEmbeddedServerAndTheWebServer() {
        StandardEnvironment e = env(Map.of());
        assertThat(e.getProperty("natsboot.server.enabled")).isNull();
        assertThat(e.getProperty("spring.main.web-application-type")).isNull();
    }

    @Test
    void natsUriIsTheServerListAndTurnsTheEmbeddedServerOff() {
        StandardEnvironment e = env(Map.of("NATS_URI", "nats://nats:4222", "rider.roles", "tasks-worker"));
        assertThat(e.getProperty("natsboot.client.servers")).isEqualTo("nats://nats:4222");
        assertThat(e.getProperty("natsboot.server.enabled")).isEqualTo("false");
        assertThat(e.getProperty("spring.main.web-application-type")).isEqualTo("none");
    }

    @Test
    void explicitSettingsWin() {
        StandardEnvironment e = env(Map.of("natsboot.client.servers", "nats://a:4222", "natsboot.server.enabled", "true",
                "rider.roles", "agent", "spring.main.web-application-type", "reactive"));
        assertThat(e.getProperty("natsboot.server.enabled")).isEqualTo("true");
        assertThat(e.getProperty("spring.main.web-application-type")).isEqualTo("reactive");
    }

    @Test
    void httpRolesKeepTheWebServerAndRoleNamesAreExact() {
        assertThat(env(Map.of("rider.roles", "tasks-api")).getProperty("spring.main.web-application-type")).isNull();
        assertThat(env(Map.of("rider.roles", "api")).getProperty("spring.main.web-application-type")).isNull();
        assertThat(env(Map.of("rider.roles", "manager,agent")).getProperty("spring.main.web-application-type"))
                .isEqualTo("none");
        assertThat(RiderProperties.hasRole(java.util.List.of("tasks-api"), "api")).isFalse();
    }
}
