package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LameDuckTest {

    @Test
    void lameDuckTellsClientsThenClosesThemAndStops() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b
                .lameDuckGracePeriod(Duration.ofMillis(300))
                .lameDuckDuration(Duration.ofMillis(800)))) {
            CountDownLatch lameDuck = new CountDownLatch(1);
            Options options = new Options.Builder().server(s.url()).maxReconnects(0)
                    .connectionListener((conn, event) -> {
                        if (event == ConnectionListener.Events.LAME_DUCK) {
                            lameDuck.countDown();
                        }
                    }).build();
            Connection nc = Nats.connect(options);
            try (RawClient raw = new RawClient(s.port());
                 RawClient oldProtocol = new RawClient(s.port())) {
                raw.readInfo();
                raw.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
                assertThat(raw.readLine()).isEqualTo("PONG\r\n");
                oldProtocol.readInfo();
                oldProtocol.send("CONNECT {\"verbose\":false,\"protocol\":0}\r\nPING\r\n");
                assertThat(oldProtocol.readLine()).isEqualTo("PONG\r\n");

                io.natsboot.server.monitor.Monitor monitor = s.server().snapshots();
                assertThat(monitor.healthz().status()).isEqualTo("ok");

                s.server().enterLameDuckMode();

                // nats-server 2.9.10's /healthz in lame-duck mode (observed): the client listener, "server", is down.
                assertThat(monitor.healthz().error()).isEqualTo("failed to be ready for connections after 1ms: server");

                // Protocol-1 clients get an async INFO with ldm; protocol-0 clients get nothing.
                String info = raw.readLine();
                assertThat(info).startsWith("INFO {").contains("\"ldm\":true").endsWith("} \r\n");
                assertThat(lameDuck.await(2, TimeUnit.SECONDS)).isTrue();
                // New connections are refused once lame duck mode starts.
                assertThatThrownBy(() -> new Socket("127.0.0.1", s.port()).close()).isInstanceOf(IOException.class);
                // After the grace period every client is closed, then the server shuts down.
                assertThat(raw.readUntilClose(3000)).endsWith("<closed>");
                assertThat(oldProtocol.readUntilClose(3000)).isEqualTo("<closed>");
            }
            s.server().awaitShutdown();
            assertThat(s.log().contains("Entering lame duck mode, stop accepting new clients")).isTrue();
            assertThat(s.log().contains("Closing existing clients")).isTrue();
            assertThat(s.log().contains("Server Exiting..")).isTrue();
            nc.close();
        }
    }
}
