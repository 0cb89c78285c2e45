package io.natsboot.server.jetstream;

import io.natsboot.server.connection.InternalClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The server's {@link JetStreamTransport}: one internal (socketless) client per account, made on first use
 * by {@code clients} (the server's {@code internalClient(account, "jetstream")}). Subscriptions are ordinary
 * entries of the account's trie, so every publisher reaches the API, stream subjects and ack subjects;
 * publishes and deliveries go through the same fan-out as a client's PUB/HPUB.
 */
public final class InternalClientTransport implements JetStreamTransport {
    private final Function<String, InternalClient> clients;
    private final Map<String, InternalClient> byAccount = new ConcurrentHashMap<>();

    public InternalClientTransport(Function<String, InternalClient> clients) {
        this.clients = clients;
    }

    private InternalClient client(String account) {
        return byAccount.computeIfAbsent(account, clients);
    }

    @Override
    public Subscription subscribe(String account, String subject, Handler handler) {
        InternalClient.InternalSubscription sub = client(account).subscribe(subject, handler::onMessage);
        return sub::unsubscribe;
    }

    @Override
    public void publish(String account, String subject, String reply, byte[] headers, byte[] payload) {
        client(account).publish(subject, reply, headers, payload);
    }

    @Override
    public void publishReply(String account, String subject, byte[] headers, byte[] payload) {
        client(account).publishReply(subject, headers, payload);
    }

    @Override
    public void deliver(String account, String deliverSubject, String subject, String reply, byte[] headers,
            byte[] payload) {
        client(account).publishAs(deliverSubject, subject, reply, headers, payload);
    }

    @Override
    public Requester requester() {
        InternalClient.Publisher p = InternalClient.publisher();
        return p == null ? null : new Requester(p.account(), p.rttNanos());
    }

    @Override
    public boolean hasInterest(String account, String subject) {
        return client(account).hasInterest(subject);
    }

    @Override
    public void addDomainMappings(String account, String domain) {
        JetStreamDomains.addMissing(client(account).account(), domain);
    }

    /** Closes every account's internal client (their subscriptions leave the tries). */
    public void close() {
        byAccount.values().forEach(InternalClient::close);
        byAccount.clear();
    }
}
