package io.natsboot.server.connection;

import io.natsboot.server.subject.Interest;
import java.nio.charset.StandardCharsets;

/**
 * One SUB of one client, one subscription of an {@link InternalClient}, or one entry of interest a route told us
 * about (RS+). Its {@link #receiver} gets the messages. {@code delivered} and {@code max} are guarded by the
 * receiving connection's outbound lock, because publishers on other event loops count deliveries.
 */
public final class Subscription implements Interest {
    /** Who gets the messages: a client connection, an internal client or a route. */
    final Receiver receiver;
    /** The account whose subject space this subscription is in. */
    final Account account;
    /**
     * The receiver when it is a route (interest a peer advertised), else null: the publish path sends one frame
     * per route (RouteFanout) instead of delivering per subscription.
     */
    final RouteTarget route;
    /**
     * For route queue interest: the number of members the remote server has (RS+ weight), so a queue pick
     * is weighted across the cluster; 0 = never picked. Local subscriptions weigh 1.
     */
    volatile int weight = 1;
    private final String subject;
    private final String queue;
    final String sid;
    /** The SID as it is written into MSG lines. */
    final byte[] sidBytes;
    /** Auto-unsubscribe limit; 0 = none. */
    long max;
    long delivered;
    /** Set once the subscription is removed; a removed subscription receives nothing more. */
    volatile boolean closed;

    /** A local subscription (a client's SUB, an internal client's subscribe) in {@code account}. */
    Subscription(Receiver receiver, Account account, String subject, String queue, String sid) {
        this.receiver = receiver;
        this.account = account;
        this.route = null;
        this.subject = subject;
        this.queue = queue;
        this.sid = sid;
        this.sidBytes = sid.getBytes(StandardCharsets.UTF_8);
    }

    private Subscription(RouteTarget route, Account account, String subject, String queue, int weight) {
        this.receiver = route;
        this.account = account;
        this.route = route;
        this.subject = subject;
        this.queue = queue;
        this.sid = "";
        this.sidBytes = new byte[0];
        this.weight = weight;
    }

    /** Interest a route advertised (RS+), to insert into the trie. */
    public static Subscription remote(RouteTarget route, Account account, String subject, String queue,
            int weight) {
        return new Subscription(route, account, subject, queue, weight);
    }

    public Account account() {
        return account;
    }

    /** The route this interest came from, or null for a local subscription. */
    public RouteTarget route() {
        return route;
    }

    public int weight() {
        return weight;
    }

    /** A repeated RS+ for a queue replaces the weight (reference §4.4). */
    public void weight(int w) {
        weight = w;
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public String queue() {
        return queue;
    }

    public String sid() {
        return sid;
    }

    /** Who gets the messages of this subscription. */
    public Receiver receiver() {
        return receiver;
    }

    /** The subscribing client connection, or null (an internal client's subscription, route interest). */
    public ClientConnection client() {
        return receiver instanceof ClientConnection c ? c : null;
    }

    public long delivered() {
        return delivered;
    }

    public long max() {
        return max;
    }
}
