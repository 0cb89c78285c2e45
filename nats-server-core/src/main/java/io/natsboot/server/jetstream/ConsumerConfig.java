package io.natsboot.server.jetstream;

import io.natsboot.server.goformat.GoFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A consumer's configuration as nats-server 2.9.10's {@code ConsumerConfig}, with its JSON names and omissions. */
public final class ConsumerConfig {
    public enum DeliverPolicy {
        ALL("all"), LAST("last"), NEW("new"), BY_START_SEQUENCE("by_start_sequence"),
        BY_START_TIME("by_start_time"), LAST_PER_SUBJECT("last_per_subject");

        final String json;

        DeliverPolicy(String json) {
            this.json = json;
        }
    }

    public enum AckPolicy { NONE, ALL, EXPLICIT }

    public enum ReplayPolicy { INSTANT, ORIGINAL }

    public String durable = "";
    public String name = "";
    public String description = "";
    public DeliverPolicy deliverPolicy = DeliverPolicy.ALL;
    public long optStartSeq;
    public Instant optStartTime;
    public AckPolicy ackPolicy = AckPolicy.NONE;
    public long ackWait;
    public long maxDeliver;
    public List<Long> backoff = new ArrayList<>();
    public String filterSubject = "";
    public ReplayPolicy replayPolicy = ReplayPolicy.INSTANT;
    public long rateLimit;
    public String sampleFreq = "";
    public long maxWaiting;
    public long maxAckPending;
    public boolean flowControl;
    public boolean headersOnly;
    public long maxBatch;
    public long maxExpires;
    public long maxBytes;
    public String deliverSubject = "";
    public String deliverGroup = "";
    public long idleHeartbeat;
    public long inactiveThreshold;
    public long replicas;
    public boolean memStorage;
    /**
     * A mirror's or source's copy consumer (nats-server's Direct): not listed, not in the stream's consumer count,
     * counted in the account's consumers.
     */
    public boolean direct;

    public static ConsumerConfig parse(JsonIn j) {
        ConsumerConfig c = new ConsumerConfig();
        if (j == null) {
            return c;
        }
        c.durable = j.str("durable_name");
        c.name = j.str("name");
        c.description = j.str("description");
        String dp = j.has("deliver_policy") ? j.str("deliver_policy") : "all";
        c.deliverPolicy = switch (dp) {
            case "all", "undefined" -> DeliverPolicy.ALL;
            case "last" -> DeliverPolicy.LAST;
            case "new" -> DeliverPolicy.NEW;
            case "by_start_sequence" -> DeliverPolicy.BY_START_SEQUENCE;
            case "by_start_time" -> DeliverPolicy.BY_START_TIME;
            case "last_per_subject" -> DeliverPolicy.LAST_PER_SUBJECT;
            default -> throw new JsonIn.InvalidJson("deliver_policy");
        };
        c.optStartSeq = j.i64("opt_start_seq");
        if (c.optStartSeq < 0) {
            throw new JsonIn.InvalidJson("opt_start_seq");
        }
        c.optStartTime = j.time("opt_start_time");
        String ap = j.has("ack_policy") ? j.str("ack_policy") : "none";
        c.ackPolicy = switch (ap) {
            case "none" -> AckPolicy.NONE;
            case "all" -> AckPolicy.ALL;
            case "explicit" -> AckPolicy.EXPLICIT;
            default -> throw new JsonIn.InvalidJson("ack_policy");
        };
        c.ackWait = j.i64("ack_wait");
        c.maxDeliver = j.i64("max_deliver");
        Object bo = j.raw().get("backoff");
        if (bo instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof Long v)) {
                    throw new JsonIn.InvalidJson("backoff");
                }
                c.backoff.add(v);
            }
        } else if (bo != null) {
            throw new JsonIn.InvalidJson("backoff");
        }
        c.filterSubject = j.str("filter_subject");
        String rp = j.has("replay_policy") ? j.str("replay_policy") : "instant";
        c.replayPolicy = switch (rp) {
            case "instant" -> ReplayPolicy.INSTANT;
            case "original" -> ReplayPolicy.ORIGINAL;
            default -> throw new JsonIn.InvalidJson("replay_policy");
        };
        c.rateLimit = j.i64("rate_limit_bps");
        if (c.rateLimit < 0) {
            throw new JsonIn.InvalidJson("rate_limit_bps");
        }
        c.sampleFreq = j.str("sample_freq");
        c.maxWaiting = j.i32("max_waiting");
        c.maxAckPending = j.i32("max_ack_pending");
        c.flowControl = j.bool("flow_control");
        c.headersOnly = j.bool("headers_only");
        c.maxBatch = j.i32("max_batch");
        c.maxExpires = j.i64("max_expires");
        c.maxBytes = j.i32("max_bytes");
        c.deliverSubject = j.str("deliver_subject");
        c.deliverGroup = j.str("deliver_group");
        c.idleHeartbeat = j.i64("idle_heartbeat");
        c.inactiveThreshold = j.i64("inactive_threshold");
        c.replicas = j.i32("num_replicas");
        c.memStorage = j.bool("mem_storage");
        c.direct = j.bool("direct");
        return c;
    }

    boolean isPull() {
        return deliverSubject.isEmpty();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = JsonOut.obj();
        if (!durable.isEmpty()) {
            m.put("durable_name", durable);
        }
        if (!name.isEmpty()) {
            m.put("name", name);
        }
        if (!description.isEmpty()) {
            m.put("description", description);
        }
        m.put("deliver_policy", deliverPolicy.json);
        if (optStartSeq > 0) {
            m.put("opt_start_seq", optStartSeq);
        }
        if (optStartTime != null) {
            m.put("opt_start_time", GoFormat.rfc3339NanoOrZero(optStartTime));
        }
        m.put("ack_policy", ackPolicy.name().toLowerCase());
        if (ackWait != 0) {
            m.put("ack_wait", ackWait);
        }
        if (maxDeliver != 0) {
            m.put("max_deliver", maxDeliver);
        }
        if (!backoff.isEmpty()) {
            m.put("backoff", backoff);
        }
        if (!filterSubject.isEmpty()) {
            m.put("filter_subject", filterSubject);
        }
        m.put("replay_policy", replayPolicy.name().toLowerCase());
        if (rateLimit != 0) {
            m.put("rate_limit_bps", rateLimit);
        }
        if (!sampleFreq.isEmpty()) {
            m.put("sample_freq", sampleFreq);
        }
        if (maxWaiting != 0) {
            m.put("max_waiting", maxWaiting);
        }
        if (maxAckPending != 0) {
            m.put("max_ack_pending", maxAckPending);
        }
        if (flowControl) {
            m.put("flow_control", true);
        }
        if (headersOnly) {
            m.put("headers_only", true);
        }
        if (maxBatch != 0) {
            m.put("max_batch", maxBatch);
        }
        if (maxExpires != 0) {
            m.put("max_expires", maxExpires);
        }
        if (maxBytes != 0) {
            m.put("max_bytes", maxBytes);
        }
        if (!deliverSubject.isEmpty()) {
            m.put("deliver_subject", deliverSubject);
        }
        if (!deliverGroup.isEmpty()) {
            m.put("deliver_group", deliverGroup);
        }
        if (idleHeartbeat != 0) {
            m.put("idle_heartbeat", idleHeartbeat);
        }
        if (inactiveThreshold != 0) {
            m.put("inactive_threshold", inactiveThreshold);
        }
        m.put("num_replicas", replicas);
        if (memStorage) {
            m.put("mem_storage", true);
        }
        if (direct) {
            m.put("direct", true);
        }
        return m;
    }

    public ConsumerConfig copy() {
        return parse(new JsonIn(io.natsboot.server.protocol.Json.parseObject(JsonOut.write(toJson()))));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsumerConfig c && JsonOut.write(toJson()).equals(JsonOut.write(c.toJson()));
    }

    @Override
    public int hashCode() {
        return JsonOut.write(toJson()).hashCode();
    }
}
