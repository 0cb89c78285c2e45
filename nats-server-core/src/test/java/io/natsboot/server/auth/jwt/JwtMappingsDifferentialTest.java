package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Account JWT {@code mappings} in operator mode against nats-server 2.9.10 with the same trust chain: plain,
 * wildcard, partition and weighted mappings (a weight left out counts as 100), in the account that has them only.
 */
@RequiresBinary("nats-server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtMappingsDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private TrustChain.Account m;
    private TrustChain.Account other;
    private Process reference;
    private int refPort;
    private RunningServer ours;

    @BeforeAll
    void start() throws Exception {
        m = chain.account("M", n -> n.put("mappings", Map.of(
                "plain", List.of(Map.of("subject", "mapped.plain")),
                "in.*.*", List.of(Map.of("subject", "out.$2.$1", "weight", 100)),
                "p.*", List.of(Map.of("subject", "p.{{partition(3,1)}}.$1")),
                "w", List.of(Map.of("subject", "w.a", "weight", 25), Map.of("subject", "w.b", "weight", 25)))));
        other = chain.account("O");
        Path dir = Files.createTempDirectory("jwt-mappings");
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        StringBuilder conf = new StringBuilder("operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {\n");
        for (TrustChain.Account a : List.of(m, other)) {
            conf.append("  ").append(a.publicKey()).append(": \"").append(a.jwt()).append("\"\n");
        }
        Path file = dir.resolve("server.conf");
        Files.writeString(file, conf.append("}\n"));
        refPort = Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", file.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        ours = RunningServer.fromConfigFile(file);
        Ports.awaitListening(refPort);
    }

    @AfterAll
    void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
            reference.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static Connection connect(int port, TrustChain.User u) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .authHandler(Nats.staticCredentials(u.jwt().toCharArray(), u.seed().toCharArray()))
                .maxReconnects(0).build());
    }

    private static List<String> deliveries(int port, TrustChain.User u, List<String> publishes) throws Exception {
        try (Connection c = connect(port, u)) {
            io.nats.client.Subscription all = c.subscribe(">");
            c.flush(Duration.ofSeconds(5));
            for (String s : publishes) {
                c.publish(s, new byte[0]);
            }
            c.publish("zz.end", new byte[0]);
            c.flush(Duration.ofSeconds(5));
            List<String> out = new ArrayList<>();
            for (Message msg = all.nextMessage(Duration.ofSeconds(5)); msg != null
                    && !msg.getSubject().equals("zz.end"); msg = all.nextMessage(Duration.ofSeconds(5))) {
                out.add(msg.getSubject());
            }
            return out;
        }
    }

    @Test
    void mappedInTheAccountThatHasThem() throws Exception {
        List<String> pubs = List.of("plain", "in.1.2", "p.a", "p.b", "p.c", "x");
        List<String> theirs = deliveries(refPort, m.user("m"), pubs);
        assertThat(theirs).contains("mapped.plain", "out.2.1");
        assertThat(deliveries(ours.port(), m.user("m"), pubs)).isEqualTo(theirs);
        List<String> plainOther = deliveries(refPort, other.user("o"), pubs);
        assertThat(plainOther).isEqualTo(pubs);
        assertThat(deliveries(ours.port(), other.user("o"), pubs)).isEqualTo(plainOther);
    }

    @Test
    void weightedMappingsFromTheJwt() throws Exception {
        List<String> pubs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            pubs.add("w");
        }
        for (int port : new int[] {refPort, ours.port()}) {
            Map<String, Integer> c = new TreeMap<>();
            for (String s : deliveries(port, m.user("m"), pubs)) {
                c.merge(s, 1, Integer::sum);
            }
            // 25 % w.a, 25 % w.b, the rest (50 %) the source itself; +-5 points is > 4 sigma
            assertThat(c.keySet()).as("port %d", port).containsExactlyInAnyOrder("w", "w.a", "w.b");
            assertThat(c.get("w.a")).isBetween(400, 600);
            assertThat(c.get("w.b")).isBetween(400, 600);
            assertThat(c.get("w")).isBetween(900, 1_100);
        }
    }
}
