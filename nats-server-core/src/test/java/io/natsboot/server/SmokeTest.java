package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void rawPubSub() throws Exception {
        try (RunningServer s = RunningServer.start(); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).startsWith("INFO {\"server_id\":\"N").endsWith("} \r\n");
            c.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n");
            assertThat(c.readLine()).isEqualTo("MSG foo 1 2\r\n");
            assertThat(c.readLine()).isEqualTo("hi\r\n");
            assertThat(c.readLine()).isEqualTo("PONG\r\n");
        }
    }

    @Test
    void jnatsPubSub() throws Exception {
        try (RunningServer s = RunningServer.start();
             Connection nc = Nats.connect(s.url())) {
            Subscription sub = nc.subscribe("foo.*");
            nc.publish("foo.bar", "hello".getBytes(StandardCharsets.UTF_8));
            Message m = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(m).isNotNull();
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    void aStoppedServerStartsAgain() throws Exception {
        // A Spring context stopped and restarted stops and starts the same NatsServer.
        try (RunningServer s = RunningServer.start()) {
            int first = s.port();
            s.server().shutdown();
            assertThat(s.server().isRunning()).isFalse();
            s.server().start();
            assertThat(s.server().isRunning()).isTrue();
            try (Connection nc = Nats.connect(s.url())) {
                Subscription sub = nc.subscribe("again");
                nc.publish("again", new byte[] {1});
                assertThat(sub.nextMessage(Duration.ofSeconds(2))).isNotNull();
            }
            assertThat(first).isPositive();
        }
    }

    @Test
    void everyMonitorOfAServerShowsTheMonitoringEndpoint() throws Exception {
        // The starter's Actuator endpoints use their own Monitor: it must see the 8222 endpoint's facts too.
        try (RunningServer s = RunningServer.start(b -> b.httpPort(-1))) {
            int port = s.server().monitor().port();
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/varz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            io.natsboot.server.monitor.Varz v = s.server().snapshots().varz();
            assertThat(v.httpPort()).isEqualTo(port);
            assertThat(v.httpHost()).isEqualTo("127.0.0.1");
            assertThat(v.httpReqStats()).containsEntry("/varz", 1L);
        }
    }

    @Test
    void advertisedVersionIsConfigurable() throws Exception {
        try (RunningServer s = RunningServer.start(b -> b.compatVersion("2.9.25"));
             RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains("\"version\":\"2.9.25\",\"proto\":1");
        }
        try (RunningServer s = RunningServer.start(); RawClient c = new RawClient(s.port())) {
            assertThat(c.readInfo()).contains("\"version\":\"2.9.10\"");
        }
    }
}
