package io.natsboot.client.autoconfigure;

import java.util.List;
import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * Where and as whom to connect, following Spring Boot's {@link ConnectionDetails} pattern: the
 * embedded server of nats-server-starter, Docker Compose or Testcontainers can supply one instead of
 * {@code natsboot.client.*} properties.
 */
public interface NatsConnectionDetails extends ConnectionDetails {

    /** Server URLs, e.g. {@code nats://127.0.0.1:4222}. */
    List<String> getServers();

    default String getUsername() {
        return null;
    }

    default String getPassword() {
        return null;
    }

    default String getToken() {
        return null;
    }

    /** Key and trust material for TLS, or null for the JVM's defaults (plain unless the server requires TLS). */
    default SslBundle getSslBundle() {
        return null;
    }
}
