package io.natsboot.server.monitor;

import java.time.Instant;
import java.util.List;

/**
 * One client connection in /connz, open or closed, with nats-server 2.9's fields and omit rules.
 * Times are the connection's own; {@code uptime} and {@code idle} are already formatted relative
 * to the snapshot time (for a closed connection, to its stop time).
 *
 * @param stop                    closed connections only, else null
 * @param reason                  closed connections only, else null
 * @param rtt                     Go duration string, {@code "0s"} while unknown
 * @param subscriptionsList       with {@code subs=1}, else null (omitted)
 * @param subscriptionsListDetail with {@code subs=detail}, else null (omitted)
 * @param authorizedUser          with {@code auth=1}, else null (omitted)
 * @param account                 with {@code auth=1} when not the global account, else null (omitted)
 */
public record ConnInfo(
        long cid,
        String kind,
        String type,
        String ip,
        int port,
        Instant start,
        Instant lastActivity,
        Instant stop,
        String reason,
        String rtt,
        String uptime,
        String idle,
        long pendingBytes,
        long inMsgs,
        long outMsgs,
        long inBytes,
        long outBytes,
        int subscriptions,
        String name,
        String lang,
        String version,
        String authorizedUser,
        String account,
        List<String> subscriptionsList,
        List<SubDetail> subscriptionsListDetail) implements JsonWriter.Writable {

    /** This entry with subscription lists and auth fields replaced (used when answering a query). */
    public ConnInfo with(List<String> subs, List<SubDetail> detail, String user, String acc) {
        return new ConnInfo(cid, kind, type, ip, port, start, lastActivity, stop, reason, rtt, uptime, idle,
                pendingBytes, inMsgs, outMsgs, inBytes, outBytes, subscriptions, name, lang, version, user, acc,
                subs, detail);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .name("cid").unsignedValue(cid)
                .fieldOmitEmpty("kind", kind)
                .fieldOmitEmpty("type", type)
                .field("ip", ip)
                .field("port", port)
                .field("start", start)
                .field("last_activity", lastActivity);
        if (stop != null) {
            w.field("stop", stop);
        }
        w.fieldOmitEmpty("reason", reason)
                .fieldOmitEmpty("rtt", rtt)
                .field("uptime", uptime)
                .field("idle", idle)
                .field("pending_bytes", pendingBytes)
                .field("in_msgs", inMsgs)
                .field("out_msgs", outMsgs)
                .field("in_bytes", inBytes)
                .field("out_bytes", outBytes)
                .field("subscriptions", subscriptions)
                .fieldOmitEmpty("name", name)
                .fieldOmitEmpty("lang", lang)
                .fieldOmitEmpty("version", version)
                .fieldOmitEmpty("authorized_user", authorizedUser)
                .fieldOmitEmpty("account", account)
                .fieldOmitEmpty("subscriptions_list", subscriptionsList);
        if (subscriptionsListDetail != null && !subscriptionsListDetail.isEmpty()) {
            w.name("subscriptions_list_detail").array(subscriptionsListDetail);
        }
        w.endObject();
    }
}
