package io.natsboot.client;

import java.util.List;

/** {@link NatsConnectionDetails} from {@code natsboot.client.*}. */
public class PropertiesNatsConnectionDetails implements NatsConnectionDetails {

    private final NatsClientProperties properties;

    public PropertiesNatsConnectionDetails(NatsClientProperties properties) {
        this.properties = properties;
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
