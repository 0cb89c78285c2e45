package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A stream's configuration as nats-server 2.9.10's {@code StreamConfig}: read from a request ({@link #parse}),
 * written back in the same field order with the same omissions ({@link #toJson}). Mutable while it is checked
 * and defaulted ({@link StreamConfigCheck}); a stream keeps its own copy.
 */
public final class StreamConfig {
    public enum Retention { LIMITS, INTEREST, WORKQUEUE }

    public enum Storage { FILE, MEMORY }

    public String name = "";
    public String description = "";
    public List<String> subjects = new ArrayList<>();
    public Retention retention = Retention.LIMITS;
    public long maxConsumers;
    public long maxMsgs;
    public long maxBytes;
    public long maxAge;
    public long maxMsgsPerSubject;
    public long maxMsgSize;
    public boolean discardNew;
    public Storage storage;
    public long replicas;
    public boolean noAck;
    public String templateOwner = "";
    public long duplicates;
    public Map<String, Object> placement;
    public Source mirror;
    public List<Source> sources = new ArrayList<>();
    public boolean sealed;
    public boolean denyDelete;
    public boolean denyPurge;
    public boolean allowRollup;
    public RePublish republish;
    public boolean allowDirect;
    public boolean mirrorDirect;
    public boolean discardNewPerSubject;

    /** A mirror or source: the origin stream and where to start. */
    public static final class Source {
        public String name = "";
        public long optStartSeq;
        public Instant optStartTime;
        public String filterSubject = "";
        public Map<String, Object> external;

        static Source parse(JsonIn j) {
            Source s = new Source();
            s.name = j.str("name");
            s.optStartSeq = j.i64("opt_start_seq");
            if (s.optStartSeq < 0) {
                throw new JsonIn.InvalidJson("opt_start_seq: negative uint64");
            }
            s.optStartTime = j.time("opt_start_time");
            s.filterSubject = j.str("filter_subject");
            JsonIn ext = j.obj("external");
            if (ext != null) {
                ext.str("api");
                ext.str("deliver");
                s.external = JsonOut.obj();
                s.external.put("api", ext.str("api"));
                // nats-server's ExternalStream writes both fields, deliver even when empty
                s.external.put("deliver", ext.str("deliver"));
            }
            return s;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = JsonOut.obj();
            m.put("name", name);
            if (optStartSeq > 0) {
                m.put("opt_start_seq", optStartSeq);
            }
            if (optStartTime != null) {
                m.put("opt_start_time", GoFormat.rfc3339NanoOrZero(optStartTime));
            }
            if (!filterSubject.isEmpty()) {
                m.put("filter_subject", filterSubject);
            }
            if (external != null) {
                m.put("external", external);
            }
            return m;
        }
    }

    /** Republish of stored messages to another subject. */
    public static final class RePublish {
        public String source = "";
        public String destination = "";
        public boolean headersOnly;

        Map<String, Object> toJson() {
            Map<String, Object> m = JsonOut.obj();
            if (!source.isEmpty()) {
                m.put("src", source);
            }
            m.put("dest", destination);
            if (headersOnly) {
                m.put("headers_only", true);
            }
            return m;
        }
    }

    public static StreamConfig parse(JsonIn j) {
        StreamConfig c = new StreamConfig();
        c.name = j.str("name");
        c.description = j.str("description");
        List<String> subj = j.strings("subjects");
        c.subjects = subj == null ? new ArrayList<>() : subj;
        c.retention = switch (j.has("retention") ? j.str("retention") : "limits") {
            case "limits" -> Retention.LIMITS;
            case "interest" -> Retention.INTEREST;
            case "workqueue" -> Retention.WORKQUEUE;
            default -> throw new JsonIn.InvalidJson("retention");
        };
        c.maxConsumers = j.i32("max_consumers");
        c.maxMsgs = j.i64("max_msgs");
        c.maxBytes = j.i64("max_bytes");
        c.maxAge = j.i64("max_age");
        c.maxMsgsPerSubject = j.i64("max_msgs_per_subject");
        c.maxMsgSize = j.i32("max_msg_size");
        c.discardNew = switch (j.has("discard") ? j.str("discard") : "old") {
            case "old" -> false;
            case "new" -> true;
            default -> throw new JsonIn.InvalidJson("discard");
        };
        c.storage = !j.has("storage") ? null : switch (j.str("storage")) {
            case "file" -> Storage.FILE;
            case "memory" -> Storage.MEMORY;
            default -> throw new JsonIn.InvalidJson("storage");
        };
        c.replicas = j.i64("num_replicas");
        c.noAck = j.bool("no_ack");
        c.templateOwner = j.str("template_owner");
        c.duplicates = j.i64("duplicate_window");
        JsonIn pl = j.obj("placement");
        if (pl != null) {
            c.placement = JsonOut.obj();
            String cluster = pl.str("cluster");
            List<String> tags = pl.strings("tags");
            if (!cluster.isEmpty()) {
                c.placement.put("cluster", cluster);
            }
            if (tags != null && !tags.isEmpty()) {
                c.placement.put("tags", tags);
            }
        }
        JsonIn mirror = j.obj("mirror");
        c.mirror = mirror == null ? null : Source.parse(mirror);
        List<JsonIn> srcs = j.objects("sources");
        if (srcs != null) {
            for (JsonIn s : srcs) {
                c.sources.add(Source.parse(s));
            }
        }
        c.sealed = j.bool("sealed");
        c.denyDelete = j.bool("deny_delete");
        c.denyPurge = j.bool("deny_purge");
        c.allowRollup = j.bool("allow_rollup_hdrs");
        JsonIn rp = j.obj("republish");
        if (rp != null) {
            c.republish = new RePublish();
            c.republish.source = rp.str("src");
            c.republish.destination = rp.str("dest");
            c.republish.headersOnly = rp.bool("headers_only");
        }
        c.allowDirect = j.bool("allow_direct");
        c.mirrorDirect = j.bool("mirror_direct");
        c.discardNewPerSubject = j.bool("discard_new_per_subject");
        return c;
    }

    public StreamConfig copy() {
        return parse(new JsonIn(io.natsboot.server.protocol.Json.parseObject(JsonOut.write(toJson()))));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = JsonOut.obj();
        m.put("name", name);
        if (!description.isEmpty()) {
            m.put("description", description);
        }
        if (!subjects.isEmpty()) {
            m.put("subjects", subjects);
        }
        m.put("retention", retention.name().toLowerCase());
        m.put("max_consumers", maxConsumers);
        m.put("max_msgs", maxMsgs);
        m.put("max_bytes", maxBytes);
        m.put("max_age", maxAge);
        m.put("max_msgs_per_subject", maxMsgsPerSubject);
        m.put("max_msg_size", maxMsgSize);
        m.put("discard", discardNew ? "new" : "old");
        m.put("storage", storage == Storage.MEMORY ? "memory" : "file");
        m.put("num_replicas", replicas);
        if (noAck) {
            m.put("no_ack", true);
        }
        if (!templateOwner.isEmpty()) {
            m.put("template_owner", templateOwner);
        }
        if (duplicates != 0) {
            m.put("duplicate_window", duplicates);
        }
        if (placement != null) {
            m.put("placement", placement);
        }
        if (mirror != null) {
            m.put("mirror", mirror.toJson());
        }
        if (!sources.isEmpty()) {
            List<Object> l = new ArrayList<>();
            for (Source s : sources) {
                l.add(s.toJson());
            }
            m.put("sources", l);
        }
        if (republish != null) {
            m.put("republish", republish.toJson());
        }
        m.put("allow_direct", allowDirect);
        m.put("mirror_direct", mirrorDirect);
        m.put("sealed", sealed);
        m.put("deny_delete", denyDelete);
        m.put("deny_purge", denyPurge);
        m.put("allow_rollup_hdrs", allowRollup);
        if (discardNewPerSubject) {
            m.put("discard_new_per_subject", true);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamConfig c && JsonOut.write(toJson()).equals(JsonOut.write(c.toJson()));
    }

    @Override
    public int hashCode() {
        return JsonOut.write(toJson()).hashCode();
    }
}
