package io.natsboot.server.leaf;

import io.natsboot.server.auth.Permissions;
import io.natsboot.server.auth.Permissions.SubjectPermission;
import io.natsboot.server.config.LeafNodeOptions;
import io.natsboot.server.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The permissions of one leaf connection, in the direction nats-server 2.9.10 checks them on a LEAF client
 * (leafnode.go, probed on the binary): the publish side decides what may be delivered to the remote as LMSG and which
 * literal LS+ the remote may send; the subscribe side decides which of our interest is advertised to the remote.
 *
 * <ul>
 *   <li>Solicited: {@code deny_exports} is a publish deny, {@code deny_imports} a subscribe deny; an INFO carrying
 *       {@code export}/{@code import} (the hub's user permissions) replaces them, the local denies appended.</li>
 *   <li>Accepted with a user that has permissions: the user's publish and subscribe swap (the data flows the other
 *       way), the spoke's CONNECT {@code deny_pub} is appended to the publish deny, and the user's subscribe deny
 *       drops deliveries silently (nats-server's deny filter, no log line).</li>
 * </ul>
 * Messages coming in from the remote are not checked, as in 2.9.10.
 */
final class LeafPermissions {
    private LeafPermissions() {
    }

    /** A solicited connection's permissions, the hub's {@code export}/{@code import} (null when absent) merged. */
    static Permissions ofRemote(LeafNodeOptions.Remote r, SubjectPermission export, SubjectPermission imports) {
        if (export == null && imports == null && r.denyExports().isEmpty() && r.denyImports().isEmpty()) {
            return null;
        }
        return new Permissions(withDeny(export, r.denyExports()), withDeny(imports, r.denyImports()), null);
    }

    /** An accepted connection's permissions: the user's (null = none) swapped, the CONNECT's deny_pub appended. */
    static Permissions ofAccepted(Permissions user, List<String> denyPub) {
        if (user == null && denyPub.isEmpty()) {
            return null;
        }
        SubjectPermission pub = user == null ? null : user.subscribe();
        SubjectPermission sub = user == null ? null : user.publish();
        return new Permissions(withDeny(pub, denyPub), sub, null);
    }

    /** The deliveries an accepted connection drops without a log line: its user's subscribe deny list. */
    static Permissions silentDeny(Permissions user) {
        if (user == null || user.subscribe() == null || user.subscribe().deny() == null
                || user.subscribe().deny().isEmpty()) {
            return null;
        }
        return new Permissions(null, new SubjectPermission(null, user.subscribe().deny()), null);
    }

    private static SubjectPermission withDeny(SubjectPermission p, List<String> deny) {
        if (deny.isEmpty()) {
            return p;
        }
        List<String> all = new ArrayList<>();
        if (p != null && p.deny() != null) {
            all.addAll(p.deny());
        }
        all.addAll(deny);
        return new SubjectPermission(p == null ? null : p.allow(), all);
    }

    /** Loop detection and routed replies pass every check (nats-server's exemption for $LDS., _GR_. and $GR.). */
    static boolean exempt(String subject) {
        return subject.startsWith(LeafNodes.LDS_PREFIX) || subject.startsWith("_GR_.") || subject.startsWith("$GR.");
    }

    /** An INFO's {@code import}/{@code export} object, or null. */
    static SubjectPermission parse(Object json) {
        if (!(json instanceof Map<?, ?> m)) {
            return null;
        }
        return new SubjectPermission(strings(m.get("allow")), strings(m.get("deny")));
    }

    private static List<String> strings(Object o) {
        if (!(o instanceof List<?> l)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object e : l) {
            if (e instanceof String s) {
                out.add(s);
            }
        }
        return out;
    }

    /** Appends {@code ,"name":{"allow":[..],"deny":[..]}} as Go's encoder writes a *SubjectPermission (omitempty). */
    static void appendJson(StringBuilder b, String name, SubjectPermission p) {
        if (p == null) {
            return;
        }
        b.append(",\"").append(name).append("\":{");
        int mark = b.length();
        Json.stringArrayOmitEmpty(b, "allow", p.allow() == null ? List.of() : p.allow());
        Json.stringArrayOmitEmpty(b, "deny", p.deny() == null ? List.of() : p.deny());
        if (b.length() > mark) {
            b.deleteCharAt(mark); // the first member's leading comma
        }
        b.append('}');
    }
}
