package io.natsboot.rider;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.natsboot.spring.annotation.NatsListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@code --rider.roles=agent --rider.type=mini}: one driver-agent, the book's standalone agent. Its
 * {@code @NatsListener}s subscribe on its own {@code driver-agent:<id>} connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"natsboot.server.port=0", "rider.roles=agent", "rider.type=mini",
                "rider.agent-max-delay-millis=0"})
class StandaloneAgentTests {

    @Autowired
    RiderSystem system;

    @Autowired
    Connection appConnection;

    @Test
    void oneAgentOfTheGivenTypeAnswersOnItsOwnConnection() throws Exception {
        assertThat(system.components()).singleElement().isInstanceOfSatisfying(DriverAgent.class, a -> {
            assertThat(a.type()).isEqualTo("mini");
            assertThat(a.connection().getOptions().getConnectionName()).isEqualTo("driver-agent:" + a.id());
            assertThat(a.connection().getOptions().getMaxReconnect()).isEqualTo(-1);
        });
        DriverAgent agent = (DriverAgent) system.components().get(0);
        long before = agent.connection().getStatistics().getInMsgs();

        Message offer = appConnection.request(Messages.DRIVERS_RIDES,
                "{\"type\":\"mini\",\"location\":{\"lat\":1,\"lng\":2},\"request_id\":\"r-1\"}"
                        .getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
        assertThat(new String(offer.getData(), StandardCharsets.UTF_8))
                .isEqualTo("{\"driver_id\":\"" + agent.id() + "\",\"type\":\"mini\"}");
        // The request reached the agent through its own connection, not the application's.
        assertThat(agent.connection().getStatistics().getInMsgs()).isGreaterThan(before);
        assertThat(appConnection.getStatistics().getInMsgs()).isEqualTo(1);
    }
}
