package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.natsboot.server.NatsServer;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator mode: a leaf connection's CONNECT that makes a JetStream account on this server (its first login after a
 * restart on stored data) recovers the account's streams on a thread of its own, as a client's first login does
 * ({@link JwtAccountFirstLoginRecoveryTest}): the other clients of the same event loop are served meanwhile, and what
 * the leaf sent after its CONNECT is taken afterwards, in order.
 */
class LeafFirstLoginRecoveryTest {

    @Test
    void aLeafFirstLoginRecoversTheAccountOffTheEventLoop(@TempDir Path tmp) throws Exception {
        JwtAccountFirstLoginRecoveryTest.Setup setup = new JwtAccountFirstLoginRecoveryTest.Setup(tmp);
        int leafPort = Ports.free();
        String conf = setup.conf(tmp) + "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n";

        NatsServer first = JwtAccountFirstLoginRecoveryTest.server(conf);
        try {
            setup.storeStream(first.port());
        } finally {
            first.shutdown();
        }

        // one event loop: the leaf connection and the other client surely share it
        String before = System.getProperty("natsboot.io.workers");
        System.setProperty("natsboot.io.workers", "1");
        NatsServer server;
        try {
            server = JwtAccountFirstLoginRecoveryTest.server(conf);
        } finally {
            if (before == null) {
                System.clearProperty("natsboot.io.workers");
            } else {
                System.setProperty("natsboot.io.workers", before);
            }
        }
        try (Connection other = Nats.connect(JwtAccountFirstLoginRecoveryTest.options(server.port(),
                setup.plain.user("p"))); RawClient leaf = new RawClient(leafPort)) {
            String info = leaf.readLine();
            Matcher nonce = Pattern.compile("\"nonce\":\"([^\"]+)\"").matcher(info);
            assertThat(nonce.find()).as(info).isTrue();
            io.natsboot.server.support.TrustChain.User leafUser = setup.js.user("leaf");
            String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(NKey.fromSeed(
                    leafUser.seed().toCharArray()).sign(nonce.group(1).getBytes(StandardCharsets.UTF_8)));
            // CONNECT with interest and a PING right behind it, in one write
            String ops = "CONNECT {\"jwt\":\"" + leafUser.jwt() + "\",\"sig\":\"" + sig
                    + "\",\"name\":\"SPK\",\"server_id\":\"NSPK\",\"headers\":true}\r\nLS+ from.leaf\r\nPING\r\n";
            JetStream engine = server.jetStream();
            // holding the engine's lock keeps the account's recovery (JetStream.enableAccount) from finishing
            synchronized (engine) {
                leaf.send(ops);
                await().atMost(Duration.ofSeconds(10))
                        .until(JwtAccountFirstLoginRecoveryTest::recoveryThreadBlocked);
                // the other client on the same event loop is served while the recovery waits
                for (int i = 0; i < 3; i++) {
                    other.flush(Duration.ofSeconds(2));
                }
                assertThat(leaf.available()).as("nothing answered to the leaf before the recovery ends").isZero();
                assertThat(server.leafNodes().connections()).allSatisfy(c -> assertThat(c.isRegistered()).isFalse());
            }
            // then the CONNECT is taken (the INFO answering it), and the LS+ and PING after it
            assertThat(leaf.readLine()).startsWith("INFO ");
            String line;
            while ((line = leaf.readLine()) != null && !line.equals("PONG\r\n")) {
                assertThat(line).doesNotStartWith("-ERR");
            }
            assertThat(line).isEqualTo("PONG\r\n");
            try (Connection j = Nats.connect(JwtAccountFirstLoginRecoveryTest.options(server.port(), setup.user))) {
                // the LS+ sent behind the CONNECT was taken: a message of the account reaches the leaf
                await().atMost(Duration.ofSeconds(5)).until(() -> {
                    j.publish("from.leaf", "x".getBytes(StandardCharsets.UTF_8));
                    j.flush(Duration.ofSeconds(2));
                    return leaf.available() > 0;
                });
                String got;
                do {
                    got = leaf.readLine();
                } while (got.startsWith("LS+ ") || got.equals("PING\r\n"));
                assertThat(got).isEqualTo("LMSG from.leaf 1\r\n");
                // and the account's JetStream is the recovered one
                assertThat(j.jetStreamManagement().getStreamInfo("S").getStreamState().getMsgCount()).isEqualTo(2);
            }
        } finally {
            server.shutdown();
        }
    }
}
