package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.NKey;
import io.natsboot.server.support.TrustChain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding and checking operator, account, user and activation JWTs issued by {@link TrustChain} (jnats). */
class JwtDecodeTest {
    private final TrustChain chain = TrustChain.create();

    @Test
    void decodesOperatorWithSigningKeys() throws Exception {
        chain.operatorNats().put("system_account", "ABC");
        OperatorClaims op = OperatorClaims.decode(chain.operatorJwt());
        assertThat(op.subject()).isEqualTo(TrustChain.pub(chain.operator));
        assertThat(op.signingKeys()).containsExactly(TrustChain.pub(chain.operatorSigner));
        assertThat(op.trustedKeys()).containsExactly(op.subject(), TrustChain.pub(chain.operatorSigner));
        assertThat(op.systemAccount()).isEqualTo("ABC");
        assertThat(op.jwt().issuedAt()).isPositive();
    }

    @Test
    void decodesAccountLimitsExportsImportsRevocationsMappings() throws Exception {
        TrustChain.Account a = chain.account("A", n -> {
            n.put("exports", List.of(Map.of("name", "e", "subject", "events.>", "type", "stream", "token_req", true),
                    Map.of("subject", "help.>", "type", "service", "response_type", "Stream")));
            n.put("imports", List.of(Map.of("subject", "x.>", "account", "AB", "type", "stream", "to", "pre")));
            n.put("revocations", Map.of("UABC", 100L, "*", 50L));
            n.put("mappings", Map.of("foo", List.of(Map.of("subject", "bar", "weight", 100))));
        });
        a.limits().put("conn", 3);
        AccountClaims ac = AccountClaims.decode(a.jwt());
        assertThat(ac.subject()).isEqualTo(a.publicKey());
        assertThat(ac.jwt().issuer()).isEqualTo(TrustChain.pub(chain.operatorSigner));
        assertThat(ac.limits().conn()).isEqualTo(3);
        assertThat(ac.limits().subs()).isEqualTo(-1);
        assertThat(ac.signingKeys()).containsOnlyKeys(TrustChain.pub(a.signer));
        assertThat(ac.hasIssuer(TrustChain.pub(a.signer))).isTrue();
        assertThat(ac.hasIssuer(a.publicKey())).isTrue();
        assertThat(ac.exports()).extracting(AccountClaims.Export::subject).containsExactly("events.>", "help.>");
        assertThat(ac.exports().get(0).tokenRequired()).isTrue();
        assertThat(ac.exports().get(1).service()).isTrue();
        assertThat(ac.exports().get(1).responseType()).isEqualTo("Stream");
        assertThat(ac.imports().get(0).local()).isEqualTo("pre.x.>");
        assertThat(ac.mappings().get("foo")).containsExactly(new AccountClaims.Mapping("bar", 100, null));
        assertThat(ac.userRevoked("UABC", 100)).as("revoked at its iat").isTrue();
        assertThat(ac.userRevoked("UABC", 101)).as("issued after revocation").isFalse();
        assertThat(ac.userRevoked("UOTHER", 50)).as("the * entry").isTrue();
        assertThat(ac.userRevoked("UOTHER", 51)).isFalse();
    }

    @Test
    void accountWithoutLimitsHasZeroLimitsAsGoDecodes() throws Exception {
        TrustChain.Account a = chain.account("A", n -> n.remove("limits"));
        assertThat(AccountClaims.decode(a.jwt()).limits().conn()).isZero();
    }

    @Test
    void decodesUserPermissionsAndLimits() throws Exception {
        TrustChain.Account a = chain.account("A");
        TrustChain.User u = a.user("u", n -> {
            n.put("pub", Map.of("allow", List.of("orders.>"), "deny", List.of("orders.secret")));
            n.put("sub", Map.of("allow", List.of("orders.*")));
            n.put("resp", Map.of("max", 2, "ttl", 1_000_000_000L));
            n.put("src", List.of("127.0.0.0/8"));
            n.put("times", List.of(Map.of("start", "08:00:00", "end", "17:00:00")));
            n.put("times_location", "Europe/Berlin");
            n.put("subs", 10);
            n.put("payload", 512);
            n.put("bearer_token", true);
            n.put("allowed_connection_types", List.of("STANDARD", "WEBSOCKET"));
        }, Duration.ofHours(1));
        UserClaims uc = UserClaims.decode(u.jwt());
        assertThat(uc.subject()).isEqualTo(u.publicKey());
        assertThat(uc.issuerAccount()).isEqualTo(a.publicKey());
        assertThat(uc.account()).isEqualTo(a.publicKey());
        UserLimits l = uc.limits();
        assertThat(l.pub().allow()).containsExactly("orders.>");
        assertThat(l.pub().deny()).containsExactly("orders.secret");
        assertThat(l.sub().allow()).containsExactly("orders.*");
        assertThat(l.sub().deny()).isNull();
        assertThat(l.resp().maxMsgs()).isEqualTo(2);
        assertThat(l.resp().expires()).isEqualTo(Duration.ofSeconds(1));
        assertThat(l.src()).containsExactly("127.0.0.0/8");
        assertThat(l.times()).containsExactly(new UserLimits.TimeRange("08:00:00", "17:00:00"));
        assertThat(l.locale()).isEqualTo("Europe/Berlin");
        assertThat(l.subs()).isEqualTo(10);
        assertThat(l.data()).isEqualTo(-1);
        assertThat(l.payload()).isEqualTo(512);
        assertThat(l.bearerToken()).isTrue();
        assertThat(l.allowedConnectionTypes()).containsExactly("STANDARD", "WEBSOCKET");
        assertThat(uc.jwt().expires() - uc.jwt().issuedAt()).isEqualTo(3600);
        assertThat(l.permissions().canPublish("orders.new")).isTrue();
        assertThat(l.permissions().canPublish("orders.secret")).isFalse();
    }

    @Test
    void userWithoutPermissionsHasNone() throws Exception {
        UserClaims uc = UserClaims.decode(chain.account("A").user("u").jwt());
        assertThat(uc.limits().permissions()).isNull();
        assertThat(uc.limits().src()).isEmpty();
    }

    @Test
    void srcAsCommaSeparatedString() throws Exception {
        UserClaims uc = UserClaims.decode(chain.account("A").user("u", n -> n.put("src", "10.0.0.0/8, 192.168.1.1/32"))
                .jwt());
        assertThat(uc.limits().src()).containsExactly("10.0.0.0/8", "192.168.1.1/32");
    }

    @Test
    void scopedSigningKeyTemplate() throws Exception {
        TrustChain.Account a = chain.account("A");
        NKey scoped = NKey.createAccount(null);
        a.nats.put("signing_keys", List.of(TrustChain.pub(a.signer), Map.of("kind", "user_scope", "key",
                TrustChain.pub(scoped), "role", "ro", "template",
                Map.of("sub", Map.of("allow", List.of("ro.>")), "subs", 5, "data", -1, "payload", -1))));
        AccountClaims ac = AccountClaims.decode(a.jwt());
        assertThat(ac.signingKeys().get(TrustChain.pub(a.signer))).isNull();
        UserLimits t = ac.signingKeys().get(TrustChain.pub(scoped));
        assertThat(t.sub().allow()).containsExactly("ro.>");
        assertThat(t.subs()).isEqualTo(5);
    }

    @Test
    void activationToken() throws Exception {
        TrustChain.Account exporter = chain.account("E");
        TrustChain.Account importer = chain.account("I");
        ActivationClaims act = ActivationClaims.decode(exporter.activation(importer, "events.>", "stream"));
        assertThat(act.jwt().subject()).isEqualTo(importer.publicKey());
        assertThat(act.exporter()).isEqualTo(exporter.publicKey());
        assertThat(act.importSubject()).isEqualTo("events.>");
        assertThat(act.kind()).isEqualTo("stream");
    }

    @Test
    void expiryTimeChecks() throws Exception {
        Jwt j = Jwt.decode(chain.account("A").user("u", n -> {
        }, Duration.ofSeconds(10)).jwt());
        long now = j.issuedAt();
        assertThat(j.timeProblem(now)).isNull();
        assertThat(j.timeProblem(now + 10)).isNull();
        assertThat(j.timeProblem(now + 11)).isEqualTo("claim is expired");
    }

    @Test
    void refusesTamperedAndMistypedTokens() {
        TrustChain.Account a = chain.account("A");
        String jwt = a.jwt();
        int dot = jwt.lastIndexOf('.');
        String otherBody = chain.account("B").jwt().split("\\.")[1];
        String forged = jwt.substring(0, jwt.indexOf('.') + 1) + otherBody + jwt.substring(dot);
        assertThatThrownBy(() -> AccountClaims.decode(forged)).hasMessage("claim failed V2 signature verification");
        assertThatThrownBy(() -> AccountClaims.decode("a.b")).hasMessage("expected 3 chunks");
        assertThatThrownBy(() -> AccountClaims.decode("!!.b.c")).hasMessageContaining("illegal base64");
        assertThatThrownBy(() -> UserClaims.decode(jwt)).hasMessage("not a user claim");
        assertThatThrownBy(() -> OperatorClaims.decode(jwt)).hasMessage("not an operator claim");
        // an account signed by an account key (not an operator)
        String badIssuer = TrustChain.issue(a.signer, a.publicKey(), "A", null, 0, a.nats);
        assertThatThrownBy(() -> AccountClaims.decode(badIssuer)).hasMessage("issuer is not an operator public key");
    }
}
