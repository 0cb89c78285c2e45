package io.natsboot.client.autoconfigure;

/** {@link ClientParityScenarios} against the reference nats-server 2.9.10 ({@code /usr/sbin/nats-server}). */
class ClientParityOnReferenceServerTests extends ClientParityScenarios {

    @Override
    ParityServer startServer() throws Exception {
        ReferenceNatsServer server = ReferenceNatsServer.start(null);
        return new ParityServer() {
            @Override
            public String url() {
                return server.url();
            }

            @Override
            public void stop() throws Exception {
                server.stop();
            }

            @Override
            public void start() throws Exception {
                server.start();
            }

            @Override
            public void close() throws Exception {
                server.close();
            }
        };
    }
}
