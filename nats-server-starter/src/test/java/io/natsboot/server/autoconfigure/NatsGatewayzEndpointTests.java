package io.natsboot.server.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The Actuator {@code gatewayz} endpoint: the embedded server's /gatewayz, with a gateway block from the file. */
class NatsGatewayzEndpointTests {
    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsServerAutoConfiguration.class,
                    NatsServerEndpointAutoConfiguration.class))
            .withPropertyValues("natsboot.server.host=127.0.0.1", "natsboot.server.port=0",
                    "management.endpoints.web.exposure.include=gatewayz");

    @Test
    void gatewayzShowsTheGatewayBlock() throws Exception {
        Path conf = dir.resolve("gw.conf");
        Files.writeString(conf, "gateway { name: east, listen: \"127.0.0.1:-1\" }\n");
        runner.withPropertyValues("natsboot.server.config-file=" + conf).run(ctx -> {
            NatsServer server = ctx.getBean(NatsServer.class);
            String body = ctx.getBean(NatsWebEndpointExtensions.Gatewayz.class).gatewayz(true, null, null).getBody();
            assertThat(body).contains("\"server_id\": \"" + server.context().serverId() + "\"")
                    .contains("\"name\": \"east\"")
                    .contains("\"port\": " + server.gateways().port())
                    .contains("\"outbound_gateways\": {}").contains("\"inbound_gateways\": {}");
            assertThat(ctx.getBean(GatewayzEndpoint.class).gatewayz(null, "west", null).toJson(false))
                    .contains("\"outbound_gateways\":{}");
        });
    }

    @Test
    void withoutGatewaysTwoEmptyMaps() {
        runner.run(ctx -> assertThat(ctx.getBean(GatewayzEndpoint.class).gatewayz(null, null, null).toJson(false))
                .contains("\"outbound_gateways\":{},\"inbound_gateways\":{}"));
    }
}
