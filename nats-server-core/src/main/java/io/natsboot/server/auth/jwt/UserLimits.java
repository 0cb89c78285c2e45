package io.natsboot.server.auth.jwt;

import io.nats.client.support.JsonValue;
import io.natsboot.server.auth.Permissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user JWT (or a scoped signing key's template) says the user may do: publish and subscribe allow/deny
 * lists, {@code resp}, source networks {@code src}, connect {@code times} (in {@code times_location}), the
 * limits {@code subs}/{@code data}/{@code payload} (-1 = unlimited), {@code bearer_token} and the allowed
 * connection types.
 */
public record UserLimits(Permissions.SubjectPermission pub, Permissions.SubjectPermission sub,
        Permissions.ResponsePermission resp, List<String> src, List<TimeRange> times, String locale, long subs,
        long data, long payload, boolean bearerToken, List<String> allowedConnectionTypes) {

    /** A {@code times} entry: connections allowed from {@code start} to {@code end}, {@code HH:MM:SS} each. */
    public record TimeRange(String start, String end) {
    }

    static UserLimits read(JsonValue o) {
        List<TimeRange> times = new ArrayList<>();
        for (JsonValue t : Claims.array(o, "times")) {
            times.add(new TimeRange(Claims.string(t, "start"), Claims.string(t, "end")));
        }
        List<String> src = Claims.strings(o, "src");
        List<String> types = Claims.strings(o, "allowed_connection_types");
        return new UserLimits(subjectPermission(Claims.get(o, "pub")), subjectPermission(Claims.get(o, "sub")),
                response(Claims.get(o, "resp")), src == null ? List.of() : src, List.copyOf(times),
                Claims.string(o, "times_location"), Claims.longOr(o, "subs", 0), Claims.longOr(o, "data", 0),
                Claims.longOr(o, "payload", 0), Claims.bool(o, "bearer_token"), types == null ? List.of() : types);
    }

    /** {@code {"allow": [...], "deny": [...]}}; null when neither list has an entry (jwt's empty Permission). */
    static Permissions.SubjectPermission subjectPermission(JsonValue o) {
        List<String> allow = Claims.strings(o, "allow");
        List<String> deny = Claims.strings(o, "deny");
        if ((allow == null || allow.isEmpty()) && (deny == null || deny.isEmpty())) {
            return null;
        }
        return new Permissions.SubjectPermission(allow == null || allow.isEmpty() ? null : allow,
                deny == null || deny.isEmpty() ? null : deny);
    }

    /**
     * {@code {"max": n, "ttl": nanoseconds}}, with nats-server's defaults for zero values (one message, two
     * minutes).
     */
    static Permissions.ResponsePermission response(JsonValue o) {
        if (o == null) {
            return null;
        }
        long max = Claims.longOr(o, "max", 0);
        long ttl = Claims.longOr(o, "ttl", 0);
        Permissions.ResponsePermission d = Permissions.ResponsePermission.DEFAULT;
        return new Permissions.ResponsePermission(max == 0 ? d.maxMsgs() : (int) max,
                ttl == 0 ? d.expires() : Duration.ofNanos(ttl));
    }

    /**
     * jwt's UserPermissionLimits.Empty(): nothing set, limits at Go's zero (so -1, "unlimited", counts as set). A
     * user signed by a scoped signing key must be empty: its limits come from the key's template.
     */
    public boolean isEmpty() {
        return pub == null && sub == null && resp == null && src.isEmpty() && times.isEmpty()
                && (locale == null || locale.isEmpty()) && subs == 0 && data == 0 && payload == 0 && !bearerToken
                && allowedConnectionTypes.isEmpty();
    }

    /**
     * nats-server's buildInternalNkeyUser: the permissions of a user with these limits; null when the JWT gives
     * none (then the account's default permissions apply).
     */
    public Permissions permissions() {
        if (pub == null && sub == null && resp == null) {
            return null;
        }
        return new Permissions(pub, sub, resp);
    }
}
