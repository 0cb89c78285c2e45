package io.natsboot.server.auth.jwt;

import io.nats.client.NKey;
import io.nats.client.support.JsonValue;
import io.natsboot.server.auth.NKeys;
import io.natsboot.server.auth.Permissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An account JWT: {@code sub} is the account's public key (its name in the server), {@code iss} the operator or
 * one of its signing keys. Holds the account's signing keys (plain, or scoped with a user template), limits,
 * exports, imports, revoked users, default permissions and subject mappings.
 *
 * <p>Absent limits are 0, as Go's decoder leaves them (nsc writes -1 for "unlimited"): an account JWT without
 * {@code limits.conn} admits no connection, in nats-server as here.
 */
public record AccountClaims(Jwt jwt, Map<String, UserLimits> signingKeys, Limits limits, List<Export> exports,
        List<Import> imports, Map<String, Long> revocations, Permissions defaultPermissions,
        Map<String, List<Mapping>> mappings) {

    /** Account limits; -1 = unlimited. */
    public record Limits(long conn, long subs, long payload, long data, long imports, long exports, boolean wildcards,
            long leaf) {
    }

    /** An export: a stream or service subject, maybe needing an activation token, with its own revocations. */
    public record Export(String name, String subject, boolean service, boolean tokenRequired,
            Map<String, Long> revocations, String responseType, long responseThresholdNanos,
            int accountTokenPosition) {
    }

    /**
     * An import of {@code subject} from {@code account}: streams land under {@code to} (a prefix in jwt v2's old
     * meaning) or at {@code localSubject}; services are requested on {@code localSubject}/{@code to}.
     */
    public record Import(String name, String subject, String account, String token, String to, String localSubject,
            boolean service, boolean share) {
        /** The subject this account uses for the import. */
        public String local() {
            if (localSubject != null && !localSubject.isEmpty()) {
                return localSubject;
            }
            if (to != null && !to.isEmpty()) {
                return service ? to : to + "." + subject; // a stream's "to" is a prefix
            }
            return subject;
        }
    }

    /**
     * The account's JetStream limits ({@code limits.mem_storage}, {@code disk_storage}, {@code streams},
     * {@code consumer}, {@code max_ack_pending}, {@code mem_max_stream_bytes}, {@code disk_max_stream_bytes},
     * {@code max_bytes_required}; absent = 0). JetStream is enabled when memory or disk storage is not 0
     * (-1 = unlimited), as in nats-server 2.9.10.
     */
    public record JetStreamLimits(long memStorage, long diskStorage, long streams, long consumer, long maxAckPending,
            long memMaxStreamBytes, long diskMaxStreamBytes, boolean maxBytesRequired) {
        public boolean enabled() {
            return memStorage != 0 || diskStorage != 0;
        }
    }

    /** The JetStream part of {@code limits} (read from the token, so the record's shape stays as it is). */
    public JetStreamLimits jetStreamLimits() {
        return jetStreamLimits(Claims.get(jwt.nats(), "limits"));
    }

    /** {@code limits.tiered_limits}: JetStream limits per tier ({@code R1}, {@code R3}...); empty when none. */
    public Map<String, JetStreamLimits> tieredJetStreamLimits() {
        JsonValue t = Claims.get(Claims.get(jwt.nats(), "limits"), "tiered_limits");
        Map<String, JetStreamLimits> out = new LinkedHashMap<>();
        if (t != null && t.map != null) {
            for (Map.Entry<String, JsonValue> e : t.map.entrySet()) {
                out.put(e.getKey(), jetStreamLimits(e.getValue()));
            }
        }
        return out;
    }

    private static JetStreamLimits jetStreamLimits(JsonValue l) {
        return new JetStreamLimits(Claims.longOr(l, "mem_storage", 0), Claims.longOr(l, "disk_storage", 0),
                Claims.longOr(l, "streams", 0), Claims.longOr(l, "consumer", 0), Claims.longOr(l, "max_ack_pending", 0),
                Claims.longOr(l, "mem_max_stream_bytes", 0), Claims.longOr(l, "disk_max_stream_bytes", 0),
                Claims.bool(l, "max_bytes_required"));
    }

    /** A weighted destination of a subject mapping. */
    public record Mapping(String subject, int weight, String cluster) {
    }

    public static AccountClaims decode(String token) throws JwtException {
        Jwt j = Jwt.decode(token).requireType("account");
        if (!NKeys.isValidPublicKey(j.subject(), NKey.Type.ACCOUNT)) {
            throw new JwtException("subject is not an account public key");
        }
        if (!NKeys.isValidPublicKey(j.issuer(), NKey.Type.OPERATOR)) {
            throw new JwtException("issuer is not an operator public key");
        }
        JsonValue n = j.nats();
        Map<String, UserLimits> keys = new LinkedHashMap<>();
        for (JsonValue k : Claims.array(n, "signing_keys")) {
            if (k.string != null) {
                keys.put(k.string, null);
            } else if (k.map != null && Claims.string(k, "key") != null) {
                keys.put(Claims.string(k, "key"), UserLimits.read(Claims.get(k, "template")));
            }
        }
        JsonValue l = Claims.get(n, "limits");
        Limits limits = new Limits(Claims.longOr(l, "conn", 0), Claims.longOr(l, "subs", 0),
                Claims.longOr(l, "payload", 0), Claims.longOr(l, "data", 0), Claims.longOr(l, "imports", 0),
                Claims.longOr(l, "exports", 0), Claims.bool(l, "wildcards"), Claims.longOr(l, "leaf", 0));
        List<Export> exports = new ArrayList<>();
        for (JsonValue e : Claims.array(n, "exports")) {
            exports.add(new Export(Claims.string(e, "name"), Claims.string(e, "subject"),
                    "service".equals(Claims.string(e, "type")), Claims.bool(e, "token_req"),
                    revocations(Claims.get(e, "revocations")), Claims.string(e, "response_type"),
                    Claims.longOr(e, "response_threshold", 0), (int) Claims.longOr(e, "account_token_position", 0)));
        }
        List<Import> imports = new ArrayList<>();
        for (JsonValue i : Claims.array(n, "imports")) {
            imports.add(new Import(Claims.string(i, "name"), Claims.string(i, "subject"), Claims.string(i, "account"),
                    Claims.string(i, "token"), Claims.string(i, "to"), Claims.string(i, "local_subject"),
                    "service".equals(Claims.string(i, "type")), Claims.bool(i, "share")));
        }
        JsonValue dp = Claims.get(n, "default_permissions");
        UserLimits d = dp == null ? null : UserLimits.read(dp);
        Map<String, List<Mapping>> mappings = new LinkedHashMap<>();
        JsonValue m = Claims.get(n, "mappings");
        if (m != null && m.map != null) {
            for (Map.Entry<String, JsonValue> e : m.map.entrySet()) {
                List<Mapping> to = new ArrayList<>();
                if (e.getValue().array != null) {
                    for (JsonValue t : e.getValue().array) {
                        to.add(new Mapping(Claims.string(t, "subject"), (int) Claims.longOr(t, "weight", 0),
                                Claims.string(t, "cluster")));
                    }
                }
                mappings.put(e.getKey(), List.copyOf(to));
            }
        }
        return new AccountClaims(j, keys, limits, List.copyOf(exports), List.copyOf(imports),
                revocations(Claims.get(n, "revocations")), d == null ? null : d.permissions(), mappings);
    }

    private static Map<String, Long> revocations(JsonValue o) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (o != null && o.map != null) {
            for (Map.Entry<String, JsonValue> e : o.map.entrySet()) {
                if (e.getValue().number != null) {
                    out.put(e.getKey(), e.getValue().number.longValue());
                }
            }
        }
        return out;
    }

    /**
     * jwt's blocking validation errors of the claims (an account with any is refused): imports whose activation
     * token does not decode or was issued to another account.
     */
    public List<String> validationIssues() {
        List<String> out = new ArrayList<>();
        for (Import i : imports) {
            if (i.token() == null || i.token().isEmpty()) {
                continue;
            }
            try {
                ActivationClaims act = ActivationClaims.decode(i.token());
                if (!subject().equals(act.jwt().subject())) {
                    out.add("activation token doesn't match account it is being included in, \"" + i.subject() + "\"");
                }
            } catch (JwtException e) {
                out.add("import \"" + i.subject() + "\" contains an invalid activation token");
            }
        }
        return out;
    }

    /** The account's {@code tags} (empty when none). */
    public List<String> tags() {
        List<String> t = Claims.strings(jwt.nats(), "tags");
        return t == null ? List.of() : t;
    }

    /** The account's public key, its name in the server. */
    public String subject() {
        return jwt.subject();
    }

    /** Whether {@code key} may issue users of this account: the account key itself or one of its signing keys. */
    public boolean hasIssuer(String key) {
        return subject().equals(key) || signingKeys.containsKey(key);
    }

    /**
     * nats-server's isRevoked: a user key (or the export's importer) issued at {@code issuedAt} is revoked when its
     * own entry, else the {@code "*"} entry, is at or after that time.
     */
    public static boolean revoked(Map<String, Long> revocations, String key, long issuedAt) {
        if (revocations.isEmpty()) {
            return false;
        }
        Long t = revocations.get(key);
        if (t == null || t < issuedAt) {
            t = revocations.get("*");
        }
        return t != null && t >= issuedAt;
    }

    /** Whether the user {@code userKey} issued at {@code issuedAt} is revoked. */
    public boolean userRevoked(String userKey, long issuedAt) {
        return revoked(revocations, userKey, issuedAt);
    }
}
