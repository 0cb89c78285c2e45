package io.natsboot.rider;

import io.nats.client.Connection;
import io.nats.client.NUID;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.spring.annotation.EnableNats;
import io.natsboot.spring.annotation.NatsListener;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import io.natsboot.spring.core.SlowConsumerPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

/**
 * The book's kit: a kind, a NUID id, its own NATS connection named {@code kind:id}, and answers on
 * {@code _NATS_RIDER.discovery} (its status subject) and {@code _NATS_RIDER.<id>.status} (JSON status).
 *
 * <p>Each component runs in a small application context of its own ({@link ComponentNatsConfiguration}:
 * {@link EnableNats} and nats-spring's templates on that one connection). So the component's
 * {@code @NatsListener} methods subscribe on the {@code kind:id} connection, not on the application's
 * shared one, and closing the context drains the listeners before the connection closes.
 */
abstract class Component implements AutoCloseable {

    /** Placeholder key for the component's id in its own context ({@code @NatsListener} subjects). */
    static final String ID_PROPERTY = "rider.component.id";

    protected final Logger log;
    protected final String kind;
    protected final String id = NUID.nextGlobal();
    protected Connection nc;
    protected NatsTemplate nats;
    protected ReactiveNatsTemplate reactive;
    private AnnotationConfigApplicationContext context;

    Component(String kind) {
        this.kind = kind;
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

    ReactiveNatsTemplate reactive() {
        return reactive;
    }

    /**
     * Connects with the application's client options (servers, credentials, customizers) under the name
     * {@code kind:id}, reconnecting forever, and starts the component's listeners.
     */
    void start(Options appOptions, NatsMessageConverter converter) {
        Options options = new Options.Builder(appOptions)
                .connectionName(name())
                .maxReconnects(-1)
                .connectionListener((conn, event) -> log.info("[{}] NATS {}", id, event))
                .build();
        AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext();
        ctx.setDisplayName(name());
        ctx.getEnvironment().getPropertySources()
                .addFirst(new MapPropertySource("rider-component", Map.of(ID_PROPERTY, id)));
        ctx.registerBean(Options.class, () -> options);
        ctx.registerBean(NatsMessageConverter.class, () -> converter);
        ctx.register(ComponentNatsConfiguration.class);
        @SuppressWarnings("unchecked")
        Class<Component> type = (Class<Component>) getClass();
        ctx.registerBean(kind, type, () -> {
            nc = ctx.getBean(Connection.class);
            nats = ctx.getBean(NatsTemplate.class);
            reactive = ctx.getBean(ReactiveNatsTemplate.class);
            return this;
        });
        context = ctx;
        // Refresh creates the connection, registers the @NatsListener containers and starts them
        // (subscriptions flushed to the server before it returns).
        ctx.refresh();
        log.info("Starting NATS Rider {} ({}) on {}", kind, id, nc.getConnectedUrl());
    }

    /**
     * A component's NATS beans: its connection (closed with the context, after {@link EnableNats}' registry
     * drained the listeners), the templates on it, and {@code @NatsListener} processing.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableNats
    static class ComponentNatsConfiguration {

        @Bean(destroyMethod = "close")
        Connection natsConnection(Options options) {
            return connect(options);
        }

        @Bean
        NatsTemplate natsTemplate(Connection connection, NatsMessageConverter converter) {
            return new NatsTemplate(connection, converter, Duration.ofSeconds(2));
        }

        @Bean
        ReactiveNatsTemplate reactiveNatsTemplate(NatsTemplate template) {
            return new ReactiveNatsTemplate(template, 1024, SlowConsumerPolicy.DROP);
        }
    }

    private static Connection connect(Options options) {
        try {
            return Nats.connect(options);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot connect " + options.getConnectionName() + " to "
                    + options.getServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while connecting " + options.getConnectionName(), e);
        }
    }

    /** Discovery: every component answers with the subject of its status. */
    @NatsListener(subjects = Messages.DISCOVERY, id = "discovery")
    String discovery() {
        return Messages.statusSubject(id);
    }

    /** {@code {"kind","id","cmdline","memstats"}}: JVM memory figures in place of Go's runtime.MemStats. */
    @NatsListener(subjects = "_NATS_RIDER.${" + ID_PROPERTY + "}.status", id = "status")
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
        addStatus(s);
        return s;
    }

    /** Kind-specific status fields. */
    protected void addStatus(Map<String, Object> status) {
    }

    private static List<String> cmdline() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        info.command().ifPresent(cmd::add);
        info.arguments().ifPresent(a -> cmd.addAll(List.of(a)));
        return cmd;
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
    }
}
