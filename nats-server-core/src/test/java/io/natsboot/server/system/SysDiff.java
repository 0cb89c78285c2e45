package io.natsboot.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Helpers of the system account's differential tests: the same conf file for nats-server 2.9.10 and ours, a
 * system user listening on $SYS.>, and JSON compared by shape (keys and their order, recursively) and by the
 * values that do not depend on time or ids.
 */
final class SysDiff {
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    private SysDiff() {
    }

    /** One server under test: its client URL and a way to stop it. */
    interface Server extends AutoCloseable {
        String url();

        String id();

        @Override
        void close();
    }

    static Path conf(String text) throws Exception {
        Path f = Files.createTempDirectory("sysdiff").resolve("sys.conf");
        Files.writeString(f, text);
        return f;
    }

    static Server go(Path conf, String name) throws Exception {
        assertThat(Files.isExecutable(NATS_SERVER))
                .as("needs the real nats-server at %s (Debian package nats-server)", NATS_SERVER).isTrue();
        int port = Ports.free();
        Path log = Files.createTempFile("go-sys", ".log");
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port), "-n", name).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Ports.awaitListening(port);
        // the reference logs its id at start; wait for the line
        String id = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> serverIdIn(log), java.util.Objects::nonNull);
        String serverId = id;
        return new Server() {
            public String url() {
                return "nats://127.0.0.1:" + port;
            }

            public String id() {
                return serverId;
            }

            public void close() {
                p.destroy();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static Server ours(Path conf, String name) {
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0).serverName(name);
        });
        try { // the same probing connection the reference server gets (it counts in totals and closed ones)
            Ports.awaitListening(s.port());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Server() {
            public String url() {
                return s.url();
            }

            public String id() {
                return s.server().context().serverId();
            }

            public void close() {
                s.close();
            }
        };
    }

    static Connection connect(String url, String user, String password) throws Exception {
        return Nats.connect(new Options.Builder().server(url).userInfo(user, password).maxReconnects(0)
                .connectionName("probe-" + user).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** Messages a subscription collected, in order. */
    record Msg(String subject, String reply, Map<String, Object> json) {
    }

    static final class Listener implements AutoCloseable {
        final List<Msg> msgs = new CopyOnWriteArrayList<>();
        private final Connection nc;

        Listener(String url, String user, String subject) throws Exception {
            nc = connect(url, user, user);
            Dispatcher d = nc.createDispatcher(this::add);
            d.subscribe(subject);
            nc.flush(Duration.ofSeconds(5));
        }

        private void add(Message m) {
            String text = new String(m.getData(), StandardCharsets.UTF_8);
            msgs.add(new Msg(m.getSubject(), m.getReplyTo(), text.isEmpty() ? Map.of() : Json.parseObject(text)));
        }

        Connection connection() {
            return nc;
        }

        /** Messages so far whose subject does not end with one of {@code skip}. */
        List<Msg> without(String... skip) {
            List<Msg> out = new ArrayList<>();
            next:
            for (Msg m : msgs) {
                for (String s : skip) {
                    if (m.subject().endsWith(s)) {
                        continue next;
                    }
                }
                out.add(m);
            }
            return out;
        }

        @Override
        public void close() {
            try {
                nc.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The JSON with every leaf replaced by its kind: keys, their order and nesting stay. */
    static Object shape(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, shape(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                out.add(shape(x));
            }
            return out;
        }
        if (v instanceof Number) {
            return "number";
        }
        return v == null ? "null" : v.getClass().getSimpleName();
    }

    /** The value at a dotted path ("server.name"), or null. */
    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> json, String path) {
        Object v = json;
        for (String k : path.split("\\.")) {
            if (!(v instanceof Map)) {
                return null;
            }
            v = ((Map<String, Object>) v).get(k);
        }
        return v;
    }

    /** The values at {@code paths}, for comparing what does not depend on time, ids or ports. */
    static Map<String, Object> values(Map<String, Object> json, String... paths) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String p : paths) {
            out.put(p, at(json, p));
        }
        return out;
    }

    private static String serverIdIn(java.nio.file.Path log) throws java.io.IOException {
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("ID:       ");
            if (at >= 0) {
                return line.substring(at + 10).trim();
            }
        }
        return null;
    }
}
