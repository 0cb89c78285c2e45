package io.natsboot.server.autoconfigure;

import io.natsboot.client.autoconfigure.NatsConnectionDetails;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import java.util.List;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where the embedded server listens, for nats-client-starter (as Boot's Docker Compose and Testcontainers
 * support describe the services they start): its bound address, the credentials the application set under
 * {@code natsboot.client.*} or else the server's own single user or token ({@code natsboot.server.auth.*}),
 * and the client's SSL bundle. The values are fixed when it is created (the server is running by then);
 * the getters only read them.
 */
public class EmbeddedNatsConnectionDetails implements NatsConnectionDetails {

    private final List<String> servers;
    private final String username;
    private final String password;
    private final String token;
    private final SslBundle sslBundle;

    /**
     * {@code server} must be started (it has bound its port); {@code client} holds what the application set
     * under {@code natsboot.client.*}.
     */
    public EmbeddedNatsConnectionDetails(NatsServer server, NatsConnectionDetails client) {
        if (!server.isRunning()) {
            throw new IllegalStateException("The embedded NATS server is not running, so it has no address yet");
        }
        ServerOptions options = server.options();
        this.servers = List.of(url(options.host(), server.port()));
        boolean clientCredentials = client.getUsername() != null || client.getToken() != null;
        this.username = clientCredentials ? client.getUsername() : options.username();
        this.password = clientCredentials ? client.getPassword() : options.password();
        this.token = clientCredentials ? client.getToken() : options.authToken();
        this.sslBundle = client.getSslBundle();
    }

    /** A wildcard listen address is reached on the loopback address; IPv6 literals get brackets. */
    static String url(String host, int port) {
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "nats://" + host + ":" + port;
    }

    @Override
    public List<String> getServers() {
        return servers;
    }

    @Override
    public String getUsername() {
        return username;
    }

    @Override
    public String getPassword() {
        return password;
    }

    @Override
    public String getToken() {
        return token;
    }

    @Override
    public SslBundle getSslBundle() {
        return sslBundle;
    }
}
