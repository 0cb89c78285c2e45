package io.natsboot.server.jetstream;

import io.natsboot.server.subject.Subjects;

/** nats-server 2.9.10's consumer defaults and checks, in its order. */
final class ConsumerConfigCheck {
    static final long DEFAULT_ACK_WAIT = 30_000_000_000L;
    static final long DEFAULT_MAX_WAITING = 512;
    static final long DEFAULT_MAX_ACK_PENDING = 1000;
    static final long DEFAULT_INACTIVE_THRESHOLD = 5_000_000_000L;
    static final int MAX_NAME_LEN = 255;
    static final int MAX_DESCRIPTION_LEN = 4 * 1024;

    private ConsumerConfigCheck() {
    }

    static void defaults(ConsumerConfig c, boolean ephemeral) {
        if (c.flowControl && c.idleHeartbeat == 0) {
            throw ApiError.CONSUMER_FC_NEEDS_HEARTBEATS.fail();
        }
        if (c.maxDeliver == 0) {
            c.maxDeliver = -1;
        }
        if (c.ackPolicy != ConsumerConfig.AckPolicy.NONE && c.ackWait == 0) {
            c.ackWait = DEFAULT_ACK_WAIT;
        }
        if (!c.backoff.isEmpty()) {
            c.ackWait = c.backoff.get(0);
        }
        if (c.maxWaiting == 0 && c.deliverSubject.isEmpty()) {
            c.maxWaiting = DEFAULT_MAX_WAITING;
        }
        if (c.ackPolicy != ConsumerConfig.AckPolicy.NONE && c.maxAckPending == 0) {
            c.maxAckPending = DEFAULT_MAX_ACK_PENDING;
        }
        if (ephemeral && c.inactiveThreshold == 0) {
            c.inactiveThreshold = DEFAULT_INACTIVE_THRESHOLD;
        }
        if (!c.backoff.isEmpty() && c.maxDeliver >= 0 && c.maxDeliver <= c.backoff.size()) {
            throw ApiError.CONSUMER_MAX_DELIVER_BACKOFF.fail();
        }
    }

    /**
     * {@code sample_freq} as nats-server 2.9.10 reads it: an optional trailing {@code %}, then Go's
     * {@code strconv.Atoi}; an unparsable or negative value is 400/10095 with Go's error text ({@code <nil>} for a
     * negative one). Empty is 0 (no sampling); 100 and above sample every ack.
     */
    static int sampleFrequency(String sampleFreq) {
        if (sampleFreq == null || sampleFreq.isEmpty()) {
            return 0;
        }
        String s = sampleFreq.endsWith("%") ? sampleFreq.substring(0, sampleFreq.length() - 1) : sampleFreq;
        long v;
        String err;
        try {
            v = io.natsboot.server.goformat.GoFormat.atoi(s);
            if (v >= 0) {
                return (int) Math.min(v, Integer.MAX_VALUE);
            }
            err = "<nil>";
        } catch (io.natsboot.server.goformat.GoFormat.NumError e) {
            err = e.getMessage();
        }
        throw new ApiError(400, 10095, "failed to parse consumer sampling configuration: " + err).fail();
    }

    static void check(ConsumerConfig c, StreamConfig stream) {
        String name = !c.durable.isEmpty() ? c.durable : c.name;
        if (!c.durable.isEmpty() && !StreamConfigCheck.isValidName(c.durable)) {
            throw ApiError.CONSUMER_BAD_DURABLE_NAME.fail();
        }
        if (name.contains("/") || name.contains("\\")) {
            throw ApiError.CONSUMER_NAME_PATH_SEPARATORS.fail();
        }
        if (name.length() > MAX_NAME_LEN) {
            throw ApiError.consumerNameTooLong(MAX_NAME_LEN).fail();
        }
        if (c.description.length() > MAX_DESCRIPTION_LEN) {
            throw ApiError.consumerDescriptionTooLong(MAX_DESCRIPTION_LEN).fail();
        }
        if (!c.deliverSubject.isEmpty()) {
            if (!Subjects.isValidSubscribeSubject(c.deliverSubject)) {
                throw ApiError.CONSUMER_INVALID_DELIVER_SUBJECT.fail();
            }
            if (Subjects.hasWildcard(c.deliverSubject)) {
                throw ApiError.CONSUMER_DELIVER_TO_WILDCARDS.fail();
            }
            for (String s : stream.subjects) {
                if (Subjects.matches(s, c.deliverSubject)) {
                    throw ApiError.CONSUMER_DELIVER_CYCLE.fail();
                }
            }
            if (c.maxWaiting != 0) {
                throw ApiError.CONSUMER_PUSH_MAX_WAITING.fail();
            }
            if (c.maxBatch != 0) {
                throw ApiError.consumerInvalidPolicy("consumer in push mode can not set max batch").fail();
            }
            if (c.maxExpires != 0) {
                throw ApiError.consumerInvalidPolicy("consumer in push mode can not set max expires").fail();
            }
            if (c.maxBytes != 0) {
                throw ApiError.consumerInvalidPolicy("consumer in push mode can not set max bytes").fail();
            }
            if (c.idleHeartbeat > 0 && c.idleHeartbeat < 100_000_000L) {
                throw ApiError.CONSUMER_SMALL_HEARTBEAT.fail();
            }
        } else {
            if (c.rateLimit > 0) {
                throw ApiError.CONSUMER_PULL_WITH_RATE_LIMIT.fail();
            }
            if (c.maxWaiting < 0) {
                throw ApiError.CONSUMER_MAX_WAITING_NEGATIVE.fail();
            }
            if (c.idleHeartbeat > 0) {
                throw ApiError.CONSUMER_HB_REQUIRES_PUSH.fail();
            }
            if (c.flowControl) {
                throw ApiError.CONSUMER_FC_REQUIRES_PUSH.fail();
            }
            if (c.maxBatch < 0) {
                throw ApiError.CONSUMER_MAX_REQUEST_BATCH_NEGATIVE.fail();
            }
            if (c.maxExpires != 0 && c.maxExpires < 1_000_000L) {
                throw ApiError.CONSUMER_MAX_REQUEST_EXPIRES_TOO_SMALL.fail();
            }
        }
        checkDeliverPolicy(c);
        if (!c.filterSubject.isEmpty() && stream.mirror == null && stream.sources.isEmpty()) {
            boolean ok = false;
            for (String s : stream.subjects) {
                if (SubjectOverlap.collide(s, c.filterSubject)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                throw ApiError.CONSUMER_FILTER_NOT_SUBSET.fail();
            }
        }
    }

    private static void checkDeliverPolicy(ConsumerConfig c) {
        String p = switch (c.deliverPolicy) {
            case ALL -> "deliver all";
            case LAST -> "deliver last";
            case NEW -> "deliver new";
            case LAST_PER_SUBJECT -> "deliver last per subject";
            case BY_START_SEQUENCE -> "deliver by start sequence";
            case BY_START_TIME -> "deliver by start time";
        };
        switch (c.deliverPolicy) {
            case ALL, LAST, NEW, LAST_PER_SUBJECT -> {
                if (c.deliverPolicy == ConsumerConfig.DeliverPolicy.LAST_PER_SUBJECT && c.filterSubject.isEmpty()) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional filter subject is not set").fail();
                }
                if (c.optStartSeq > 0) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start sequence is also set").fail();
                }
                if (c.optStartTime != null) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start time is also set").fail();
                }
            }
            case BY_START_SEQUENCE -> {
                if (c.optStartSeq == 0) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start sequence is not set").fail();
                }
                if (c.optStartTime != null) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start time is also set").fail();
                }
            }
            case BY_START_TIME -> {
                if (c.optStartTime == null) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start time is not set").fail();
                }
                if (c.optStartSeq != 0) {
                    throw ApiError.consumerInvalidPolicy("consumer delivery policy is " + p
                            + ", but optional start sequence is also set").fail();
                }
            }
            default -> { }
        }
    }

    /** Work-queue streams: explicit acks, deliver all, and at most one consumer per subject. */
    static void checkWorkQueue(ConsumerConfig c, Stream s) {
        if (s.config.retention != StreamConfig.Retention.WORKQUEUE) {
            return;
        }
        if (c.isPull() && c.ackPolicy == ConsumerConfig.AckPolicy.NONE) {
            throw new ApiError(400, 10084, "consumer in pull mode requires ack policy").fail();
        }
        if (c.ackPolicy != ConsumerConfig.AckPolicy.EXPLICIT) {
            throw ApiError.CONSUMER_WQ_REQUIRES_EXPLICIT_ACK.fail();
        }
        if (!s.consumers.isEmpty()) {
            if (c.filterSubject.isEmpty()) {
                throw ApiError.CONSUMER_WQ_MULTIPLE_UNFILTERED.fail();
            }
            for (Consumer o : s.consumers.values()) {
                String of = o.config.filterSubject;
                if (of.isEmpty() || SubjectOverlap.collide(of, c.filterSubject)) {
                    throw ApiError.CONSUMER_WQ_NOT_UNIQUE.fail();
                }
            }
        }
        if (c.deliverPolicy != ConsumerConfig.DeliverPolicy.ALL) {
            throw ApiError.CONSUMER_WQ_NOT_DELIVER_ALL.fail();
        }
    }

    /** What an existing consumer may not change (nats-server's updateConfig errors, 500/10012). */
    static void checkUpdate(ConsumerConfig o, ConsumerConfig c, boolean bound) {
        if (c.deliverPolicy != o.deliverPolicy) {
            throw ApiError.consumerCreate("deliver policy can not be updated").fail();
        }
        if (c.optStartSeq != o.optStartSeq) {
            throw ApiError.consumerCreate("start sequence can not be updated").fail();
        }
        if (!java.util.Objects.equals(c.optStartTime, o.optStartTime)) {
            throw ApiError.consumerCreate("start time can not be updated").fail();
        }
        if (c.ackPolicy != o.ackPolicy) {
            throw ApiError.consumerCreate("ack policy can not be updated").fail();
        }
        if (c.replayPolicy != o.replayPolicy) {
            throw ApiError.consumerCreate("replay policy can not be updated").fail();
        }
        if (c.idleHeartbeat != o.idleHeartbeat) {
            throw ApiError.consumerCreate("heart beats can not be updated").fail();
        }
        if (c.flowControl != o.flowControl) {
            throw ApiError.consumerCreate("flow control can not be updated").fail();
        }
        if (c.maxWaiting != o.maxWaiting) {
            throw ApiError.consumerCreate("max waiting can not be updated").fail();
        }
        if (!c.deliverSubject.equals(o.deliverSubject)) {
            if (o.deliverSubject.isEmpty()) {
                throw ApiError.consumerCreate("can not update pull consumer to push based").fail();
            }
            if (c.deliverSubject.isEmpty()) {
                throw ApiError.consumerCreate("can not update push consumer to pull based").fail();
            }
            if (bound) {
                throw ApiError.CONSUMER_NAME_EXIST.fail();
            }
        }
        if (!c.filterSubject.equals(o.filterSubject)) {
            throw ApiError.consumerCreate("can not update filter subject").fail();
        }
    }
}
