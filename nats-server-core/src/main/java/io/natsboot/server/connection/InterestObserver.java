package io.natsboot.server.connection;

/**
 * Sees every subscription entering or leaving the tries of this server: local clients' and internal clients'
 * (not server-local ones) and the interest routes advertised, i.e. the interest of the whole cluster as this
 * server knows it. Gateways (and leaf connections) tell remote clusters about it. Called on the thread that made
 * the change; implementations keep their own reference counts.
 */
public interface InterestObserver {
    void interestAdded(Subscription s);

    void interestRemoved(Subscription s);
}
