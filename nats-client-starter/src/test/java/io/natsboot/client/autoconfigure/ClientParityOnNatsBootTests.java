package io.natsboot.client.autoconfigure;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;

/** {@link ClientParityScenarios} against NATS Boot's server. */
class ClientParityOnNatsBootTests extends ClientParityScenarios {

    @Override
    ParityServer startServer() {
        return new ParityServer() {
            private NatsServer server = start(0);
            private final int port = server.port();

            private NatsServer start(int port) {
                NatsServer s = new NatsServer(ServerOptions.builder().host("127.0.0.1").port(port).build(),
                        TestNatsServer.QUIET);
                s.start();
                return s;
            }

            @Override
            public String url() {
                return "nats://127.0.0.1:" + port;
            }

            @Override
            public void stop() {
                server.shutdown();
            }

            @Override
            public void start() {
                server = start(port);
            }

            @Override
            public void close() {
                server.shutdown();
            }
        };
    }
}
