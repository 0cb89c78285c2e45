package io.natsboot.server.gateway;

import io.natsboot.server.subject.Interest;
import io.natsboot.server.subject.MatchResult;
import io.natsboot.server.subject.SubscriptionTrie;
import io.natsboot.server.subject.Subjects;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a remote cluster wants from us, per account, as its inbound side told our outbound connection: nats-server's
 * per-account modes. Optimistic (no entry, or an entry with a no-interest set from RS-): send unless told not to;
 * A-: nothing for the account; interest-only (after gateway_cmd 2 and 3, which nats-server 2.9.10 sends for every
 * account when the connection starts): send only what RS+ asked for. Queue interest (RS+ with a queue) is kept in
 * every mode. Written on the connection's loop, read by publishers on any thread.
 */
final class OutboundInterest {
    enum Mode { OPTIMISTIC, TRANSITIONING, INTEREST_ONLY }

    /** One remote subscription, plain or queue. */
    record RemoteSub(String subject, String queue) implements Interest {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** One account's state. */
    static final class Entry {
        volatile Mode mode = Mode.OPTIMISTIC;
        /** Subjects the remote said it has no interest in (optimistic mode); null once interest-only. */
        volatile Set<String> noInterest = ConcurrentHashMap.newKeySet();
        final SubscriptionTrie<RemoteSub> subs = new SubscriptionTrie<>();
        final Map<String, RemoteSub> byKey = new ConcurrentHashMap<>();
        volatile int queueSubs;
    }

    /** A- accounts map to this marker. */
    private static final Entry NO_INTEREST = new Entry();

    private final Map<String, Entry> accounts = new ConcurrentHashMap<>();

    /** The answer for one message: plain interest, and the remote's queue groups matching it (may be null). */
    record Answer(boolean plain, MatchResult<RemoteSub> queues) {
    }

    private static final Answer YES = new Answer(true, null);
    private static final Answer NO = new Answer(false, null);

    Answer interest(String account, String subject) {
        Entry e = accounts.get(account);
        if (e == null) {
            return YES;
        }
        if (e == NO_INTEREST) {
            return NO;
        }
        boolean plain = false;
        Set<String> ni = e.noInterest;
        if (ni != null && !ni.contains(subject)) {
            plain = true;
        }
        MatchResult<RemoteSub> r = null;
        if (ni == null || e.queueSubs > 0) {
            r = e.subs.match(subject);
            if (r.plainCount() > 0) {
                plain = true;
            }
            if (r.queueGroupCount() == 0) {
                r = null;
            }
        }
        return plain ? (r == null ? YES : new Answer(true, r)) : (r == null ? NO : new Answer(false, r));
    }

    /** RS+ from the remote. */
    void subscribed(String account, String subject, String queue) {
        Entry e = accounts.get(account);
        if (e == NO_INTEREST) {
            e = null;
            accounts.remove(account);
        }
        if (e == null) {
            if (queue == null) {
                return; // optimistic already: interest is assumed
            }
            e = new Entry();
            accounts.put(account, e);
        }
        if (queue != null || e.mode != Mode.OPTIMISTIC) {
            String key = queue == null ? subject : subject + " " + queue;
            if (e.byKey.containsKey(key)) {
                return;
            }
            RemoteSub s = new RemoteSub(subject, queue);
            e.byKey.put(key, s);
            e.subs.insert(s);
            if (queue != null) {
                e.queueSubs++;
            }
        } else {
            Set<String> ni = e.noInterest;
            if (ni != null) {
                if (Subjects.hasWildcard(subject)) {
                    ni.removeIf(k -> Subjects.subsetOf(k, subject));
                } else {
                    ni.remove(subject);
                }
            }
        }
    }

    /** RS- from the remote. */
    void unsubscribed(String account, String subject, String queue) {
        Entry e = accounts.get(account);
        if (e == NO_INTEREST) {
            return;
        }
        boolean useTrie;
        if (e != null) {
            useTrie = queue != null || e.mode != Mode.OPTIMISTIC;
        } else if (queue != null) {
            return;
        } else {
            e = new Entry();
            accounts.put(account, e);
            useTrie = false;
        }
        if (useTrie) {
            String key = queue == null ? subject : subject + " " + queue;
            RemoteSub s = e.byKey.remove(key);
            if (s != null && e.subs.remove(s)) {
                if (queue != null) {
                    e.queueSubs--;
                }
                Set<String> ni = e.noInterest;
                if (e.subs.count() == 0 && e.mode == Mode.OPTIMISTIC && (ni == null || ni.isEmpty())) {
                    accounts.remove(account, e);
                }
            }
        } else {
            Set<String> ni = e.noInterest;
            if (ni != null) {
                ni.add(subject);
            }
        }
    }

    /** A- from the remote. */
    void accountUnsubscribed(String account) {
        Entry e = accounts.get(account);
        if (e != null && e != NO_INTEREST && e.queueSubs > 0) {
            e.noInterest = ConcurrentHashMap.newKeySet();
            return;
        }
        accounts.put(account, NO_INTEREST);
    }

    /** A+ from the remote. */
    void accountSubscribed(String account) {
        Entry e = accounts.get(account);
        if (e == NO_INTEREST) {
            accounts.remove(account);
        }
    }

    /** gateway_cmd 2: the remote is about to send all its subscriptions of the account. */
    void allSubsStart(String account) {
        Entry e = accounts.get(account);
        if (e == null || e == NO_INTEREST) {
            e = new Entry();
            accounts.put(account, e);
        }
        e.mode = Mode.TRANSITIONING;
    }

    /** gateway_cmd 3: all sent; from now on only explicit interest counts. */
    void allSubsComplete(String account) {
        Entry e = accounts.get(account);
        if (e != null && e != NO_INTEREST) {
            e.noInterest = null;
            e.mode = Mode.INTEREST_ONLY;
        }
    }

    /** The mode of an account as /gatewayz shows it. */
    Mode mode(String account) {
        Entry e = accounts.get(account);
        return e == null || e == NO_INTEREST ? Mode.OPTIMISTIC : e.mode;
    }

    /** Accounts with state (for /gatewayz?accs=1), and whether the remote said it has no interest at all. */
    Map<String, Entry> accounts() {
        return accounts;
    }

    static boolean noInterestMarker(Entry e) {
        return e == NO_INTEREST;
    }

    /** Queue subscriptions known, for totals. */
    int queueSubscriptions() {
        int n = 0;
        for (Entry e : accounts.values()) {
            n += e.queueSubs;
        }
        return n;
    }

    /** Every remote subscription kept (interest-only plain ones and queue ones). */
    int subscriptions() {
        int n = 0;
        for (Entry e : accounts.values()) {
            n += e.subs.count();
        }
        return n;
    }
}
