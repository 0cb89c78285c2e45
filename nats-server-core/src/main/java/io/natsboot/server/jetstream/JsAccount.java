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
