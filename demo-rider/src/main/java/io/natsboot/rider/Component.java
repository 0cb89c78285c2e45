package io.natsboot.rider;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.client.NatsConnectionDetails;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The book's kit: a kind, a NUID id, its own NATS connection named {@code kind:id}, and answers on
 * {@code _NATS_RIDER.discovery} (its status subject) and {@code _NATS_RIDER.<id>.status} (JSON status).
 */
abstract class Component implements AutoCloseable {

    protected final Logger log;
    protected final String kind;
    protected final String id = NUID.nextGlobal();
    protected final JsonMapper json;
    protected Connection nc;
    protected Dispatcher dispatcher;

    Component(String kind, JsonMapper json) {
        this.kind = kind;
        this.json = json;
        this.log = LoggerFactory.getLogger("rider." + kind);
    }

    String kind() {
        return kind;
    }

    String id() {
        return id;
    }

    String name() {
        return kind + ":" + id;
    }

    Connection connection() {
        return nc;
    }

    /** Connects, registers the kit's subscriptions, then the component's own. */
    void start(NatsConnectionDetails details) throws Exception {
        Options.Builder b = new Options.Builder()
                .servers(details.getServers().toArray(String[]::new))
                .connectionName(name())
                .maxReconnects(-1)
                .reportNoResponders()
                .connectionListener((conn, event) -> log.info("[{}] NATS {}", id, event));
        if (details.getUsername() != null) {
            b.userInfo(details.getUsername(), details.getPassword() == null ? "" : details.getPassword());
        }
        if (details.getToken() != null) {
            b.token(details.getToken().toCharArray());
        }
        nc = Nats.connect(b.build());
        dispatcher = nc.createDispatcher();
        dispatcher.subscribe(Messages.DISCOVERY, this::onDiscovery);
        dispatcher.subscribe(Messages.statusSubject(id), this::onStatus);
        setUp();
        nc.flush(java.time.Duration.ofSeconds(2));
        log.info("Starting NATS Rider {} ({}) on {}", kind, id, nc.getConnectedUrl());
    }

    /** Component subscriptions, once connected. */
    protected abstract void setUp();

    private void onDiscovery(Message m) {
        if (m.getReplyTo() != null) {
            nc.publish(m.getReplyTo(), Messages.statusSubject(id).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void onStatus(Message m) {
        if (m.getReplyTo() != null) {
            nc.publish(m.getReplyTo(), json.writeValueAsBytes(status()));
        }
    }

    Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", kind);
        s.put("id", id);
        s.put("cmdline", cmdline());
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> memstats = new LinkedHashMap<>();
        memstats.put("heap_used", mem.getHeapMemoryUsage().getUsed());
        memstats.put("heap_committed", mem.getHeapMemoryUsage().getCommitted());
        memstats.put("heap_max", mem.getHeapMemoryUsage().getMax());
        memstats.put("non_heap_used", mem.getNonHeapMemoryUsage().getUsed());
        memstats.put("total_memory", rt.totalMemory());
        memstats.put("free_memory", rt.freeMemory());
        memstats.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        s.put("memstats", memstats);
        return s;
    }

    private static List<String> cmdline() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        java.util.ArrayList<String> cmd = new java.util.ArrayList<>();
        info.command().ifPresent(cmd::add);
        info.arguments().ifPresent(a -> cmd.addAll(List.of(a)));
        return cmd;
    }

    @Override
    public void close() {
        if (nc != null) {
            try {
                nc.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
