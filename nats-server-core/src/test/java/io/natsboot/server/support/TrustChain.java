package io.natsboot.server.support;

import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JsonValue;
import io.nats.client.support.JwtUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A whole operator-mode trust chain made at test time (nothing secret is checked in): an operator with a signing
 * key, accounts signed by that signing key, each with a signing key of its own, and users signed by the account's
 * signing key ({@code issuer_account} set), written as .creds files.
 *
 * <p>Keys are jnats' {@link NKey}s; tokens are signed with jnats' {@link JwtUtils#issueJWT}. The {@code nats}
 * section of each claim is a plain map the test may change ({@code limits}, {@code exports}, {@code pub}...),
 * with the defaults nsc writes (unlimited account and user limits).
 */
public final class TrustChain {
    private static final SecureRandom RANDOM = new SecureRandom();

    public final NKey operator;
    public final NKey operatorSigner;
    private final Map<String, Object> operatorNats = new LinkedHashMap<>();
    private final List<Account> accounts = new ArrayList<>();

    private TrustChain() {
        operator = key(Kind.OPERATOR);
        operatorSigner = key(Kind.OPERATOR);
        operatorNats.put("signing_keys", List.of(pub(operatorSigner)));
        operatorNats.put("type", "operator");
        operatorNats.put("version", 2);
    }

    /** A new operator with one signing key. */
    public static TrustChain create() {
        return new TrustChain();
    }

    /** The operator's nats section, for changes before {@link #operatorJwt()}. */
    public Map<String, Object> operatorNats() {
        return operatorNats;
    }

    /** The operator JWT, self-signed by the operator's identity key. */
    public String operatorJwt() {
        return issue(operator, pub(operator), "operator", null, 0, operatorNats);
    }

    /** A new account named {@code name}, its nats section changed by {@code spec}; signed by the operator signer. */
    public Account account(String name, Consumer<Map<String, Object>> spec) {
        Account a = new Account(this, name);
        spec.accept(a.nats);
        accounts.add(a);
        return a;
    }

    public Account account(String name) {
        return account(name, n -> {
        });
    }

    public List<Account> accounts() {
        return List.copyOf(accounts);
    }

    /** One account: identity key, a signing key, and its nats section. */
    public static final class Account {
        private final TrustChain chain;
        public final String name;
        public final NKey key;
        public final NKey signer;
        public final Map<String, Object> nats = new LinkedHashMap<>();
        /** Unix seconds put in iat; 0 = now. */
        public long issuedAt;

        private Account(TrustChain chain, String name) {
            this.chain = chain;
            this.name = name;
            this.key = key(Kind.ACCOUNT);
            this.signer = key(Kind.ACCOUNT);
            Map<String, Object> limits = new LinkedHashMap<>();
            for (String k : List.of("subs", "data", "payload", "imports", "exports", "conn", "leaf")) {
                limits.put(k, -1);
            }
            limits.put("wildcards", true);
            nats.put("limits", limits);
            nats.put("signing_keys", new ArrayList<>(List.of(pub(signer))));
            nats.put("default_permissions", Map.of("pub", Map.of(), "sub", Map.of()));
            nats.put("type", "account");
            nats.put("version", 2);
        }

        public String publicKey() {
            return pub(key);
        }

        /** The account JWT as it is now, signed by the operator's signing key. */
        public String jwt() {
            return issue(chain.operatorSigner, publicKey(), name, null, issuedAt, nats);
        }

        /** The same claims signed by the operator's identity key. */
        public String jwtSignedByOperatorIdentity() {
            return issue(chain.operator, publicKey(), name, null, issuedAt, nats);
        }

        /** Account limits: the {@code limits} map, to set conn/subs/payload... */
        @SuppressWarnings("unchecked")
        public Map<String, Object> limits() {
            return (Map<String, Object>) nats.get("limits");
        }

        /** A user signed by this account's signing key; {@code spec} changes its nats section. */
        public User user(String name, Consumer<Map<String, Object>> spec) {
            return user(name, spec, null);
        }

        public User user(String name) {
            return user(name, n -> {
            }, null);
        }

        /** A user expiring after {@code expires} (null = never). */
        public User user(String name, Consumer<Map<String, Object>> spec, Duration expires) {
            User u = new User(this, name, expires);
            spec.accept(u.nats);
            return u;
        }

        /** An activation token for {@code importer} to import {@code subject} of {@code kind} (stream/service). */
        public String activation(Account importer, String subject, String kind) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("subject", subject);
            n.put("kind", kind);
            n.put("issuer_account", publicKey());
            n.put("type", "activation");
            n.put("version", 2);
            return issue(signer, importer.publicKey(), subject, null, 0, n);
        }
    }

    /** One user: key pair, nats section and, once issued, its JWT and .creds text. */
    public static final class User {
        public final Account account;
        public final String name;
        public final NKey key;
        public final Map<String, Object> nats = new LinkedHashMap<>();
        private final Duration expires;
        /** Unix seconds put in iat; 0 = now. */
        public long issuedAt;
        /** Sign with the account's identity key instead of its signing key (no issuer_account). */
        public boolean signedByAccountIdentity;
        /** Sign with this key instead (a key the account does not know, for failure tests). */
        public NKey signedBy;

        private User(Account account, String name, Duration expires) {
            this.account = account;
            this.name = name;
            this.expires = expires;
            this.key = key(Kind.USER);
            nats.put("pub", new LinkedHashMap<>());
            nats.put("sub", new LinkedHashMap<>());
            nats.put("subs", -1);
            nats.put("data", -1);
            nats.put("payload", -1);
            nats.put("type", "user");
            nats.put("version", 2);
        }

        public String publicKey() {
            return pub(key);
        }

        public String seed() {
            return new String(key.getSeed());
        }

        public String jwt() {
            NKey signingKey = signedBy != null ? signedBy : signedByAccountIdentity ? account.key : account.signer;
            Map<String, Object> n = new LinkedHashMap<>(nats);
            if (signingKey != account.key) {
                n.put("issuer_account", account.publicKey());
            }
            return issue(signingKey, publicKey(), name, expires, issuedAt, n);
        }

        /** The .creds text nsc writes: decorated JWT and seed. */
        public String creds() {
            return String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt(), seed());
        }

        /** Writes the .creds file into {@code dir} as {@code <name>.creds}. */
        public Path writeCreds(Path dir) {
            Path p = dir.resolve(name + ".creds");
            try {
                Files.writeString(p, creds());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p;
        }
    }

    private enum Kind { OPERATOR, ACCOUNT, USER }

    private static NKey key(Kind kind) {
        try {
            return switch (kind) {
                case OPERATOR -> NKey.createOperator(RANDOM);
                case ACCOUNT -> NKey.createAccount(RANDOM);
                case USER -> NKey.createUser(RANDOM);
            };
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pub(NKey k) {
        try {
            return new String(k.getPublicKey());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWT for {@code subject} signed by {@code signer} (also its {@code iss}), with {@code nats} as claims. */
    public static String issue(NKey signer, String subject, String name, Duration expires, long issuedAt,
            Map<String, Object> nats) {
        JsonSerializable body = () -> toJson(nats).toJson();
        try {
            long iat = issuedAt != 0 ? issuedAt : System.currentTimeMillis() / 1000;
            return JwtUtils.issueJWT(signer, subject, name, expires, iat, pub(signer), body);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static JsonValue toJson(Object o) {
        if (o instanceof JsonValue v) {
            return v;
        }
        if (o instanceof Map<?, ?> m) {
            Map<String, JsonValue> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, toJson(v)));
            return new JsonValue(out);
        }
        if (o instanceof List<?> l) {
            List<JsonValue> out = new ArrayList<>();
            for (Object e : l) {
                out.add(toJson(e));
            }
            return new JsonValue(out);
        }
        if (o instanceof String s) {
            return new JsonValue(s);
        }
        if (o instanceof Boolean b) {
            return new JsonValue(b);
        }
        if (o instanceof Integer i) {
            return new JsonValue(i);
        }
        if (o instanceof Long l) {
            return new JsonValue(l);
        }
        if (o == null) {
            return JsonValue.NULL;
        }
        throw new IllegalArgumentException("no JSON for " + o.getClass());
    }
}
