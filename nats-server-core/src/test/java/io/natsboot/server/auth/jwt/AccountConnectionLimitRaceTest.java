package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An account's connection limit holds when many of its users log in at the same moment on different event loops
 * (the slot is taken atomically at login), and slots come back when clients leave.
 */
class AccountConnectionLimitRaceTest {

    @Test
    void exactlyTheLimitIsAdmittedUnderConcurrentLogins() throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account a = chain.account("A");
        a.limits().put("conn", 5);
        TrustOptions trust = TrustOptions.of(chain.operatorJwt(), null, TrustOptions.Resolver.memory(),
                Map.of(a.publicKey(), a.jwt()));
        try (RunningServer server = RunningServer.start(b -> b.trust(trust))) {
            for (int round = 0; round < 3; round++) {
                List<RawClient> clients = new ArrayList<>();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                try {
                    for (int i = 0; i < 24; i++) {
                        TrustChain.User u = a.user("u" + i);
                        RawClient c = new RawClient(server.port());
                        clients.add(c);
                        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
                        String connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt()
                                + "\",\"sig\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n";
                        outcomes.add(pool.submit(() -> {
                            go.await();
                            c.send(connect);
                            return c.readLine();
                        }));
                    }
                    go.countDown();
                    int admitted = 0;
                    int refused = 0;
                    for (Future<String> f : outcomes) {
                        String line = f.get(10, TimeUnit.SECONDS);
                        if ("PONG\r\n".equals(line)) {
                            admitted++;
                        } else if ("-ERR 'maximum account active connections exceeded'\r\n".equals(line)) {
                            refused++;
                        }
                    }
                    assertThat(admitted).as("round %d", round).isEqualTo(5);
                    assertThat(refused).as("round %d", round).isEqualTo(19);
                } finally {
                    pool.shutdownNow();
                    for (RawClient c : clients) {
                        c.close();
                    }
                }
                // every slot comes back once the clients are gone
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> server.server().context().clientCount() == 0);
            }
        }
    }
}
