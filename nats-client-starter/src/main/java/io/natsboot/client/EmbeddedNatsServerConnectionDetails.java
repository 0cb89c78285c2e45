package io.natsboot.client;

import io.natsboot.server.autoconfigure.NatsServerLifecycle;
import java.util.List;
import org.springframework.boot.ssl.SslBundle;

/**
 * Points the client at nats-server-starter's embedded server on whatever port it bound. The server
 * lifecycle starts in an early phase, but the connection is created while singletons are instantiated,
 * so the embedded server is started here first (its start is idempotent).
 */
public class EmbeddedNatsServerConnectionDetails implements NatsConnectionDetails {

    private final NatsServerLifecycle lifecycle;
    private final NatsConnectionDetails credentials;

    public EmbeddedNatsServerConnectionDetails(NatsServerLifecycle lifecycle, NatsConnectionDetails credentials) {
        this.lifecycle = lifecycle;
        this.credentials = credentials;
    }

    @Override
    public List<String> getServers() {
        if (!lifecycle.isRunning()) {
            lifecycle.start();
        }
        String host = lifecycle.getServer().options().host();
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return List.of("nats://" + host + ":" + lifecycle.getServer().port());
    }

    @Override
    public String getUsername() {
        return credentials.getUsername();
    }

    @Override
    public String getPassword() {
        return credentials.getPassword();
    }

    @Override
    public String getToken() {
        return credentials.getToken();
    }

    @Override
    public SslBundle getSslBundle() {
        return credentials.getSslBundle();
    }
}
