package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache of verified user JWTs: a user who logs in again is not decoded again, what changes with time (expiry)
 * is still checked at each login, a JWT that fails verification is not kept, and the cache stays bounded.
 */
class VerifiedUserJwtsTest {

    @Test
    void reconnectsReuseTheVerifiedJwtAndExpiryIsStillChecked(@TempDir Path dir) throws Exception {
        TrustChain chain = TrustChain.create();
        TrustChain.Account a = chain.account("A");
        TrustChain.User forever = a.user("u");
        TrustChain.User shortLived = a.user("s", n -> {
        }, Duration.ofSeconds(2));
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {\n  " + a.publicKey()
                + ": \"" + a.jwt() + "\"\n}\n");
        try (RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
                return b;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            OperatorMode mode = s.server().context().operatorMode();
            String jwt = forever.jwt();
            for (int i = 0; i < 3; i++) {
                connect(s, jwt, forever.seed()).close();
            }
            assertThat(mode.cachedUserJwts()).isEqualTo(1);
            String shortJwt = shortLived.jwt(); // one token: jwt() issues a new one each call
            connect(s, shortJwt, shortLived.seed()).close();
            assertThat(mode.cachedUserJwts()).isEqualTo(2);
            long exp = System.currentTimeMillis() / 1000 + 2;
            Waits.upTo("the short-lived JWT to expire", Duration.ofSeconds(10))
                    .until(() -> System.currentTimeMillis() / 1000 > exp);
            assertThatThrownBy(() -> connect(s, shortJwt, shortLived.seed()))
                    .hasMessageContaining("Authorization Violation");
            connect(s, jwt, forever.seed()).close();
        }
    }

    @Test
    void failedJwtsAreNotKeptAndTheCacheIsBounded() throws Exception {
        VerifiedUserJwts cache = new VerifiedUserJwts();
        assertThatThrownBy(() -> cache.decode("not.a.jwt")).isInstanceOf(JwtException.class);
        assertThat(cache.size()).isZero();
        TrustChain.Account a = TrustChain.create().account("A");
        for (int i = 0; i < VerifiedUserJwts.MAX + 10; i++) {
            cache.decode(a.user("u" + i).jwt());
        }
        assertThat(cache.size()).isLessThanOrEqualTo(VerifiedUserJwts.MAX);
    }

    private static Connection connect(RunningServer s, String jwt, String seed) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).maxReconnects(0)
                .authHandler(Nats.staticCredentials(jwt.toCharArray(), seed.toCharArray())).build());
    }
}
