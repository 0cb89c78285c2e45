package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code $SYS.REQ.SERVER.PING.GATEWAYZ} answers with the gateway view, its options (name, accounts) applied. */
class GatewaySystemRequestTest {
    @TempDir
    Path dir;

    @Test
    void gatewayzOverTheSystemAccount() throws Exception {
        int gw = GatewayTestSupport.port();
        Path conf = dir.resolve("sys.conf");
        Files.writeString(conf, "accounts { SYS { users: [ {user: sys, password: pw} ] }, APP { users: [ {user: app, "
                + "password: pw} ] } }\nsystem_account: SYS\ngateway { name: east, listen: \"127.0.0.1:" + gw
                + "\" }\n");
        try (RunningServer s = RunningServer.start(b -> {
                try {
                    assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return b.host("127.0.0.1").port(0);
            });
             Connection sys = Nats.connect(new Options.Builder().server(s.url()).userInfo("sys", "pw").build())) {
            Message m = sys.request("$SYS.REQ.SERVER.PING.GATEWAYZ",
                    "{\"accounts\":true}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            String body = new String(m.getData(), StandardCharsets.UTF_8);
            assertThat(body).contains("\"name\":\"east\"").contains("\"port\":" + gw)
                    .contains("\"outbound_gateways\":{}").contains("\"server\":{");
        }
    }
}
