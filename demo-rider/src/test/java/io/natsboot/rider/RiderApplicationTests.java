package io.natsboot.rider;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole rider system in one JVM: embedded server, api-server, 2 managers, 2+2 agents. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"natsboot.server.port=0", "server.port=0"})
class RiderApplicationTests {

    @Value("${local.server.port}")
    int port;

    @Autowired
    RiderSystem system;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    private Map<String, String> agentTypes() {
        return system.components().stream().filter(c -> c instanceof DriverAgent)
                .collect(Collectors.toMap(Component::id, c -> ((DriverAgent) c).type()));
    }

    @Test
    void home() {
        http.get().uri("/").exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("NATS Rider API Server v0.1.0");
    }

    @Test
    void allComponentsRunWithTheirOwnConnection() {
        assertThat(system.components()).hasSize(1 + 2 + 4);
        assertThat(system.components()).allSatisfy(c -> {
            assertThat(c.connection().getOptions().getConnectionName()).isEqualTo(c.kind() + ":" + c.id());
            assertThat(c.connection().getStatus()).isEqualTo(io.nats.client.Connection.Status.CONNECTED);
        });
    }

    @Test
    void regularRideGetsARegularDriver() {
        ride("regular");
    }

    @Test
    void miniRideGetsAMiniDriver() {
        ride("mini");
    }

    private void ride(String type) {
        for (int i = 0; i < 3; i++) {
            Map<?, ?> body = http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"type\":\"" + type + "\",\"location\":{\"lat\":52.37,\"lng\":4.89}}")
                    .exchange().expectStatus().isOk()
                    .expectBody(Map.class).returnResult().getResponseBody();
            assertThat(body.get("driver_id")).isInstanceOf(String.class);
            assertThat(agentTypes()).containsEntry((String) body.get("driver_id"), type);
        }
    }

    @Test
    void badBodiesAre400WithAReason() {
        for (String bad : new String[] {"not json", "{\"type\":\"limo\",\"location\":{\"lat\":1,\"lng\":2}}",
                "{\"type\":\"regular\",\"location\":\"here\"}", "[]", ""}) {
            String reason = http.post().uri("/rides").contentType(MediaType.APPLICATION_JSON).bodyValue(bad)
                    .exchange().expectStatus().isEqualTo(HttpStatus.BAD_REQUEST)
                    .expectBody(String.class).returnResult().getResponseBody();
            assertThat(reason).startsWith("Bad request");
        }
    }

    @Test
    void statusAndDiscoveryAnswer() throws Exception {
        Component api = system.api();
        var nc = api.connection();
        var reply = nc.request(Messages.statusSubject(api.id()), new byte[0], Duration.ofSeconds(2));
        String status = new String(reply.getData());
        assertThat(status).contains("\"kind\":\"api-server\"", "\"id\":\"" + api.id() + "\"", "\"cmdline\"", "\"memstats\"");
        var answers = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var sub = nc.subscribe(nc.createInbox());
        nc.publish(Messages.DISCOVERY, sub.getSubject(), new byte[0]);
        io.nats.client.Message m;
        while ((m = sub.nextMessage(Duration.ofMillis(500))) != null) {
            answers.add(new String(m.getData()));
        }
        assertThat(answers).hasSize(7).contains(Messages.statusSubject(api.id()));
    }
}
