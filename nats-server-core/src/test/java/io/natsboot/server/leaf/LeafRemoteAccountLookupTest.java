package io.natsboot.server.leaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operator mode with full resolvers in a cluster: a leaf logging in to a server whose directory does not hold the
 * leaf user's account has the account looked up at the other servers ({@code $SYS.REQ.ACCOUNT.<key>.CLAIMS.LOOKUP}),
 * as a client's login does, and is accepted; what it sent behind its CONNECT is taken afterwards, in order.
 */
class LeafRemoteAccountLookupTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private RunningServer node(String name, String extra, String... routes) throws Exception {
        Path dir = Files.createTempDirectory("leaf-lookup-" + name);
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: {type: full, interval: \"1h\", dir: \"" + dir.resolve("jwt")
                + "\"}\nresolver_preload: {\n  " + sys.publicKey() + ": \"" + sys.jwt() + "\"\n}\n" + extra);
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0).serverName(name).clusterListen("127.0.0.1:-1").clusterName("lookup")
                    .routes(List.of(routes));
        });
        started.add(s);
        return s;
    }

    private Connection systemUser(RunningServer s) throws Exception {
        TrustChain.User su = sys.user("sysu");
        Connection c = Nats.connect(new Options.Builder().server(s.url())
                .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                .maxReconnects(0).build());
        started.add(c::close);
        return c;
    }

    @Test
    void aLeafLoginLooksItsAccountUpAtTheOtherServers() throws Exception {
        RunningServer first = node("L1", "");
        TrustChain.Account b = chain.account("B");
        // pushed before the second server joins (its sync interval is 1h): it does not hold the account
        Message m = systemUser(first).request("$SYS.REQ.CLAIMS.UPDATE", b.jwt().getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(3));
        assertThat(m).isNotNull();
        int leafPort = Ports.free();
        RunningServer second = node("L2", "leafnodes { listen: \"127.0.0.1:" + leafPort + "\" }\n",
                "nats://127.0.0.1:" + first.server().cluster().port());
        Connection onSecond = systemUser(second);
        // the route is up when both servers answer a server ping
        Waits.upTo("the route", Duration.ofSeconds(15)).until(() -> {
            String inbox = onSecond.createInbox();
            io.nats.client.Subscription sub = onSecond.subscribe(inbox);
            onSecond.publish("$SYS.REQ.SERVER.PING", inbox, new byte[0]);
            int n = 0;
            while (sub.nextMessage(Duration.ofMillis(300)) != null) {
                n++;
            }
            sub.unsubscribe();
            return n >= 2;
        });
        assertThat(second.server().context().operatorMode().inUse(b.publicKey())).isFalse();
        TrustChain.User u = b.user("leaf");
        try (RawClient leaf = new RawClient(leafPort)) {
            String nonce = leaf.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            leaf.send("CONNECT {\"jwt\":\"" + u.jwt() + "\",\"sig\":\"" + java.util.Base64.getUrlEncoder()
                    .withoutPadding().encodeToString(u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII)))
                    + "\",\"name\":\"SPK\",\"server_id\":\"NSPK\",\"headers\":true}\r\nLS+ from.leaf\r\nPING\r\n");
            assertThat(leaf.readLine()).startsWith("INFO ");
            String line;
            while ((line = leaf.readLine()) != null && !line.equals("PONG\r\n")) {
                assertThat(line).doesNotStartWith("-ERR");
            }
            assertThat(line).isEqualTo("PONG\r\n");
            // the LS+ behind the CONNECT was taken: a client of B on the second server reaches the leaf
            TrustChain.User cu = b.user("c");
            try (Connection c = Nats.connect(new Options.Builder().server(second.url())
                    .authHandler(Nats.staticCredentials(cu.jwt().toCharArray(), cu.seed().toCharArray())).build())) {
                Waits.upTo("the message at the leaf", Duration.ofSeconds(5)).until(() -> {
                    c.publish("from.leaf", "x".getBytes(StandardCharsets.UTF_8));
                    c.flush(Duration.ofSeconds(2));
                    return leaf.available() > 0;
                });
                String got;
                do {
                    got = leaf.readLine();
                } while (got.startsWith("LS+ ") || got.equals("PING\r\n"));
                assertThat(got).isEqualTo("LMSG from.leaf 1\r\n");
            }
        }
    }
}
