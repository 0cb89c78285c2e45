package io.natsboot.server.subject;

/**
 * What the subscription trie stores: a subject pattern, and a queue group name or null.
 * Implementations use identity equality: two subscriptions with equal subjects are distinct.
 */
public interface Interest {
    /** The subscribed subject, possibly with {@code *} and {@code >} wildcard tokens. */
    String subject();

    /** The queue group name, or null for a plain subscription. */
    String queue();
}
