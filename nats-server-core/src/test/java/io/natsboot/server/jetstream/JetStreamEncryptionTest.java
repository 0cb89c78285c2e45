package io.natsboot.server.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.natsboot.server.support.RequiresBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest ({@code jetstream { key, cipher }}): the same store directory is written with a key and
 * then opened with the right key, a wrong key, no key and the other cipher, on nats-server 2.9.10 and on ours;
 * what clients see and the warnings must be the same. On ours the files must not contain the messages, subjects
 * or stream configuration in clear, and a snapshot of an encrypted stream restores.
 */
class JetStreamEncryptionTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    @Test
    @RequiresBinary("nats-server")
    void aStoreWrittenWithAKeyOpensOnlyWithItOnOursAsOnNatsServer(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isExecutable(NATS_SERVER), "this test needs the real nats-server at " + NATS_SERVER
                + " (Debian package nats-server)");
        String[][] steps = {{"write", "key: \"s3cr3t\""}, {"right key", "key: \"s3cr3t\""},
                {"wrong key", "key: \"wrong\""}, {"no key", ""}, {"aes", "key: \"s3cr3t\", cipher: aes"}};
        List<String> theirs = scenario(tmp.resolve("ref"), true, steps);
        List<String> ours = scenario(tmp.resolve("ours"), false, steps);
        assertThat(ours).containsExactlyElementsOf(theirs);
        assertThat(String.join("\n", ours)).contains("Error decrypting our stream metafile: cipher: message authentication failed",
                "Error decrypting our stream metafile: encryption not enabled", "Encryption:      AES-GCM",
                "secret-payload-2");
        assertThat(leaks(tmp.resolve("ours"))).isEmpty();
    }

    @Test
    @RequiresBinary("nats-server")
    void aPlainStoreIsEncryptedWhenAKeyIsConfiguredAsNatsServerDoes(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isExecutable(NATS_SERVER), "this test needs the real nats-server at " + NATS_SERVER
                + " (Debian package nats-server)");
        String[][] steps = {{"write", ""}, {"key", "key: \"s3cr3t\""}, {"again", "key: \"s3cr3t\""},
                {"wrong key", "key: \"wrong\""}};
        List<String> theirs = scenario(tmp.resolve("ref"), true, steps);
        List<String> ours = scenario(tmp.resolve("ours"), false, steps);
        assertThat(ours).containsExactlyElementsOf(theirs);
        assertThat(String.join("\n", ours)).contains("key log   Encrypting stream '$G > E'", "again get secret-payload-2",
                "wrong key log [WRN]   Error decrypting our stream metafile: cipher: message authentication failed");
        assertThat(leaks(tmp.resolve("ours"))).isEmpty();
        try (Stream<Path> left = Files.list(tmp.resolve("ours").resolve("store").resolve("jetstream").resolve("$G")
                .resolve("streams"))) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("E");
        }
    }

    private static List<String> leaks(Path dir) throws Exception {
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String secret : new String[] {"secret-payload", "e.secret", "\"subjects\"", "ack_policy",
                        "durable_name"}) {
                    if (content.contains(secret)) {
                        leaks.add(f + " contains " + secret);
                    }
                }
            }
        }
        return leaks;
    }

    @Test
    @RequiresBinary("nats-server")
    void anUnknownCipherIsAConfigurationErrorAsInNatsServer(@TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("bad.conf");
        Files.writeString(conf, "jetstream { store_dir: \"" + tmp.resolve("store") + "\", key: \"s3cr3t\", cipher: rot13 }\n");
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString()).redirectErrorStream(true).start();
        String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isEqualTo(1);
        ConfigFileOptions.Outcome outcome = ConfigFileOptions.load(conf.toString(),
                ServerOptions.builder().host("127.0.0.1").port(0));
        assertThat(theirs).isEqualTo("nats-server: " + outcome.errors().get(0));
    }

    @Test
    void aSnapshotOfAnEncryptedStreamRestores(@TempDir Path tmp) throws Exception {
        Path conf = conf(tmp, "key: \"s3cr3t\"");
        NatsServer server = start(conf, new CapturingLog());
        try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + server.port()).build())) {
            SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
            c.request("$JS.API.STREAM.CREATE.E", "{\"name\":\"E\",\"subjects\":[\"e.>\"]}");
            for (int i = 0; i < 3; i++) {
                c.request("e.secret." + i, "secret-payload-" + i);
            }
            byte[] archive = c.snapshot("E", "").archive();
            c.request("$JS.API.STREAM.DELETE.E", "");
            assertThat(c.restore("E", "{\"name\":\"E\",\"subjects\":[\"e.>\"]}", archive, 4096).result())
                    .contains("\"messages\":3");
            assertThat(c.request("$JS.API.STREAM.MSG.GET.E", "{\"seq\":3}")).contains("\"subject\":\"e.secret.2\"");
        } finally {
            server.shutdown();
        }
    }

    private static Path conf(Path dir, String extra) throws Exception {
        Files.createDirectories(dir);
        Path conf = dir.resolve("js-" + Math.abs(extra.hashCode()) + ".conf");
        Files.writeString(conf, "jetstream { store_dir: \"" + dir.resolve("store") + "\"" + (extra.isEmpty() ? "" : ", " + extra)
                + " }\n");
        return conf;
    }

    /** Write with a key, then open with it, a wrong one, none, and the other cipher: what a client and the log show. */
    private static List<String> scenario(Path dir, boolean reference, String[][] steps) throws Exception {
        List<String> seen = new ArrayList<>();
        for (String[] step : steps) {
            Path conf = conf(dir, step[1]);
            List<String> log = new ArrayList<>();
            int port;
            Process ref = null;
            NatsServer server = null;
            CapturingLog ourLog = new CapturingLog();
            Path logFile = dir.resolve(step[0].replace(' ', '-') + ".log");
            if (reference) {
                port = Ports.free();
                ref = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-c",
                        conf.toString()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
                Ports.awaitListening(port);
            } else {
                server = start(conf, ourLog);
                port = server.port();
            }
            try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port).noReconnect()
                    .build())) {
                SnapshotProtocolClient c = new SnapshotProtocolClient(nc);
                if (step[0].equals("write")) {
                    c.request("$JS.API.STREAM.CREATE.E", "{\"name\":\"E\",\"subjects\":[\"e.>\"]}");
                    for (int i = 0; i < 3; i++) {
                        c.request("e.secret." + i, "secret-payload-" + i);
                    }
                    c.request("$JS.API.CONSUMER.DURABLE.CREATE.E.D",
                            "{\"stream_name\":\"E\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}");
                }
                seen.add(step[0] + " names " + c.request("$JS.API.STREAM.NAMES", ""));
                String get = c.request("$JS.API.STREAM.MSG.GET.E", "{\"seq\":3}");
                seen.add(step[0] + " get " + (get.contains("\"error\"") ? get : new String(java.util.Base64.getDecoder()
                        .decode((String) ((java.util.Map<?, ?>) io.natsboot.server.protocol.Json.parseObject(get)
                                .get("message")).get("data")), StandardCharsets.UTF_8)));
                seen.add(step[0] + " consumer " + c.request("$JS.API.CONSUMER.NAMES.E", ""));
            } finally {
                if (ref != null) {
                    ref.destroy();
                    assertTrue(ref.waitFor(10, TimeUnit.SECONDS));
                    log.addAll(Files.readAllLines(logFile));
                } else {
                    server.shutdown();
                    log.addAll(ourLog.lines());
                }
            }
            for (String l : log) {
                int at = l.indexOf("[WRN]") >= 0 ? l.indexOf("[WRN]") : l.indexOf("  Encryption:");
                if (l.contains("  Encrypting stream")) {
                    at = l.indexOf("  Encrypting stream");
                }
                if (at >= 0 && (l.contains("decrypt") || l.contains("Encryption:") || l.contains("Encrypting stream"))) {
                    seen.add(step[0] + " log " + l.substring(at).replace("[INF] ", ""));
                }
            }
        }
        return seen;
    }

    private static NatsServer start(Path conf, CapturingLog log) throws Exception {
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(0);
        ConfigFileOptions.Outcome outcome = ConfigFileOptions.load(conf.toString(), b);
        assertThat(outcome.errors()).isEmpty();
        NatsServer server = new NatsServer(b.build(), log);
        server.start();
        return server;
    }
}
