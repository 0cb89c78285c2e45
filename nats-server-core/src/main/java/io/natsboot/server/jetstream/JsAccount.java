package io.natsboot.server.jetstream;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** JetStream's view of one account: its streams (by name), limits and API counters. */
final class JsAccount {
    final String name;
    final TreeMap<String, Stream> streams = new TreeMap<>();
    final AtomicLong apiTotal = new AtomicLong();
    final AtomicLong apiErrors = new AtomicLong();
    /** Replaced whole when an account JWT changes. */
    volatile AccountLimits limits = AccountLimits.UNLIMITED;
    /** Its streams are recovered and its API subscribed (JetStream.enableAccount finished). */
    volatile boolean recovered;
    /**
     * Tiered limits by tier name ({@code R1}, {@code R3}: the stream's replica count), from an account JWT's
     * {@code tiered_limits}; empty when the account has untiered {@link #limits}.
     */
    volatile java.util.Map<String, AccountLimits> tiers = java.util.Map.of();

    /**
     * The limits a stream of {@code replicas} is held to (nats-server's selectLimits): the untiered ones, else the
     * tier {@code R<replicas>}; null when there is no such tier.
     */
    AccountLimits limitsFor(long replicas) {
        java.util.Map<String, AccountLimits> t = tiers;
        return t.isEmpty() ? limits : t.get("R" + replicas);
    }
    JetStreamTransport.Subscription apiSubscription;

    JsAccount(String name) {
        this.name = name;
    }

    synchronized Stream stream(String name) {
        return streams.get(name);
    }

    synchronized List<Stream> streamList() {
        return new ArrayList<>(streams.values());
    }

    synchronized StreamConfig configOf(String name) {
        Stream s = streams.get(name);
        return s == null ? null : s.config;
    }
}
