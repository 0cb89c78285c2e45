package io.natsboot.server.jetstream;

import io.natsboot.server.subject.Subjects;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * nats-server 2.9.10's stream configuration check and defaults, in its order (the first failing rule decides the
 * error a client sees): name, replicas, zero limits to -1, duplicate window, max age, rollups, discard-new per
 * subject, mirror and sources, subjects, republish.
 */
final class StreamConfigCheck {
    static final long DEFAULT_DUPLICATES = 120_000_000_000L;
    static final int MAX_NAME_LEN = 255;
    static final int MAX_DESCRIPTION_LEN = 4 * 1024;
    static final long MS100 = 100_000_000L;

    private StreamConfigCheck() {
    }

    static boolean isValidName(String name) {
        return !name.isEmpty() && name.indexOf('.') < 0 && name.indexOf('*') < 0 && name.indexOf('>') < 0
                && name.chars().noneMatch(ch -> ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f');
    }

    /** Checks {@code cfg} in place (defaults filled in); {@code streams} looks up other streams' configs. */
    static void check(StreamConfig cfg, Function<String, StreamConfig> streams) {
        if (!isValidName(cfg.name)) {
            throw ApiError.streamInvalidConfig("stream name is required and can not contain '.', '*', '>'").fail();
        }
        if (cfg.name.length() > MAX_NAME_LEN) {
            throw ApiError.streamInvalidConfig("stream name is too long, maximum allowed is " + MAX_NAME_LEN).fail();
        }
        if (cfg.description.length() > MAX_DESCRIPTION_LEN) {
            throw ApiError.streamInvalidConfig("stream description is too long, maximum allowed is "
                    + MAX_DESCRIPTION_LEN).fail();
        }
        if (cfg.storage == null) {
            cfg.storage = StreamConfig.Storage.FILE;
        }
        if (cfg.replicas == 0) {
            cfg.replicas = 1;
        }
        if (cfg.replicas > 5) {
            throw ApiError.streamInvalidConfig("maximum replicas is 5").fail();
        }
        if (cfg.replicas < 0) {
            throw ApiError.REPLICAS_NEGATIVE.fail();
        }
        if (cfg.maxMsgs == 0) {
            cfg.maxMsgs = -1;
        }
        if (cfg.maxMsgsPerSubject == 0) {
            cfg.maxMsgsPerSubject = -1;
        }
        if (cfg.maxBytes == 0) {
            cfg.maxBytes = -1;
        }
        if (cfg.maxMsgSize == 0) {
            cfg.maxMsgSize = -1;
        }
        if (cfg.maxConsumers == 0) {
            cfg.maxConsumers = -1;
        }
        if (cfg.duplicates == 0 && cfg.mirror == null) {
            cfg.duplicates = cfg.maxAge != 0 && cfg.maxAge < DEFAULT_DUPLICATES ? cfg.maxAge : DEFAULT_DUPLICATES;
        }
        if (cfg.maxAge > 0 && cfg.maxAge < MS100) {
            throw ApiError.streamInvalidConfig("max age needs to be >= 100ms").fail();
        }
        if (cfg.duplicates < 0) {
            throw ApiError.streamInvalidConfig("duplicates window can not be negative").fail();
        }
        if (cfg.maxAge != 0 && cfg.duplicates > cfg.maxAge) {
            throw ApiError.streamInvalidConfig("duplicates window can not be larger then max age").fail();
        }
        if (cfg.duplicates > 0 && cfg.duplicates < MS100) {
            throw ApiError.streamInvalidConfig("duplicates window needs to be >= 100ms").fail();
        }
        if (cfg.denyPurge && cfg.allowRollup) {
            throw ApiError.streamInvalidConfig("roll-ups require the purge permission").fail();
        }
        if (cfg.discardNewPerSubject) {
            if (!cfg.discardNew) {
                throw ApiError.streamInvalidConfig("discard new per subject requires discard new policy to be set").fail();
            }
            if (cfg.maxMsgsPerSubject <= 0) {
                throw ApiError.streamInvalidConfig("discard new per subject requires max msgs per subject > 0").fail();
            }
        }
        if (cfg.mirror == null && cfg.mirrorDirect) {
            throw ApiError.streamInvalidConfig("stream has no mirror but does have mirror direct").fail();
        }
        if (cfg.mirror != null) {
            if (!cfg.subjects.isEmpty()) {
                throw ApiError.MIRROR_WITH_SUBJECTS.fail();
            }
            if (!cfg.sources.isEmpty()) {
                throw ApiError.MIRROR_WITH_SOURCES.fail();
            }
            // an external mirror's origin is elsewhere, never a local stream of the same name
            StreamConfig origin = cfg.mirror.external != null ? null : streams.apply(cfg.mirror.name);
            if (origin != null) {
                if (cfg.maxMsgSize > 0 && origin.maxMsgSize > 0 && cfg.maxMsgSize < origin.maxMsgSize) {
                    throw ApiError.MIRROR_MAX_MESSAGE_SIZE.fail();
                }
                cfg.mirrorDirect = origin.allowDirect;
            }
        }
        for (StreamConfig.Source src : cfg.sources) {
            StreamConfig origin = src.external != null ? null : streams.apply(src.name);
            if (origin != null && cfg.maxMsgSize > 0 && origin.maxMsgSize > 0 && cfg.maxMsgSize < origin.maxMsgSize) {
                throw ApiError.SOURCE_MAX_MESSAGE_SIZE.fail();
            }
        }
        checkCycles(cfg, streams);
        if (cfg.subjects.isEmpty()) {
            if (cfg.mirror == null && cfg.sources.isEmpty()) {
                cfg.subjects.add(cfg.name);
            }
        } else {
            Set<String> seen = new HashSet<>();
            for (String s : cfg.subjects) {
                if (!seen.add(s)) {
                    throw ApiError.streamInvalidConfig("duplicate subjects detected").fail();
                }
                if (SubjectOverlap.collide(s, "$JS.API.>") && SubjectOverlap.subsetOf(s, "$JS.API.>")) {
                    throw ApiError.streamInvalidConfig("subjects overlap with jetstream api").fail();
                }
                if (!Subjects.isValidSubscribeSubject(s)) {
                    throw ApiError.streamInvalidConfig("invalid subject").fail();
                }
            }
        }
        if (cfg.subjects.size() > 1) {
            for (String s : cfg.subjects) {
                for (String t : cfg.subjects) {
                    if (!t.equals(s) && SubjectOverlap.collide(t, s)) {
                        throw ApiError.streamInvalidConfig("subject \"" + s + "\" overlaps with \"" + t + "\"").fail();
                    }
                }
            }
        }
        if (cfg.republish != null) {
            if (cfg.republish.source.isEmpty()) {
                cfg.republish.source = ">";
            }
            boolean srcValid = cfg.subjects.stream().anyMatch(s -> SubjectOverlap.collide(cfg.republish.source, s));
            if (!srcValid) {
                throw ApiError.streamInvalidConfig(
                        "stream configuration for republish source is not valid subset of subjects").fail();
            }
            boolean cycle = cfg.subjects.stream().anyMatch(s -> SubjectOverlap.collide(cfg.republish.destination, s));
            if (cycle) {
                throw ApiError.streamInvalidConfig("stream configuration for republish destination forms a cycle").fail();
            }
            if (!SubjectTransform.valid(cfg.republish.source, cfg.republish.destination)) {
                throw ApiError.streamInvalidConfig("stream configuration for republish not valid").fail();
            }
        }
    }

    private static void checkCycles(StreamConfig root, Function<String, StreamConfig> streams) {
        java.util.ArrayDeque<StreamConfig> toVisit = new java.util.ArrayDeque<>();
        Set<String> visited = new HashSet<>();
        toVisit.add(root);
        while (!toVisit.isEmpty()) {
            StreamConfig c = toVisit.poll();
            visited.add(c.name);
            for (StreamConfig.Source src : c.sources) {
                if (src.external != null) {
                    continue;
                }
                if (visited.contains(src.name)) {
                    boolean overlaps = src.filterSubject.isEmpty()
                            || c.subjects.stream().anyMatch(s -> SubjectOverlap.collide(s, src.filterSubject));
                    if (overlaps) {
                        throw ApiError.streamInvalidConfig("detected cycle").fail();
                    }
                } else {
                    StreamConfig o = streams.apply(src.name);
                    if (o != null) {
                        toVisit.add(o);
                    }
                }
            }
            if (c.mirror != null && c.mirror.external == null) {
                if (visited.contains(c.mirror.name)) {
                    throw ApiError.streamInvalidConfig("detected cycle").fail();
                }
                StreamConfig o = streams.apply(c.mirror.name);
                if (o != null) {
                    toVisit.add(o);
                }
            }
        }
    }

    /** The update rules of 2.9.10 (configUpdateCheck) on an already checked new configuration. */
    static void checkUpdate(StreamConfig old, StreamConfig cfg) {
        if (!cfg.name.equals(old.name)) {
            throw ApiError.streamInvalidConfig("stream configuration name must match original").fail();
        }
        if (cfg.maxConsumers != old.maxConsumers) {
            throw ApiError.streamInvalidConfig("stream configuration update can not change MaxConsumers").fail();
        }
        if (cfg.storage != old.storage) {
            throw ApiError.streamInvalidConfig("stream configuration update can not change storage type").fail();
        }
        if (cfg.retention != old.retention) {
            throw ApiError.streamInvalidConfig("stream configuration update can not change retention policy").fail();
        }
        if (!old.templateOwner.isEmpty()) {
            throw ApiError.streamInvalidConfig("stream configuration update not allowed on template owned stream").fail();
        }
        if (!cfg.templateOwner.isEmpty()) {
            throw ApiError.streamInvalidConfig("stream configuration update can not be owned by a template").fail();
        }
        if (!cfg.sealed && old.sealed) {
            throw ApiError.streamInvalidConfig("stream configuration update can not unseal a sealed stream").fail();
        }
        if (!cfg.denyDelete && old.denyDelete) {
            throw ApiError.streamInvalidConfig("stream configuration update can not cancel deny message deletes").fail();
        }
        if (!cfg.denyPurge && old.denyPurge) {
            throw ApiError.streamInvalidConfig("stream configuration update can not cancel deny purge").fail();
        }
        String om = old.mirror == null ? null : JsonOut.write(old.mirror.toJson());
        String nm = cfg.mirror == null ? null : JsonOut.write(cfg.mirror.toJson());
        if (!java.util.Objects.equals(om, nm)) {
            throw ApiError.STREAM_MIRROR_NOT_UPDATABLE.fail();
        }
        String or = old.republish == null ? null : JsonOut.write(old.republish.toJson());
        String nr = cfg.republish == null ? null : JsonOut.write(cfg.republish.toJson());
        if (!java.util.Objects.equals(or, nr)) {
            throw ApiError.streamInvalidConfig("stream configuration update can not change RePublish").fail();
        }
        if (cfg.sealed) {
            cfg.maxAge = 0;
            cfg.discardNew = true;
            cfg.denyDelete = true;
            cfg.denyPurge = true;
            cfg.allowRollup = false;
        }
    }
}
