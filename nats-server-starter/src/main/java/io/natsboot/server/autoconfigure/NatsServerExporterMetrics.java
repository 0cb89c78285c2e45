package io.natsboot.server.autoconfigure;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.monitor.MonitorServer;
import io.natsboot.server.monitor.ProcessStats;
import java.util.function.ToDoubleFunction;

/**
 * The gauges <a href="https://github.com/nats-io/prometheus-nats-exporter">prometheus-nats-exporter</a>
 * publishes for {@code /varz} ({@code -varz}), with its names and its {@code server_id} label, so Grafana
 * dashboards and alerts built on the exporter keep working against {@code /actuator/prometheus} without
 * running the exporter. Like the exporter, every value is a gauge holding the /varz number as is
 * (counters such as {@code in_msgs} included; Go durations in nanoseconds, {@code auth_timeout} in
 * seconds). Read straight from the engine's counters, as {@link NatsServerMetrics} does.
 *
 * <p>Prometheus names: {@code gnatsd_varz_connections}, {@code _total_connections}, {@code _subscriptions},
 * {@code _in_msgs}, {@code _out_msgs}, {@code _in_bytes}, {@code _out_bytes}, {@code _slow_consumers},
 * {@code _routes}, {@code _remotes}, {@code _leafnodes}, {@code _mem}, {@code _cpu}, {@code _cores},
 * {@code _gomaxprocs}, {@code _max_connections}, {@code _max_subscriptions}, {@code _max_payload},
 * {@code _max_pending}, {@code _max_control_line}, {@code _ping_interval}, {@code _ping_max},
 * {@code _write_deadline}, {@code _auth_timeout}, {@code _tls_timeout}, {@code _port} and {@code _http_port}.
 */
public class NatsServerExporterMetrics implements MeterBinder {
    /** prometheus-nats-exporter's name prefix for the /varz collector. */
    public static final String PREFIX = "gnatsd_varz_";

    private final NatsServer server;
    private final Iterable<Tag> tags;
    private final ProcessStats process = new ProcessStats();

    public NatsServerExporterMetrics(NatsServer server) {
        this(server, Tags.empty());
    }

    public NatsServerExporterMetrics(NatsServer server, Iterable<Tag> tags) {
        this.server = server;
        this.tags = Tags.concat(tags, "server_id", server.metrics().serverId());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "connections", "Current client connections", x -> x.metrics().connections());
        gauge(registry, "total_connections", "Client connections accepted since start",
                x -> x.metrics().totalConnections());
        gauge(registry, "subscriptions", "Subscriptions", x -> x.metrics().subscriptions());
        gauge(registry, "in_msgs", "Messages received", x -> x.metrics().inMsgs());
        gauge(registry, "out_msgs", "Messages sent", x -> x.metrics().outMsgs());
        gauge(registry, "in_bytes", "Payload bytes received", x -> x.metrics().inBytes());
        gauge(registry, "out_bytes", "Payload bytes sent", x -> x.metrics().outBytes());
        gauge(registry, "slow_consumers", "Clients closed as slow consumers", x -> x.metrics().slowConsumers());
        gauge(registry, "routes", "Connected routes", x -> x.metrics().routes());
        // One registered route per peer server, so the remote servers are the routes (as /varz has them).
        gauge(registry, "remotes", "Remote servers", x -> x.metrics().routes());
        gauge(registry, "leafnodes", "Leaf node connections", x -> 0);
        gauge(registry, "mem", "Resident set size in bytes", x -> process.residentBytes());
        gauge(registry, "cpu", "CPU percent of one core", x -> process.cpuPercent());
        gauge(registry, "cores", "CPU cores", x -> Runtime.getRuntime().availableProcessors());
        gauge(registry, "gomaxprocs", "Threads for the server (cores)", x -> Runtime.getRuntime().availableProcessors());
        gauge(registry, "max_connections", "Configured max_connections", x -> options(x).maxConnections());
        gauge(registry, "max_subscriptions", "Configured max_subscriptions", x -> options(x).maxSubscriptions());
        gauge(registry, "max_payload", "Configured max_payload", x -> options(x).maxPayload());
        gauge(registry, "max_pending", "Configured max_pending", x -> options(x).maxPending());
        gauge(registry, "max_control_line", "Configured max_control_line", x -> options(x).maxControlLine());
        gauge(registry, "ping_interval", "Configured ping_interval in nanoseconds",
                x -> options(x).pingInterval().toNanos());
        gauge(registry, "ping_max", "Configured ping_max", x -> options(x).pingMax());
        gauge(registry, "write_deadline", "Configured write_deadline in nanoseconds",
                x -> options(x).writeDeadline().toNanos());
        gauge(registry, "auth_timeout", "Configured auth_timeout in seconds",
                x -> options(x).authTimeout().toNanos() / 1e9);
        gauge(registry, "tls_timeout", "TLS handshake timeout in seconds", x -> 2);
        gauge(registry, "port", "Client port", x -> x.metrics().clientPort());
        gauge(registry, "http_port", "Monitoring port", x -> {
            MonitorServer m = x.monitor();
            return m == null ? 0 : m.port();
        });
    }

    private static ServerOptions options(NatsServer s) {
        return s.options();
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<NatsServer> f) {
        Gauge.builder(PREFIX + name, server, f).description(description).tags(tags).register(registry);
    }
}
