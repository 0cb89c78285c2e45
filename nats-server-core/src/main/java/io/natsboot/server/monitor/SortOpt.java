package io.natsboot.server.monitor;

/** The {@code sort} values of /connz, spelled as on the wire (case-sensitive, as in nats-server). */
public enum SortOpt {
    CID("cid"),
    START("start"),
    SUBS("subs"),
    PENDING("pending"),
    MSGS_TO("msgs_to"),
    MSGS_FROM("msgs_from"),
    BYTES_TO("bytes_to"),
    BYTES_FROM("bytes_from"),
    LAST("last"),
    IDLE("idle"),
    UPTIME("uptime"),
    STOP("stop"),
    REASON("reason");

    private final String wire;

    SortOpt(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The option for a wire value; {@code null} when not valid. An empty value means {@link #CID}. */
    public static SortOpt parse(String s) {
        if (s == null || s.isEmpty()) {
            return CID;
        }
        for (SortOpt o : values()) {
            if (o.wire.equals(s)) {
                return o;
            }
        }
        return null;
    }
}
