package io.natsboot.server.monitor;

/**
 * One subscription as /subsz and {@code /connz?subs=detail} show it. {@code account} is
 * {@code null} (omitted) in /connz, {@code "$G"} in /subsz.
 *
 * @param msgs messages delivered to it
 * @param max  auto-unsubscribe limit, 0 = none (omitted)
 */
public record SubDetail(String account, String subject, String qgroup, String sid, long msgs, long max, long cid)
        implements JsonWriter.Writable {

    /** The same subscription with {@code account} set (or cleared with null). */
    public SubDetail withAccount(String acc) {
        return new SubDetail(acc, subject, qgroup, sid, msgs, max, cid);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject()
                .fieldOmitEmpty("account", account)
                .field("subject", subject)
                .fieldOmitEmpty("qgroup", qgroup)
                .field("sid", sid)
                .field("msgs", msgs)
                .fieldOmitEmpty("max", max)
                .name("cid").unsignedValue(cid)
                .endObject();
    }
}
