package io.natsboot.server.system;

import io.natsboot.server.connection.Account;
import io.natsboot.server.connection.InternalClient;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.monitor.JsonWriter;
import io.natsboot.server.monitor.Monitor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The system account at work (nats-server's {@code s.sys}): an internal client in the system account that
 * publishes the server's events ({@code $SYS.ACCOUNT.<acc>.CONNECT}, {@code .DISCONNECT}, account connection
 * counts, {@code $SYS.SERVER.<id>.STATSZ}, auth errors, shutdown) and answers {@code $SYS.REQ.>} requests.
 *
 * <p>Everything it sends goes through one thread ({@code nats-system}), in order, as nats-server's internal send
 * loop: hooks on client threads only take a snapshot and queue the work. Every message gets the next
 * {@code seq} of this server in its {@code server} object.
 *
 * <p>Other parts of the server add request handlers with {@link #handle}: e.g. the account resolver's
 * {@code $SYS.REQ.CLAIMS.UPDATE}. A handler runs on the system thread and returns the answer (or null).
 */
public final class SystemAccount {
    /** One request on a {@code $SYS} subject: {@code reply} may be null, {@code headers} the raw block or null. */
    public record Request(String subject, String reply, byte[] headers, byte[] payload) {
        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Answers requests on one subject; runs on the system thread and must not block for long. */
    @FunctionalInterface
    public interface RequestHandler {
        /** The answer to publish on the request's reply subject, or null for none. */
        ApiResponse handle(Request request);
    }

    private final ServerContext context;
    private final Monitor monitor;
    private final Account account;
    private final InternalClient client;
    private final ScheduledExecutorService thread;
    private final ClientEvents clientEvents;
    private final StatszSender statsz;
    private final SystemRequests requests;
    private final SystemImports imports;
    private volatile boolean stopped;

    private SystemAccount(ServerContext context, Monitor monitor, Account account) {
        this.context = context;
        this.monitor = monitor;
        this.account = account;
        this.client = context.internalClient(account.name(), "system");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nats-system");
            t.setDaemon(true);
            return t;
        });
        this.clientEvents = new ClientEvents(this, context);
        this.statsz = new StatszSender(this);
        this.requests = new SystemRequests(this);
        this.imports = new SystemImports(context, client);
    }

    /**
     * Starts the system account of {@code context} (null when it has none: no_system_account): its request
     * handlers, the client hooks and the statsz timer. {@code monitor} is the data source of every answer.
     */
    public static SystemAccount start(ServerContext context, Monitor monitor) {
        Account a = context.systemAccount();
        if (a == null) {
            return null;
        }
        SystemAccount sys = new SystemAccount(context, monitor, a);
        sys.requests.subscribe();
        sys.imports.start();
        context.clientListener(sys.clientEvents);
        context.leafListener(sys.clientEvents);
        sys.statsz.start();
        return sys;
    }

    /**
     * Gives an account created after start (e.g. by an account resolver) nats-server's system imports, so its
     * users can ask $SYS.REQ.ACCOUNT.PING.CONNZ / .STATZ about their own account.
     */
    public void accountAdded(Account a) {
        imports.add(a);
    }

    /** Sends the leaf connect event again for each account with leafs here (a remote cluster's interest arrived). */
    public void announceLeafAccounts() {
        clientEvents.announceLeafAccounts();
    }

    /** The system account. */
    public Account account() {
        return account;
    }

    ServerContext context() {
        return context;
    }

    Monitor monitor() {
        return monitor;
    }

    /**
     * Answers requests on {@code subject} (wildcards allowed) in the system account: the interest reaches every
     * server of the cluster, so requests published anywhere arrive here. Returns the subscription; unsubscribe
     * it to stop.
     */
    public InternalClient.InternalSubscription handle(String subject, RequestHandler handler) {
        return client.subscribe(subject, (subj, reply, headers, payload) -> execute(() -> {
            ApiResponse answer = handler.handle(new Request(subj, reply, headers, payload));
            if (answer != null && reply != null) {
                send(reply, answer);
            }
        }));
    }

    /**
     * Answers requests on {@code subject} with bytes made whole by {@code handler} (their own {@code server}
     * object included, as the operator-mode resolver's claims answers are), or no answer when it returns null.
     */
    public InternalClient.InternalSubscription handleRaw(String subject,
            java.util.function.BiFunction<String, byte[], byte[]> handler) {
        return client.subscribe(subject, (subj, reply, headers, payload) -> execute(() -> {
            byte[] answer = handler.apply(subj, payload);
            if (answer != null && reply != null) {
                client.publish(reply, null, null, answer);
            }
        }));
    }

    /**
     * Answers requests on {@code subject} in queue group {@code queue} (one server of the cluster answers) with
     * any number of raw messages, sent in order on the reply subject.
     */
    public InternalClient.InternalSubscription handleStream(String subject, String queue,
            java.util.function.Function<byte[], java.util.List<byte[]>> handler) {
        return client.subscribe(subject, queue, (subj, reply, headers, payload) -> {
            if (reply == null) {
                return;
            }
            execute(() -> {
                for (byte[] answer : handler.apply(payload)) {
                    client.publish(reply, null, null, answer);
                }
            });
        });
    }

    /** Takes every message on {@code subject} (wildcards allowed) on the system thread, in order. */
    public InternalClient.InternalSubscription listen(String subject,
            java.util.function.BiConsumer<String, byte[]> handler) {
        return client.subscribe(subject, (subj, reply, headers, payload) -> execute(() -> handler.accept(subj, payload)));
    }

    /** Publishes raw bytes with a reply subject, from the system thread, in order. */
    public void publishRaw(String subject, String reply, byte[] payload) {
        execute(() -> client.publish(subject, reply, null, payload));
    }

    /** Runs {@code task} on the system thread every {@code period}, first after one period, until shutdown. */
    public void every(java.time.Duration period, Runnable task) {
        long nanos = Math.max(1, period.toNanos());
        schedule(new Runnable() {
            @Override
            public void run() {
                task.run();
                schedule(this, nanos);
            }
        }, nanos);
    }

    /** Runs {@code task} on the system thread after {@code delay}. */
    public void after(java.time.Duration delay, Runnable task) {
        schedule(task, Math.max(1, delay.toNanos()));
    }

    /** Publishes {@code answer} (with this server's next {@code server} object) on {@code subject}, in order. */
    public void publish(String subject, ApiResponse answer) {
        execute(() -> send(subject, answer));
    }

    /** On the system thread: the message leaves now. */
    void send(String subject, ApiResponse answer) {
        client.publish(subject, null, null, answer.toBytes(nextServerInfo()));
    }

    /** On the system thread: an event whose JSON needs the server object. */
    void sendEvent(String subject, java.util.function.Function<ServerInfo, JsonWriter.Writable> event) {
        JsonWriter w = new JsonWriter(false);
        event.apply(nextServerInfo()).writeJson(w);
        client.publish(subject, null, null, w.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The answer to an account's CONNS request, or null (no connections here). */
    ApiResponse connsAnswer(Account a) {
        return clientEvents.connsAnswer(a);
    }

    /** The statsz object now, from the /varz snapshot. */
    Statsz statsz() {
        return Statsz.of(context, monitor.cluster(), monitor.varz());
    }

    /**
     * Whether anyone listens on {@code subject} in the system account: a local subscriber, a route or leaf, another
     * cluster through a gateway (the system account is interest-only there) or an account importing it. nats-server's
     * internal sends go through its normal publish path, so its events reach all of these; asked only when an event
     * is due, never on a client's publish.
     */
    boolean hasInterest(String subject) {
        return client.hasInterest(subject);
    }

    /** The {@code server} object of the next message: sequence number and time taken now. */
    ServerInfo nextServerInfo() {
        return new ServerInfo(context.serverName(), context.infoHost(), context.serverId(), context.clusterName(),
                context.options().compatVersion(), context.nextSystemSequence(),
                context.options().jetstream() != null && context.options().jetstream().enabled(), Instant.now());
    }

    /** Runs {@code task} on the system thread, after what is queued; dropped once stopped. */
    void execute(Runnable task) {
        if (stopped) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    context.log().error("System account: " + e);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping: nothing more leaves
        }
    }

    void schedule(Runnable task, long delayNanos) {
        if (stopped) {
            return;
        }
        try {
            thread.schedule(() -> execute(task), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /**
     * Server shutdown: the last message is {@code $SYS.SERVER.<id>.SHUTDOWN} (the bare server object), sent
     * before clients and routes are closed so they still carry it; then the hooks, handlers and timer stop.
     */
    public void shutdown() {
        if (stopped) {
            return;
        }
        java.util.concurrent.CompletableFuture<Void> sent = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            stopped = true;
            String subject = "$SYS.SERVER." + context.serverId() + ".SHUTDOWN";
            JsonWriter w = new JsonWriter(false);
            nextServerInfo().writeJson(w);
            client.publish(subject, null, null, w.toString().getBytes(StandardCharsets.UTF_8));
            sent.complete(null);
        });
        try {
            sent.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            context.log().warn("System account: shutdown event not sent: " + e);
        }
        stopped = true;
        context.clientListener(null);
        context.leafListener(null);
        thread.shutdownNow();
        imports.close();
        client.close();
    }
}
