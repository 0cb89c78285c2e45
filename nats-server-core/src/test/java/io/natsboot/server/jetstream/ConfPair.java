package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The reference nats-server 2.9.10 and our server started from the same configuration file (each with a store
 * directory of its own: {@code {STORE}} in the text), with client connections to both made as the same user;
 * {@link #request} sends one request to each side and gives both replies in canonical form
 * ({@link JetStreamPair#canonical}: times and other volatile fields masked).
 */
final class ConfPair implements AutoCloseable {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    final Process ref;
    final NatsServer ours;
    final CapturingLog log = new CapturingLog();
    final int refPort;
    final int refHttpPort;
    final Path refStore;
    final Path ourStore;
    private final Path refConf;
    private final Path ourConf;
    private final Path refLog;
    private final boolean monitor;
    private final List<Connection> connections = new ArrayList<>();

    ConfPair(Path tmp, String conf) throws Exception {
        this(tmp, conf, false);
    }

    ConfPair(Path tmp, String conf, boolean monitor) throws Exception {
        refStore = tmp.resolve("ref-store");
        ourStore = tmp.resolve("our-store");
        refConf = tmp.resolve("ref.conf");
        ourConf = tmp.resolve("ours.conf");
        refLog = tmp.resolve("nats-server.log");
        this.monitor = monitor;
        Files.writeString(refConf, conf.replace("{STORE}", refStore.toString()));
        Files.writeString(ourConf, conf.replace("{STORE}", ourStore.toString()));
        refPort = Ports.free();
        refHttpPort = monitor ? Ports.free() : -1;
        List<String> cmd = new ArrayList<>(List.of(NATS_SERVER.toString(), "-c", refConf.toString(), "-a", "127.0.0.1",
                "-p", Integer.toString(refPort)));
        if (monitor) {
            cmd.addAll(List.of("-m", Integer.toString(refHttpPort)));
        }
        ref = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(refLog.toFile()).start();
        ours = new NatsServer(ourOptions(), log);
        ours.start();
        Ports.awaitListening(refPort);
    }

    /** Our options from our configuration file, with the listeners of the test. */
    private ServerOptions ourOptions() throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome outcome = ConfigFileOptions.load(ourConf.toString(), b);
        assertThat(outcome.errors()).isEmpty();
        b.host("127.0.0.1").port(0);
        if (monitor) {
            b.httpHost("127.0.0.1").httpPort(-1);
        }
        return b.build();
    }

    /**
     * Both sides reload {@code conf}: the reference on SIGHUP (waiting for its "Reloaded server configuration"
     * line), ours as NatsServerMain does on SIGHUP (the reload plan, then {@link NatsServer#reload}); returns our
     * plan's lines.
     */
    List<String> reload(String conf) throws Exception {
        Files.writeString(refConf, conf.replace("{STORE}", refStore.toString()));
        Files.writeString(ourConf, conf.replace("{STORE}", ourStore.toString()));
        long before = Files.readString(refLog).split("Reloaded server configuration", -1).length;
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(ref.pid())).start().waitFor()).isZero();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                Files.readString(refLog).split("Reloaded server configuration", -1).length > before);
        ServerOptions next = ourOptions();
        io.natsboot.server.config.ConfigReload.Plan plan = io.natsboot.server.config.ConfigReload.diff(
                ours.options(), next, ours.port());
        ours.reload(next, plan.authChanged());
        return plan.lines();
    }

    String refUrl() {
        return "nats://127.0.0.1:" + refPort;
    }

    String ourUrl() {
        return "nats://127.0.0.1:" + ours.port();
    }

    /** Connections to the reference and to ours, made with {@code options} (user, credentials...). */
    Connection[] connect(Function<Options.Builder, Options.Builder> options) throws Exception {
        Connection r = Nats.connect(options.apply(new Options.Builder().server(refUrl()).noReconnect()).build());
        Connection o = Nats.connect(options.apply(new Options.Builder().server(ourUrl()).noReconnect()).build());
        connections.add(r);
        connections.add(o);
        return new Connection[] {r, o};
    }

    Connection[] connect(String user, String password) throws Exception {
        return connect(b -> b.userInfo(user, password));
    }

    /** The canonical reply on each side ({@code "<no reply>"} when none came within the time given). */
    static List<String> request(Connection[] both, String subject, String body, Duration wait) throws Exception {
        List<String> out = new ArrayList<>();
        for (Connection c : both) {
            Message m;
            try {
                m = c.request(subject, body.getBytes(StandardCharsets.UTF_8), wait);
            } catch (Exception e) {
                m = null;
            }
            if (m == null) {
                out.add("<no reply>");
            } else if (m.isStatusMessage()) {
                out.add("status=" + m.getStatus().getCode());
            } else {
                out.add(JetStreamPair.canonical(m.getSubject().startsWith("_INBOX.") ? "<inbox>" : m.getSubject(),
                        m.getReplyTo(), null, Map.of(), m.getData(), "<inbox>"));
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        for (Connection c : connections) {
            c.close();
        }
        try {
            ours.shutdown();
        } finally {
            ref.destroy();
            if (!ref.waitFor(10, TimeUnit.SECONDS)) {
                ref.destroyForcibly();
            }
        }
    }
}
