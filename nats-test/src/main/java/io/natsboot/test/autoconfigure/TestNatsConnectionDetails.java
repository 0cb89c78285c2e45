package io.natsboot.test.autoconfigure;

import io.natsboot.client.autoconfigure.NatsConnectionDetails;
import java.util.List;

/** The test server's address for nats-client-starter; loaded only when the starter is present. */
final class TestNatsConnectionDetails implements NatsConnectionDetails {

    private final List<String> servers;

    TestNatsConnectionDetails(String url) {
        this.servers = List.of(url);
    }

    @Override
    public List<String> getServers() {
        return servers;
    }
}
