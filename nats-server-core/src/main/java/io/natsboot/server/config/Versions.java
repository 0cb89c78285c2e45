package io.natsboot.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Our product version and the nats-server version whose behaviour we reproduce, from the build. */
public final class Versions {
    private static final Properties PROPS = load();

    private Versions() {
    }

    /** NATS Boot's own version (shown by -v, the start-up log and /varz). */
    public static String productVersion() {
        return PROPS.getProperty("natsboot.version", "dev");
    }

    /**
     * The nats-server version advertised in INFO; clients switch features on it. The build's value
     * (2.9.10) unless the system property {@code natsboot.compat.version} or the environment
     * variable {@code NATSBOOT_COMPAT_VERSION} names another; embedders can also set
     * {@code ServerOptions.compatVersion}.
     */
    public static String compatVersion() {
        // Overridable for deployments whose clients expect another 2.9.x release string.
        String override = System.getProperty("natsboot.compat.version", System.getenv("NATSBOOT_COMPAT_VERSION"));
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        return PROPS.getProperty("nats.compat.version", "2.9.10");
    }

    /**
     * What INFO and /varz report in "go", the field where nats-server names the runtime it was built with:
     * here the Java runtime actually running, e.g. {@code java17.0.15} (clients only display it).
     */
    public static String runtimeVersion() {
        return RUNTIME;
    }

    private static final String RUNTIME = "java" + System.getProperty("java.version");

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/natsboot-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // fall back to the defaults above
        }
        return p;
    }
}
