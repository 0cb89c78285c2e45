package io.natsboot.client.autoconfigure;

import java.util.List;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/** {@link NatsConnectionDetails} from {@code natsboot.client.*}. */
public class PropertiesNatsConnectionDetails implements NatsConnectionDetails {

    private final NatsClientProperties properties;
    private final SslBundles sslBundles;

    public PropertiesNatsConnectionDetails(NatsClientProperties properties) {
        this(properties, null);
    }

    /** {@code sslBundles} resolves {@code natsboot.client.ssl.bundle}; may be null when none is named. */
    public PropertiesNatsConnectionDetails(NatsClientProperties properties, SslBundles sslBundles) {
        this.properties = properties;
        this.sslBundles = sslBundles;
    }

    @Override
    public SslBundle getSslBundle() {
        String name = properties.getSsl().getBundle();
        if (name == null || name.isBlank()) {
            return null;
        }
        if (sslBundles == null) {
            throw new IllegalStateException("natsboot.client.ssl.bundle=" + name
                    + " is set but there is no SslBundles bean (Spring Boot's SslAutoConfiguration)");
        }
        return sslBundles.getBundle(name);
    }

    @Override
    public List<String> getServers() {
        return properties.getServers();
    }

    @Override
    public String getUsername() {
        return properties.getUsername();
    }

    @Override
    public String getPassword() {
        return properties.getPassword();
    }

    @Override
    public String getToken() {
        return properties.getToken();
    }
}
