package io.natsboot.server.jetstream;

/**
 * An account's JetStream limits applied as nats-server 2.9.10 applies them (single server, untiered):
 * <ul>
 *   <li>stream create, before the configuration is checked: the number of streams (a stream of the same name
 *   counts too), the stream's {@code max_consumers} against the account's, and its {@code max_bytes} (at least
 *   one byte when unlimited) plus what the account's other streams of that storage reserve against the account's
 *   memory/storage limit, then against what the server has left after every stream's reservation;</li>
 *   <li>stream update: the same byte check for the growth of {@code max_bytes} only;</li>
 *   <li>consumer create: the stream's {@code max_consumers}, lowered to the account's when that is smaller; an
 *   unset {@code max_ack_pending} becomes the account's when that is below the default, a larger one is 10121;</li>
 *   <li>publish: the message is stored first; when the account's usage of that storage is then above its limit,
 *   the message is removed again (its sequence stays used) and the publisher gets 10002.</li>
 * </ul>
 */
final class AccountLimitCheck {
    private AccountLimitCheck() {
    }

    private static StreamConfig.Storage storage(StreamConfig cfg) {
        return cfg.storage == null ? StreamConfig.Storage.FILE : cfg.storage;
    }

    /** Stream create (the configuration as sent, before defaults). */
    static void streamCreate(JetStream js, JsAccount a, StreamConfig cfg) {
        // the replica count as sent (0 when absent: a tiered account has no R0 tier, as in nats-server 2.9.10)
        AccountLimits l = a.limitsFor(cfg.replicas);
        if (l == null) {
            throw ApiError.NO_LIMITS.fail();
        }
        long streams = a.tiers.isEmpty() ? a.streamList().size()
                : a.streamList().stream().filter(s -> s.config.replicas == cfg.replicas).count();
        if (l.maxStreams() > 0 && streams >= l.maxStreams()) {
            throw ApiError.MAXIMUM_STREAMS.fail();
        }
        checkLimits(js, l, cfg.maxConsumers, cfg.maxBytes, storage(cfg), reserved(a, cfg), 0);
        checkStreamBytes(l, cfg);
    }

    /** Stream update: only the growth of max_bytes is reserved. */
    static void streamUpdate(JetStream js, JsAccount a, StreamConfig old, StreamConfig cfg) {
        AccountLimits l = a.limitsFor(cfg.replicas);
        if (l == null) {
            throw ApiError.NO_LIMITS.fail();
        }
        long diff = Math.max(0, cfg.maxBytes - old.maxBytes);
        long offset = old.maxBytes > 0 ? old.maxBytes : 0;
        checkLimits(js, l, cfg.maxConsumers, diff, storage(cfg), reserved(a, cfg), offset);
        checkStreamBytes(l, cfg);
    }

    private static void checkStreamBytes(AccountLimits l, StreamConfig cfg) {
        if (l.maxBytesRequired() && cfg.maxBytes <= 0) {
            throw ApiError.STREAM_MAX_BYTES_REQUIRED.fail();
        }
        long perStream = storage(cfg) == StreamConfig.Storage.MEMORY ? l.memoryMaxStreamBytes() : l.storeMaxStreamBytes();
        if (perStream > 0 && cfg.maxBytes > perStream) {
            throw ApiError.STREAM_MAX_STREAM_BYTES_EXCEEDED.fail();
        }
    }

    private static void checkLimits(JetStream js, AccountLimits l, long maxConsumers, long addBytes,
            StreamConfig.Storage storage, long reserved, long offset) {
        if (maxConsumers > 0 && l.maxConsumers() > 0 && maxConsumers > l.maxConsumers()) {
            throw ApiError.MAXIMUM_CONSUMERS.fail();
        }
        long add = addBytes < 0 ? 1 : addBytes;
        long total = add + offset;
        boolean memory = storage == StreamConfig.Storage.MEMORY;
        ApiError exceeded = memory ? ApiError.MEMORY_RESOURCES_EXCEEDED : ApiError.STORAGE_RESOURCES_EXCEEDED;
        long accountMax = memory ? l.maxMemory() : l.maxStore();
        if (accountMax >= 0 && reserved + total > accountMax) {
            throw exceeded.fail();
        }
        long serverMax = memory ? js.options().maxMemory() : js.options().maxStore();
        if (serverMax > 0 && js.reserved(storage) + add > serverMax) {
            throw exceeded.fail();
        }
    }

    /** What the account's other streams of the same storage reserve (their positive max_bytes). */
    private static long reserved(JsAccount a, StreamConfig cfg) {
        long r = 0;
        for (Stream s : a.streamList()) {
            StreamConfig c = s.config;
            if (c.maxBytes > 0 && storage(c) == storage(cfg) && !c.name.equals(cfg.name)
                    && (a.tiers.isEmpty() || c.replicas == cfg.replicas)) {
                r += c.maxBytes;
            }
        }
        return r;
    }

    /** An acknowledging consumer without max_ack_pending gets the account's when that is below the default. */
    static void consumerDefaults(JsAccount a, StreamConfig stream, ConsumerConfig cfg, boolean unsetAckPending) {
        long lim = limitsOf(a, stream).maxAckPending();
        if (unsetAckPending && cfg.ackPolicy != ConsumerConfig.AckPolicy.NONE && lim > 0
                && lim < cfg.maxAckPending) {
            cfg.maxAckPending = lim;
        }
    }

    /** A consumer's max_ack_pending above the account's limit (-1, unlimited, is let through as in nats-server). */
    static void consumer(JsAccount a, StreamConfig stream, ConsumerConfig cfg) {
        long lim = limitsOf(a, stream).maxAckPending();
        if (lim > 0 && cfg.maxAckPending > lim) {
            throw ApiError.consumerMaxPendingAckExcess((int) lim).fail();
        }
    }

    /** The number of consumers a stream may have: its own limit, or the account's when that is lower (0 = any). */
    static long maxConsumers(JsAccount a, StreamConfig cfg) {
        long max = cfg.maxConsumers;
        long acc = limitsOf(a, cfg).maxConsumers();
        if (max <= 0 || (acc > 0 && acc < max)) {
            max = acc;
        }
        return max;
    }

    /** After a message was stored: whether the account's usage of that storage is now above its limits. */
    static boolean exceededAfterStore(JetStream js, JsAccount a, StreamConfig stream) {
        StreamConfig.Storage storage = storage(stream);
        AccountLimits l = limitsOf(a, stream);
        boolean memory = storage == StreamConfig.Storage.MEMORY;
        long max = memory ? l.maxMemory() : l.maxStore();
        long perStream = memory ? l.memoryMaxStreamBytes() : l.storeMaxStreamBytes();
        if (max < 0 && perStream <= 0) {
            return false;
        }
        long used = 0;
        for (Stream s : a.streamList()) {
            if (storage(s.config) == storage && (a.tiers.isEmpty() || s.config.replicas == stream.replicas)) {
                used += s.store.state().bytes();
            }
        }
        return (perStream > 0 && used > perStream) || (max >= 0 && used > max);
    }

    /** The limits an existing stream is held to (its tier's; unlimited when its tier went away). */
    private static AccountLimits limitsOf(JsAccount a, StreamConfig stream) {
        AccountLimits l = a.limitsFor(stream.replicas);
        return l == null ? AccountLimits.UNLIMITED : l;
    }
}
